"""Classroom sign-in in the browser: the projector screen shows the rotating code, two phones sign
in with it (one late, earning the late-arrival hours), and a stale code is refused on the phone."""

from __future__ import annotations

import os
from datetime import timedelta

from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from academy.database import db, utcnow
from academy.learning.services import classroom
from academy.learning.services.classroom import SessionDraft
from academy.models import ClassroomSession, OrgUnit, Role, SessionSeat, User, UserRole
from academy.people.services import org

from .conftest import _HASH, LiveServer, browser_log_in
from .support.db import fetch

SHOTS = os.environ.get("SCREENSHOTS", "")


def _people(app: Flask) -> tuple[OrgUnit, dict[str, User]]:
    """华东公司 with its 质量部, an HR user for the subsidiary and two learners in the department."""
    with app.app_context():
        group = org.create_unit("集团")
        company = org.create_unit("华东公司", parent=group)
        dept = org.create_unit("质量部", parent=company)
        people = {
            "HR001": User(employee_no="HR001", name="王芳", password_hash=_HASH, org_unit_id=company.id),
            "E10001": User(employee_no="E10001", name="李明", password_hash=_HASH, org_unit_id=dept.id),
            "E10002": User(employee_no="E10002", name="赵强", password_hash=_HASH, org_unit_id=dept.id),
        }
        people["HR001"].roles.append(UserRole(role=Role.HR, scope_unit_id=company.id))
        db.session.add_all(people.values())
        db.session.commit()
        for row in (company, *people.values()):
            db.session.refresh(row)
            db.session.expunge(row)
        return company, people


def _shot(page: object, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)  # type: ignore[attr-defined]


def test_two_learners_sign_in_from_the_code_on_the_screen(
        live_app: Flask, live_server: LiveServer, browser: object) -> None:
    company, people = _people(live_app)
    hr, first, second = people["HR001"], people["E10001"], people["E10002"]
    with live_app.app_context():
        sid = classroom.create_session(SessionDraft(
            title="质量管理体系内审实务", unit_id=company.id, starts_at=utcnow() - timedelta(minutes=5),
            ends_at=utcnow() + timedelta(hours=3), capacity=40, hours=3, place="三楼培训室",
            late_after_minutes=15, late_hours=2), actor=fetch(User, hr.id)).id

    screen_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
    screen = screen_ctx.new_page()
    browser_log_in(screen, live_server, hr.employee_no)
    screen.goto(f"{live_server.url}/training/sessions/{sid}/screen")
    expect(screen.locator("#classroom-count")).to_have_text("0")
    _shot(screen, "classroom-screen-1366")

    def phone_sign_in(person: User) -> object:
        code = screen.inner_text("#classroom-code").strip()
        ctx = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})  # type: ignore[attr-defined]
        phone = ctx.new_page()
        browser_log_in(phone, live_server, person.employee_no)
        phone.goto(f"{live_server.url}/training/sessions/{sid}/sign-in?c={code}")
        _shot(phone, f"classroom-phone-{person.employee_no}-before")
        phone.click("#signin")
        phone.wait_for_selector("#signin-done")
        _shot(phone, f"classroom-phone-{person.employee_no}-done")
        return phone

    phone_sign_in(first)
    with live_app.app_context():  # half an hour passes: the second learner arrives after the late threshold
        row = db.session.get(ClassroomSession, sid)
        assert row is not None
        row.starts_at = row.starts_at - timedelta(minutes=30)
        db.session.commit()
    late_phone = phone_sign_in(second)
    expect(screen.locator("#classroom-count")).to_have_text("2", timeout=10_000)

    late_phone.goto(f"{live_server.url}/training/sessions/{sid}/sign-in?c=12345678")  # type: ignore[attr-defined]
    assert late_phone.is_visible("#signin-done")  # type: ignore[attr-defined]  # signed in already: nothing to do

    for person in (first, second):  # both training files list the session with the hours earned
        screen.goto(f"{live_server.url}/hr/people/{person.id}")
        expect(screen.locator("#file-classroom")).to_contain_text("质量管理体系内审实务")
        expect(screen.locator("#file-classroom td").nth(1)).to_have_text("3" if person is first else "2")
        _shot(screen, f"classroom-file-{person.employee_no}")

    with live_app.app_context():
        hours = dict(db.session.execute(select(SessionSeat.user_id, SessionSeat.hours)).tuples().all())
    assert hours == {first.id: 3, second.id: 2}


def test_a_stale_code_is_refused_on_the_phone(
        live_app: Flask, live_server: LiveServer, browser: object) -> None:
    company, people = _people(live_app)
    hr, learner = people["HR001"], people["E10001"]
    with live_app.app_context():
        sid = classroom.create_session(SessionDraft(
            title="现场质量改进工作坊", unit_id=company.id, starts_at=utcnow() - timedelta(minutes=5),
            ends_at=utcnow() + timedelta(hours=1), capacity=10, hours=1.5), actor=fetch(User, hr.id)).id
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})  # type: ignore[attr-defined]
    phone = ctx.new_page()
    browser_log_in(phone, live_server, learner.employee_no)
    phone.goto(f"{live_server.url}/training/sessions/{sid}/sign-in?c=00000000")
    phone.click("#signin")
    phone.wait_for_selector("#signin-refusal")
    assert "签到码已过期或不属于本次培训" in phone.inner_text("#signin-refusal")
    _shot(phone, "classroom-phone-refused")
