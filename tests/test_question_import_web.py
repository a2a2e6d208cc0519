"""Authors import a question file in the browser: upload, preview with located warnings, save as a new bank."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.database import db
from academy.models import AuditLog, Role, User

from .conftest import FIXTURES, log_in

GIFT = (FIXTURES / "imports" / "sample.gift").read_bytes()


def _form(**extra: object) -> dict[str, object]:
    return {"fmt": "gift", "bank": "pdca-imported", "title": "PDCA 导入题", "course": "sample-course",
            "lesson": "pdca", **extra}


def test_upload_preview_then_save(synced: Flask, client: FlaskClient, make_user: Callable[..., User],
                                  tmp_path: Path) -> None:
    quiz_root = tmp_path / "quiz"
    shutil.copytree(synced.config["QUIZ_ROOT"], quiz_root)
    synced.config["QUIZ_ROOT"] = quiz_root
    log_in(client, make_user("AU", roles=(Role.AUTHOR,)))
    no_lesson = client.post("/admin/questions/import", data={**_form(step="preview", lesson=""),
                                                             "file": (io.BytesIO(GIFT), "pdca.gift")},
                            content_type="multipart/form-data")
    assert no_lesson.status_code == 422  # refused on the lesson field, the file kept for the next step
    assert "请选择课时" in no_lesson.get_data(as_text=True).split('name="lesson"')[1].split("</div>")[0]
    assert 'name="source" type="hidden" value="// Moodle GIFT' in no_lesson.get_data(as_text=True)
    preview = client.post("/admin/questions/import", data={**_form(step="preview"), "file": (io.BytesIO(GIFT), "pdca.gift")},
                          content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    shown = page.split('class="hr-panel question-preview"')[1]
    assert "PDCA 中的 C 指的是？" in shown  # the stem as learners read it
    assert "对，Check" not in shown  # no feedback and no key marked, as on a paper before grading
    warnings = shown.split('class="warnings"')[1].split("</ul>")[0]
    assert "第 " in warnings  # each warning names its line
    assert "缺少解析：已填为“待补充”" in warnings  # in Chinese, not the reader's English
    assert "no explanation" not in warnings
    assert not (quiz_root / "pdca-imported.md").exists()
    source = page.split('name="source" type="hidden" value="')[1].split('"')[0]
    assert source
    saved = client.post("/admin/questions/import", data={**_form(step="save"), "source": GIFT.decode("utf-8")})
    assert saved.status_code == 303
    text = (quiz_root / "pdca-imported.md").read_text(encoding="utf-8")
    assert "PDCA 中的 C 指的是？" in text
    again = client.post("/admin/questions/import", data={**_form(step="save"), "source": GIFT.decode("utf-8")})
    assert again.status_code == 422  # never overwrites a bank
    assert "已存在" in again.get_data(as_text=True).split('name="bank"')[1].split("</div>")[0]
    with synced.app_context():
        assert db.session.execute(select(AuditLog.action).where(AuditLog.action == "questions_imported")).scalars().all() \
            == ["questions_imported"]


def test_the_import_page_is_for_authors_only(synced: Flask, client: FlaskClient, make_user: Callable[..., User]) -> None:
    log_in(client, make_user("L1"))
    assert client.get("/admin/questions/import").status_code == 403
    assert client.post("/admin/questions/import", data={**_form(step="save"), "source": "x"}).status_code == 403
    log_in(client, make_user("H1", roles=(Role.HR,)))
    assert client.get("/admin/questions/import").status_code == 403


def test_the_readers_messages_are_shown_in_chinese_and_unknown_ones_as_they_came(app: Flask) -> None:
    from academy.content import aiken
    from academy.people.views.import_messages import translated

    result = aiken.parse_aiken("这是题干？\nA. 甲\nB. 乙\nANSWER: C\n\n另一题？\nA. 甲\nB. 甲\nANSWER: A\n")
    assert result.rejected
    with app.test_request_context("/"):
        shown = [translated(r.reason) for r in result.rejected]
        assert all(not any("a" <= ch <= "z" for ch in text.replace("ANSWER", "")) for text in shown), shown
        assert translated("HTML '<b>' is removed when the question is shown") == "HTML 标记 <b> 在显示题目时会被去掉"
        assert translated("a parser's own words") == "a parser's own words"
