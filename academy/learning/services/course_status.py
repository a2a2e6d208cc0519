"""Keeping ``LearnerCourseStatus`` (per assigned item) and ``LearnerStatus`` (per learner)
equal to what progress, assignments and people say.

Every change rewrites the affected rows from the source tables with one DELETE and one
INSERT … SELECT each, so a row is always derived the same way, whichever write touched it.
No service calls this by hand: ``status_keeper`` watches the session and, after every flush
that changed a source, passes what changed to ``keep``, so the copy is written in the same
transaction as the change and a new write path cannot forget it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    true,
)

from academy.content.quizzes import Kind, QuizKey
from academy.database import db
from academy.learning.services import hours_status
from academy.models import (
    Assignment,
    AssignmentCourse,
    AssignmentState,
    AssignmentTarget,
    Attempt,
    Certificate,
    Course,
    Enrollment,
    LearnerCertificationStatus,
    LearnerCourseStatus,
    LearnerStatus,
    User,
)
from academy.services import audit

Status = LearnerCourseStatus
CertStatus = LearnerCertificationStatus


def _rows(where: ColumnElement[bool]):  # type: ignore[no-untyped-def]  # a Select matching Status's columns
    """The status rows of the assigned items matching ``where``, computed from the sources."""
    round_start = Assignment.round_started_at  # a recurring assignment counts its current round only
    best = (select(func.max(100.0 * Attempt.score / Attempt.max_score))
            .where(Attempt.user_id == AssignmentTarget.user_id, Attempt.quiz_key == literal(QuizKey.prefix(Kind.FINAL)) + Course.slug,
                   Attempt.submitted_at.is_not(None), Attempt.max_score > 0,
                   or_(round_start.is_(None), Attempt.submitted_at >= round_start))
            .correlate(AssignmentTarget, Course, Assignment).scalar_subquery())
    started = case((or_(round_start.is_(None), Enrollment.last_active_at >= round_start), Enrollment.started_at))
    completed = case((or_(round_start.is_(None), Enrollment.completed_at >= round_start), Enrollment.completed_at))
    return (
        select(AssignmentTarget.assignment_id, AssignmentTarget.user_id, AssignmentCourse.course_id,
               User.org_unit_id, User.active, _due(), started, completed, best)
        .select_from(AssignmentTarget)
        .join(Assignment, Assignment.id == AssignmentTarget.assignment_id)
        .join(AssignmentCourse, AssignmentCourse.assignment_id == AssignmentTarget.assignment_id)
        .join(Course, Course.id == AssignmentCourse.course_id)
        .join(User, User.id == AssignmentTarget.user_id)
        .outerjoin(Enrollment, and_(Enrollment.user_id == AssignmentTarget.user_id,
                                    Enrollment.course_id == AssignmentCourse.course_id))
        .where(where, _live())
    )


def _due():  # type: ignore[no-untyped-def]  # a person's own due date (a late joiner's) before the assignment's
    return func.coalesce(AssignmentTarget.due_on, Assignment.due_on)


def _live() -> ColumnElement[bool]:
    """Paused and archived assignments have no items: they leave learners' lists and the reports,
    while the progress they were built from stays, so resuming brings them back as they were."""
    return Assignment.state == AssignmentState.ACTIVE.value


_COLUMNS = ["assignment_id", "user_id", "course_id", "unit_id", "active", "due_on",
            "started_at", "completed_at", "best_percent"]


_SUMMARY_COLUMNS = ["user_id", "unit_id", "active", "items", "started", "completed", "next_due", "score_sum", "scored"]


def items():  # type: ignore[no-untyped-def]  # a subquery: every assigned item, course or certification
    """Both status tables as one set of items (``course_id`` is null for a certification)."""
    courses = select(Status.assignment_id, Status.user_id, Status.course_id, Status.unit_id, Status.active,
                     Status.due_on, Status.started_at, Status.completed_at, Status.best_percent)
    certifications = select(CertStatus.assignment_id, CertStatus.user_id, cast(null(), Integer), CertStatus.unit_id,
                            CertStatus.active, CertStatus.due_on, CertStatus.completed_at, CertStatus.completed_at,
                            cast(null(), Float))
    return courses.union_all(certifications).subquery("item")


def _summaries(learners: Learners):  # type: ignore[no-untyped-def]  # a Select matching LearnerStatus
    item = items()
    return (select(item.c.user_id, User.org_unit_id, User.active, func.count(), func.count(item.c.started_at),
                   func.count(item.c.completed_at), func.min(case((item.c.completed_at.is_(None), item.c.due_on))),
                   func.coalesce(func.sum(item.c.best_percent), 0.0), func.count(item.c.best_percent))
            .join(User, User.id == item.c.user_id)
            .where(learners(item.c.user_id))
            .group_by(item.c.user_id, User.org_unit_id, User.active))


Learners = Callable[[Any], ColumnElement[bool]]  # a user-id column -> which learners


def _certification_item(certificates: list[Certificate], due_on: date | None, renew_days: int | None,
                        now: datetime) -> tuple[date | None, datetime | None, bool]:
    """(due date, completed at, renewal open) of one learner's assigned certification at ``now``."""
    valid = [c for c in certificates if c.revoked_at is None and c.valid_until > now]
    if valid:
        newest = max(valid, key=lambda c: c.issued_at)
        expires = newest.valid_until.astimezone(UTC).date()
        if renew_days is not None and newest.valid_until - timedelta(days=renew_days) <= now:
            return expires, None, True  # due at expiry; a newer certificate completes it
        return due_on, newest.issued_at, False
    lapsed = [c.valid_until for c in certificates if c.revoked_at is None]
    if renew_days is not None and lapsed:  # expired without renewal: overdue since the expiry
        return max(lapsed).astimezone(UTC).date(), None, True
    return due_on, None, False


def _certifications(status_where: ColumnElement[bool], source_where: ColumnElement[bool], now: datetime) -> None:
    """The certification items matching ``status_where`` (``source_where`` over the targets) again.

    Computed here rather than in SQL: whether a certificate counts depends on ``now`` and on
    the renewal window, and the rows are few (one per learner and certification assignment).
    """
    db.session.execute(delete(CertStatus).where(status_where))
    targets = db.session.execute(
        select(AssignmentTarget.assignment_id, AssignmentTarget.user_id, Assignment.exam_id, _due().label("due_on"),
               Assignment.renew_days, User.org_unit_id, User.active)
        .join(Assignment, Assignment.id == AssignmentTarget.assignment_id)
        .join(User, User.id == AssignmentTarget.user_id)
        .where(source_where, Assignment.exam_id.is_not(None), _live())).all()
    if not targets:
        return
    held: dict[tuple[int, str], list[Certificate]] = {}
    for cert in db.session.execute(select(Certificate).where(
            Certificate.user_id.in_({t.user_id for t in targets}),
            Certificate.exam_id.in_({t.exam_id for t in targets}))).scalars():
        held.setdefault((cert.user_id, cert.exam_id), []).append(cert)
    rows = []
    for t in targets:
        due, completed, renewal = _certification_item(held.get((t.user_id, t.exam_id), []), t.due_on, t.renew_days, now)
        rows.append({"assignment_id": t.assignment_id, "user_id": t.user_id, "unit_id": t.org_unit_id,
                     "active": t.active, "due_on": due, "completed_at": completed, "renewal": renewal})
    db.session.execute(insert(CertStatus), rows)


def _items(status_where: ColumnElement[bool], source_where: ColumnElement[bool],
           certifications: tuple[ColumnElement[bool], ColumnElement[bool]] | None, now: datetime | None) -> None:
    db.session.execute(delete(Status).where(status_where))
    db.session.execute(insert(Status).from_select(_COLUMNS, _rows(source_where)))
    if certifications is not None:
        _certifications(*certifications, now or datetime.now(UTC))


def _summarise(learners: Learners) -> None:
    db.session.execute(delete(LearnerStatus).where(learners(LearnerStatus.user_id)))
    db.session.execute(insert(LearnerStatus).from_select(_SUMMARY_COLUMNS, _summaries(learners)))


def _among(ids: list[int] | Select[tuple[int]]) -> Learners:
    return lambda column: column.in_(ids)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), BATCH):
        yield ordered[start:start + BATCH]


BATCH = 500  # ids per IN (…): well inside every database's limit on bound parameters


@dataclass
class Touched:
    """What a transaction's writes changed, as the items to derive again (``status_keeper``
    collects it from the session; nothing else needs to)."""

    learners: set[int] = field(default_factory=set)  # every item of these people: unit, active flag
    assignments: set[int] = field(default_factory=set)  # every item of these assignments
    targets: set[tuple[int, int]] = field(default_factory=set)  # (assignment, user): attached, detached, re-dated
    courses: set[tuple[int, int]] = field(default_factory=set)  # (user, course): progress in a course
    visits: set[tuple[int, int]] = field(default_factory=set)  # (user, course): only the enrolment's last activity
    finals: set[tuple[int, str]] = field(default_factory=set)  # (user, course slug): a final exam's attempts
    certified: set[int] = field(default_factory=set)  # people whose certificates changed
    hours: set[int] = field(default_factory=set)  # people whose credits, sign-ins or outside records changed
    everything: bool = False  # a write whose rows cannot be told: rebuild

    def __bool__(self) -> bool:
        return bool(self.everything or self.learners or self.assignments or self.targets or self.courses
                    or self.visits or self.finals or self.certified or self.hours)


def keep(touched: Touched, now: datetime | None = None) -> None:
    """Derive again the items ``touched`` names and the summaries of their learners, from the
    sources as this transaction sees them (no flush: ``status_keeper`` calls it after one)."""
    if touched.everything:
        _items(true(), true(), (true(), true()), now)
        _summarise(lambda _column: true())
        hours_status.derive(None)
        return
    hours_status.derive(touched.hours)
    learners = set(touched.learners)
    attached: dict[int, int] = {}
    for assignment_id, _user_id in touched.targets:
        attached[assignment_id] = attached.get(assignment_id, 0) + 1
    # many people of one assignment at once (it was just made, or its reach changed): its items
    # in one pass rather than a batch at a time
    assignments = touched.assignments | {a for a, count in attached.items() if count >= BATCH}
    for assignment_id in sorted(assignments):
        _items(Status.assignment_id == assignment_id, AssignmentTarget.assignment_id == assignment_id,
               (CertStatus.assignment_id == assignment_id, AssignmentTarget.assignment_id == assignment_id), now)
        _summarise(_among(select(AssignmentTarget.user_id).where(AssignmentTarget.assignment_id == assignment_id)))
    for chunk in _chunks(touched.learners):
        _items(Status.user_id.in_(chunk), AssignmentTarget.user_id.in_(chunk),
               (CertStatus.user_id.in_(chunk), AssignmentTarget.user_id.in_(chunk)), now)
    pairs: dict[int, set[int]] = {}
    for assignment_id, user_id in touched.targets:
        if assignment_id in assignments:
            pairs.setdefault(-assignment_id, set()).add(user_id)  # items written above; summaries of the detached
        elif user_id not in touched.learners:
            pairs.setdefault(assignment_id, set()).add(user_id)
            learners.add(user_id)
    for assignment_id, users in sorted(pairs.items()):
        if assignment_id < 0:
            learners.update(_detached(-assignment_id, users))
            continue
        for chunk in _chunks(users):
            _items(and_(Status.assignment_id == assignment_id, Status.user_id.in_(chunk)),
                   and_(AssignmentTarget.assignment_id == assignment_id, AssignmentTarget.user_id.in_(chunk)),
                   (and_(CertStatus.assignment_id == assignment_id, CertStatus.user_id.in_(chunk)),
                    and_(AssignmentTarget.assignment_id == assignment_id, AssignmentTarget.user_id.in_(chunk))), now)
    courses: dict[int, set[int]] = {}
    for user_id, course_id in touched.courses | _finals(touched.finals) | _in_rounds(touched.visits - touched.courses):
        if user_id not in touched.learners:
            courses.setdefault(user_id, set()).add(course_id)
    for user_id, ids in sorted(courses.items()):
        _items(and_(Status.user_id == user_id, Status.course_id.in_(ids)),
               and_(AssignmentTarget.user_id == user_id, AssignmentCourse.course_id.in_(ids)), None, now)
        learners.add(user_id)
    for chunk in _chunks(touched.certified - touched.learners):
        _certifications(CertStatus.user_id.in_(chunk), AssignmentTarget.user_id.in_(chunk), now or datetime.now(UTC))
        learners.update(chunk)
    for chunk in _chunks(learners):
        _summarise(_among(chunk))


def _detached(assignment_id: int, users: set[int]) -> set[int]:
    """Which of ``users`` the assignment no longer has (their summaries lose its items)."""
    held: set[int] = set()
    for chunk in _chunks(users):
        held.update(db.session.execute(select(AssignmentTarget.user_id).where(
            AssignmentTarget.assignment_id == assignment_id, AssignmentTarget.user_id.in_(chunk))).scalars())
    return users - held


def _in_rounds(visits: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The (user, course) visits that can move an item: a visit counts as starting the course
    only where a recurring assignment's round began (``_rows``), so one read spares the rewrite
    of every other lesson view."""
    if not visits:
        return set()
    rounds = set(db.session.execute(
        select(AssignmentTarget.user_id, AssignmentCourse.course_id)
        .join(Assignment, Assignment.id == AssignmentTarget.assignment_id)
        .join(AssignmentCourse, AssignmentCourse.assignment_id == Assignment.id)
        .where(Assignment.round_started_at.is_not(None),
               AssignmentTarget.user_id.in_({u for u, _c in visits}),
               AssignmentCourse.course_id.in_({c for _u, c in visits}))).tuples())
    return visits & rounds


def _finals(finals: set[tuple[int, str]]) -> set[tuple[int, int]]:
    """(user, course id) of (user, course slug): a final exam's key names its course by slug."""
    if not finals:
        return set()
    ids = dict(db.session.execute(select(Course.slug, Course.id).where(
        Course.slug.in_({slug for _user, slug in finals}))).tuples().all())
    return {(user_id, ids[slug]) for user_id, slug in finals if slug in ids}


def open_renewals(now: datetime) -> int:
    """Certification items again as of ``now`` (the daily job: certificates expire, renewal
    windows open without anything being written); returns how many renewals opened (flushes only).

    Idempotent: the rows are derived from the certificates and ``now``, so a second run on the
    same day finds them as the first left them and opens nothing."""
    db.session.flush()
    certified = select(Assignment.id).where(Assignment.exam_id.is_not(None))
    was_open = set(db.session.execute(select(CertStatus.assignment_id, CertStatus.user_id)
                                       .where(CertStatus.renewal.is_(True))).tuples())
    _certifications(CertStatus.assignment_id.in_(certified), AssignmentTarget.assignment_id.in_(certified), now)
    now_open = set(db.session.execute(select(CertStatus.assignment_id, CertStatus.user_id)
                                      .where(CertStatus.renewal.is_(True))).tuples())
    learners = select(CertStatus.user_id)
    db.session.execute(delete(LearnerStatus).where(LearnerStatus.user_id.in_(learners)))
    db.session.execute(insert(LearnerStatus).from_select(_SUMMARY_COLUMNS, _summaries(lambda column: column.in_(learners))))
    return len(now_open - was_open)


def rebuild(now: datetime | None = None) -> int:
    """Every row again from the sources (``flask reports rebuild``, the migration's backfill);
    returns the number of course items. The caller commits."""
    db.session.flush()  # the sources' pending changes first: the SELECTs read them
    keep(Touched(everything=True), now)
    return int(db.session.execute(select(func.count()).select_from(Status)).scalar_one())


def rebuild_all(*, actor: User | None = None) -> int:
    """``flask reports rebuild``: after data was written around the services (a restore, a
    bulk load); audited, one commit. Returns the number of items."""
    items = rebuild()
    learners = int(db.session.execute(select(func.count()).select_from(LearnerStatus)).scalar_one())
    audit.record("report_status_rebuilt", actor=actor, items=items, learners=learners)
    db.session.commit()
    return items
