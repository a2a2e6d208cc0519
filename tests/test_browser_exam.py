"""A certification exam taken in headless Chromium: answers saved as given, a reload mid-attempt
loses nothing, the submit grades every answer, and the certificate verifies."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from academy.assessment.services import quizzes
from academy.database import db
from academy.models import Attempt, Certificate, User

from .conftest import _HASH, LiveServer, browser_log_in
from .support.quiz_browser import _answer


def test_exam_through_the_browser_survives_a_reload_and_submits_every_answer(live_app: Flask, live_server: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    with live_app.app_context():
        db.session.add(User(employee_no="20241234", name="张三明", password_hash=_HASH))
        db.session.commit()
    browser_log_in(page, live_server, "20241234")
    page.goto(f"{live_server.url}/quiz/exam/cert-sample")
    page.click("text=开始作答")
    page.wait_for_url(re.compile(r".*/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    assert page.locator("#countdown").is_visible()
    with live_app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        items = [(i.question, i.order) for i in quizzes.paper_of(attempt).items]
    half = len(items) // 2
    for q, order in items[:half]:
        _answer(page, q, order)
    page.reload()  # a closed tab, a dead battery: nothing given so far is lost
    for q, _order in items[:half]:
        box = page.locator(f'fieldset[data-question="{q.id}"]')
        filled = box.evaluate("b => [...b.querySelectorAll('input, select')].some(e => e.checked || (e.type !== 'radio' && e.type !== 'checkbox' && e.value))")
        assert filled, q.id
    for q, order in items[half:]:
        _answer(page, q, order)
    page.click("#submit-paper")
    page.click("#submit-dialog [data-dialog-submit]")  # the confirmation lists what is unanswered
    page.wait_for_selector(".result")
    assert "100%" in page.locator(".result .score").inner_text()
    assert "已通过" in page.locator(".result").inner_text()
    with live_app.app_context():
        graded = db.session.get(Attempt, attempt_id)
        assert graded is not None
        assert graded.score == graded.max_score == len(items)
        serial = db.session.execute(select(Certificate.serial)).scalar_one()
    page.goto(f"{live_server.url}/me/certificates")
    page.click(f'a[href="/certificates/{serial}"]')
    page.wait_for_url(f"**/certificates/{serial}")
    assert page.locator(".certificate svg rect").count() > 100
    page.goto(f"{live_server.url}/verify/{serial}")
    assert "证书真实有效" in page.locator(".verdict").inner_text()
    assert "张*明" in page.content()
