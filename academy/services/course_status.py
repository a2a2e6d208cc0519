"""Keeping ``LearnerCourseStatus`` equal to what progress, assignments and people say.

Every change rewrites the affected rows from the source tables with one DELETE and one
INSERT … SELECT, so a row is always derived the same way, whichever service touched it.
The callers are the services that change the sources; they flush, their entry point commits,
so the copy is written in the same transaction as the change and is never stale.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, delete, func, insert, literal, select, true

from ..database import db
from ..models import (
    Assignment,
    AssignmentCourse,
    AssignmentTarget,
    Attempt,
    Course,
    Enrollment,
    LearnerCourseStatus,
    User,
)

Status = LearnerCourseStatus


def _rows(where: ColumnElement[bool]):  # type: ignore[no-untyped-def]  # a Select matching Status's columns
    """The status rows of the assigned items matching ``where``, computed from the sources."""
    best = (select(func.max(100.0 * Attempt.score / Attempt.max_score))
            .where(Attempt.user_id == AssignmentTarget.user_id, Attempt.quiz_key == literal("final/") + Course.slug,
                   Attempt.submitted_at.is_not(None), Attempt.max_score > 0)
            .correlate(AssignmentTarget, Course).scalar_subquery())
    return (
        select(AssignmentTarget.assignment_id, AssignmentTarget.user_id, AssignmentCourse.course_id,
               User.org_unit_id, User.active, Assignment.due_on,
               Enrollment.started_at, Enrollment.completed_at, best)
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


def _rewrite(status_where: ColumnElement[bool], source_where: ColumnElement[bool]) -> None:
    db.session.flush()  # the sources' pending changes first: the SELECT reads them
    db.session.execute(delete(Status).where(status_where))
    db.session.execute(insert(Status).from_select(_COLUMNS, _rows(source_where)))


def for_learner(user_id: int, course_ids: Iterable[int] | None = None) -> None:
    """After a learner's progress, unit, activity or assignments changed (flushes only)."""
    if course_ids is None:
        _rewrite(Status.user_id == user_id, AssignmentTarget.user_id == user_id)
        return
    ids = sorted(set(course_ids))
    if ids:
        _rewrite(and_(Status.user_id == user_id, Status.course_id.in_(ids)),
                 and_(AssignmentTarget.user_id == user_id, AssignmentCourse.course_id.in_(ids)))


def for_assignment(assignment_id: int) -> None:
    """After an assignment's learners were resolved (flushes only)."""
    _rewrite(Status.assignment_id == assignment_id, AssignmentTarget.assignment_id == assignment_id)


def rebuild() -> int:
    """Every row again from the sources (``flask reports rebuild``, the migration's backfill);
    returns the number of rows. The caller commits."""
    _rewrite(true(), true())
    return int(db.session.execute(select(func.count()).select_from(Status)).scalar_one())
