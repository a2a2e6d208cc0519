"""Classroom sessions (面授、工作坊、现场培训): seats, sign-in and the hours they credit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, db, utcnow


class ClassroomSession(db.Model):
    __tablename__ = "classroom_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the organising unit
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    place: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column(Integer)
    hours: Mapped[float] = mapped_column(Numeric(5, 1, asdecimal=False))
    # arriving later than this many minutes after the start earns late_hours instead of hours
    late_after_minutes: Mapped[int | None] = mapped_column(Integer)
    late_hours: Mapped[float | None] = mapped_column(Numeric(5, 1, asdecimal=False))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SessionSeat(db.Model):
    """A person's place on a session: registered (holding a seat), waiting, or signed in."""

    __tablename__ = "session_seat"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("classroom_session.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    waiting: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hours: Mapped[float | None] = mapped_column(Numeric(5, 1, asdecimal=False))  # credited on sign-in
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # set when marked by hand
