"""HR reports: completion over the org tree, overdue list, the per-person training file.

Aggregates run in the database over the materialised path (``OrgUnit.path``): a few
queries per report whatever the number of people, never a loop over persons.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from academy.content.quizzes import Kind, QuizKey
from academy.database import db
from academy.learning.services import course_status
from academy.learning.services import hours as training_hours
from academy.models import (
    Assignment,
    AssignmentCourse,
    AssignmentState,
    AssignmentTarget,
    Attempt,
    Certificate,
    Competition,
    Course,
    CourseCompletion,
    Enrollment,
    ExternalRecord,
    ExternalState,
    LearnerCertificationStatus,
    LearnerCourseStatus,
    LearnerStatus,
    Lesson,
    LessonProgress,
    LivePlayer,
    OrgUnit,
    SessionSeat,
    TrainingCredit,
    User,
)
from academy.people.models.org import path_ids, path_within, within
from academy.people.services import org
from academy.tiers import TIER_ORDER


@dataclass(frozen=True)
class Filters:
    course_id: int | None = None
    tier: str | None = None
    mandatory_only: bool = False
    due_from: date | None = None  # the date range: assignments due within it (both ends included)
    due_to: date | None = None
    position: str | None = None  # people holding this position only

    def assigned(self, query):  # type: ignore[no-untyped-def]  # a Select joined to Assignment and AssignmentCourse
        """Narrow a query over assigned (assignment, course) items to these filters."""
        if self.course_id is not None:
            query = query.where(AssignmentCourse.course_id == self.course_id)
        if self.tier:
            query = query.join(Course, Course.id == AssignmentCourse.course_id).where(Course.tier == self.tier)
        if self.mandatory_only:
            query = query.where(Assignment.mandatory.is_(True))
        if self.due_from is not None:
            query = query.where(Assignment.due_on >= self.due_from)
        if self.due_to is not None:
            query = query.where(Assignment.due_on <= self.due_to)
        return self.people(query)

    @property
    def narrows_items(self) -> bool:
        """Does it pick some assigned items of a person (not only some people)?"""
        return (self.course_id is not None or bool(self.tier) or self.mandatory_only
                or self.due_from is not None or self.due_to is not None)

    def status(self, query, status: Any = LearnerCourseStatus):  # type: ignore[no-untyped-def]  # a Select over status rows
        """The same narrowing over the report's status rows (one row per assigned item): the course
        table, or the columns of ``course_status.items()``, where a certification has no course
        and so drops out of a course or tier filter."""
        if self.course_id is not None:
            query = query.where(status.course_id == self.course_id)
        if self.tier:
            query = query.join(Course, Course.id == status.course_id).where(Course.tier == self.tier)
        if self.mandatory_only:
            query = query.join(Assignment, Assignment.id == status.assignment_id).where(Assignment.mandatory.is_(True))
        if self.due_from is not None:
            query = query.where(status.due_on >= self.due_from)
        if self.due_to is not None:
            query = query.where(status.due_on <= self.due_to)
        if self.position:
            query = query.join(User, User.id == status.user_id).where(User.position == self.position)
        return query

    def people(self, query):  # type: ignore[no-untyped-def]  # a Select joined to User
        if self.position:
            query = query.where(User.position == self.position)
        return query

EXPIRY_WINDOW = timedelta(days=90)


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    name: str
    is_total: bool  # the unit itself, all its subtree
    has_children: bool
    headcount: int
    assigned: int  # people with at least one assigned course
    started: int  # … who opened at least one of them
    completed: int  # … who completed all of them
    overdue: int  # … with at least one past its due date and not completed
    hours: float  # training hours credited this year, every source
    exam_score: float | None = None  # mean best final-exam percent over assigned courses that have one
    certificates: int = 0  # valid certificates held now
    expiring: int = 0  # … of which expire within 90 days
    online_hours: float = 0.0  # the year's hours by source (``hours`` is their sum)
    classroom_hours: float = 0.0
    external_hours: float = 0.0

    @property
    def completion_rate(self) -> float:
        return self.completed / self.assigned if self.assigned else 0.0

    @property
    def hours_per_head(self) -> float:
        return self.hours / self.headcount if self.headcount else 0.0

    def per_head(self, source: str) -> float:
        return getattr(self, f"{source}_hours") / self.headcount if self.headcount else 0.0


def _subtree_ids(unit: OrgUnit):  # type: ignore[no-untyped-def]  # a Select of unit ids
    return select(OrgUnit.id).where(within([unit.path]))


def _shown_of(unit: OrgUnit) -> dict[int, tuple[int, ...]]:
    """Each unit of the subtree -> the displayed rows it counts in: the unit's total, and
    the child of the unit it lies under (one query over at most a few thousand units)."""
    depth = len(unit.ancestor_ids)
    shown: dict[int, tuple[int, ...]] = {}
    for uid, path in db.session.execute(select(OrgUnit.id, OrgUnit.path).where(within([unit.path]))):
        ids = path_ids(path)
        shown[uid] = (unit.id, ids[depth]) if len(ids) > depth else (unit.id,)
    return shown


def _roll_up(per_unit: Iterable[Sequence[Any]], shown: dict[int, tuple[int, ...]]) -> dict[int, list[float]]:
    """Sum rows of (unit id, figures…) into the displayed rows."""
    sums: dict[int, list[float]] = {}
    for unit_id, *figures in per_unit:
        for target in shown.get(unit_id, ()):
            into = sums.setdefault(target, [0.0] * len(figures))
            for i, value in enumerate(figures):
                into[i] += float(value or 0)
    return sums


def _progress(in_tree, filters: Filters, today: date) -> Iterable[Sequence[Any]]:  # type: ignore[no-untyped-def]
    """Per unit of the people: assigned, started, completed, overdue, exam percent sum and count.

    Without a filter on the items, one summary row per person (``LearnerStatus``) answers;
    a filter on courses, tiers or due dates sums the matching items per person first.
    """
    if not filters.narrows_items:
        summary = LearnerStatus
        query = (select(summary.unit_id, func.count(),
                        func.sum(case((summary.started > 0, 1), else_=0)),
                        func.sum(case((summary.completed == summary.items, 1), else_=0)),
                        func.sum(case((summary.next_due < today, 1), else_=0)),
                        func.sum(summary.score_sum), func.sum(summary.scored))
                 .where(summary.active.is_(True), summary.unit_id.in_(in_tree)))
        if filters.position:
            query = filters.people(query.join(User, User.id == summary.user_id))
        return db.session.execute(query.group_by(summary.unit_id)).all()
    status = course_status.items().c
    per_user = filters.status(
        select(status.user_id.label("user_id"), status.unit_id.label("unit_id"),
               func.count().label("n"),
               func.count(status.completed_at).label("done"),
               func.count(status.started_at).label("started"),
               func.sum(case((and_(status.completed_at.is_(None), status.due_on < today), 1), else_=0)).label("overdue"),
               func.sum(status.best_percent).label("score_sum"),
               func.count(status.best_percent).label("scored"))
        .where(status.active.is_(True), status.unit_id.in_(in_tree)), status
    ).group_by(status.user_id, status.unit_id).subquery("per_user")
    return db.session.execute(
        select(per_user.c.unit_id, func.count(),
               func.sum(case((per_user.c.started > 0, 1), else_=0)),
               func.sum(case((per_user.c.done == per_user.c.n, 1), else_=0)),
               func.sum(case((per_user.c.overdue > 0, 1), else_=0)),
               func.sum(per_user.c.score_sum), func.sum(per_user.c.scored))
        .group_by(per_user.c.unit_id)).all()


def completion_by_unit(unit: OrgUnit, *, today: date, year_start: datetime, year_end: datetime,
                       filters: Filters | None = None, now: datetime | None = None) -> list[UnitRow]:
    """The unit (whole subtree) first, then each child unit (its subtree).

    Four aggregate queries grouped by the people's own unit, summed up the tree here: the
    progress comes from ``LearnerCourseStatus`` (one row per assigned item, kept by
    ``status_keeper``), never from the raw progress tables.
    """
    filters = filters or Filters()
    now = now or datetime.now(year_start.tzinfo)
    shown = _shown_of(unit)
    in_tree = _subtree_ids(unit)
    progress = _roll_up(_progress(in_tree, filters, today), shown)
    active = and_(User.active.is_(True), User.org_unit_id.in_(in_tree))
    heads = _roll_up(db.session.execute(filters.people(
        select(User.org_unit_id, func.count()).where(active)).group_by(User.org_unit_id)), shown)
    hours = _roll_up(training_hours.per_unit(in_tree, year_start, year_end, filters.people), shown)
    soon = now + EXPIRY_WINDOW
    certs = _roll_up(db.session.execute(filters.people(
        select(User.org_unit_id, func.count(), func.sum(case((Certificate.valid_until < soon, 1), else_=0)))
        .join(User, User.id == Certificate.user_id)
        .where(active, Certificate.revoked_at.is_(None), Certificate.renewed_by_id.is_(None), Certificate.valid_until > now))
        .group_by(User.org_unit_id)), shown)
    shown_unit = aliased(OrgUnit, name="shown")
    child = aliased(OrgUnit, name="child")
    units = db.session.execute(
        select(shown_unit, func.count(child.id)).outerjoin(child, child.parent_id == shown_unit.id)
        .where(or_(shown_unit.id == unit.id, shown_unit.parent_id == unit.id))
        .group_by(shown_unit.id).order_by(shown_unit.depth, shown_unit.name)).all()
    rows = []
    for row_unit, children in units:
        assigned, started, completed, overdue, score_sum, scored = progress.get(row_unit.id, [0] * 6)
        held, expiring = certs.get(row_unit.id, [0, 0])
        online, classroom, external = hours.get(row_unit.id, [0.0, 0.0, 0.0])
        rows.append(UnitRow(row_unit.id, row_unit.name, row_unit.id == unit.id, bool(children),
                            int(heads.get(row_unit.id, [0])[0]), int(assigned), int(started), int(completed),
                            int(overdue), online + classroom + external,
                            score_sum / scored if scored else None, int(held), int(expiring),
                            online, classroom, external))
    return rows


@dataclass(frozen=True)
class OverdueRow:
    user_id: int
    employee_no: str
    name: str
    unit: str  # full name path of the person's unit: whose manager to call
    course: str
    due_on: date
    days: int
    course_id: int | None = None  # None: an assigned certification


def missing_parts(rows: Sequence[OverdueRow]) -> dict[tuple[int, int], str]:
    """For each overdue (person, course) of ``rows``: ``exam`` when every lesson is done and only the
    final exam is left, ``lessons`` otherwise (two queries, for a page of rows)."""
    people = {r.user_id for r in rows if r.course_id is not None}
    courses = {r.course_id for r in rows if r.course_id is not None}
    if not people:
        return {}
    live = dict(db.session.execute(
        select(Lesson.course_id, func.count()).where(Lesson.course_id.in_(courses), Lesson.retired.is_(False))
        .group_by(Lesson.course_id)).tuples().all())
    done = {(u, c): int(n) for u, c, n in db.session.execute(
        select(LessonProgress.user_id, Lesson.course_id, func.count())
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.user_id.in_(people), Lesson.course_id.in_(courses), Lesson.retired.is_(False),
               LessonProgress.completed_at.is_not(None))
        .group_by(LessonProgress.user_id, Lesson.course_id))}
    return {(r.user_id, r.course_id): "exam" if done.get((r.user_id, r.course_id), 0) >= live.get(r.course_id, 0) else "lessons"
            for r in rows if r.course_id is not None}


def unit_names() -> dict[int, str]:
    """Full name path of every unit (one query; the tree has thousands of units at most)."""
    return dict(org.named_within(None))


def overdue(unit: OrgUnit, *, today: date, filters: Filters | None = None) -> Iterator[OverdueRow]:
    """Assigned courses past their due date and not completed, in the unit's subtree (streamed).

    Subtree, due date and completion are filtered before the (person, course) rows are
    deduplicated, so the aggregation only sees what is overdue.
    """
    filters = filters or Filters()
    status = course_status.items().c  # the current round of recurring assignments, and certifications
    # one row per person and course (however many assignments name it), or per certification assignment
    what = case((status.course_id.is_(None), -status.assignment_id), else_=status.course_id)
    late = filters.status(
        select(status.user_id.label("user_id"), what.label("what"), func.min(status.due_on).label("due_on"))
        .where(status.active.is_(True), status.unit_id.in_(_subtree_ids(unit)), status.due_on < today,
               status.completed_at.is_(None)), status
    ).group_by(status.user_id, what)
    items = late.subquery("late")
    query = (
        select(User.id, User.employee_no, User.name, User.org_unit_id, func.coalesce(Course.title, Assignment.title),
               items.c.due_on, Course.id)
        .select_from(items)
        .join(User, User.id == items.c.user_id)
        .outerjoin(Course, Course.id == items.c.what)
        .outerjoin(Assignment, Assignment.id == -items.c.what)
        .order_by(items.c.due_on, User.org_unit_id, User.employee_no)
    )
    names = unit_names()
    for user_id, number, name, unit_id, course, due, course_id in db.session.execute(query.execution_options(yield_per=2000)):
        yield OverdueRow(user_id, number, name, names.get(unit_id, ""), course, due, (today - due).days, course_id)


@dataclass(frozen=True)
class AssignedCourse:
    assignment: Assignment
    course: Course
    due_on: date | None
    started: bool
    completed_at: datetime | None
    overdue: bool


def assigned_courses(user: User, *, today: date) -> list[AssignedCourse]:
    """A learner's assigned courses, path order kept, soonest due first (two queries)."""
    pairs = db.session.execute(
        select(Assignment, AssignmentCourse)
        .join(AssignmentTarget, AssignmentTarget.assignment_id == Assignment.id)
        .join(AssignmentCourse, AssignmentCourse.assignment_id == Assignment.id)
        .where(AssignmentTarget.user_id == user.id, Assignment.state == AssignmentState.ACTIVE.value)
        .order_by(Assignment.due_on.is_(None), Assignment.due_on, Assignment.id, AssignmentCourse.position)).all()
    status = {(s.assignment_id, s.course_id): s for s in db.session.execute(
        select(LearnerCourseStatus).where(LearnerCourseStatus.user_id == user.id)).scalars()}
    rows = []
    for assignment, link in pairs:
        item = status.get((assignment.id, link.course_id))  # the current round of recurring assignments
        completed = item.completed_at if item else None
        due = item.due_on if item else assignment.due_on  # a late joiner's own date
        late = completed is None and due is not None and due < today
        rows.append(AssignedCourse(assignment, link.course, due, bool(item and item.started_at), completed, late))
    rows.sort(key=lambda r: (r.due_on is None, r.due_on or today))  # stable: path order kept
    return rows


@dataclass(frozen=True)
class AssignedCertification:
    assignment: Assignment
    exam_id: str
    due_on: date | None
    completed_at: datetime | None  # issue of the certificate that counts
    renewal: bool  # open because the certificate held nears (or passed) its expiry
    overdue: bool


def assigned_certifications(user: User, *, today: date) -> list[AssignedCertification]:
    """A learner's assigned certifications, soonest due first (one query)."""
    status = LearnerCertificationStatus
    rows = db.session.execute(
        select(Assignment, status).join(status, status.assignment_id == Assignment.id)
        .where(status.user_id == user.id)
        .order_by(status.due_on.is_(None), status.due_on, Assignment.id)).all()
    return [AssignedCertification(a, str(a.exam_id), item.due_on, item.completed_at, item.renewal,
                                  item.completed_at is None and item.due_on is not None and item.due_on < today)
            for a, item in rows]


@dataclass(frozen=True)
class TrainingFile:
    """培训档案: everything a person did, with dates."""

    person: User
    unit: str
    enrollments: list[Enrollment]
    lessons: list[LessonProgress]
    credits: list[TrainingCredit]
    assigned: list[AssignedCourse]
    earlier: list[CourseCompletion]  # completions of courses taken again for a later round

    @property
    def total_hours(self) -> float:
        return sum(float(c.hours) for c in self.credits)


def training_file(person: User, *, today: date) -> TrainingFile:
    enrollments = list(db.session.execute(
        select(Enrollment).where(Enrollment.user_id == person.id).order_by(Enrollment.started_at)).scalars())
    lessons = list(db.session.execute(
        select(LessonProgress).join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.user_id == person.id)
        .order_by(LessonProgress.first_opened_at)).scalars())
    credits = list(db.session.execute(
        select(TrainingCredit).where(TrainingCredit.user_id == person.id).order_by(TrainingCredit.earned_at)).scalars())
    earlier = list(db.session.execute(
        select(CourseCompletion).where(CourseCompletion.user_id == person.id).order_by(CourseCompletion.started_at)).scalars())
    unit = unit_names().get(person.org_unit_id or 0, "")
    return TrainingFile(person, unit, enrollments, lessons, credits, assigned_courses(person, today=today), earlier)


# --- charts: completions per week, tier coverage ------------------------------------------

def _completions():  # type: ignore[no-untyped-def]  # a subquery: user_id, course_id, completed_at
    """Every completion of a course, whichever round: the current one on the enrollment, earlier
    ones (moved aside when the learner took the course again) in ``CourseCompletion``, so a
    past period keeps the completions it had after a retake."""
    current = select(Enrollment.user_id.label("user_id"), Enrollment.course_id.label("course_id"),
                     Enrollment.completed_at.label("completed_at")).where(Enrollment.completed_at.is_not(None))
    earlier = select(CourseCompletion.user_id, CourseCompletion.course_id, CourseCompletion.completed_at)
    return current.union_all(earlier).subquery("completion")


TIERS = tuple(t.value for t in TIER_ORDER)


@dataclass(frozen=True)
class WeekPoint:
    start: date  # Monday, in the display zone
    completions: int


def completions_by_week(unit: OrgUnit, *, last_day: date, zone: tzinfo, weeks: int = 12,
                        filters: Filters | None = None) -> list[WeekPoint]:
    """Courses completed per week by the active people of the subtree, the week of ``last_day``
    last: one query of conditional sums, week bounds taken in the display zone."""
    filters = filters or Filters()
    first = last_day - timedelta(days=last_day.weekday() + 7 * (weeks - 1))
    starts = [first + timedelta(weeks=i) for i in range(weeks + 1)]
    bounds = [datetime(d.year, d.month, d.day, tzinfo=zone) for d in starts]
    done = _completions()
    at = done.c.completed_at
    query = (select(*[func.coalesce(func.sum(case((and_(at >= bounds[i], at < bounds[i + 1]), 1), else_=0)), 0)
                      for i in range(weeks)])
             .select_from(done)
             .join(User, User.id == done.c.user_id)
             .join(OrgUnit, OrgUnit.id == User.org_unit_id)
             .where(User.active.is_(True), within([unit.path]), at >= bounds[0], at < bounds[-1]))
    if filters.course_id is not None:
        query = query.where(done.c.course_id == filters.course_id)
    if filters.tier:
        query = query.join(Course, Course.id == done.c.course_id).where(Course.tier == filters.tier)
    counts = db.session.execute(filters.people(query)).one()
    return [WeekPoint(starts[i], int(counts[i])) for i in range(weeks)]


@dataclass(frozen=True)
class CoverageRow:
    unit_id: int
    name: str
    headcount: int
    covered: dict[str, int]  # tier -> people who completed at least one course of it

    def share(self, tier: str) -> float:
        return self.covered.get(tier, 0) / self.headcount if self.headcount else 0.0


def tier_coverage(unit: OrgUnit, *, filters: Filters | None = None, until: datetime | None = None) -> list[CoverageRow]:
    """Per child unit (its subtree), the share of active people with a completed course of each tier
    (``until``: completed before it). Two queries."""
    filters = filters or Filters()
    shown = aliased(OrgUnit, name="shown")
    home = aliased(OrgUnit, name="home")
    children = shown.parent_id == unit.id
    people = {row[0]: (row[1], int(row[2])) for row in db.session.execute(filters.people(
        select(shown.id, shown.name, func.count(User.id))
        .select_from(shown)
        .join(home, within([shown.path], home.path))
        .join(User, and_(User.org_unit_id == home.id, User.active.is_(True)))
        .where(children)
        .group_by(shown.id, shown.name)))}
    completion = _completions()
    done = [completion.c.completed_at < until] if until else []
    covered: dict[int, dict[str, int]] = {}
    for unit_id, tier, count in db.session.execute(filters.people(
            select(shown.id, Course.tier, func.count(func.distinct(completion.c.user_id)))
            .select_from(completion)
            .join(Course, Course.id == completion.c.course_id)
            .join(User, User.id == completion.c.user_id)
            .join(home, home.id == User.org_unit_id)
            .join(shown, within([shown.path], home.path))
            .where(User.active.is_(True), children, *done)
            .group_by(shown.id, Course.tier))):
        covered.setdefault(unit_id, {})[tier] = int(count)
    units = db.session.execute(select(shown.id, shown.name).where(children).order_by(shown.name)).all()
    return [CoverageRow(uid, name, people.get(uid, (name, 0))[1], covered.get(uid, {})) for uid, name in units]


# --- leadership summary: one unit, one period, against the previous one --------------------

@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None  # None: the whole year (or a month)
    month: int | None = None  # a single month (then no quarter)

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026``, ``2026-Q3`` or ``2026-07``; ValueError otherwise."""
        year, _sep, rest = text.strip().upper().partition("-")
        if not year.isdigit() or len(year) != 4:
            raise ValueError(f"not a period: {text!r}")
        if not _sep:
            return cls(int(year))
        if rest in ("Q1", "Q2", "Q3", "Q4"):
            return cls(int(year), int(rest[1]))
        if len(rest) == 2 and rest.isdigit() and 1 <= int(rest) <= 12:
            return cls(int(year), month=int(rest))
        raise ValueError(f"not a period: {text!r}")

    @classmethod
    def current_quarter(cls, today: date) -> Period:
        return cls(today.year, (today.month - 1) // 3 + 1)

    @property
    def key(self) -> str:
        if self.month:
            return f"{self.year}-{self.month:02d}"
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)

    def previous(self) -> Period:
        if self.month is not None:
            return Period(self.year, month=self.month - 1) if self.month > 1 else Period(self.year - 1, month=12)
        if self.quarter is None:
            return Period(self.year - 1)
        return Period(self.year, self.quarter - 1) if self.quarter > 1 else Period(self.year - 1, 4)

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """[start, end) in the display zone."""
        if self.month is not None:
            end = (datetime(self.year + 1, 1, 1, tzinfo=zone) if self.month == 12
                   else datetime(self.year, self.month + 1, 1, tzinfo=zone))
            return datetime(self.year, self.month, 1, tzinfo=zone), end
        if self.quarter is None:
            return datetime(self.year, 1, 1, tzinfo=zone), datetime(self.year + 1, 1, 1, tzinfo=zone)
        month = 3 * (self.quarter - 1) + 1
        end = datetime(self.year + 1, 1, 1, tzinfo=zone) if self.quarter == 4 else datetime(self.year, month + 3, 1, tzinfo=zone)
        return datetime(self.year, month, 1, tzinfo=zone), end


@dataclass(frozen=True)
class PeriodFigures:
    period: Period
    headcount: int  # active people of the subtree today (the tree keeps no history)
    all_staff_covered: int  # … with a completed all-staff course by the end of the period
    trained: dict[str, int]  # tier -> people who completed a course of it within the period
    certificates_held: int  # people holding a certificate valid at the end of the period (today if sooner)
    certificates_issued: int  # certificates issued within the period
    hours: float  # training hours credited within the period
    competition_participants: int = 0  # people who sat an online round or joined a live final within the period
    competitions_held: int = 0  # online rounds open to the unit and live finals it played, within the period

    @property
    def all_staff_coverage(self) -> float:
        return self.all_staff_covered / self.headcount if self.headcount else 0.0

    @property
    def competition_participation(self) -> float:
        return self.competition_participants / self.headcount if self.headcount else 0.0


@dataclass(frozen=True)
class LeadershipSummary:
    unit: OrgUnit
    current: PeriodFigures
    previous: PeriodFigures
    trend: list[WeekPoint] = field(default_factory=list)  # the 12 weeks to the period's end (today while it runs)


def _period_figures(unit: OrgUnit, period: Period, zone: tzinfo, now: datetime) -> PeriodFigures:
    """Eight aggregate queries over the subtree, whatever its size."""
    start, end = period.bounds(zone)
    held_at = min(end, now)  # a period still running: certificates held today
    in_tree = and_(User.active.is_(True), within([unit.path]))

    def people(query):  # type: ignore[no-untyped-def]  # a Select over something joined to User
        return query.join(OrgUnit, OrgUnit.id == User.org_unit_id).where(in_tree)

    headcount = db.session.execute(people(select(func.count(User.id)).select_from(User))).scalar_one()
    done = _completions()
    completed = (select(Course.tier, func.count(func.distinct(done.c.user_id)))
                 .select_from(done).join(Course, Course.id == done.c.course_id)
                 .join(User, User.id == done.c.user_id))
    trained = {tier: int(n) for tier, n in db.session.execute(people(
        completed.where(done.c.completed_at >= start, done.c.completed_at < end)).group_by(Course.tier))}
    covered = db.session.execute(people(
        select(func.count(func.distinct(done.c.user_id))).select_from(done)
        .join(Course, Course.id == done.c.course_id).join(User, User.id == done.c.user_id)
        .where(Course.tier == "all-staff", done.c.completed_at < end))).scalar_one()
    issued_before_end = Certificate.issued_at < end
    held = and_(Certificate.issued_at < held_at, Certificate.valid_until > held_at,
                or_(Certificate.revoked_at.is_(None), Certificate.revoked_at >= held_at))
    holders, issued = db.session.execute(people(
        select(func.count(func.distinct(case((held, Certificate.user_id)))),
               func.sum(case((and_(Certificate.issued_at >= start, issued_before_end), 1), else_=0)))
        .select_from(Certificate).join(User, User.id == Certificate.user_id))).one()
    hours = db.session.execute(people(
        select(func.coalesce(func.sum(TrainingCredit.hours), 0)).select_from(TrainingCredit)
        .join(User, User.id == TrainingCredit.user_id)
        .where(TrainingCredit.earned_at >= start, TrainingCredit.earned_at < end))).scalar_one()
    hours += db.session.execute(people(  # classroom and approved external hours count too
        select(func.coalesce(func.sum(SessionSeat.hours), 0)).select_from(SessionSeat)
        .join(User, User.id == SessionSeat.user_id)
        .where(SessionSeat.signed_in_at >= start, SessionSeat.signed_in_at < end))).scalar_one()
    hours += db.session.execute(people(
        select(func.coalesce(func.sum(ExternalRecord.hours), 0)).select_from(ExternalRecord)
        .join(User, User.id == ExternalRecord.user_id)
        .where(ExternalRecord.state == ExternalState.APPROVED, ExternalRecord.ended_on >= start.date(),
               ExternalRecord.ended_on < end.date()))).scalar_one()
    participants, held_competitions = _competition_figures(unit, start, end, people)
    return PeriodFigures(period, int(headcount), int(covered), trained, int(holders or 0), int(issued or 0),
                         float(hours or 0), participants, held_competitions)


def _competition_figures(unit: OrgUnit, start: datetime, end: datetime, people) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Participants of the subtree and competitions that involved it, within [start, end): three queries.

    An online round counts a person once they submitted a paper within the period; a live
    final once they joined it as a player. An online round involved the unit when its window
    overlaps the period and it was open to the unit (to every unit, or to one on the unit's
    path: an ancestor, the unit itself or a unit below it); a live final, which invites no
    units, when someone of the subtree joined it within the period.
    """
    online = (select(Attempt.user_id.label("user_id")).where(
        Attempt.quiz_key.startswith(QuizKey.prefix(Kind.COMPETITION)), Attempt.submitted_at >= start, Attempt.submitted_at < end))
    live = select(LivePlayer.user_id.label("user_id")).where(LivePlayer.joined_at >= start, LivePlayer.joined_at < end)
    took_part = online.union(live).subquery("took_part")
    participants = db.session.execute(people(
        select(func.count(took_part.c.user_id)).select_from(took_part)
        .join(User, User.id == took_part.c.user_id))).scalar_one()
    finals = db.session.execute(people(
        select(func.count(func.distinct(LivePlayer.event_id))).select_from(LivePlayer)
        .join(User, User.id == LivePlayer.user_id)
        .where(LivePlayer.joined_at >= start, LivePlayer.joined_at < end))).scalar_one()
    rounds = list(db.session.execute(
        select(Competition.unit_ids).where(Competition.opens_at < end, Competition.closes_at > start)).scalars())
    invited = {int(i) for ids in rounds for i in ids or ()}
    paths = dict(db.session.execute(select(OrgUnit.id, OrgUnit.path).where(OrgUnit.id.in_(invited))).tuples().all()) if invited else {}

    def open_to_unit(ids: list[int]) -> bool:
        return not ids or any(path_within(unit.path, [p]) or path_within(p, [unit.path])
                              for p in (paths.get(int(i)) for i in ids) if p)

    return int(participants), int(finals) + sum(1 for ids in rounds if open_to_unit(ids or []))


def leadership_summary(unit: OrgUnit, period: Period, *, zone: tzinfo, now: datetime | None = None) -> LeadershipSummary:
    now = now or datetime.now(zone)
    last_day = min(period.bounds(zone)[1] - timedelta(days=1), now.astimezone(zone)).date()
    return LeadershipSummary(unit, _period_figures(unit, period, zone, now),
                             _period_figures(unit, period.previous(), zone, now),
                             completions_by_week(unit, last_day=last_day, zone=zone))


def positions(scope: list[str] | None) -> list[str]:
    """Positions held by people in the viewer's subtrees (None: everyone), for the report's filter."""
    query = select(User.position).where(User.position != "")
    if scope is not None:
        query = (query.join(OrgUnit, OrgUnit.id == User.org_unit_id)
                 .where(within(scope)))
    return list(db.session.execute(query.distinct().order_by(User.position)).scalars())
