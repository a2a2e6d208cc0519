"""Keeping ``LearnerCourseStatus`` (per assigned item) and ``LearnerStatus`` (per learner)
equal to what progress, assignments and people say.

Every change rewrites the affected rows from the source tables with one DELETE and one
INSERT … SELECT each, so a row is always derived the same way, whichever service touched it.
The callers are the services that change the sources; they flush, their entry point commits,
so the copy is written in the same transaction as the change and is never stale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, case, delete, func, insert, literal, or_, select, true

from ..database import db
from ..models import (
    Assignment,
    AssignmentCourse,
    AssignmentTarget,
    Attempt,
    Course,
    Enrollment,
    LearnerCourseStatus,
    LearnerStatus,
    User,
)
from . import audit

Status = LearnerCourseStatus


def _rows(where: ColumnElement[bool]):  # type: ignore[no-untyped-def]  # a Select matching Status's columns
    """The status rows of the assigned items matching ``where``, computed from the sources."""
    round_start = Assignment.round_started_at  # a recurring assignment counts its current round only
    best = (select(func.max(100.0 * Attempt.score / Attempt.max_score))
            .where(Attempt.user_id == AssignmentTarget.user_id, Attempt.quiz_key == literal("final/") + Course.slug,
                   Attempt.submitted_at.is_not(None), Attempt.max_score > 0,
                   or_(round_start.is_(None), Attempt.submitted_at >= round_start))
            .correlate(AssignmentTarget, Course, Assignment).scalar_subquery())
    started = case((or_(round_start.is_(None), Enrollment.last_active_at >= round_start), Enrollment.started_at))
    completed = case((or_(round_start.is_(None), Enrollment.completed_at >= round_start), Enrollment.completed_at))
    return (
        select(AssignmentTarget.assignment_id, AssignmentTarget.user_id, AssignmentCourse.course_id,
               User.org_unit_id, User.active, Assignment.due_on, started, completed, best)
        .select_from(AssignmentTarget)
        .join(Assignment, Assignment.id == AssignmentTarget.assignment_id)
        .join(AssignmentCourse, AssignmentCourse.assignment_id == AssignmentTarget.assignment_id)
        .join(Course, Course.id == AssignmentCourse.course_id)
        .join(User, User.id == AssignmentTarget.user_id)
        .outerjoin(Enrollment, and_(Enrollment.user_id == AssignmentTarget.user_id,
                                    Enrollment.course_id == AssignmentCourse.course_id))
        .where(where)
    )


_COLUMNS = ["assignment_id", "user_id", "course_id", "unit_id", "active", "due_on",
            "started_at", "completed_at", "best_percent"]


_SUMMARY_COLUMNS = ["user_id", "unit_id", "active", "items", "started", "completed", "next_due", "score_sum", "scored"]


def _summaries(where: ColumnElement[bool]):  # type: ignore[no-untyped-def]  # a Select matching LearnerStatus
    return (select(Status.user_id, User.org_unit_id, User.active, func.count(), func.count(Status.started_at),
                   func.count(Status.completed_at), func.min(case((Status.completed_at.is_(None), Status.due_on))),
                   func.coalesce(func.sum(Status.best_percent), 0.0), func.count(Status.best_percent))
            .join(User, User.id == Status.user_id)
            .where(where)
            .group_by(Status.user_id, User.org_unit_id, User.active))


Learners = Callable[[Any], ColumnElement[bool]]  # a user-id column -> which learners


def _rewrite(status_where: ColumnElement[bool], source_where: ColumnElement[bool], learners: Learners) -> None:
    """Items matching ``status_where`` (``source_where`` on the sources) again, then the
    summaries of the ``learners`` they belong to."""
    db.session.flush()  # the sources' pending changes first: the SELECT reads them
    db.session.execute(delete(Status).where(status_where))
    db.session.execute(insert(Status).from_select(_COLUMNS, _rows(source_where)))
    db.session.execute(delete(LearnerStatus).where(learners(LearnerStatus.user_id)))
    db.session.execute(insert(LearnerStatus).from_select(_SUMMARY_COLUMNS, _summaries(learners(Status.user_id))))


def for_learner(user_id: int, course_ids: Iterable[int] | None = None) -> None:
    """After a learner's progress, unit, activity or assignments changed (flushes only)."""
    ids = None if course_ids is None else sorted(set(course_ids))
    if ids == []:
        return
    if ids is None:
        _rewrite(Status.user_id == user_id, AssignmentTarget.user_id == user_id, lambda column: column == user_id)
    else:
        _rewrite(and_(Status.user_id == user_id, Status.course_id.in_(ids)),
                 and_(AssignmentTarget.user_id == user_id, AssignmentCourse.course_id.in_(ids)),
                 lambda column: column == user_id)


def for_assignment(assignment_id: int) -> None:
    """After an assignment's learners were resolved (flushes only)."""
    targets = select(AssignmentTarget.user_id).where(AssignmentTarget.assignment_id == assignment_id)
    _rewrite(Status.assignment_id == assignment_id, AssignmentTarget.assignment_id == assignment_id,
             lambda column: column.in_(targets))


def rebuild() -> int:
    """Every row again from the sources (``flask reports rebuild``, the migration's backfill);
    returns the number of items. The caller commits."""
    _rewrite(true(), true(), lambda _column: true())
    return int(db.session.execute(select(func.count()).select_from(Status)).scalar_one())


def rebuild_all(*, actor: User | None = None) -> int:
    """``flask reports rebuild``: after data was written around the services (a restore, a
    bulk load); audited, one commit. Returns the number of items."""
    items = rebuild()
    learners = int(db.session.execute(select(func.count()).select_from(LearnerStatus)).scalar_one())
    audit.record("report_status_rebuilt", actor=actor, items=items, learners=learners)
    db.session.commit()
    return items
