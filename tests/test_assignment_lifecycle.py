"""Assignments after they are made: a new reach, pause and archive, late joiners' own due dates,
and the e-mail that goes with the notice of a new assignment."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from academy.database import db
from academy.learning.services import progress
from academy.models import (
    Assignment,
    AssignmentState,
    AssignmentTarget,
    AuditLog,
    Course,
    Enrollment,
    LearnerStatus,
    OrgUnit,
    Role,
    TargetKind,
    User,
)
from academy.people.services import accounts, assignments, reminders

from .conftest import confirm_assignment, log_in
from .support.db import fetch
from .support.mail import Inbox, smtp_inbox

LONG_AGO = date(2020, 1, 31)
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the display zone the pages count days in


@pytest.fixture
def office(synced: Flask, make_unit: Callable[..., OrgUnit], make_user: Callable[..., User]) -> dict[str, Any]:
    group = make_unit("集团")
    east, west = make_unit("华东公司", group), make_unit("西南公司", group)
    quality, tech = make_unit("质量部", east), make_unit("技术中心", east)
    people = {"hr": make_user("H1", roles=(Role.HR,), scope=east, unit=east),
              "hr_west": make_user("H2", roles=(Role.HR,), scope=west, unit=west),
              "reader": make_user("Q1", name="王芳", unit=quality), "idle": make_user("T1", name="赵敏", unit=tech)}
    with synced.app_context():
        sample = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()
        made = assignments.create_assignment(title="华东必修", courses=[sample], target_kind=TargetKind.UNIT,
                                             unit=db.session.get(OrgUnit, east.id), due_on=LONG_AGO)
        progress.complete_lesson(db.session.get(User, people["idle"].id), sample.live_lessons[0])  # type: ignore[arg-type]
        assignment_id = made.id
    return {"east": east, "west": west, "quality": quality, "tech": tech, "id": assignment_id, **people}


def _targets(assignment_id: int) -> set[int]:
    return set(db.session.execute(select(AssignmentTarget.user_id)
                                  .where(AssignmentTarget.assignment_id == assignment_id)).scalars())


def test_a_shrinking_reach_says_who_loses_it_before_saving_and_keeps_their_progress(
        client: FlaskClient, office: dict[str, Any], synced: Flask) -> None:
    log_in(client, office["hr"])
    url = f"/hr/assignments/{office['id']}/reach"
    data = {"target_kind": "unit", "unit": office["quality"].id, "include_subtree": "y", "step": "check"}
    shown = client.post(url, data=data)
    assert shown.status_code == 200
    text = shown.get_data(as_text=True)
    warning = text.split('id="reach-loss"')[1].split("</section>")[0]
    assert "2 人将不再有此项" in warning  # 赵敏 and the HR user, who works in 华东公司
    assert "赵敏" in warning
    with synced.app_context():  # nothing saved yet
        assert office["idle"].id in _targets(office["id"])
    stale = client.post(url, data={**data, "step": "save", "lost_seen": "5"})
    assert stale.status_code == 200  # not the count shown: shown again
    seen = re.search(r'name="lost_seen" type="hidden" value="(\d+)"', stale.get_data(as_text=True))
    assert seen
    assert seen.group(1) == "2"
    saved = client.post(url, data={**data, "step": "save", "lost_seen": "2"})
    assert saved.status_code == 303
    with synced.app_context():
        assert _targets(office["id"]) == {office["reader"].id}
        kept = db.session.execute(select(Enrollment).where(Enrollment.user_id == office["idle"].id)).scalar_one()
        assert kept.started_at is not None  # the lesson read stays
        summary = db.session.get(LearnerStatus, office["idle"].id)
        assert summary is None or summary.items == 0
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "assignment_reach_changed")).scalar_one()
        assert entry.detail["removed"] == 2
    me = client.get("/me")
    assert me.status_code == 200


def test_a_reach_that_only_grows_is_saved_at_once(client: FlaskClient, office: dict[str, Any], synced: Flask,
                                                  make_user: Callable[..., User]) -> None:
    with synced.app_context():
        assignments.change_reach(db.session.get(Assignment, office["id"]),  # type: ignore[arg-type]
                                 target_kind=TargetKind.UNIT, unit=fetch(OrgUnit, office["quality"].id))
    log_in(client, office["hr"])
    saved = client.post(f"/hr/assignments/{office['id']}/reach",
                        data={"target_kind": "unit", "unit": office["east"].id, "include_subtree": "y", "step": "check"})
    assert saved.status_code == 303
    with synced.app_context():
        assert _targets(office["id"]) == {office["hr"].id, office["reader"].id, office["idle"].id}


def test_a_reach_outside_the_scope_or_empty_is_refused(client: FlaskClient, office: dict[str, Any]) -> None:
    log_in(client, office["hr"])
    url = f"/hr/assignments/{office['id']}/reach"
    outside = client.post(url, data={"target_kind": "unit", "unit": office["west"].id, "step": "check"})
    assert outside.status_code == 422  # not among the unit choices
    nobody = client.post(url, data={"target_kind": "position", "unit": office["east"].id, "position": "无此岗位",
                                    "step": "check"})
    assert nobody.status_code == 422
    assert "没有任何人符合条件" in nobody.get_data(as_text=True).split('id="reach-edit"')[1]
    log_in(client, office["hr_west"])
    assert client.post(url, data={"target_kind": "unit", "unit": office["west"].id}).status_code == 404
    assert client.post(f"/hr/assignments/{office['id']}/state", data={"action": "pause"}).status_code == 404


def test_pause_takes_it_off_lists_and_reports_resume_brings_it_back_archive_is_final(
        client: FlaskClient, office: dict[str, Any], synced: Flask) -> None:
    log_in(client, office["hr"])
    assert "赵敏" in client.get("/hr/overdue").get_data(as_text=True)
    paused = client.post(f"/hr/assignments/{office['id']}/state", data={"action": "pause"})
    assert paused.status_code == 303
    assert "赵敏" not in client.get("/hr/overdue").get_data(as_text=True)
    assert "已暂停" in client.get(f"/hr/assignments/{office['id']}").get_data(as_text=True)
    log_in(client, office["idle"])
    assert 'class="chip overdue"' not in client.get("/me").get_data(as_text=True)  # the course stays, not due
    with synced.app_context():
        idle = db.session.get(User, office["idle"].id)
        assert idle is not None
        from academy.people.services import reports
        assert reports.assigned_courses(idle, today=TODAY) == []
        assert db.session.execute(select(Enrollment).where(Enrollment.user_id == idle.id)).scalar_one()
    log_in(client, office["hr"])
    client.post(f"/hr/assignments/{office['id']}/state", data={"action": "resume"})
    assert "赵敏" in client.get("/hr/overdue").get_data(as_text=True)
    client.post(f"/hr/assignments/{office['id']}/state", data={"action": "archive"})
    again = client.post(f"/hr/assignments/{office['id']}/state", data={"action": "resume"}, follow_redirects=True)
    assert "已归档的任务不能恢复" in again.get_data(as_text=True)
    with synced.app_context():
        assert db.session.get(Assignment, office["id"]).state == AssignmentState.ARCHIVED  # type: ignore[union-attr]
        changes = db.session.execute(select(AuditLog.detail).where(AuditLog.action == "assignment_state_changed")
                                     .order_by(AuditLog.id)).scalars().all()
        assert [(c["before"], c["after"]) for c in changes] == [
            ("active", "paused"), ("paused", "active"), ("active", "archived")]
    assert client.post(f"/hr/assignments/{office['id']}/state", data={"action": "delete"}).status_code == 400


def test_a_paused_assignment_sends_no_due_reminders(office: dict[str, Any], synced: Flask) -> None:
    with synced.app_context():
        made = db.session.get(Assignment, office["id"])
        assert made is not None
        soon = TODAY + timedelta(days=7)
        assignments.change_due_date(made, soon)
        assert reminders.due_soon(TODAY, [7])
        assignments.set_state(made, AssignmentState.PAUSED)
        assert reminders.due_soon(TODAY, [7]) == []


def test_people_who_join_later_get_n_days_from_their_joining(
        client: FlaskClient, office: dict[str, Any], synced: Flask, make_user: Callable[..., User]) -> None:
    log_in(client, office["hr"])
    form = {"what": "course:sample-course", "target_kind": "unit", "unit": office["east"].id, "include_subtree": "y",
            "due_on": "2030-06-30", "join_days": "30", "mandatory": "y", "title": "新员工入职培训"}
    shown = client.post("/hr/assignments", data={**form, "step": "preview"}).get_data(as_text=True)
    assert "之后进入范围的人员" in shown or "天" in shown
    assert confirm_assignment(client, form).status_code == 303
    with synced.app_context():
        made = db.session.execute(select(Assignment).where(Assignment.title == "新员工入职培训")).scalar_one()
        assert made.join_days == 30
        newcomer = accounts.create_user("N1", "钱新", password="x" * 12, email="n1@example.com",
                                        org_unit=db.session.get(OrgUnit, office["quality"].id))
        target = db.session.execute(select(AssignmentTarget).where(
            AssignmentTarget.assignment_id == made.id, AssignmentTarget.user_id == newcomer.id)).scalar_one()
        assert target.due_on == target.assigned_at.date() + timedelta(days=30)
        early = db.session.execute(select(AssignmentTarget).where(
            AssignmentTarget.assignment_id == made.id, AssignmentTarget.user_id == office["reader"].id)).scalar_one()
        assert early.due_on is None  # there from the start: the assignment's date
        expected = target.due_on.isoformat()
        newcomer_user = db.session.get(User, newcomer.id)
        db.session.expunge(newcomer_user)  # type: ignore[arg-type]
    detail = client.get(f"/hr/assignments/{made.id}").get_data(as_text=True)
    assert "入职后 30 天" in detail
    log_in(client, newcomer_user)  # type: ignore[arg-type]
    mine = client.get("/me").get_data(as_text=True)
    assert expected in mine
    assert "自您加入起 30 天" in mine
    bad = client.post("/hr/assignments", data={**form, "join_days": "0", "step": "preview"})
    log_in(client, office["hr"])
    bad = client.post("/hr/assignments", data={**form, "join_days": "0", "step": "preview"})
    assert bad.status_code == 422
    assert "请输入 1 到 365 之间的天数" in bad.get_data(as_text=True)


@pytest.fixture
def inbox(synced: Flask) -> Iterator[Inbox]:
    with smtp_inbox(synced) as box:
        yield box


def test_a_new_assignment_is_announced_in_app_and_by_email_at_once_with_user_text_escaped(
        client: FlaskClient, office: dict[str, Any], synced: Flask, inbox: Inbox) -> None:
    log_in(client, office["hr"])
    title = "<b>质量</b>\n月"
    form = {"what": "course:sample-course", "target_kind": "unit", "unit": office["quality"].id, "include_subtree": "y",
            "due_on": "2030-06-30", "mandatory": "y", "notify": "y", "title": title}
    saved = confirm_assignment(client, form)
    assert saved.status_code == 303
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "q1@example.com"
    assert "新的培训任务" in message["Subject"]
    assert "\n" not in message["Subject"]
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "&lt;b&gt;质量&lt;/b&gt;" in html
    assert "<b>" not in html
    assert "2030-06-30" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    with synced.app_context():
        made = db.session.execute(select(Assignment).where(Assignment.title == title)).scalar_one()
        assert reminders.deliver is not None
        from academy.models import Notice, ReminderLog
        assert db.session.execute(select(func.count()).select_from(Notice).where(
            Notice.kind == "assigned", Notice.user_id == office["reader"].id)).scalar_one() == 1
        assert db.session.execute(select(ReminderLog.ref).where(ReminderLog.kind == "assigned")).scalar_one() \
            == f"assignment-{made.id}"
        from academy.people.services import announce
        again = announce.mail_assigned(reminders.MailSettings.from_config(synced.config), made)
        assert again == 0  # sent once


def test_the_assignment_stands_when_the_mail_server_is_down(client: FlaskClient, office: dict[str, Any],
                                                            synced: Flask) -> None:
    from .support.mail import free_port
    synced.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens there
    log_in(client, office["hr"])
    form = {"what": "course:sample-course", "target_kind": "unit", "unit": office["quality"].id, "include_subtree": "y",
            "mandatory": "y", "notify": "y", "title": "无邮件"}
    saved = confirm_assignment(client, form)
    assert saved.status_code == 303
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "邮件未能发出" in page
    with synced.app_context():
        assert db.session.execute(select(Assignment).where(Assignment.title == "无邮件")).scalar_one()
