"""Learner progress: opening and finishing lessons, completing courses, training hours."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import IntegrityError

from academy.content.quizzes import QuizKey
from academy.database import db, read, utcnow
from academy.learning.services.published import CourseShape
from academy.models import (
    Assignment,
    AssignmentCourse,
    AssignmentTarget,
    Attempt,
    ClassroomSession,
    Course,
    CourseCompletion,
    Enrollment,
    Lesson,
    LessonProgress,
    SessionSeat,
    TrainingCredit,
    User,
)

T = TypeVar("T")


@dataclass(frozen=True)
class CourseProgress:
    done: int
    total: int
    enrolled: bool
    completed: bool
    done_ids: frozenset[int] = frozenset()  # the live lessons done

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


M = TypeVar("M", Enrollment, LessonProgress)


def _get_or_create(model: type[M], defaults: dict[str, datetime], **keys: int) -> M:
    """The row for these keys, created (and flushed) when missing."""
    found = db.session.execute(select(model).filter_by(**keys)).scalar_one_or_none()
    if found is None:
        found = model(**keys, **defaults)
        db.session.add(found)
        db.session.flush()
    return found


def _enrollment(user: User, course: Course, now: datetime) -> Enrollment:
    enrollment = _get_or_create(Enrollment, {"started_at": now, "last_active_at": now}, user_id=user.id, course_id=course.id)
    _retake_if_due_again(user, course, enrollment, now)
    return enrollment


def _lesson_progress(user: User, lesson: Lesson, now: datetime) -> LessonProgress:
    return _get_or_create(LessonProgress, {"first_opened_at": now, "last_opened_at": now}, user_id=user.id, lesson_id=lesson.id)


def _retrying(work: Callable[[], T]) -> T:
    """Two tabs may create the same row at once; the loser retries against the winner's row."""
    try:
        return work()
    except IntegrityError:
        db.session.rollback()
        return work()


def open_lesson(user: User, lesson: Lesson, *, now: datetime | None = None) -> LessonProgress:
    """Record a view; the first view of any lesson enrols the learner in its course."""
    when = now or utcnow()

    def work() -> LessonProgress:
        enrollment = _enrollment(user, lesson.course, when)
        enrollment.last_lesson_id = lesson.id
        enrollment.last_active_at = when
        progress = _lesson_progress(user, lesson, when)
        progress.last_opened_at = when
        db.session.commit()
        return progress

    return _retrying(work)


# A view within this time of the last one, of the lesson already noted as the last one read,
# changes nothing worth a write: reading a lesson costs queries, not a commit.
QUIET = timedelta(minutes=10)


def view_lesson(user: User, course: CourseShape, lesson_id: int, *, now: datetime | None = None) -> set[int]:
    """Note a lesson view when it tells something new; return the lessons of the course done.

    Two reads on a repeated view; the write (``open_lesson``) only for a first view, a different
    lesson than the last one read, after ``QUIET``, or when a recurring round reopens the course.
    """
    when = now or utcnow()
    ids = [x.id for x in course.lessons]
    rows = read(select(LessonProgress.lesson_id, LessonProgress.completed_at).where(
        LessonProgress.user_id == user.id, LessonProgress.lesson_id.in_(ids))).all() if ids else []
    enrollment = read(
        select(Enrollment.last_lesson_id, Enrollment.last_active_at, Enrollment.completed_at)
        .where(Enrollment.user_id == user.id, Enrollment.course_id == course.id)).one_or_none()
    quiet = (enrollment is not None and lesson_id in {r.lesson_id for r in rows}
             and enrollment.last_lesson_id == lesson_id and when - enrollment.last_active_at < QUIET)
    if quiet and enrollment is not None and enrollment.completed_at is not None:
        started = round_started(user, course)
        quiet = started is None or enrollment.completed_at >= started
    if not quiet:
        lesson = db.session.get(Lesson, lesson_id)
        if lesson is not None:
            open_lesson(user, lesson, now=when)
            return done_lessons(user, course)
    return {r.lesson_id for r in rows if r.completed_at is not None}


def complete_lesson(user: User, lesson: Lesson, *, now: datetime | None = None) -> bool:
    """Mark a lesson done; returns True when this completed the whole course."""
    when = now or utcnow()

    def work() -> bool:
        enrollment = _enrollment(user, lesson.course, when)
        progress = _lesson_progress(user, lesson, when)
        if progress.completed_at is None:
            progress.completed_at = when
        progress.completed_version = lesson.version
        enrollment.last_active_at = when
        finished = _complete_course_if_done(user, lesson.course, enrollment, when)
        db.session.commit()
        return finished

    return _retrying(work)


def course_requirements_met(user: User, course: Course, *, since: datetime | None = None) -> bool:
    """Every live lesson done, and the final exam passed (``since``: in this take of the course)
    when the course has one."""
    lesson_ids = [x.id for x in course.live_lessons]
    if not lesson_ids:
        return False
    if (course.meta or {}).get("final_exam") and not _passed_final(user, course, since):
        return False
    if (course.meta or {}).get("classroom") and not _attended(user, course, since):
        return False
    done = db.session.execute(
        select(func.count()).select_from(LessonProgress).where(
            LessonProgress.user_id == user.id, LessonProgress.lesson_id.in_(lesson_ids),
            LessonProgress.completed_at.is_not(None))
    ).scalar_one()
    return done == len(lesson_ids)


def _passed_final(user: User, course: Course, since: datetime | None) -> bool:
    query = select(func.count()).select_from(Attempt).where(
        Attempt.user_id == user.id, Attempt.quiz_key == str(QuizKey.final(course.slug)), Attempt.passed.is_(True))
    if since is not None:
        query = query.where(Attempt.submitted_at >= since)
    return db.session.execute(query).scalar_one() > 0


def _attended(user: User, course: Course, since: datetime | None) -> bool:
    """Signed in (or marked present) at a classroom session linked to the course, in this take of it."""
    query = select(func.count()).select_from(SessionSeat).join(
        ClassroomSession, ClassroomSession.id == SessionSeat.session_id).where(
        SessionSeat.user_id == user.id, ClassroomSession.course_id == course.id, SessionSeat.signed_in_at.is_not(None))
    if since is not None:
        query = query.where(SessionSeat.signed_in_at >= since)
    return db.session.execute(query).scalar_one() > 0


def round_started(user: User, course: CourseShape) -> datetime | None:
    """The latest start of a round of a recurring assignment giving this learner this course."""
    return db.session.execute(
        select(func.max(Assignment.round_started_at))
        .join(AssignmentTarget, AssignmentTarget.assignment_id == Assignment.id)
        .join(AssignmentCourse, AssignmentCourse.assignment_id == Assignment.id)
        .where(AssignmentTarget.user_id == user.id, AssignmentCourse.course_id == course.id)).scalar_one()


def _retake_if_due_again(user: User, course: Course, enrollment: Enrollment, now: datetime) -> None:
    """A course completed before the current round of a recurring assignment is taken again:
    the old completion goes to the history, the lessons and the final exam count afresh."""
    if enrollment.completed_at is None:
        return
    started = round_started(user, course)
    if started is None or enrollment.completed_at >= started:
        return
    db.session.add(CourseCompletion(user_id=user.id, course_id=course.id, started_at=enrollment.started_at,
                                    completed_at=enrollment.completed_at))
    enrollment.started_at, enrollment.completed_at = now, None
    db.session.execute(
        update(LessonProgress)
        .where(LessonProgress.user_id == user.id, LessonProgress.lesson_id.in_([x.id for x in course.lessons]))
        .values(completed_at=None).execution_options(synchronize_session="fetch"))
    db.session.flush()


def complete_course_if_done(user: User, course: Course, now: datetime) -> bool:
    """After a final exam is passed: complete the course and credit its hours (flushes, caller commits)."""
    enrollment = _enrollment(user, course, now)
    return _complete_course_if_done(user, course, enrollment, now)


def _complete_course_if_done(user: User, course: Course, enrollment: Enrollment, now: datetime) -> bool:
    if enrollment.completed_at is not None or not course_requirements_met(user, course, since=round_started(user, course)):
        return False
    enrollment.completed_at = now
    already = db.session.execute(
        select(TrainingCredit).where(TrainingCredit.user_id == user.id, TrainingCredit.course_id == course.id)
    ).scalar_one_or_none()
    if already is None:
        db.session.add(TrainingCredit(user_id=user.id, course_id=course.id, hours=course.hours, earned_at=now))
    return True


_DONE_ANY = select(LessonProgress.lesson_id).where(
    LessonProgress.user_id == bindparam("user_id"), LessonProgress.completed_at.is_not(None))
_DONE_AMONG = _DONE_ANY.where(LessonProgress.lesson_id.in_(bindparam("ids", expanding=True)))
_ENROLLED_ANY = select(Enrollment.course_id, Enrollment.completed_at).where(Enrollment.user_id == bindparam("user_id"))
_ENROLLED_AMONG = _ENROLLED_ANY.where(Enrollment.course_id.in_(bindparam("ids", expanding=True)))


def progress_for(user: User, courses: Iterable[CourseShape]) -> dict[int, CourseProgress]:
    """Progress of one learner in many courses, in two queries."""
    courses = list(courses)
    live = {c.id: {x.id for x in c.live_lessons} for c in courses}
    all_ids = [i for ids in live.values() for i in ids]
    # many courses (the catalog): every row of the learner, no long IN list to compile per request
    many = len(live) > 8
    done_ids = set(read(_DONE_ANY if many else _DONE_AMONG, {"user_id": user.id, "ids": all_ids}).scalars()) \
        if all_ids else set()
    enrollments: dict[int, datetime | None] = dict(read(
        _ENROLLED_ANY if many else _ENROLLED_AMONG, {"user_id": user.id, "ids": list(live)}).tuples().all())
    return {
        cid: CourseProgress(done=len(ids & done_ids), total=len(ids), enrolled=cid in enrollments,
                            completed=cid in enrollments and enrollments[cid] is not None,
                            done_ids=frozenset(ids & done_ids))
        for cid, ids in live.items()
    }


def done_lessons(user: User, course: CourseShape) -> set[int]:
    ids = [x.id for x in course.lessons]
    return set(db.session.execute(
        select(LessonProgress.lesson_id).where(
            LessonProgress.user_id == user.id, LessonProgress.lesson_id.in_(ids),
            LessonProgress.completed_at.is_not(None))
    ).scalars()) if ids else set()


def resume_lesson(user: User, course: Course) -> Lesson | None:
    """Where to continue: the first live lesson not done yet, else the first lesson."""
    live = course.live_lessons
    done = done_lessons(user, course)
    return next((x for x in live if x.id not in done), live[0] if live else None)


@dataclass(frozen=True)
class Dashboard:
    in_progress: list[tuple[Enrollment, CourseProgress]]
    completed: list[tuple[Enrollment, CourseProgress]]
    hours_this_year: float
    recent: list[LessonProgress]


def year_start(now: datetime, zone: str) -> datetime:
    local = now.astimezone(ZoneInfo(zone))
    start = local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    return start


def dashboard(user: User, *, zone: str = "Asia/Shanghai", now: datetime | None = None) -> Dashboard:
    now = now or utcnow()
    enrollments = list(db.session.execute(
        select(Enrollment).where(Enrollment.user_id == user.id).order_by(Enrollment.last_active_at.desc())
    ).scalars())
    progress = progress_for(user, [e.course for e in enrollments if not e.course.retired])
    rows = [(e, progress[e.course_id]) for e in enrollments if e.course_id in progress]
    hours = db.session.execute(
        select(func.coalesce(func.sum(TrainingCredit.hours), 0)).where(
            TrainingCredit.user_id == user.id, TrainingCredit.earned_at >= year_start(now, zone),
            TrainingCredit.earned_at < year_start(now, zone).replace(year=year_start(now, zone).year + 1))
    ).scalar_one()
    recent = list(db.session.execute(
        select(LessonProgress).where(LessonProgress.user_id == user.id,
                                     LessonProgress.last_opened_at >= now - timedelta(days=90))
        .order_by(LessonProgress.last_opened_at.desc()).limit(8)
    ).scalars())
    return Dashboard(
        in_progress=[r for r in rows if not r[0].completed_at],
        completed=[r for r in rows if r[0].completed_at],
        hours_this_year=float(hours), recent=recent,
    )
