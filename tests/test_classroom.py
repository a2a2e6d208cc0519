"""Classroom sessions: the rotating sign-in code, hours credited once, late arrival, hand marks,
and seats that never overfill when many people register at the same moment."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from academy.database import db, utcnow
from academy.learning.services import classroom
from academy.learning.services.classroom import SessionDraft, SignInRefused
from academy.models import AuditLog, ClassroomSession, OrgUnit, Role, SessionSeat, User

from .conftest import TEST_DATABASE_URL, log_in
from .support.db import fetch

START = utcnow().replace(microsecond=0) - timedelta(minutes=30)


def _session(unit: OrgUnit, hr: User, *, capacity: int = 30, start=START) -> int:  # type: ignore[no-untyped-def]
    draft = SessionDraft(title="质量管理体系内审实务", unit_id=unit.id, starts_at=start,
                         ends_at=start + timedelta(hours=3), capacity=capacity, hours=3,
                         place="三楼培训室", late_after_minutes=15, late_hours=2)
    return classroom.create_session(draft, actor=fetch(User, hr.id)).id


@pytest.fixture
def setup(app: Flask, make_tree: Callable[..., dict[str, OrgUnit]],
          make_user: Callable[..., User]) -> tuple[OrgUnit, User]:
    units = make_tree("华东公司")
    hr = make_user(roles=(Role.HR,), scope=units["华东公司"], unit=units["华东公司"])
    return units["华东公司"], hr


def test_the_code_rotates_and_the_previous_step_is_still_accepted(app: Flask, setup) -> None:  # type: ignore[no-untyped-def]
    unit, hr = setup
    with app.app_context():
        sid = _session(unit, hr)
        session = fetch(ClassroomSession, sid)
        now = START + timedelta(minutes=10)
        code = classroom.current_code(session, now)
        assert code is not None
        assert len(code) == 8
        later = now + timedelta(seconds=classroom.STEP_SECONDS)
        assert classroom.current_code(session, later) != code
        assert classroom.code_valid(session, code, later)
        assert not classroom.code_valid(session, code, later + timedelta(seconds=classroom.STEP_SECONDS))
        assert classroom.current_code(session, START - timedelta(minutes=1)) is None


def test_sign_in_credits_hours_once_and_late_arrival_earns_less(app: Flask, setup, make_user) -> None:  # type: ignore[no-untyped-def]
    unit, hr = setup
    early, late = make_user(unit=unit), make_user(unit=unit)
    with app.app_context():
        sid = _session(unit, hr)
        session = fetch(ClassroomSession, sid)
        t1 = START + timedelta(minutes=5)
        seat = classroom.sign_in(sid, fetch(User, early.id), classroom.current_code(session, t1) or "", t1)
        assert seat.hours == 3
        t3 = t1 + timedelta(minutes=20)
        again = classroom.sign_in(sid, fetch(User, early.id), classroom.current_code(session, t3) or "", t3)
        assert again.signed_in_at == t1
        assert again.hours == 3
        t2 = START + timedelta(minutes=40)
        assert classroom.sign_in(sid, fetch(User, late.id), classroom.current_code(session, t2) or "",
                                 t2).hours == 2
        assert classroom.classroom_hours(early.id, t1.year) == 3
        assert db.session.scalar(select(func.count()).select_from(SessionSeat)) == 2


def test_codes_from_another_session_or_outside_the_window_are_refused(app: Flask, setup, make_user) -> None:  # type: ignore[no-untyped-def]
    unit, hr = setup
    learner = make_user(unit=unit)
    with app.app_context():
        sid, other = _session(unit, hr), _session(unit, hr)
        now = START + timedelta(minutes=5)
        other_code = classroom.current_code(fetch(ClassroomSession, other), now) or ""
        user = fetch(User, learner.id)
        with pytest.raises(SignInRefused, match="another session"):
            classroom.sign_in(sid, user, other_code, now)
        old = classroom.current_code(fetch(ClassroomSession, sid), now) or ""
        with pytest.raises(SignInRefused, match="expired"):
            classroom.sign_in(sid, user, old, now + timedelta(minutes=2))
        after = START + timedelta(hours=4)
        with pytest.raises(SignInRefused, match="only while"):
            classroom.sign_in(sid, user, classroom._step_code(sid, classroom._step(after)), after)
        assert db.session.scalar(select(func.count()).select_from(SessionSeat)) == 0


def test_a_trainers_hand_mark_is_audited_and_no_shows_are_listed(app: Flask, setup, make_user) -> None:  # type: ignore[no-untyped-def]
    unit, hr = setup
    present, absent = make_user(unit=unit), make_user(unit=unit)
    with app.app_context():
        sid = _session(unit, hr, start=utcnow() - timedelta(hours=5))
        for person in (present, absent):
            classroom.register(sid, fetch(User, person.id))
        seat = classroom.mark_attended(sid, fetch(User, present.id), actor=fetch(User, hr.id),
                                       attended=True)
        assert seat.hours == 3
        assert seat.marked_by_id == hr.id
        assert db.session.scalar(select(func.count()).select_from(AuditLog)
                                 .where(AuditLog.action == "classroom.mark")) == 1
        assert [s.user_id for s in classroom.no_shows(fetch(ClassroomSession, sid))] == [absent.id]


def test_registration_beyond_capacity_goes_to_the_waiting_list(app: Flask, setup, make_user) -> None:  # type: ignore[no-untyped-def]
    unit, hr = setup
    people = [make_user(unit=unit) for _ in range(3)]
    with app.app_context():
        sid = _session(unit, hr, capacity=2)
        seats = [classroom.register(sid, fetch(User, p.id)) for p in people]
        assert [s.waiting for s in seats] == [False, False, True]
        assert classroom.register(sid, fetch(User, people[0].id)).waiting is False


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="row locks need PostgreSQL; SQLite serialises writers anyway")
def test_concurrent_registrations_never_overfill(app: Flask, setup, make_user) -> None:  # type: ignore[no-untyped-def]
    unit, hr = setup
    people = [make_user(unit=unit) for _ in range(12)]
    with app.app_context():
        sid = _session(unit, hr, capacity=5)

    def register(user_id: int) -> bool:
        with app.app_context():
            seat = classroom.register(sid, fetch(User, user_id))
            waiting = seat.waiting
            db.session.remove()
            return waiting

    with ThreadPoolExecutor(max_workers=12) as pool:
        waiting = list(pool.map(register, [p.id for p in people]))
    assert waiting.count(False) == 5
    assert waiting.count(True) == 7
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SessionSeat)
                                 .where(SessionSeat.waiting.is_(False))) == 5


# --- pages ---------------------------------------------------------------------------------

@pytest.fixture
def live_session(app: Flask, setup) -> int:  # type: ignore[no-untyped-def]
    unit, hr = setup
    with app.app_context():
        return _session(unit, hr, start=utcnow() - timedelta(minutes=5))


def test_the_screen_shows_a_code_that_signs_a_learner_in_on_the_phone(app: Flask, setup, live_session, make_user) -> None:  # type: ignore[no-untyped-def]
    unit, hr = setup
    staff, phone = app.test_client(), app.test_client()
    log_in(staff, hr)
    page = staff.get(f"/training/sessions/{live_session}/screen")
    assert page.status_code == 200
    data = staff.get(f"/training/sessions/{live_session}/code.json").get_json()
    assert staff.get(data["qr"]).mimetype == "image/svg+xml"
    shown = re.search(r'id="classroom-code">(\d{8})<', page.get_data(as_text=True))
    assert shown is not None
    with app.app_context():  # the step may turn between the two requests: the shown code is still valid
        assert classroom.code_valid(fetch(ClassroomSession, live_session), shown.group(1), utcnow())
    learner = make_user(unit=unit)
    log_in(phone, learner)
    assert phone.get(f"/training/sessions/{live_session}/sign-in?c={data['code']}").status_code == 200
    done = phone.post(f"/training/sessions/{live_session}/sign-in", data={"c": data["code"]}, follow_redirects=True)
    assert 'id="signin-done"' in done.get_data(as_text=True)
    refused = phone.post(f"/training/sessions/{live_session}/sign-in", data={"c": "00000000"})
    assert refused.status_code == 409
    assert staff.get(f"/training/sessions/{live_session}/code.json").get_json()["signed_in"] == 1


def test_the_screen_is_404_for_hr_of_another_subsidiary_and_for_learners(app: Flask, live_session, make_unit, make_user) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        root = db.session.execute(select(OrgUnit).where(OrgUnit.name == "集团")).scalar_one()
        db.session.expunge(root)
    client = app.test_client()
    log_in(client, make_user(roles=(Role.HR,), scope=make_unit("西南公司", root)))
    assert client.get(f"/training/sessions/{live_session}/screen").status_code == 404
    assert client.get(f"/training/sessions/{live_session}/code.json").status_code == 404
    learner = app.test_client()
    log_in(learner, make_user())
    assert learner.get(f"/training/sessions/{live_session}/screen").status_code == 404
