"""Integrity signals of certification exams: each time the learner left the exam page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from academy.database import UTCDateTime, db, utcnow


class AwayEvent(db.Model):
    """One departure from the exam page. ``seq`` is the page's own counter, so a retried report
    of the same departure is stored once."""

    __tablename__ = "attempt_away_event"
    __table_args__ = (UniqueConstraint("attempt_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # "hidden" (tab) or "blur" (window)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)  # the server's time of the report
    away_seconds: Mapped[int | None] = mapped_column(Integer)  # filled when the page reports the return
