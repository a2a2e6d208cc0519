"""The HR home: a few headline figures for the HR user's subtree, from the report services.

Each figure is the one the report or the leadership summary shows under the same name, so a
number on the home never disagrees with the page it links to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import or_, select

from academy.database import db
from academy.models import LearnerStatus, OrgUnit, User
from academy.people.models.org import within
from academy.people.services import reports

BEHIND_SHOWN = 5


@dataclass(frozen=True)
class HomeFigures:
    unit: OrgUnit
    total: reports.UnitRow  # the whole subtree, all assignments
    mandatory: reports.UnitRow  # … mandatory assignments only
    coverage: float  # all-staff coverage this year, as the leadership summary counts it
    coverage_before: float  # … last year
    trend: list[reports.WeekPoint]
    behind: list[reports.UnitRow]  # child units with assigned people, lowest completion first
    hours_target: float | None

    @property
    def mandatory_rate(self) -> float:
        return self.mandatory.completion_rate


def home_figures(unit: OrgUnit, *, today: date, zone: tzinfo, hours_target: float | None = None,
                 now: datetime | None = None) -> HomeFigures:
    start = datetime(today.year, 1, 1, tzinfo=zone)
    end = start.replace(year=start.year + 1)
    rows = reports.completion_by_unit(unit, today=today, year_start=start, year_end=end, now=now)
    mandatory = reports.completion_by_unit(unit, today=today, year_start=start, year_end=end, now=now,
                                           filters=reports.Filters(mandatory_only=True))
    summary = reports.leadership_summary(unit, reports.Period(today.year), zone=zone, now=now)
    children = [r for r in rows if not r.is_total and r.assigned]
    behind = sorted(children, key=lambda r: (r.completion_rate, -r.overdue, r.name))[:BEHIND_SHOWN]
    return HomeFigures(unit=unit, total=rows[0], mandatory=mandatory[0],
                       coverage=summary.current.all_staff_coverage,
                       coverage_before=summary.previous.all_staff_coverage,
                       trend=reports.completions_by_week(unit, last_day=today, zone=zone),
                       behind=behind, hours_target=hours_target)


@dataclass(frozen=True)
class PersonRow:
    user: User
    unit: str
    items: int
    completed: int
    started: int
    next_due: date | None

    def status(self, today: date) -> str:
        """One word for where the person stands, the same rule as the report's columns."""
        if not self.items:
            return "none"
        if self.completed >= self.items:
            return "done"
        if self.next_due is not None and self.next_due < today:
            return "overdue"
        return "started" if self.started else "not_started"


STATUSES = ("overdue", "not_started", "started", "done", "none")
PEOPLE_PAGE = 500


def people_of(unit: OrgUnit, *, today: date, status: str = "", query: str = "") -> tuple[list[PersonRow], bool]:
    """The active people of a unit's subtree with their assigned items summed up (from ``LearnerStatus``),
    filtered on status and on a name or employee number; the first ``PEOPLE_PAGE``, and whether more exist."""
    select_people = (select(User, LearnerStatus).join(OrgUnit, OrgUnit.id == User.org_unit_id)
                     .outerjoin(LearnerStatus, LearnerStatus.user_id == User.id)
                     .where(User.active.is_(True), within([unit.path]))
                     .order_by(OrgUnit.path, User.employee_no))
    if query:
        select_people = select_people.where(or_(User.name.contains(query), User.employee_no == query))
    names = reports.unit_names()
    rows: list[PersonRow] = []
    for user, kept in db.session.execute(select_people.execution_options(yield_per=1000)):
        row = PersonRow(user, names.get(user.org_unit_id or 0, ""), kept.items if kept else 0,
                        kept.completed if kept else 0, kept.started if kept else 0, kept.next_due if kept else None)
        if status and row.status(today) != status:
            continue
        rows.append(row)
        if len(rows) > PEOPLE_PAGE:
            break
    return rows[:PEOPLE_PAGE], len(rows) > PEOPLE_PAGE
