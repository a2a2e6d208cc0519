"""Exam accommodations: more time, more attempts or another window for one person or a unit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.database import UTCDateTime, db, utcnow
from academy.people.models.org import OrgUnit
from academy.people.models.user import User


class ExamOverride(db.Model):
    """Like Moodle's user and group overrides: a person's own override wins over any of their units'."""

    __tablename__ = "exam_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_key: Mapped[str] = mapped_column(String(160), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the whole subtree
    extra_minutes: Mapped[int] = mapped_column(Integer, default=0)
    extra_attempts: Mapped[int] = mapped_column(Integer, default=0)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # null: the exam's own window
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    unit: Mapped[OrgUnit | None] = relationship()
