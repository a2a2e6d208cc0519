"""The HR home: a few headline figures for the HR user's subtree, from the report services.

Each figure is the one the report or the leadership summary shows under the same name, so a
number on the home never disagrees with the page it links to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from ..models import OrgUnit
from . import reports

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
