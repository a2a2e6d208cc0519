"""A certification exam taken in headless Chromium: answers saved as given, a reload mid-attempt
loses nothing, the submit grades every answer, and the certificate verifies."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from academy.content.quizbank import QType
from academy.database import db
from academy.grading import to_display
from academy.models import Attempt, Certificate, User
from academy.services import quizzes

from .conftest import _HASH, LiveServer, browser_log_in


def _answer(page, q, order) -> None:  # type: ignore[no-untyped-def]
    box = page.locator(f'fieldset[data-question="{q.id}"]')
    name = f"q-{q.id}"
    if q.type is QType.SINGLE:
        box.locator(f'input[name="{name}"][value="{to_display(q, q.correct[0], order)}"]').check()
    elif q.type is QType.MULTIPLE:
        for position in to_display(q, list(q.correct), order):
            box.locator(f'input[name="{name}"][value="{position}"]').check()
    elif q.type is QType.TRUEFALSE:
        box.locator(f'input[name="{name}"][value="{"true" if q.truth else "false"}"]').check()
    elif q.type is QType.FILL:
        for n, variants in enumerate(q.blanks):
            box.locator(f'input[name="{name}-{n}"]').fill(f" {variants[0].upper()} ")
    elif q.type is QType.NUMERIC:
        box.locator(f'input[name="{name}"]').fill(str(((q.low or 0) + (q.high or 0)) / 2))
    elif q.type is QType.ORDERING:
        for k, option in enumerate(order):
            box.locator(f'select[name="{name}-{k}"]').select_option(str(option + 1))
    else:
        for i, position in enumerate(to_display(q, list(range(len(q.matches))), order)):
            box.locator(f'select[name="{name}-{i}"]').select_option(str(position))
    box.locator(".save-state").filter(has_text="✓").wait_for(timeout=5000)


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
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit-paper")
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
