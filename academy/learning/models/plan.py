"""Annual training plans (年度培训计划) of a unit: what is planned, the hour targets and the budget."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.database import UTCDateTime, db, utcnow
from academy.people.models.org import OrgUnit


class TrainingPlan(db.Model):
    __tablename__ = "training_plan"
    __table_args__ = (UniqueConstraint("unit_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # its whole subtree
    year: Mapped[int] = mapped_column(Integer)
    hours_per_head: Mapped[float] = mapped_column(Numeric(6, 1, asdecimal=False), default=0)  # every source
    # hours per head from each tier's courses, keyed by the tier's value (academy/tiers.py)
    tier_hours: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    course_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # the planned courses
    planned_sessions: Mapped[int] = mapped_column(Integer, default=0)  # classroom sessions to hold
    budget: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False), default=0)  # yuan
    spent: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False), default=0)  # as booked by HR
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[OrgUnit] = relationship()
