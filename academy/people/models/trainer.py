"""Internal trainers (内训师): who may teach, at which level, on which subjects."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.database import UTCDateTime, db, utcnow
from academy.people.models.user import User


class TrainerLevel(StrEnum):
    JUNIOR = "junior"  # 初级
    INTERMEDIATE = "intermediate"  # 中级
    SENIOR = "senior"  # 高级
    PRINCIPAL = "principal"  # 资深


class Trainer(db.Model):
    __tablename__ = "trainer"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    level: Mapped[TrainerLevel] = mapped_column(String(20), default=TrainerLevel.JUNIOR)
    subjects: Mapped[str] = mapped_column(String(300), default="")  # as typed, separated by 、or commas
    active: Mapped[bool] = mapped_column(default=True)
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
