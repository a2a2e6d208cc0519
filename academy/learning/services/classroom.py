"""Classroom sessions: seats with a waiting list, and sign-in by a rotating code.

The code shown on the session screen is an HMAC of the session and the current 30-second step, so
a photo of it stops working within a minute, and it never works for another session or outside the
session's window.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, literal, select
from sqlalchemy.exc import IntegrityError

from academy.database import db, utcnow
from academy.learning.services import progress
from academy.models import ClassroomSession, Course, Notice, OrgUnit, SessionSeat, User
from academy.people.models.org import within
from academy.services import audit

STEP_SECONDS = 30
CODE_DIGITS = 8


class SignInRefused(Exception):
    """The code or the moment does not admit a sign-in; the message is shown on the phone."""


@dataclass(frozen=True)
class SessionDraft:
    title: str
    unit_id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    hours: float
    place: str = ""
    trainer_id: int | None = None
    late_after_minutes: int | None = None
    late_hours: float | None = None
    course_id: int | None = None
    tier: str | None = None
    description: str = ""
    open_registration: bool = False


def _check(draft: SessionDraft) -> None:
    if draft.ends_at <= draft.starts_at:
        raise ValueError("The session must end after it starts.")
    if draft.capacity < 1 or draft.hours <= 0:
        raise ValueError("Capacity and hours must be positive.")


def create_session(draft: SessionDraft, *, actor: User, ip: str = "") -> ClassroomSession:
    _check(draft)
    session = ClassroomSession(**draft.__dict__)
    db.session.add(session)
    db.session.flush()
    audit.record("classroom.create", actor=actor, ip=ip, session_id=session.id, title=draft.title)
    db.session.commit()
    return session


def _seats_taken(session_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(SessionSeat)
        .where(SessionSeat.session_id == session_id, SessionSeat.waiting.is_(False), SessionSeat.pending.is_(False))
    ) or 0


def update_session(session: ClassroomSession, draft: SessionDraft, *, actor: User, ip: str = "") -> ClassroomSession:
    """Change the details; a larger capacity moves people up from the waiting list, in the order they came.
    Hours already credited stay as they were. Audited with what changed."""
    _check(draft)
    locked = db.session.execute(
        select(ClassroomSession).where(ClassroomSession.id == session.id).with_for_update()).scalar_one()
    changed = {k: str(v) for k, v in draft.__dict__.items() if getattr(locked, k) != v}
    for key, value in draft.__dict__.items():
        setattr(locked, key, value)
    db.session.flush()
    _promote(locked)
    audit.record("classroom.update", actor=actor, ip=ip, session_id=locked.id, changed=sorted(changed))
    db.session.commit()
    return locked


def _promote(session: ClassroomSession) -> list[int]:
    """Fill free seats from the waiting list, first come first served (flush only); returns who moved up."""
    free = session.capacity - _seats_taken(session.id)
    if free <= 0:
        return []
    moved = list(db.session.scalars(
        select(SessionSeat).where(SessionSeat.session_id == session.id, SessionSeat.waiting.is_(True),
                                  SessionSeat.pending.is_(False))
        .order_by(SessionSeat.registered_at, SessionSeat.id).limit(free)))
    for seat in moved:
        seat.waiting = False
    db.session.flush()
    return [seat.user_id for seat in moved]


def _notify(session: ClassroomSession, user_ids: list[int], title: str, now: datetime) -> None:
    for user_id in user_ids:
        db.session.add(Notice(user_id=user_id, kind="classroom", title=title[:200],
                              body=session.title[:500], link="/training", created_at=now))


@dataclass(frozen=True)
class Placed:
    seated: int  # people who got a seat now
    waiting: int  # … who went on the waiting list (the session was full)
    already: int  # … who had a place already (nothing changed for them)


def assign(session_id: int, people: list[User], *, actor: User, ip: str = "", notice: str = "") -> Placed:
    """HR places people on the session: seats while they last, then the waiting list. A pending request
    of someone assigned counts as approved. One commit, audited; each newly placed person gets a notice."""
    now = utcnow()
    session = db.session.execute(
        select(ClassroomSession).where(ClassroomSession.id == session_id).with_for_update()).scalar_one()
    have = {seat.user_id: seat for seat in db.session.scalars(
        select(SessionSeat).where(SessionSeat.session_id == session.id))}
    taken = _seats_taken(session.id)
    seated = waiting = already = 0
    placed: list[int] = []
    for person in people:
        seat = have.get(person.id)
        if seat is not None and not seat.pending:
            already += 1
            continue
        if seat is None:
            seat = SessionSeat(session_id=session.id, user_id=person.id, registered_at=now)
            db.session.add(seat)
            have[person.id] = seat
        seat.pending = False
        seat.assigned = True
        seat.waiting = taken >= session.capacity
        taken += 0 if seat.waiting else 1
        seated += 0 if seat.waiting else 1
        waiting += 1 if seat.waiting else 0
        placed.append(person.id)
    db.session.flush()
    if notice:
        _notify(session, placed, notice, now)
    audit.record("classroom.assign", actor=actor, ip=ip, now=now, session_id=session.id, seated=seated,
                 waiting=waiting, people=len(people))
    db.session.commit()
    return Placed(seated, waiting, already)


def request_seat(session_id: int, user: User) -> SessionSeat:
    """A learner asks for a seat on an open session; HR decides. Asking again changes nothing."""
    session = db.session.execute(
        select(ClassroomSession).where(ClassroomSession.id == session_id).with_for_update()).scalar_one()
    seat = db.session.execute(
        select(SessionSeat).where(SessionSeat.session_id == session.id, SessionSeat.user_id == user.id)
    ).scalar_one_or_none()
    if seat is None:
        seat = SessionSeat(session_id=session.id, user_id=user.id, pending=True, registered_at=utcnow())
        db.session.add(seat)
    db.session.commit()
    return seat


def withdraw(session_id: int, user: User) -> bool:
    """A learner gives up a request or a place before signing in; the first person waiting moves up."""
    session = db.session.execute(
        select(ClassroomSession).where(ClassroomSession.id == session_id).with_for_update()).scalar_one()
    seat = db.session.execute(
        select(SessionSeat).where(SessionSeat.session_id == session.id, SessionSeat.user_id == user.id)
    ).scalar_one_or_none()
    if seat is None or seat.signed_in_at is not None:
        return False
    db.session.delete(seat)
    db.session.flush()
    _promote(session)
    db.session.commit()
    return True


def decide(session_id: int, user_id: int, *, approve: bool, actor: User, ip: str = "", notice: str = "") -> SessionSeat | None:
    """HR approves a request (a seat while there is one, else the waiting list) or refuses it (the request
    goes). Audited; the learner gets a notice. None when there was no pending request."""
    now = utcnow()
    session = db.session.execute(
        select(ClassroomSession).where(ClassroomSession.id == session_id).with_for_update()).scalar_one()
    seat = db.session.execute(
        select(SessionSeat).where(SessionSeat.session_id == session.id, SessionSeat.user_id == user_id,
                                  SessionSeat.pending.is_(True))).scalar_one_or_none()
    if seat is None:
        return None
    if approve:
        seat.waiting = _seats_taken(session.id) >= session.capacity
        seat.pending = False
    else:
        db.session.delete(seat)
    db.session.flush()
    if notice:
        _notify(session, [user_id], notice, now)
    audit.record("classroom.approve" if approve else "classroom.refuse", actor=actor, ip=ip, now=now,
                 session_id=session.id, user_id=user_id)
    db.session.commit()
    return seat if approve else None


def _step_code(session_id: int, step: int) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"classroom:{session_id}:{step}".encode(), hashlib.sha256).digest()
    return str(int.from_bytes(digest[:8], "big") % 10**CODE_DIGITS).zfill(CODE_DIGITS)


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def in_window(session: ClassroomSession, now: datetime) -> bool:
    return session.starts_at <= now <= session.ends_at


def current_code(session: ClassroomSession, now: datetime | None = None) -> str | None:
    """The code to show now, or None outside the session's window."""
    now = now or utcnow()
    return _step_code(session.id, _step(now)) if in_window(session, now) else None


def code_valid(session: ClassroomSession, code: str, now: datetime) -> bool:
    """The current and the previous step are accepted, for a phone that scanned just before the turn."""
    step = _step(now)
    return any(hmac.compare_digest(code, _step_code(session.id, s)) for s in (step, step - 1))


def register(session_id: int, user: User) -> SessionSeat:
    """A seat if one is free, else a place on the waiting list. Concurrent calls never overfill:
    the session row is locked while the seats are counted."""
    session = db.session.execute(
        select(ClassroomSession).where(ClassroomSession.id == session_id).with_for_update()
    ).scalar_one()
    seat = db.session.execute(
        select(SessionSeat).where(SessionSeat.session_id == session.id, SessionSeat.user_id == user.id)
    ).scalar_one_or_none()
    if seat is None:
        seat = SessionSeat(session_id=session.id, user_id=user.id, waiting=_seats_taken(session.id) >= session.capacity)
        db.session.add(seat)
    db.session.commit()
    return seat


def _credit(session: ClassroomSession, at: datetime) -> float:
    late = session.late_after_minutes is not None and session.late_hours is not None
    if late and at > session.starts_at + timedelta(minutes=session.late_after_minutes or 0):
        return float(session.late_hours or 0)
    return float(session.hours)


def sign_in(session_id: int, user: User, code: str, now: datetime | None = None) -> SessionSeat:
    """Sign the learner in and credit the session's hours. Signing in again changes nothing."""
    now = now or utcnow()
    session = db.session.get(ClassroomSession, session_id)
    if session is None:
        raise SignInRefused("This session does not exist.")
    if not in_window(session, now):
        raise SignInRefused("Sign-in is open only while the session runs.")
    if not code_valid(session, code.strip(), now):
        raise SignInRefused("This code has expired or belongs to another session. Scan the code on the screen again.")
    seat = db.session.execute(
        select(SessionSeat).where(SessionSeat.session_id == session.id, SessionSeat.user_id == user.id)
        .with_for_update()
    ).scalar_one_or_none()
    if seat is None:
        seat = SessionSeat(session_id=session.id, user_id=user.id, registered_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(seat)
        except IntegrityError:  # a walk-in's second tap made the seat a moment ago: wait for it and use it
            seat = db.session.execute(
                select(SessionSeat).where(SessionSeat.session_id == session.id, SessionSeat.user_id == user.id)
                .with_for_update()
            ).scalar_one()
    if seat.signed_in_at is None:
        seat.signed_in_at = now
        seat.waiting = False
        seat.pending = False
        seat.hours = _credit(session, now)
        _complete_linked_course(session, user, now)
    db.session.commit()
    return seat


def _complete_linked_course(session: ClassroomSession, user: User, now: datetime) -> None:
    """Attending may be the last requirement of the linked course (``classroom: required``): complete it."""
    course = db.session.get(Course, session.course_id) if session.course_id else None
    if course is not None and not course.retired and (course.meta or {}).get("classroom"):
        db.session.flush()
        progress.complete_course_if_done(user, course, now)


def mark_attended(session_id: int, user: User, *, actor: User, attended: bool) -> SessionSeat:
    """A trainer's hand mark, audited. Unmarking removes the credited hours."""
    session = db.get_or_404(ClassroomSession, session_id)
    seat = db.session.execute(
        select(SessionSeat).where(SessionSeat.session_id == session.id, SessionSeat.user_id == user.id)
    ).scalar_one_or_none()
    if seat is None:
        seat = SessionSeat(session_id=session.id, user_id=user.id)
        db.session.add(seat)
    seat.signed_in_at = session.starts_at if attended else None
    seat.hours = float(session.hours) if attended else None
    seat.waiting = False
    seat.pending = False
    seat.marked_by_id = actor.id
    db.session.flush()
    if attended:
        _complete_linked_course(session, user, utcnow())
    audit.record("classroom.mark", actor=actor, session_id=session.id, user_id=user.id, attended=attended)
    db.session.commit()
    return seat


def no_shows(session: ClassroomSession) -> list[SessionSeat]:
    """Seat holders who never signed in, once the session has ended."""
    if utcnow() <= session.ends_at:
        return []
    return list(db.session.scalars(
        select(SessionSeat).where(SessionSeat.session_id == session.id, SessionSeat.waiting.is_(False),
                                  SessionSeat.pending.is_(False), SessionSeat.signed_in_at.is_(None))
    ))


def classroom_hours(user_id: int, year: int) -> float:
    start = datetime(year, 1, 1, tzinfo=utcnow().tzinfo)
    end = datetime(year + 1, 1, 1, tzinfo=utcnow().tzinfo)
    total = db.session.scalar(
        select(func.coalesce(func.sum(SessionSeat.hours), 0)).where(
            SessionSeat.user_id == user_id, SessionSeat.signed_in_at >= start, SessionSeat.signed_in_at < end)
    )
    return float(total or 0)


def attended(user_id: int) -> list[tuple[ClassroomSession, SessionSeat]]:
    """The sessions a person signed in to, newest first, for the training file."""
    return list(db.session.execute(
        select(ClassroomSession, SessionSeat).join(SessionSeat, SessionSeat.session_id == ClassroomSession.id)
        .where(SessionSeat.user_id == user_id, SessionSeat.signed_in_at.is_not(None))
        .order_by(SessionSeat.signed_in_at.desc())
    ).tuples())


# --- lists for the pages -------------------------------------------------------------------------

def for_staff(scope_paths: list[str] | None, trainer_id: int) -> list[ClassroomSession]:
    """Sessions organised inside the viewer's subtrees (all for None) or taught by them, newest first."""
    query = select(ClassroomSession).join(OrgUnit, OrgUnit.id == ClassroomSession.unit_id)
    if scope_paths is not None:
        query = query.where(within(scope_paths, OrgUnit.path) | (ClassroomSession.trainer_id == trainer_id))
    return list(db.session.scalars(query.order_by(ClassroomSession.starts_at.desc()).limit(200)))


def seat_counts(session_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per session: registered, waiting, pending, attended."""
    counts: dict[int, dict[str, int]] = {sid: dict.fromkeys(("registered", "waiting", "pending", "attended"), 0)
                                         for sid in session_ids}
    if not session_ids:
        return counts
    for seat in db.session.scalars(select(SessionSeat).where(SessionSeat.session_id.in_(session_ids))):
        counts[seat.session_id][seat.state] += 1
        if seat.state == "attended" and not seat.waiting:
            counts[seat.session_id]["registered"] += 1
    return counts


def roster(session: ClassroomSession) -> list[SessionSeat]:
    """Everyone with a place or a request: pending first, then seats, then the waiting list."""
    seats = list(db.session.scalars(
        select(SessionSeat).where(SessionSeat.session_id == session.id)
        .order_by(SessionSeat.registered_at, SessionSeat.id)))
    order = {"pending": 0, "attended": 1, "registered": 1, "waiting": 2}
    return sorted(seats, key=lambda seat: order[seat.state])


def open_to(user: User, *, now: datetime | None = None) -> list[ClassroomSession]:
    """Sessions not yet ended that take requests from the learner's unit (they lie in the organising
    unit's subtree), soonest first."""
    now = now or utcnow()
    unit = user.org_unit
    if unit is None:
        return []
    return list(db.session.scalars(
        select(ClassroomSession).join(OrgUnit, OrgUnit.id == ClassroomSession.unit_id)
        .where(ClassroomSession.open_registration.is_(True), ClassroomSession.ends_at > now,
               literal(unit.path).startswith(OrgUnit.path))
        .order_by(ClassroomSession.starts_at)))


def seats_of(user_id: int) -> list[tuple[ClassroomSession, SessionSeat]]:
    """Every place and request of a person, newest session first."""
    return list(db.session.execute(
        select(ClassroomSession, SessionSeat).join(SessionSeat, SessionSeat.session_id == ClassroomSession.id)
        .where(SessionSeat.user_id == user_id).order_by(ClassroomSession.starts_at.desc())).tuples())


def may_request(session: ClassroomSession, user: User, now: datetime | None = None) -> bool:
    return session in open_to(user, now=now)


def get(session_id: int) -> ClassroomSession | None:
    return db.session.get(ClassroomSession, session_id)


def seat_of(session_id: int, user_id: int) -> SessionSeat | None:
    return db.session.execute(select(SessionSeat).where(
        SessionSeat.session_id == session_id, SessionSeat.user_id == user_id)).scalar_one_or_none()


def seated_person(session_id: int, user_id: int) -> User | None:
    """The person, if they hold a seat (or a request) on this session."""
    return db.session.execute(select(User).join(SessionSeat, SessionSeat.user_id == User.id).where(
        SessionSeat.session_id == session_id, User.id == user_id)).scalar_one_or_none()


def signed_in_count(session_id: int) -> int:
    return int(db.session.execute(select(func.count()).select_from(SessionSeat).where(
        SessionSeat.session_id == session_id, SessionSeat.signed_in_at.isnot(None))).scalar_one())


def titles(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = db.session.execute(select(ClassroomSession.id, ClassroomSession.title).where(ClassroomSession.id.in_(wanted)))
    return dict(rows.tuples().all())
