"""Classroom sessions: seats with a waiting list, and sign-in by a rotating code.

The code shown on the session screen is an HMAC of the session and the current 30-second step, so
a photo of it stops working within a minute, and it never works for another session or outside the
session's window.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..database import db, utcnow
from ..models import ClassroomSession, SessionSeat, User
from . import audit

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


def create_session(draft: SessionDraft, *, actor: User) -> ClassroomSession:
    if draft.ends_at <= draft.starts_at:
        raise ValueError("The session must end after it starts.")
    if draft.capacity < 1 or draft.hours <= 0:
        raise ValueError("Capacity and hours must be positive.")
    session = ClassroomSession(**draft.__dict__)
    db.session.add(session)
    db.session.flush()
    audit.record("classroom.create", actor=actor, session_id=session.id, title=draft.title)
    db.session.commit()
    return session


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
        taken = db.session.scalar(
            select(func.count()).select_from(SessionSeat)
            .where(SessionSeat.session_id == session.id, SessionSeat.waiting.is_(False))
        ) or 0
        seat = SessionSeat(session_id=session.id, user_id=user.id, waiting=taken >= session.capacity)
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
        seat.hours = _credit(session, now)
    db.session.commit()
    return seat


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
    seat.marked_by_id = actor.id
    db.session.flush()
    audit.record("classroom.mark", actor=actor, session_id=session.id, user_id=user.id, attended=attended)
    db.session.commit()
    return seat


def no_shows(session: ClassroomSession) -> list[SessionSeat]:
    """Seat holders who never signed in, once the session has ended."""
    if utcnow() <= session.ends_at:
        return []
    return list(db.session.scalars(
        select(SessionSeat).where(SessionSeat.session_id == session.id, SessionSeat.waiting.is_(False),
                                  SessionSeat.signed_in_at.is_(None))
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
