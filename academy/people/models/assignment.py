"""Assignments: a course or an ordered learning path given to people, with a due date.

``AssignmentTarget`` holds the resolved learners, one row per person, so reports join
rows instead of re-evaluating rules, and people who later join an assigned unit get a
row when they are created, imported or moved.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.database import UTCDateTime, db, utcnow
from academy.learning.models.content import Course
from academy.people.models.org import OrgUnit


class AssignmentState(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"  # out of learners' lists and the reports until resumed; progress stays
    ARCHIVED = "archived"  # the same, for good: kept for the audit trail and the history


class TargetKind(StrEnum):
    UNIT = "unit"  # everyone in a unit (optionally its whole subtree)
    POSITION = "position"  # everyone with a position inside a unit's subtree
    PEOPLE = "people"  # named people


class Assignment(db.Model):
    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    target_kind: Mapped[TargetKind] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    include_subtree: Mapped[bool] = mapped_column(default=True)
    position: Mapped[str] = mapped_column(String(80), default="")
    due_on: Mapped[date | None] = mapped_column(Date)
    mandatory: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # recertification: a new round every N months (None: one round only); the current round
    # began at ``round_started_at`` (None: the first round, where any completion counts)
    repeat_months: Mapped[int | None] = mapped_column()
    round_number: Mapped[int] = mapped_column(default=1)
    round_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # a certification (an exam id of ``quiz/exams``) instead of courses: done while the learner
    # holds a valid certificate of it; ``renew_days``: reopen that many days before it expires
    exam_id: Mapped[str | None] = mapped_column(String(80))
    renew_days: Mapped[int | None] = mapped_column()
    state: Mapped[AssignmentState] = mapped_column(String(20), default=AssignmentState.ACTIVE,
                                                   server_default=AssignmentState.ACTIVE.value)
    # people who come within reach after it was made get this many days from that day
    join_days: Mapped[int | None] = mapped_column()

    unit: Mapped[OrgUnit | None] = relationship()
    courses: Mapped[list[AssignmentCourse]] = relationship(
        back_populates="assignment", order_by="AssignmentCourse.position", lazy="selectin",
        cascade="all, delete-orphan")
    rounds: Mapped[list[AssignmentRound]] = relationship(
        order_by="AssignmentRound.number", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:
        return self.state == AssignmentState.ACTIVE

    @property
    def is_path(self) -> bool:
        return len(self.courses) > 1


class AssignmentRound(db.Model):
    """A round of a recurring assignment; the unique number makes opening it twice impossible."""

    __tablename__ = "assignment_round"
    __table_args__ = (UniqueConstraint("assignment_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    starts_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AssignmentCourse(db.Model):
    """One course of an assignment; several, in order, make a learning path."""

    __tablename__ = "assignment_course"
    __table_args__ = (UniqueConstraint("assignment_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    assignment: Mapped[Assignment] = relationship(back_populates="courses")
    course: Mapped[Course] = relationship(lazy="joined")


class AssignmentTarget(db.Model):
    """A learner an assignment applies to (``named``: chosen by name, not by a rule)."""

    __tablename__ = "assignment_target"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    named: Mapped[bool] = mapped_column(default=False)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # this person's own due date (a late joiner's N days from joining); None: the assignment's
    due_on: Mapped[date | None] = mapped_column(Date)

    assignment: Mapped[Assignment] = relationship()


class ReminderLog(db.Model):
    """One row per reminder sent: the unique key makes a second run of the job send nothing.

    ``ref`` names what the reminder is about: ``assignment-12`` (due dates), ``certificate-7``
    (expiry warnings), ``2026-W48`` (the weekly overdue digest).
    """

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("kind", "user_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # e.g. "due-7", "due-1", "cert-30", "digest"
    ref: Mapped[str] = mapped_column(String(80), default="")
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LearnerCourseStatus(db.Model):
    """Where one assigned course stands for one learner: a copy of progress, assignments and people
    kept by the session (``services/status_keeper.py``) in the same transaction as any change, so the org-tree report reads one
    narrow table instead of joining millions of progress rows.

    One row per (assignment, learner, course), exactly the report's items; the learner's unit
    and active flag are copied so the report groups by unit without reading the people.
    """

    __tablename__ = "learner_course_status"

    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    best_percent: Mapped[float | None] = mapped_column(Float)  # best graded final exam, when taken


class LearnerStatus(db.Model):
    """One learner's assigned items summed up (from ``LearnerCourseStatus``, kept the same way):
    the unfiltered org-tree report groups these 100,000 rows, not the 2 million items.

    ``next_due`` is the earliest due date among the items not completed yet, so "overdue today"
    is a comparison, and the row need not change as days pass.
    """

    __tablename__ = "learner_status"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    items: Mapped[int] = mapped_column(default=0)
    started: Mapped[int] = mapped_column(default=0)
    completed: Mapped[int] = mapped_column(default=0)
    next_due: Mapped[date | None] = mapped_column(Date)
    score_sum: Mapped[float] = mapped_column(Float, default=0.0)  # best final-exam percents of the items
    scored: Mapped[int] = mapped_column(default=0)  # … how many items have one


class LearnerHours(db.Model):
    """One person's training hours in one calendar year (in the display time zone) by source,
    derived from the credits, sign-ins and approved outside records and kept the same way as the
    rows above: the year's report sums these 100,000 rows, not 1.3 million sources."""

    __tablename__ = "learner_hours"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    online: Mapped[float] = mapped_column(Float, default=0.0)
    classroom: Mapped[float] = mapped_column(Float, default=0.0)
    external: Mapped[float] = mapped_column(Float, default=0.0)


class LearnerCertificationStatus(db.Model):
    """Where one assigned certification stands for one learner, kept beside ``LearnerCourseStatus``
    the same way: an item with no course, so it gets its own narrow table rather than a
    made-up course key, and the summaries and reports read both.

    ``due_on`` is the assignment's due date, or, once a renewal is open (``renew_days`` before
    the certificate expires, or after it lapsed), the certificate's expiry date.
    """

    __tablename__ = "learner_certification_status"

    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # issue of the certificate that counts
    renewal: Mapped[bool] = mapped_column(default=False)  # open because a held certificate nears expiry
