"""Course and session evaluations (Kirkpatrick level 1; level 2 is what the exams measure).

Anyone who completed a course or signed in to a session answers once; HR reads averages per
course, session and trainer for the people of their scope, and the comments without names.
Reminders for the unanswered are capped at ``REMINDER_CAP`` per item, ``REMINDER_GAP`` apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from academy.database import db, utcnow
from academy.learning.models.evaluation import ITEMS
from academy.models import (
    ClassroomSession,
    Course,
    Enrollment,
    Evaluation,
    Notice,
    OrgUnit,
    ReminderLog,
    SessionSeat,
    User,
)
from academy.people.models.org import within

REMINDER_CAP = 2
REMINDER_GAP = timedelta(days=3)
REMIND_WITHIN = timedelta(days=30)  # an evaluation of a course finished long ago says little
MAX_COMMENT = 1000


class NotEvaluable(ValueError):
    """Not completed or not attended, or ratings outside 1–5."""


@dataclass(frozen=True)
class Due:
    """Something the person may still evaluate."""

    kind: str  # "course" | "session"
    ref: int  # course id or session id
    title: str
    finished_at: datetime
    slug: str = ""  # courses: for the link


def _completed_courses(user_id: int) -> Select[tuple[int, str, str, datetime | None]]:
    return (select(Course.id, Course.slug, Course.title, Enrollment.completed_at)
            .join(Enrollment, Enrollment.course_id == Course.id)
            .where(Enrollment.user_id == user_id, Enrollment.completed_at.is_not(None)))


def pending(user: User, *, now: datetime | None = None) -> list[Due]:
    """Completed courses and attended sessions not yet evaluated, newest first."""
    answered_courses = set(db.session.execute(
        select(Evaluation.course_id).where(Evaluation.user_id == user.id, Evaluation.course_id.is_not(None))).scalars())
    answered_sessions = set(db.session.execute(
        select(Evaluation.session_id).where(Evaluation.user_id == user.id, Evaluation.session_id.is_not(None))).scalars())
    due = [Due("course", cid, title, done, slug) for cid, slug, title, done in db.session.execute(_completed_courses(user.id))
           if cid not in answered_courses]
    due += [Due("session", sid, title, signed)
            for sid, title, signed in db.session.execute(
                select(ClassroomSession.id, ClassroomSession.title, SessionSeat.signed_in_at)
                .join(SessionSeat, SessionSeat.session_id == ClassroomSession.id)
                .where(SessionSeat.user_id == user.id, SessionSeat.signed_in_at.is_not(None)))
            if sid not in answered_sessions]
    return sorted(due, key=lambda d: d.finished_at, reverse=True)


def may_evaluate_course(user: User, course: Course) -> bool:
    return db.session.execute(
        select(Enrollment.id).where(Enrollment.user_id == user.id, Enrollment.course_id == course.id,
                                    Enrollment.completed_at.is_not(None))).first() is not None


def may_evaluate_session(user: User, session: ClassroomSession) -> bool:
    return db.session.execute(
        select(SessionSeat.id).where(SessionSeat.user_id == user.id, SessionSeat.session_id == session.id,
                                     SessionSeat.signed_in_at.is_not(None))).first() is not None


def answered(user: User, *, course: Course | None = None, session: ClassroomSession | None = None) -> Evaluation | None:
    query = select(Evaluation).where(Evaluation.user_id == user.id)
    query = query.where(Evaluation.course_id == course.id) if course else query.where(
        Evaluation.session_id == (session.id if session else None))
    return db.session.execute(query).scalar_one_or_none()


def submit(user: User, ratings: dict[str, int], comment: str, *, course: Course | None = None,
           session: ClassroomSession | None = None, now: datetime | None = None) -> Evaluation:
    """Store the answer once; a second submit (a double click, another tab) returns the first."""
    if (course is None) == (session is None):
        raise NotEvaluable("course or session")
    if any(not isinstance(ratings.get(item), int) or not 1 <= ratings[item] <= 5 for item in ITEMS):
        raise NotEvaluable("ratings")
    if course is not None and not may_evaluate_course(user, course):
        raise NotEvaluable("course not completed")
    if session is not None and not may_evaluate_session(user, session):
        raise NotEvaluable("session not attended")
    earlier = answered(user, course=course, session=session)
    if earlier is not None:
        return earlier
    row = Evaluation(user_id=user.id, course_id=course.id if course else None, session_id=session.id if session else None,
                     trainer_id=session.trainer_id if session else None, comment=comment.strip()[:MAX_COMMENT],
                     submitted_at=now or utcnow(), **{item: ratings[item] for item in ITEMS})
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        found = answered(user, course=course, session=session)
        if found is None:
            raise
        return found
    return row


# -- results -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    ref: int
    title: str
    responses: int
    averages: dict[str, float]
    extra: str = ""  # a session's date, a trainer's employee number

    @property
    def mean(self) -> float:
        return sum(self.averages.values()) / len(self.averages) if self.averages else 0.0


def _scoped(query: Select, scope: list[str] | None) -> Select:  # type: ignore[type-arg]
    """Only the answers of people inside ``scope`` (None: everyone's)."""
    if scope is None:
        return query
    return query.join(User, User.id == Evaluation.user_id).join(OrgUnit, OrgUnit.id == User.org_unit_id).where(within(scope))


def _averages() -> list:  # type: ignore[type-arg]
    return [func.avg(getattr(Evaluation, item)) for item in ITEMS]


def _results(rows: Iterator) -> list[Result]:  # type: ignore[type-arg]
    out = []
    for ref, title, extra, n, *means in rows:
        out.append(Result(ref, title, int(n), {item: round(float(m or 0), 2) for item, m in zip(ITEMS, means, strict=True)},
                          str(extra or "")))
    return out


def by_course(scope: list[str] | None) -> list[Result]:
    query = (select(Course.id, Course.title, Course.slug, func.count(Evaluation.id), *_averages())
             .join(Course, Course.id == Evaluation.course_id).group_by(Course.id, Course.title, Course.slug)
             .order_by(Course.title))
    return _results(db.session.execute(_scoped(query, scope)))


def by_session(scope: list[str] | None) -> list[Result]:
    query = (select(ClassroomSession.id, ClassroomSession.title, ClassroomSession.starts_at, func.count(Evaluation.id),
                    *_averages())
             .join(ClassroomSession, ClassroomSession.id == Evaluation.session_id)
             .group_by(ClassroomSession.id, ClassroomSession.title, ClassroomSession.starts_at)
             .order_by(ClassroomSession.starts_at.desc()))
    rows = []
    for ref, title, starts, *rest in db.session.execute(_scoped(query, scope)):
        rows.append((ref, title, starts.date().isoformat() if starts else "", *rest))
    return _results(iter(rows))


def by_trainer(scope: list[str] | None) -> list[Result]:
    trainer = select(User.id, User.name, User.employee_no).subquery()
    query = (select(trainer.c.id, trainer.c.name, trainer.c.employee_no, func.count(Evaluation.id), *_averages())
             .join(trainer, trainer.c.id == Evaluation.trainer_id)
             .group_by(trainer.c.id, trainer.c.name, trainer.c.employee_no).order_by(trainer.c.name))
    return _results(db.session.execute(_scoped(query, scope)))


def trainer_rating(trainer_id: int) -> tuple[int, float | None]:
    """(answers, mean of the four items) over everything the trainer taught."""
    row = db.session.execute(select(func.count(Evaluation.id), *_averages()).where(Evaluation.trainer_id == trainer_id)).one()
    n, *means = row
    return int(n), (sum(float(m) for m in means) / len(means) if n else None)


def detail(scope: list[str] | None, *, course_id: int | None = None, session_id: int | None = None) -> Result | None:
    query = select(func.count(Evaluation.id), *_averages())
    query = query.where(Evaluation.course_id == course_id) if course_id else query.where(Evaluation.session_id == session_id)
    n, *means = db.session.execute(_scoped(query, scope)).one()
    if not n:
        return None
    return Result(course_id or session_id or 0, "", int(n), {i: round(float(m), 2) for i, m in zip(ITEMS, means, strict=True)})


def comments(scope: list[str] | None, *, course_id: int | None = None, session_id: int | None = None,
             limit: int | None = None) -> list[Evaluation]:
    """Answers with a comment, newest first; shown and exported without the person's name."""
    query = select(Evaluation).where(Evaluation.comment != "")
    if course_id:
        query = query.where(Evaluation.course_id == course_id)
    if session_id:
        query = query.where(Evaluation.session_id == session_id)
    query = _scoped(query, scope).order_by(Evaluation.submitted_at.desc(), Evaluation.id.desc())
    return list(db.session.execute(query.limit(limit) if limit else query).scalars())


# -- reminders -----------------------------------------------------------------------------------

def remind_unanswered(*, now: datetime | None = None, title: str, body: str) -> int:
    """An in-app notice for each unanswered evaluation finished in the last 30 days: at most
    ``REMINDER_CAP`` per person and item, ``REMINDER_GAP`` apart. Returns how many were sent."""
    now = now or utcnow()
    since = now - REMIND_WITHIN
    sent_before: dict[tuple[int, str], list[datetime]] = {}
    for user_id, ref, at in db.session.execute(
            select(ReminderLog.user_id, ReminderLog.ref, ReminderLog.sent_at).where(ReminderLog.kind.like("eval-%"))):
        sent_before.setdefault((user_id, ref), []).append(at)
    people = set(db.session.execute(select(Enrollment.user_id).where(Enrollment.completed_at >= since)).scalars())
    people |= set(db.session.execute(select(SessionSeat.user_id).where(SessionSeat.signed_in_at >= since)).scalars())
    sent = 0
    for user in db.session.execute(select(User).where(User.id.in_(people), User.active.is_(True))).scalars():
        for item in pending(user, now=now):
            if item.finished_at < since:
                continue
            ref = f"{item.kind}-{item.ref}"
            earlier = sent_before.get((user.id, ref), [])
            if len(earlier) >= REMINDER_CAP or (earlier and now - max(earlier) < REMINDER_GAP):
                continue
            link = f"/evaluations/course/{item.slug}" if item.kind == "course" else f"/evaluations/session/{item.ref}"
            db.session.add(ReminderLog(kind=f"eval-{len(earlier) + 1}", ref=ref, user_id=user.id, sent_at=now))
            db.session.add(Notice(user_id=user.id, kind="evaluation", title=(title % {"title": item.title})[:200],
                                  body=body, link=link, created_at=now))
            sent += 1
    db.session.commit()
    return sent
