"""In Chromium: HR grants extra time and the learner sees the longer limit; a departure from a
certification exam is reported by the page; an evaluation answered shows in the course's results."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from academy.database import db, utcnow
from academy.models import Attempt, AwayEvent, Course, Enrollment, OrgUnit, Role, User, UserRole

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


def test_a_learner_with_extra_time_sees_the_longer_limit(live_app: Flask, live_server: LiveServer, page, browser) -> None:  # type: ignore[no-untyped-def]
    _people(live_app)
    browser_log_in(page, live_server, "H001")
    page.goto(f"{live_server.url}/hr/accommodations/")
    page.select_option("#quiz", "exam/cert-sample")
    page.fill("#person", "L001")
    page.fill("#extra_minutes", "15")
    page.fill("#reason", "视力障碍，需放大字号")
    page.click("text=保存安排")
    page.wait_for_selector("text=考试便利安排已生效")
    assert "+15 分钟" in page.locator("table").inner_text()

    learner = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    browser_log_in(learner, live_server, "L001")
    learner.goto(f"{live_server.url}/quiz/exam/cert-sample")
    assert "35 分钟" in learner.locator(".facts").inner_text()
    assert "你的考试时间已延长 15 分钟" in learner.locator("[data-accommodation]").inner_text()
    assert "个人信息告知" in learner.locator("#integrity-notice").inner_text()
    assert violations(learner) == []
    learner.click("text=开始作答")
    learner.wait_for_url(re.compile(r".*/attempts/\d+$"))
    assert "你的考试时间已延长 15 分钟" in learner.locator("[data-accommodation]").inner_text()
    remaining = int(learner.locator("#countdown").get_attribute("data-remaining") or 0)
    assert 34 * 60 < remaining <= 35 * 60
    assert violations(learner) == []

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
    page.goto(f"{live_server.url}/attempts/{attempt_id}")
    assert "共 1 次" in page.locator("#integrity").inner_text()


def test_an_evaluation_answered_shows_in_the_courses_results(live_app: Flask, live_server: LiveServer, page, browser) -> None:  # type: ignore[no-untyped-def]
    _people(live_app)
    with live_app.app_context():
        course = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()
        learner_id = db.session.execute(select(User.id).where(User.employee_no == "L001")).scalar_one()
        db.session.add(Enrollment(user_id=learner_id, course_id=course.id, completed_at=utcnow()))
        db.session.commit()
    learner = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    browser_log_in(learner, live_server, "L001")
    learner.goto(f"{live_server.url}/evaluations")
    learner.click("text=去评价")
    learner.wait_for_url("**/evaluations/course/sample-course")
    assert violations(learner) == []
    learner.click("text=提交评价")
    assert learner.locator(".has-error").count() == 4  # nothing chosen: every rating says so
    for item, value in (("content", "5"), ("delivery", "4"), ("organisation", "4"), ("overall", "5")):
        learner.check(f"input[name={item}][value='{value}']")
    learner.fill("#comment", "案例贴近现场，希望增加练习题")
    learner.click("text=提交评价")
    learner.wait_for_selector("text=你的评价已提交")
    assert violations(learner) == []

    browser_log_in(page, live_server, "H001")
    page.goto(f"{live_server.url}/hr/evaluations")
    page.click("text=示例课程")
    page.wait_for_url("**/hr/evaluations/course/sample-course")
    assert "共 1 份回答" in page.content()
    assert "案例贴近现场，希望增加练习题" in page.locator(".comment-list").inner_text()
