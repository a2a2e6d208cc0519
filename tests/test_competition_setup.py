"""Setting up an online round through the form: draw rules and awards as rows, each error on its
own field in plain Chinese, nothing saved while any field is wrong; the question picker shows
questions as players see them and never their keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from academy.assessment.services import question_picker, quizzes
from academy.content.quizbank import QType
from academy.database import db
from academy.models import AuditLog, Competition, Role

from .conftest import log_in


def _when(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M")


def _data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "质量月线上预赛", "rules": "独立完成", "opens_at": _when(timedelta(days=-1)),
        "closes_at": _when(timedelta(days=1)), "draw-0-bank": "sample-course", "draw-0-count": "3",
        "draw-0-types": ["single", "truefalse", "multiple"], "time_limit": "30", "sittings": "2", "team_depth": "1",
        "weight_participation": "40", "weight_average": "60", "freeze_hours": "0", "show_names": "10",
        "awards-0-name": "一等奖", "awards-0-rule": "top", "awards-0-value": "1",
        "awards-1-name": "优胜奖", "awards-1-rule": "top_percent", "awards-1-value": "50",
        "awards-2-name": "优秀组织奖", "awards-2-rule": "units", "awards-2-value": "2",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def host(synced: Flask, make_user):  # type: ignore[no-untyped-def]
    user = make_user("H1", roles=(Role.HOST,))
    client = synced.test_client()
    log_in(client, user)
    return client


def _count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.execute(select(func.count()).select_from(Competition)).scalar_one())


def _error_of(html: str, field_id: str) -> str:
    """The error paragraph right after a field (the field macro puts it there)."""
    start = html.index(f'id="{field_id}"')
    block = html[start:html.index("</div>", start)]
    assert '<p class="error">' in block, f"no error under {field_id}"
    return block.split('<p class="error">', 1)[1].split("</p>", 1)[0]


def test_a_round_from_rows_stores_its_draw_and_awards(synced: Flask, host) -> None:  # type: ignore[no-untyped-def]
    response = host.post("/competitions/new", data=_data(**{"draw-1-bank": "sample-course", "draw-1-count": "1",
                                                              "draw-1-difficulty": ["易"]}))
    assert response.status_code == 303, response.get_data(as_text=True)
    with synced.app_context():
        c = db.session.execute(select(Competition)).scalar_one()
        assert c.draw == [{"bank": "sample-course", "count": 3, "types": ["single", "truefalse", "multiple"]},
                          {"bank": "sample-course", "count": 1, "difficulty": ["易"]}]
        assert c.awards == [{"name": "一等奖", "top": 1}, {"name": "优胜奖", "top_percent": 50},
                            {"name": "优秀组织奖", "units": 2}]
        assert db.session.execute(select(AuditLog).where(AuditLog.action == "competition.create")).scalar_one()


@pytest.mark.parametrize(("changes", "field_id", "message"), [
    ({"closes_at": _when(timedelta(days=-2))}, "closes_at", "截止时间须晚于开始时间。"),
    ({"time_limit": "0"}, "time_limit", "请填写 1 到 600 之间的整数。"),
    ({"time_limit": "601"}, "time_limit", "请填写 1 到 600 之间的整数。"),
    ({"sittings": "21"}, "sittings", "请填写 1 到 20 之间的整数。"),
    ({"draw-0-count": "0"}, "draw-0-count", "请填写 1 到 200 之间的整数。"),
    ({"draw-0-count": "999"}, "draw-0-count", "请填写 1 到 200 之间的整数。"),
    ({"draw-0-count": "150"}, "draw-0-count", "这个题库中符合所勾选题型和难度的题目只有"),
    ({"draw-0-count": None}, "draw-0-count", "请填写从这个题库抽几道题。"),
    ({"draw-0-bank": "no-such-bank"}, "draw-0-bank", "请选择题库。"),
    ({"awards-0-value": "0"}, "awards-0-value", "请填写 1 到 100000 之间的整数。"),
    ({"awards-1-value": "101"}, "awards-1-value", "请填写 1 到 100 之间的整数。"),
    ({"awards-0-name": ""}, "awards-0-name", "请填写奖项名称。"),
    ({"awards-0-value": None}, "awards-0-value", "请填写 1 到 100000 之间的整数。"),
    ({"title": ""}, "title", "请填写答题名称。"),
])
def test_each_error_sits_on_its_field_and_nothing_is_saved(synced: Flask, host, changes, field_id, message) -> None:  # type: ignore[no-untyped-def]
    response = host.post("/competitions/new", data=_data(**changes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in _error_of(html, field_id)
    assert "尚未保存：请修改下面标出的内容。" in html
    assert "此行无法使用" not in html
    if field_id != "closes_at":
        assert "截止时间须晚于开始时间" not in html
    assert _count(synced) == 0


def test_a_round_without_questions_is_refused_on_the_questions_part(synced: Flask, host) -> None:  # type: ignore[no-untyped-def]
    response = host.post("/competitions/new", data=_data(**{"draw-0-bank": "", "draw-0-count": None, "draw-0-types": None}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    part = html[html.index('id="draw"'):html.index('id="awards"')]
    assert 'id="draw-error">答题不能没有题目' in part
    assert _count(synced) == 0


def test_a_window_that_closes_before_it_opens_is_reported_under_closes_not_the_draw(synced: Flask, host) -> None:  # type: ignore[no-untyped-def]
    html = host.post("/competitions/new", data=_data(closes_at=_when(timedelta(days=-3)))).get_data(as_text=True)
    assert "截止时间须晚于开始时间。" in _error_of(html, "closes_at")
    draw = html[html.index('id="draw"'):html.index('id="awards"')]
    assert 'class="error"' not in draw


def test_the_form_works_without_the_script_and_keeps_what_was_typed(synced: Flask, host) -> None:  # type: ignore[no-untyped-def]
    page = host.get("/competitions/new").get_data(as_text=True)
    for n in range(3):  # empty draw rows, ready without any script
        assert f'name="draw-{n}-bank"' in page
    assert 'name="awards-3-name"' in page
    assert "qs-basics-001 everyone" not in page
    assert "top 3" not in page
    again = host.post("/competitions/new", data=_data(time_limit="0")).get_data(as_text=True)
    assert 'value="质量月线上预赛"' in again
    assert '<option selected value="sample-course">' in again or 'selected value="sample-course"' in again


def test_a_learner_may_not_set_up_a_round_or_browse_the_banks(synced: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    learner = synced.test_client()
    log_in(learner, make_user("L1"))
    assert learner.get("/competitions/new").status_code == 403
    assert learner.post("/competitions/new", data=_data()).status_code == 403
    assert learner.get("/competitions/questions").status_code == 403
    assert learner.get("/competitions/questions?part=list&bank=sample-course").status_code == 403
    assert _count(synced) == 0


def test_the_picker_filters_and_never_shows_a_key(synced: Flask, host) -> None:  # type: ignore[no-untyped-def]
    with synced.app_context():
        bank = quizzes.sources().banks["sample-course"]
    singles = [q for q in bank.questions if q.type is QType.SINGLE]
    html = host.get("/competitions/questions?bank=sample-course&types=single").get_data(as_text=True)
    assert f"符合条件的题目共 {len(singles)} 道" in html
    for q in bank.questions:
        shown = f'data-question="{q.id}"' in html
        assert shown == (q.type is QType.SINGLE), q.id
        if q.explanation:
            assert q.explanation[:12] not in html
    assert 'class="key' not in html
    assert "✓" not in html
    everything = host.get("/competitions/questions?part=list").get_data(as_text=True)
    assert 'class="explanation' not in everything
    assert 'class="key' not in everything
    assert 'data-total="' in everything
    assert "<html" not in everything
    tagged = next(q for q in bank.questions if q.tags)
    by_tag = host.get(f"/competitions/questions?part=list&tag={tagged.tags[0]}").get_data(as_text=True)
    assert f'data-question="{tagged.id}"' in by_tag
    assert all(f'data-question="{q.id}"' not in by_tag for q in bank.questions if tagged.tags[0] not in q.tags)


def test_the_preview_never_lists_an_ordering_question_in_its_key_order(synced: Flask) -> None:
    with synced.app_context():
        for bank in quizzes.sources().banks.values():
            for q in bank.questions:
                order = question_picker.preview_order(q)
                size = len(q.matches) if q.type is QType.MATCHING else len(q.options)
                assert sorted(order) == list(range(size))
                if size > 1:
                    assert list(order) != list(range(size)), q.id
