"""A learner's state in a course and the one thing to do next.

The catalog card, the course page, 我的学习 and ``/courses/<slug>/resume`` all ask this module,
so they can never disagree: a learner who has read every lesson is sent to the final exam,
not back to lesson 1. Read-only: nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import bindparam, select

from academy.database import read, utcnow
from academy.learning.services.progress import CourseProgress, progress_for
from academy.learning.services.published import CourseShape, LessonShape
from academy.models import Assignment, AssignmentCourse, AssignmentTarget, Attempt, User


class Step(StrEnum):
    START = "start"  # nothing read yet
    CONTINUE = "continue"  # lessons left to read
    FINAL = "final"  # every lesson read, the final exam not yet taken
    RESUME_EXAM = "resume_exam"  # a final exam attempt is open
    RETAKE = "retake"  # failed, attempts left, may start now
    WAIT = "wait"  # failed, attempts left, cooling down
    NO_ATTEMPTS = "no_attempts"  # failed and no attempts left
    CLASSROOM = "classroom"  # lessons read and final passed: a linked classroom session is still to attend
    DONE = "done"  # completed, hours credited


@dataclass(frozen=True)
class NextStep:
    step: Step
    progress: CourseProgress
    lesson: LessonShape | None  # the lesson to read (START, CONTINUE) or to read again (DONE)
    attempts_used: int = 0
    attempts_left: int | None = None  # None: unlimited or no final exam
    cooldown_until: datetime | None = None
    best_percent: int | None = None

    @property
    def exam_step(self) -> bool:
        return self.step in (Step.FINAL, Step.RESUME_EXAM, Step.RETAKE, Step.WAIT, Step.NO_ATTEMPTS)


def _final_settings(course: CourseShape) -> dict[str, object] | None:
    meta = course.meta or {}
    settings = meta.get("final_exam")
    return settings if meta.get("bank") and isinstance(settings, dict) else None


@dataclass(frozen=True)
class _Tried:
    """What the next step reads of a final-exam attempt (columns, not the paper)."""

    submitted_at: datetime | None
    score: float | None
    max_score: float | None
    passed: bool | None = None

    @property
    def percent(self) -> float:
        return 100.0 * (self.score or 0) / self.max_score if self.max_score else 0.0


def _step(course: CourseShape, state: CourseProgress, done: set[int], attempts: list[_Tried], now: datetime) -> NextStep:
    live = course.live_lessons
    unread = next((x for x in live if x.id not in done), None)
    if state.completed:
        return NextStep(Step.DONE, state, live[0] if live else None, len(attempts),
                        best_percent=_best(attempts))
    # every other requirement is met and the course is still open: what is missing is the
    # classroom session (completion follows at once when the last requirement is met)
    if (unread is None and (course.meta or {}).get("classroom")
            and (_final_settings(course) is None or any(a.passed for a in attempts))):
        return NextStep(Step.CLASSROOM, state, None, len(attempts), best_percent=_best(attempts))
    if unread is not None or _final_settings(course) is None:
        step = Step.CONTINUE if state.enrolled or done else Step.START
        return NextStep(step, state, unread or (live[0] if live else None))
    settings = _final_settings(course) or {}
    limit = int(str(settings.get("attempts", 0)) or 0)
    used = len(attempts)
    left = max(limit - used, 0) if limit else None
    graded = [a for a in attempts if a.submitted_at is not None]
    best = _best(attempts)
    if any(a.submitted_at is None for a in attempts):
        return NextStep(Step.RESUME_EXAM, state, None, used, left, best_percent=best)
    if not graded:
        return NextStep(Step.FINAL, state, None, used, left)
    if left == 0:
        return NextStep(Step.NO_ATTEMPTS, state, None, used, left, best_percent=best)
    cooldown = float(str(settings.get("cooldown_hours", 0)) or 0)
    last = max(a.submitted_at for a in graded if a.submitted_at is not None)
    if cooldown and now < last + timedelta(hours=cooldown):
        return NextStep(Step.WAIT, state, None, used, left, last + timedelta(hours=cooldown), best)
    return NextStep(Step.RETAKE, state, None, used, left, best_percent=best)


def _best(attempts: list[_Tried]) -> int | None:
    scores = [a.percent for a in attempts if a.submitted_at is not None and a.max_score]
    return round(max(scores)) if scores else None


_FINALS = select(Attempt.quiz_key, Attempt.submitted_at, Attempt.score, Attempt.max_score, Attempt.passed
                 ).order_by(Attempt.number)
_FINALS_ANY = _FINALS.where(Attempt.user_id == bindparam("user_id"), Attempt.quiz_key.startswith("final/", autoescape=True))
_FINALS_AMONG = _FINALS.where(Attempt.user_id == bindparam("user_id"), Attempt.quiz_key.in_(bindparam("keys", expanding=True)))


def next_steps(user: User, courses: Iterable[CourseShape], *, now: datetime | None = None) -> dict[int, NextStep]:
    """The next step in each course, in a handful of queries whatever the number of courses."""
    courses = list(courses)
    now = now or utcnow()
    states = progress_for(user, courses)
    keys = {f"final/{c.slug}": c.id for c in courses if _final_settings(c) is not None}
    attempts: dict[int, list[_Tried]] = {cid: [] for cid in keys.values()}
    if keys:
        for key, submitted_at, score, max_score, passed in read(
                _FINALS_AMONG if len(keys) <= 8 else _FINALS_ANY, {"user_id": user.id, "keys": list(keys)}):
            if key in keys:
                attempts[keys[key]].append(_Tried(submitted_at, score, max_score, passed))
    return {c.id: _step(c, states[c.id], set(states[c.id].done_ids), attempts.get(c.id, []), now) for c in courses}


def next_step(user: User, course: CourseShape, *, now: datetime | None = None) -> NextStep:
    return next_steps(user, [course], now=now)[course.id]


@dataclass(frozen=True)
class Assigned:
    """How a course is assigned to a learner, for the catalog's badges."""

    required: bool  # at least one mandatory assignment names it
    due_on: date | None  # the soonest due date among them

    def overdue(self, today: date, completed: bool) -> bool:
        return not completed and self.due_on is not None and self.due_on < today


_ASSIGNED = (select(AssignmentCourse.course_id, Assignment.mandatory, Assignment.due_on)
             .join(AssignmentTarget, AssignmentTarget.assignment_id == Assignment.id)
             .join(AssignmentCourse, AssignmentCourse.assignment_id == Assignment.id)
             .where(AssignmentTarget.user_id == bindparam("user_id")))


def assigned(user: User) -> dict[int, Assigned]:
    """Every course assigned to the learner, with required and the soonest due date, in one query."""
    found: dict[int, Assigned] = {}
    for course_id, mandatory, due_on in read(_ASSIGNED, {"user_id": user.id}):
        old = found.get(course_id)
        dues = [d for d in (due_on, old.due_on if old else None) if d is not None]
        found[course_id] = Assigned(bool(mandatory) or bool(old and old.required), min(dues) if dues else None)
    return found
