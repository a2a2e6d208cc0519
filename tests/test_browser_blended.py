"""In Chromium: a departure from a certification exam is reported by the page and shown to HR on the
attempt. (Extra time and course evaluations are part of the blended journey,
``test_browser_blended_journey.py``.)"""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from academy.database import db
from academy.models import Attempt, AwayEvent, OrgUnit, Role, User, UserRole

from .conftest import _HASH, LiveServer, browser_log_in
from .support.axe import violations


def _people(app: Flask) -> None:
    with app.app_context():
        unit = OrgUnit(name="华东公司", path="")
        db.session.add(unit)
        db.session.flush()
        unit.path = f"/{unit.id}/"
        hr = User(employee_no="H001", name="王培训", org_unit_id=unit.id, password_hash=_HASH)
        hr.roles.append(UserRole(role=Role.HR, scope_unit_id=unit.id))
        db.session.add_all([hr, User(employee_no="L001", name="赵学员", org_unit_id=unit.id, password_hash=_HASH)])
        db.session.commit()


def test_leaving_a_certification_exam_is_recorded_and_shown_to_hr(live_app: Flask, live_server: LiveServer, page, browser) -> None:  # type: ignore[no-untyped-def]
    _people(live_app)
    learner = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    browser_log_in(learner, live_server, "L001")
    learner.goto(f"{live_server.url}/quiz/exam/cert-sample")
    assert "个人信息告知" in learner.locator("#integrity-notice").inner_text()  # told before it starts
    assert violations(learner) == []
    learner.click("text=开始作答")
    learner.wait_for_url(re.compile(r".*/attempts/\d+$"))

    # leaving the window and coming back: one departure, with its length
    learner.evaluate("window.dispatchEvent(new Event('blur'))")
    learner.wait_for_timeout(1200)
    learner.evaluate("window.dispatchEvent(new Event('focus'))")
    attempt_id = int(learner.url.rsplit("/", 1)[1])
    with live_app.app_context():
        for _ in range(50):
            db.session.expire_all()
            events = db.session.execute(select(AwayEvent).where(AwayEvent.attempt_id == attempt_id)).scalars().all()
            if events and events[0].away_seconds is not None:
                break
            learner.wait_for_timeout(100)
        assert len(events) == 1
        assert events[0].kind == "blur"
        assert events[0].away_seconds is not None
        assert db.session.get(Attempt, attempt_id) is not None
    browser_log_in(page, live_server, "H001")
    page.goto(f"{live_server.url}/attempts/{attempt_id}")
    assert "共 1 次" in page.locator("#integrity").inner_text()
