from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.database import UTCDateTime, db, utcnow
from academy.learning.models.content import Course, Lesson


class Enrollment(db.Model):
    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_active_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lesson.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    course: Mapped[Course] = relationship()
    last_lesson: Mapped[Lesson | None] = relationship()


class LessonProgress(db.Model):
    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lesson.id"), index=True)
    first_opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_version: Mapped[str | None] = mapped_column(String(32))

    lesson: Mapped[Lesson] = relationship()


class TrainingCredit(db.Model):
    """Training hours (学时) credited to a learner, once per course."""

    __tablename__ = "training_credit"
    __table_args__ = (UniqueConstraint("user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    hours: Mapped[float] = mapped_column(Numeric(5, 1, asdecimal=False))
    earned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    course: Mapped[Course] = relationship()


class CourseCompletion(db.Model):
    """An earlier completion of a course, kept when the learner takes it again for a new round."""

    __tablename__ = "course_completion"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    course: Mapped[Course] = relationship()
