"""The blended training record, end to end in a real browser: HR creates a classroom session and assigns a
department; two learners sign in by scanning the rotating code off the session screen, one of them late;
the hours appear in both training files; a learner submits an outside certificate with its scan and HR
approves it, so its hours join the file too; a learner answers a course evaluation that HR then finds in
the course's results; a learner given extra time sees the longer limit on the exam and its timer."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from academy.database import db, utcnow
from academy.models import (
    ClassroomSession,
    Course,
    Enrollment,
    ExternalRecord,
    OrgUnit,
    Role,
    SessionSeat,
    User,
    UserRole,
)
from academy.people.services import org

from .conftest import _HASH, LiveServer, browser_log_in
from .support.axe import serious_violations

SHOTS = os.environ.get("SCREENSHOTS", "")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _people(app: Flask) -> tuple[OrgUnit, OrgUnit, dict[str, User]]:
    """集团 / 华东公司 / 质量部: HR for 华东公司, two learners in 质量部."""
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
        db.session.flush()
        # the second learner finished the sample course online: its evaluation is open to them
        course_id = db.session.execute(select(Course.id).where(Course.slug == "sample-course")).scalar_one()
        db.session.add(Enrollment(user_id=people["E10002"].id, course_id=course_id, completed_at=utcnow()))
        db.session.commit()
        for row in (company, dept, *people.values()):
            db.session.refresh(row)
            db.session.expunge(row)
        return company, dept, people


def _shot(page: object, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)  # type: ignore[attr-defined]


def test_a_blended_training_record_from_session_to_certificate(
        live_app: Flask, live_server: LiveServer, browser: object, tmp_path: object) -> None:
    company, dept, people = _people(live_app)
    hr, first, second = people["HR001"], people["E10001"], people["E10002"]
    zone = ZoneInfo(live_app.config["DISPLAY_TIMEZONE"])
    started = datetime.now(zone).replace(second=0, microsecond=0) - timedelta(minutes=5)

    # 1. HR creates the session and assigns the department
    desk_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
    desk = desk_ctx.new_page()
    browser_log_in(desk, live_server, hr.employee_no)
    desk.goto(f"{live_server.url}/training/manage")
    desk.click("#session-new")
    desk.fill("#title", "质量管理体系内审实务")
    desk.select_option("#unit", str(company.id))
    desk.fill("#place", "三楼培训室")
    desk.fill("#starts_at", started.strftime("%Y-%m-%dT%H:%M"))
    desk.fill("#ends_at", (started + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    desk.fill("#capacity", "40")
    desk.fill("#hours", "3")
    desk.fill("#late_after_minutes", "15")
    desk.fill("#late_hours", "2")
    _shot(desk, "blended-session-new-1366")
    desk.click("#session-save")
    expect(desk.locator("h1")).to_have_text("质量管理体系内审实务")
    desk.select_option("#target_kind", "unit")
    desk.select_option("#unit", str(dept.id))
    desk.click("#assign-save")
    expect(desk.locator(".flash")).to_contain_text("2 人获得席位")
    expect(desk.locator("#roster")).to_contain_text("李明")
    expect(desk.locator("#roster")).to_contain_text("赵强")
    _shot(desk, "blended-session-detail-1366")
    with live_app.app_context():
        sid = db.session.execute(select(ClassroomSession.id)).scalar_one()

    # 2. the projector screen; two phones scan the code, the second one late
    desk.click("#open-screen")
    expect(desk.locator("#classroom-count")).to_have_text("0")

    def phone_sign_in(person: User) -> object:
        code = desk.inner_text("#classroom-code").strip()
        ctx = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})  # type: ignore[attr-defined]
        phone = ctx.new_page()
        browser_log_in(phone, live_server, person.employee_no)
        phone.goto(f"{live_server.url}/training/sessions/{sid}/sign-in?c={code}")
        phone.click("#signin")
        phone.wait_for_selector("#signin-done")
        return phone

    phone_sign_in(first)
    with live_app.app_context():  # half an hour passes: the second learner arrives after the late threshold
        row = db.session.get(ClassroomSession, sid)
        assert row is not None
        row.starts_at = row.starts_at - timedelta(minutes=30)
        db.session.commit()
    late_phone = phone_sign_in(second)
    expect(desk.locator("#classroom-count")).to_have_text("2", timeout=10_000)

    # 3. the hours are in both training files
    for person, hours in ((first, "3"), (second, "2")):
        desk.goto(f"{live_server.url}/hr/people/{person.id}")
        expect(desk.locator("#file-classroom td").nth(1)).to_have_text(hours)
        expect(desk.locator("#file-hours")).to_contain_text(f"面授 {hours}")

    # 4. a learner submits an outside certificate with its scan (on the phone, with the axe check)
    axe_ctx = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}, bypass_csp=True)  # type: ignore[attr-defined]
    learner = axe_ctx.new_page()
    browser_log_in(learner, live_server, second.employee_no)
    learner.goto(f"{live_server.url}/training")
    expect(learner.locator("#hours-classroom")).to_have_text("2")
    assert serious_violations(learner) == []
    _shot(learner, "blended-mine-360")
    learner.click("#external-new")
    learner.select_option("#kind", "internal-auditor")
    learner.fill("#title", "质量管理体系内审员")
    learner.fill("#issuer", "中国质量认证中心")
    learner.fill("#number", "IA-2026-0451")
    learner.fill("#started_on", "2026-03-02")
    learner.fill("#ended_on", "2026-03-06")
    learner.fill("#expires_on", "2029-03-05")
    learner.fill("#claimed_hours", "32")
    learner.set_input_files("#scan", files=[{"name": "内审员证书.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    assert serious_violations(learner) == []
    learner.click("#external-save")
    expect(learner.locator("#my-external")).to_contain_text("待审核")
    _shot(learner, "blended-mine-submitted-360")

    # 5. HR approves it; its hours join the training file
    desk.goto(f"{live_server.url}/training/external/review")
    desk.click("#external-pending a")
    with desk.expect_download() as download:
        desk.click("#scan-link")
    assert download.value.suggested_filename.endswith(".pdf")
    desk.select_option("#decision", "approve")
    desk.click("#external-decide-save")
    expect(desk.locator("#external-decided")).to_contain_text("已通过")
    desk.goto(f"{live_server.url}/hr/people/{second.id}")
    expect(desk.locator("#file-external")).to_contain_text("IA-2026-0451")
    expect(desk.locator("#file-hours")).to_contain_text("外部 24")  # the rule for 内审员: 24 hours
    learner.goto(f"{live_server.url}/training")
    expect(learner.locator("#hours-external")).to_have_text("24")

    # 6. a learner who finished the course answers its evaluation on the phone; HR sees it in the course's results
    learner.goto(f"{live_server.url}/evaluations")
    expect(learner.locator("main")).to_contain_text("质量管理体系内审实务")  # the session attended waits for one too
    learner.click("a[href$='/evaluations/course/sample-course']")
    learner.wait_for_url("**/evaluations/course/sample-course")
    learner.click("text=提交评价")
    expect(learner.locator(".has-error")).to_have_count(4)  # nothing chosen: every rating says so
    for item, value in (("content", "5"), ("delivery", "4"), ("organisation", "4"), ("overall", "5")):
        learner.check(f"input[name={item}][value='{value}']")
    learner.fill("#comment", "案例贴近现场，希望增加练习题")
    learner.click("text=提交评价")
    learner.wait_for_selector("text=你的评价已提交")
    assert serious_violations(learner) == []
    desk.goto(f"{live_server.url}/hr/evaluations")
    desk.click("text=示例课程")
    desk.wait_for_url("**/hr/evaluations/course/sample-course")
    expect(desk.locator("body")).to_contain_text("共 1 份回答")
    expect(desk.locator(".comment-list")).to_contain_text("案例贴近现场，希望增加练习题")

    # 7. HR grants the other learner extra time on the certification exam; the learner sees the longer limit
    desk.goto(f"{live_server.url}/hr/accommodations/")
    desk.select_option("#quiz", "exam/cert-sample")
    desk.fill("#person", first.employee_no)
    desk.fill("#extra_minutes", "15")
    desk.fill("#reason", "视力障碍，需放大字号")
    desk.click("text=保存安排")
    desk.wait_for_selector("text=考试便利安排已生效")
    expect(desk.locator("table")).to_contain_text("+15 分钟")
    examinee_ctx = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}, bypass_csp=True)  # type: ignore[attr-defined]
    examinee = examinee_ctx.new_page()
    browser_log_in(examinee, live_server, first.employee_no)
    examinee.goto(f"{live_server.url}/quiz/exam/cert-sample")
    expect(examinee.locator(".facts")).to_contain_text("35 分钟")
    expect(examinee.locator("[data-accommodation]")).to_contain_text("你的考试时间已延长 15 分钟")
    assert serious_violations(examinee) == []
    examinee.click("text=开始作答")
    examinee.wait_for_url(re.compile(r".*/attempts/\d+$"))
    expect(examinee.locator("[data-accommodation]")).to_contain_text("你的考试时间已延长 15 分钟")
    remaining = int(examinee.locator("#countdown").get_attribute("data-remaining") or 0)
    assert 34 * 60 < remaining <= 35 * 60
    _shot(examinee, "blended-extra-time-360")

    with live_app.app_context():
        seats = dict(db.session.execute(select(SessionSeat.user_id, SessionSeat.hours)).tuples().all())
        assert seats == {first.id: 3, second.id: 2}
        assert db.session.execute(select(ExternalRecord.hours)).scalar_one() == 24
    late_phone.context.close()  # type: ignore[attr-defined]
