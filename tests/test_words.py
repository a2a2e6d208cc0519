"""Words, not codes: one language per page, Chinese punctuation on Chinese pages, titles not ids."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from .conftest import log_in

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LEARNER = ("courses", "me", "certificates", "auth")


def test_chinese_course_page_has_no_english_subtitle(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    page = client.get("/courses/sample-course").get_data(as_text=True)
    assert "Sample Course" not in page
    assert "适用对象：全体员工" in page
    second = client.get("/courses/second-course").get_data(as_text=True)
    assert "示例课程" in second  # the prerequisite by its title
    assert ">sample-course<" not in second


def test_english_course_page_uses_ascii_punctuation(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    with client.session_transaction() as session:
        session["lang"] = "en"
    page = client.get("/courses/sample-course").get_data(as_text=True)
    assert "For: 全体员工" in page
    assert "For：" not in page


def test_quiz_facts_use_full_width_colons_in_chinese(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    page = client.get("/quiz/exam/cert-sample").get_data(as_text=True)
    facts = page[page.index('<ul class="facts">'):page.index("</ul>", page.index('<ul class="facts">'))]
    assert "：" in facts
    assert not re.search(r"[\u4e00-\u9fff]: ", facts), facts


def test_learner_templates_put_no_ascii_colon_after_a_translated_label() -> None:
    """A grep over the learner templates: a label then ": " reads "题数: 5" in Chinese; use ``colon``."""
    found = []
    for folder in LEARNER:
        for template in (TEMPLATES / folder).rglob("*.html"):
            for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(r"\}\}(: |：)", line) and '_("' in line:
                    found.append(f"{template.relative_to(TEMPLATES)}:{number}")
    assert found == []
