"""Shared helpers moved out of test_course_status.py."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from academy.database import db
from academy.learning.services import course_status
from academy.models import Course, LearnerCertificationStatus, LearnerCourseStatus, LearnerStatus, User


def _course(slug: str) -> Course:
    return db.session.execute(select(Course).where(Course.slug == slug)).scalar_one()


def _user(number: str) -> User:
    return db.session.execute(select(User).where(User.employee_no == number)).scalar_one()


def items(number: str) -> dict[str, tuple[Any, ...]]:
    """course slug -> (unit id, active, started?, completed?, best percent) of a person's items."""
    rows = db.session.execute(
        select(Course.slug, LearnerCourseStatus).join(Course, Course.id == LearnerCourseStatus.course_id)
        .join(User, User.id == LearnerCourseStatus.user_id).where(User.employee_no == number)).all()
    return {slug: (s.unit_id, s.active, s.started_at is not None, s.completed_at is not None, s.best_percent)
            for slug, s in rows}


def snapshot() -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    status = {(s.assignment_id, s.user_id, s.course_id, s.unit_id, s.active, s.due_on, s.started_at, s.completed_at,
               s.best_percent) for s in db.session.execute(select(LearnerCourseStatus)).scalars()}
    learners = {(s.user_id, s.unit_id, s.active, s.items, s.started, s.completed, s.next_due, s.score_sum, s.scored)
                for s in db.session.execute(select(LearnerStatus)).scalars()}
    certifications = {(s.assignment_id, s.user_id, s.unit_id, s.active, s.due_on, s.completed_at, s.renewal)
                      for s in db.session.execute(select(LearnerCertificationStatus)).scalars()}
    return status, learners, certifications


def assert_same_as_rebuild() -> None:
    """What the services kept equals what a rebuild from the sources computes."""
    kept = snapshot()
    course_status.rebuild()
    assert snapshot() == kept
    db.session.rollback()
