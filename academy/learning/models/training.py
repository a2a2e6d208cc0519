"""Training outside the online courses: classroom sessions (面授、工作坊、现场培训) with their seats,
and external training and certificates an employee brings in (外部培训与证书)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.database import UTCDateTime, db, utcnow
from academy.people.models.user import User


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
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"))  # the linked course, if any
    tier: Mapped[str | None] = mapped_column(String(20))  # whose hours these are in reports by tier
    description: Mapped[str] = mapped_column(String(2000), default="")
    # people of the organising unit's subtree may ask for a seat; HR approves each request
    open_registration: Mapped[bool] = mapped_column(Boolean, default=False)

    trainer: Mapped[User | None] = relationship(foreign_keys=[trainer_id])


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
    # a self-registration HR has not yet approved: it holds no seat and no place on the waiting list
    pending: Mapped[bool] = mapped_column(Boolean, default=False)
    assigned: Mapped[bool] = mapped_column(Boolean, default=False)  # placed by HR rather than asked for

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def state(self) -> str:
        if self.signed_in_at is not None:
            return "attended"
        if self.pending:
            return "pending"
        return "waiting" if self.waiting else "registered"


class ExternalKind(StrEnum):
    CQE = "cqe"  # 注册质量工程师
    INTERNAL_AUDITOR = "internal-auditor"  # 内审员
    BLACK_BELT = "black-belt"  # 六西格玛黑带
    METROLOGY = "metrology"  # 计量检定员
    OTHER = "other"  # any other outside course or qualification


class ExternalState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ExternalRecord(db.Model):
    """An outside course or qualification an employee submitted, with its scan, and HR's decision."""

    __tablename__ = "external_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[ExternalKind] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(100), default="")
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date] = mapped_column(Date)  # the hours count in this date's year
    expires_on: Mapped[date | None] = mapped_column(Date)
    claimed_hours: Mapped[float] = mapped_column(Numeric(5, 1, asdecimal=False), default=0)
    # the scan lives in the instance folder under a random name; its type was read from its bytes
    scan_file: Mapped[str] = mapped_column(String(80))
    scan_type: Mapped[str] = mapped_column(String(40))
    scan_name: Mapped[str] = mapped_column(String(120))  # the name it was uploaded under, for the download
    scan_size: Mapped[int] = mapped_column(Integer)
    state: Mapped[ExternalState] = mapped_column(String(20), default=ExternalState.PENDING, index=True)
    hours: Mapped[float | None] = mapped_column(Numeric(5, 1, asdecimal=False))  # credited on approval
    reason: Mapped[str] = mapped_column(String(500), default="")  # why it was rejected
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
