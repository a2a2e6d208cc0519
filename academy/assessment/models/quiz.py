"""Attempts at quizzes, their saved answers and the question versions they were drawn from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.database import UTCDateTime, db, utcnow
from academy.people.models.user import User


class QuestionVersion(db.Model):
    """A question exactly as it was when a paper drew it: later bank edits never change a graded attempt."""

    __tablename__ = "question_version"
    __table_args__ = (UniqueConstraint("question_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the frozen Question, as JSON
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Attempt(db.Model):
    __tablename__ = "quiz_attempt"
    # One open attempt per learner and quiz: ``open_key`` is the quiz key while open, NULL after.
    __table_args__ = (UniqueConstraint("user_id", "open_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    quiz_key: Mapped[str] = mapped_column(String(160), index=True)
    open_key: Mapped[str | None] = mapped_column(String(160))
    number: Mapped[int] = mapped_column(default=1)  # 1st, 2nd … attempt at this quiz
    paper: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{id, version, order}] in shown order
    multiple: Mapped[str] = mapped_column(String(20), default="all_or_nothing")
    pass_mark: Mapped[int] = mapped_column(default=80)
    certificate: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # what passing issues, frozen at start
    # an accommodation in force at the start (extra minutes, extra attempts), frozen like the deadline
    accommodation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())  # null: untimed
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    expired: Mapped[bool] = mapped_column(default=False)  # graded at the deadline, not submitted
    score: Mapped[float | None] = mapped_column(Numeric(8, 2, asdecimal=False))
    max_score: Mapped[float | None] = mapped_column(Numeric(8, 2, asdecimal=False))
    passed: Mapped[bool | None] = mapped_column()
    items: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # per question: id, score, max
    regraded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", lazy="selectin", cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None

    @property
    def percent(self) -> float:
        return 100.0 * (self.score or 0) / self.max_score if self.max_score else 0.0

    def answer_map(self) -> dict[str, Any]:
        return {a.question_id: a.value for a in self.answers}


@dataclass(frozen=True)
class AttemptHead:
    """What decides whether one answer may be saved: the attempt's row without its answers.

    Saving an answer is the most frequent request of an online round; reading these five
    columns instead of the whole attempt and every answer already saved keeps it cheap.
    """

    id: int
    user_id: int
    paper: list[dict[str, Any]]
    deadline: datetime | None
    submitted_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class AttemptAnswer(db.Model):
    """One saved answer; a row per question so saves from two tabs never overwrite each other."""

    __tablename__ = "attempt_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(80))
    value: Mapped[Any] = mapped_column(JSON)  # in the question's own option indices
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")
