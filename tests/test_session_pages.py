"""Classroom session pages: HR creates and edits a session, fills it by assignment or by approving
requests (with the waiting list), learners see what is open to them; HR of another subsidiary gets 404."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from academy.database import db, utcnow
from academy.learning.services import classroom
from academy.learning.services.classroom import SessionDraft
from academy.models import AuditLog, ClassroomSession, Notice, OrgUnit, Role, SessionSeat, User

from .conftest import TEST_DATABASE_URL, log_in
from .support.db import fetch


@dataclass
class Org:
    east: OrgUnit
    quality: OrgUnit
    west: OrgUnit
    hr_east: User
    hr_west: User
    learners: list[User]  # three in 质量部 of 华东公司
    far: User  # a learner of 西南公司


@pytest.fixture
def org(app: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> Org:
    units = make_tree("华东公司/质量部", "西南公司")
    return Org(units["华东公司"], units["质量部"], units["西南公司"],
               make_user("HR1", name="王芳", roles=(Role.HR,), scope=units["华东公司"], unit=units["华东公司"]),
               make_user("HR2", name="周伟", roles=(Role.HR,), scope=units["西南公司"], unit=units["西南公司"]),
               [make_user(f"E{n}", name=name, unit=units["质量部"]) for n, name in ((1, "李明"), (2, "赵强"), (3, "孙丽"))],
               make_user("W1", name="钱进", unit=units["西南公司"]))


def _make(app: Flask, org: Org, *, capacity: int = 30, open_registration: bool = False,
          trainer: User | None = None) -> int:
    start = utcnow().replace(microsecond=0) + timedelta(days=3)
    with app.app_context():
        return classroom.create_session(SessionDraft(
            title="质量管理体系内审实务", unit_id=org.east.id, starts_at=start, ends_at=start + timedelta(hours=3),
            capacity=capacity, hours=3, place="三楼培训室", open_registration=open_registration,
            trainer_id=trainer.id if trainer else None), actor=fetch(User, org.hr_east.id)).id


def _form(org: Org, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {"title": "计量器具管理面授", "course": "", "tier": "practitioner", "unit": org.east.id,
                               "trainer": "", "place": "二楼会议室", "starts_at": "2027-03-01T09:00",
                               "ends_at": "2027-03-01T12:00", "capacity": "20", "hours": "3",
                               "late_after_minutes": "15", "late_hours": "2", "open_registration": "y",
                               "description": "含实操"}
    data.update(changes)
    return data


def test_hr_creates_a_session_in_local_time_and_it_is_audited(app: Flask, org: Org) -> None:
    client = app.test_client()
    log_in(client, org.hr_east)
    assert client.get("/training/manage/new").status_code == 200
    response = client.post("/training/manage/new", data=_form(org, trainer="E1"))
    assert response.status_code == 303
    with app.app_context():
        session = db.session.execute(select(ClassroomSession)).scalar_one()
        assert session.starts_at == datetime(2027, 3, 1, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
        assert (session.capacity, session.hours, session.late_after_minutes, session.late_hours) == (20, 3, 15, 2)
        assert session.open_registration is True
        assert session.tier == "practitioner"
        assert session.trainer_id == org.learners[0].id
        assert db.session.scalar(select(func.count()).select_from(AuditLog)
                                 .where(AuditLog.action == "classroom.create")) == 1
    assert response.headers["Location"].endswith(f"/training/manage/{session.id}")
    listing = client.get("/training/manage").get_data(as_text=True)
    assert "计量器具管理面授" in listing


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"ends_at": "2027-03-01T08:00"}, "ends_at", "结束时间须晚于开始时间"),
    ({"late_hours": ""}, "late_hours", "迟到规则需要同时填写分钟数和学时"),
    ({"late_hours": "5"}, "late_hours", "迟到者的学时不能多于本次培训的学时"),
    ({"trainer": "NOBODY"}, "trainer", "没有使用此工号的在职人员"),
    ({"capacity": "0"}, "capacity", "1 到 5000"),
])
def test_a_bad_session_is_refused_on_the_field_at_fault(app: Flask, org: Org, changes: dict[str, object],
                                                        field: str, message: str) -> None:
    client = app.test_client()
    log_in(client, org.hr_east)
    response = client.post("/training/manage/new", data=_form(org, **changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page.split(f'name="{field}"')[1].split("</div>")[0]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ClassroomSession)) == 0


def test_a_unit_outside_the_scope_cannot_organise(app: Flask, org: Org) -> None:
    client = app.test_client()
    log_in(client, org.hr_east)
    assert client.post("/training/manage/new", data=_form(org, unit=org.west.id)).status_code == 422


def test_learners_are_refused_the_hr_pages(app: Flask, org: Org) -> None:
    sid = _make(app, org)
    client = app.test_client()
    log_in(client, org.learners[0])
    assert client.get("/training/manage").status_code == 403
    assert client.get("/training/manage/new").status_code == 403
    assert client.get(f"/training/manage/{sid}").status_code == 404
    assert client.get(f"/training/manage/{sid}/edit").status_code == 404
    assert client.post(f"/training/manage/{sid}/assign", data={"target_kind": "unit", "unit": org.quality.id}).status_code == 404


def test_hr_of_another_subsidiary_gets_404_everywhere(app: Flask, org: Org) -> None:
    sid = _make(app, org, open_registration=True)
    requester = app.test_client()
    log_in(requester, org.learners[0])
    requester.post(f"/training/sessions/{sid}/request")
    client = app.test_client()
    log_in(client, org.hr_west)
    assert client.get(f"/training/manage/{sid}").status_code == 404
    assert client.get(f"/training/manage/{sid}/edit").status_code == 404
    assert client.post(f"/training/manage/{sid}/edit", data=_form(org, unit=org.west.id)).status_code == 404
    assert client.post(f"/training/manage/{sid}/assign", data={"target_kind": "unit", "unit": org.west.id}).status_code == 404
    assert client.post(f"/training/manage/{sid}/people/{org.learners[0].id}/approve").status_code == 404
    assert client.post(f"/training/manage/{sid}/people/{org.learners[0].id}/mark", data={"attended": "1"}).status_code == 404
    assert "质量管理体系内审实务" not in client.get("/training/manage").get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(SessionSeat.pending)).scalar_one() is True


def test_assigning_a_department_fills_seats_then_the_waiting_list_and_tells_everyone(app: Flask, org: Org) -> None:
    sid = _make(app, org, capacity=2)
    client = app.test_client()
    log_in(client, org.hr_east)
    response = client.post(f"/training/manage/{sid}/assign", data={"target_kind": "unit", "unit": org.quality.id,
                                                                    "include_subtree": "y"}, follow_redirects=True)
    assert "2 人获得席位，1 人进入候补名单" in response.get_data(as_text=True)
    with app.app_context():
        seats = {s.user_id: s.waiting for s in db.session.scalars(select(SessionSeat))}
        assert seats == {org.learners[0].id: False, org.learners[1].id: False, org.learners[2].id: True}
        assert db.session.scalar(select(func.count()).select_from(Notice).where(Notice.kind == "classroom")) == 3
        assert db.session.scalar(select(func.count()).select_from(AuditLog)
                                 .where(AuditLog.action == "classroom.assign")) == 1
    again = client.post(f"/training/manage/{sid}/assign", data={"target_kind": "people", "people": "E1"},
                        follow_redirects=True)
    assert "1 人已有名额" in again.get_data(as_text=True)
    # a bigger room moves the first person waiting up
    edited = client.post(f"/training/manage/{sid}/edit", data=_form(org, capacity="3", title="质量管理体系内审实务"))
    assert edited.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SessionSeat).where(SessionSeat.waiting.is_(True))) == 0


def test_assigning_people_outside_the_scope_is_refused_on_the_field(app: Flask, org: Org) -> None:
    sid = _make(app, org)
    client = app.test_client()
    log_in(client, org.hr_east)
    response = client.post(f"/training/manage/{sid}/assign", data={"target_kind": "people", "people": "E1, W1"})
    assert response.status_code == 422
    assert "在您管辖的人员中找不到：W1" in response.get_data(as_text=True)
    assert client.post(f"/training/manage/{sid}/assign", data={"target_kind": "position", "unit": org.east.id,
                                                               "position": "不存在的岗位"}).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SessionSeat)) == 0


def test_a_learner_asks_for_a_seat_and_hr_approves_or_refuses(app: Flask, org: Org) -> None:
    sid = _make(app, org, capacity=1, open_registration=True)
    first, second, far = app.test_client(), app.test_client(), app.test_client()
    log_in(first, org.learners[0])
    log_in(second, org.learners[1])
    log_in(far, org.far)
    page = first.get("/training").get_data(as_text=True)
    assert 'id="open-sessions"' in page
    assert "质量管理体系内审实务" in page
    assert "质量管理体系内审实务" not in far.get("/training").get_data(as_text=True)  # another subsidiary
    assert far.post(f"/training/sessions/{sid}/request").status_code == 404
    assert first.post(f"/training/sessions/{sid}/request").status_code == 303
    assert first.post(f"/training/sessions/{sid}/request").status_code == 303  # asking twice changes nothing
    assert second.post(f"/training/sessions/{sid}/request").status_code == 303
    assert "等待人力资源部审批" in first.get("/training").get_data(as_text=True)
    hr = app.test_client()
    log_in(hr, org.hr_east)
    assert "批准" in hr.get(f"/training/manage/{sid}").get_data(as_text=True)
    assert hr.post(f"/training/manage/{sid}/people/{org.learners[0].id}/approve").status_code == 303
    assert hr.post(f"/training/manage/{sid}/people/{org.learners[1].id}/approve").status_code == 303
    assert hr.post(f"/training/manage/{sid}/people/{org.learners[1].id}/approve").status_code == 404  # decided
    assert "名额已确认" in first.get("/training").get_data(as_text=True)
    assert "候补" in second.get("/training").get_data(as_text=True)  # the one seat was taken
    # giving up the seat moves the waiting learner up
    assert first.post(f"/training/sessions/{sid}/withdraw").status_code == 303
    assert "名额已确认" in second.get("/training").get_data(as_text=True)
    third = app.test_client()
    log_in(third, org.learners[2])
    third.post(f"/training/sessions/{sid}/request")
    assert hr.post(f"/training/manage/{sid}/people/{org.learners[2].id}/refuse").status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SessionSeat)
                                 .where(SessionSeat.user_id == org.learners[2].id)) == 0
        actions = set(db.session.scalars(select(AuditLog.action)))
        assert {"classroom.approve", "classroom.refuse"} <= actions
        titles = list(db.session.scalars(select(Notice.title).where(Notice.user_id == org.learners[2].id)))
        assert any("未获批准" in t for t in titles)


def test_a_session_closed_to_requests_refuses_them(app: Flask, org: Org) -> None:
    sid = _make(app, org, open_registration=False)
    client = app.test_client()
    log_in(client, org.learners[0])
    assert "质量管理体系内审实务" not in client.get("/training").get_data(as_text=True)
    assert client.post(f"/training/sessions/{sid}/request").status_code == 404
    assert client.post(f"/training/sessions/{sid}/withdraw").status_code == 404


def test_the_trainer_marks_attendance_by_hand_and_a_learner_cannot(app: Flask, org: Org) -> None:
    trainer = org.learners[2]
    sid = _make(app, org, trainer=trainer)
    hr = app.test_client()
    log_in(hr, org.hr_east)
    hr.post(f"/training/manage/{sid}/assign", data={"target_kind": "people", "people": "E1"})
    client = app.test_client()
    log_in(client, trainer)
    assert "质量管理体系内审实务" in client.get("/training").get_data(as_text=True)  # 我授课的培训
    assert client.get(f"/training/manage/{sid}").status_code == 200
    assert client.get(f"/training/manage/{sid}/edit").status_code == 403  # a trainer runs it, HR sets it up
    assert client.post(f"/training/manage/{sid}/people/{org.learners[0].id}/mark", data={"attended": "1"}).status_code == 303
    assert client.post(f"/training/manage/{sid}/people/{org.learners[1].id}/mark", data={"attended": "1"}).status_code == 404
    other = app.test_client()
    log_in(other, org.learners[1])
    assert other.post(f"/training/manage/{sid}/people/{org.learners[0].id}/mark", data={"attended": "0"}).status_code == 404
    with app.app_context():
        seat = db.session.execute(select(SessionSeat)).scalar_one()
        assert (seat.hours, seat.marked_by_id) == (3, trainer.id)


def test_my_learning_shows_my_sessions_and_the_hours_by_source(app: Flask, org: Org) -> None:
    sid = _make(app, org, open_registration=True)
    with app.app_context():
        classroom.assign(sid, [fetch(User, org.learners[0].id)], actor=fetch(User, org.hr_east.id))
    _make(app, org, open_registration=True)
    client = app.test_client()
    log_in(client, org.learners[0])
    page = client.get("/me").get_data(as_text=True)
    assert 'id="my-classroom"' in page
    assert "名额已确认" in page
    assert "1 个面授培训接受您的报名" in page
    assert "线上 0，面授 0，外部 0" in page


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="row locks need PostgreSQL; SQLite serialises writers anyway")
def test_parallel_approvals_never_overfill(app: Flask, org: Org, make_user: Callable[..., User]) -> None:
    people = [make_user(unit=org.quality) for _ in range(10)]
    sid = _make(app, org, capacity=4, open_registration=True)
    with app.app_context():
        for person in people:
            classroom.request_seat(sid, db.session.get(User, person.id))  # type: ignore[arg-type]

    def approve(user_id: int) -> None:
        with app.app_context():
            classroom.decide(sid, user_id, approve=True, actor=db.session.get(User, org.hr_east.id))  # type: ignore[arg-type]
            db.session.remove()

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(approve, [p.id for p in people]))
    with app.app_context():
        states = [seat.state for seat in db.session.scalars(select(SessionSeat).where(SessionSeat.session_id == sid))]
    assert states.count("registered") == 4
    assert states.count("waiting") == 6
