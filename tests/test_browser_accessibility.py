"""axe-core (WCAG 2.1 A and AA rules) on every page a learner sees, at 360 px and at a desk:
no violation of impact serious or critical. The exam is checked with all seven question types,
its navigator and its submit confirmation open, and the live final's phone page mid-question."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from academy.database import db
from academy.models import Certificate, Role, User, UserRole

from .conftest import _HASH, LiveServer, browser_log_in
from .support.axe import serious_violations
from .support.exam_browser import answer_by_touch, every_type_attempt

PHONE = {"width": 360, "height": 740}
DESK = {"width": 1366, "height": 768}


def _people(app: Flask) -> None:
    with app.app_context():
        db.session.add(User(employee_no="20241234", name="张三明", password_hash=_HASH))
        host = User(employee_no="H001", name="主持人", password_hash=_HASH)
        host.roles.append(UserRole(role=Role.HOST))
        db.session.add(host)
        db.session.commit()


def _page(browser: Any, viewport: dict[str, int]) -> Any:
    context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=viewport["width"] < 600)
    return context.new_page()


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_learner_pages_have_no_serious_accessibility_violations(viewport: dict[str, int], live_app: Flask,
                                                                live_server: LiveServer, browser: Any) -> None:
    _people(live_app)
    page = _page(browser, viewport)
    url = live_server.url
    found: list[str] = []
    page.goto(f"{url}/login")
    found += serious_violations(page)
    browser_log_in(page, live_server, "20241234")
    for path in ("/courses", "/courses/sample-course", "/courses/sample-course/what-is-quality", "/me",
                 "/me/certificates", "/quiz/final/sample-course", "/quiz/exam/cert-sample",
                 "/quiz/check/sample-course/pdca"):
        page.goto(url + path)
        found += serious_violations(page)

    # the exam with every question type: as it opens, with the navigator, with the confirmation
    attempt_id, items = every_type_attempt(live_app, "20241234")
    page.goto(f"{url}/attempts/{attempt_id}")
    found += serious_violations(page)
    for q, order in items[:-1]:
        answer_by_touch(page, q, order)
    page.locator("#qnav summary").click()
    found += serious_violations(page)
    page.locator("#qnav summary").click()
    page.locator("#submit-paper").click()
    page.locator("#submit-dialog").wait_for(state="visible")
    found += serious_violations(page)  # one question left unanswered, named in the confirmation
    page.locator("[data-dialog-submit]").click()
    page.wait_for_selector(".result")
    found += serious_violations(page)  # passed: own answers marked, the keys and explanations shown

    # a failed course final: own answers marked, keys withheld, a retake offered
    page.goto(f"{url}/quiz/final/sample-course")
    page.click("form button.primary")
    page.wait_for_selector("#paper")
    page.locator("#submit-paper").click()
    page.locator("[data-dialog-submit]").click()
    page.wait_for_selector(".result.failed")
    found += serious_violations(page)

    # the certificate, and the public check with and without a number
    with live_app.app_context():
        serial = db.session.execute(select(Certificate.serial)).scalar_one()
    page.goto(f"{url}/certificates/{serial}")
    found += serious_violations(page)
    visitor = _page(browser, viewport)
    for path in ("/verify", "/verify/QS-AAAA-BBBB-CCCC-DDDD", f"/verify/{serial}"):
        visitor.goto(url + path)
        found += serious_violations(visitor)
    assert found == [], "\n".join(found)


def test_the_live_final_phone_page_has_no_serious_accessibility_violations(live_app: Flask, live_server: LiveServer,
                                                                           browser: Any) -> None:
    _people(live_app)
    host = _page(browser, DESK)
    browser_log_in(host, live_server, "H001")
    host.goto(f"{live_server.url}/live/new")
    host.fill("input[name=title]", "质量知识竞赛决赛")
    host.fill("textarea[name=running_order]", "sample-001 everyone 20\nsample-002 everyone 20")
    host.click("form.card button")
    host.wait_for_url("**/host")
    code = host.locator("h1 code").inner_text()
    phone = _page(browser, PHONE)
    browser_log_in(phone, live_server, "20241234")
    phone.goto(f"{live_server.url}/live/")
    found = serious_violations(phone)
    phone.fill("input[name=code]", code.lower())
    phone.click("form.card button")
    phone.click("#join")
    phone.wait_for_selector("#me")
    found += serious_violations(phone)  # the lobby
    host.click("button[data-action=next]")
    host.wait_for_load_state()
    host.click("button[data-action=open]")
    host.wait_for_load_state()
    phone.wait_for_selector("#stage[data-position='1'][data-state='open']")
    found += serious_violations(phone)  # a question open
    phone.locator(".options li[role=button]").first.click()
    phone.wait_for_selector("#note:has-text('答案已收到')")
    found += serious_violations(phone)
    assert found == [], "\n".join(found)
