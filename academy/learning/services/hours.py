"""Training hours by source: online courses, classroom sessions, approved external training.

One home for "how many hours, from where", so the learner's page, the training file, the report and
its export add up the same way. Online hours count in the year they were credited, classroom hours in
the year of the sign-in, external ones in the year the outside training ended.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from academy.database import db
from academy.models import (
    ClassroomSession,
    Course,
    ExternalRecord,
    ExternalState,
    LearnerHours,
    OrgUnit,
    SessionSeat,
    TrainingCredit,
    User,
)
from academy.people.models.org import within
from academy.tiers import TIER_ORDER, rank

SOURCES = ("online", "classroom", "external")


@dataclass
class Split:
    online: float = 0.0
    classroom: float = 0.0
    external: float = 0.0

    @property
    def total(self) -> float:
        return self.online + self.classroom + self.external

    def add(self, source: str, hours: float) -> None:
        setattr(self, source, getattr(self, source) + float(hours or 0))


@dataclass
class PersonHours:
    total: Split = field(default_factory=Split)
    years: dict[int, Split] = field(default_factory=dict)  # newest first when read through ``by_year``
    tiers: dict[str, Split] = field(default_factory=dict)  # "" for hours without a tier (external)

    @property
    def by_year(self) -> list[tuple[int, Split]]:
        return sorted(self.years.items(), reverse=True)

    @property
    def by_tier(self) -> list[tuple[str, Split]]:
        return sorted(self.tiers.items(), key=lambda item: (item[0] == "", rank(item[0]) if item[0] else 0))

    def year(self, year: int) -> Split:
        return self.years.get(year, Split())


def _session_tier():  # type: ignore[no-untyped-def]  # the session's own tier, else its linked course's
    linked = aliased(Course, name="linked")
    return linked, func.coalesce(ClassroomSession.tier, linked.tier)


def of_person(user_id: int, *, zone: tzinfo) -> PersonHours:
    """Every credited hour of one person, by source, year and tier (three small queries)."""
    found = PersonHours()

    def put(source: str, when_year: int, tier: str | None, hours: float) -> None:
        found.total.add(source, hours)
        found.years.setdefault(when_year, Split()).add(source, hours)
        found.tiers.setdefault(tier or "", Split()).add(source, hours)

    for earned_at, tier, hours in db.session.execute(
            select(TrainingCredit.earned_at, Course.tier, TrainingCredit.hours)
            .join(Course, Course.id == TrainingCredit.course_id).where(TrainingCredit.user_id == user_id)):
        put("online", earned_at.astimezone(zone).year, tier, hours)
    linked, tier_of = _session_tier()
    for signed_at, tier, hours in db.session.execute(
            select(SessionSeat.signed_in_at, tier_of, SessionSeat.hours)
            .join(ClassroomSession, ClassroomSession.id == SessionSeat.session_id)
            .outerjoin(linked, linked.id == ClassroomSession.course_id)
            .where(SessionSeat.user_id == user_id, SessionSeat.signed_in_at.is_not(None))):
        put("classroom", signed_at.astimezone(zone).year, tier, hours)
    for ended_on, hours in db.session.execute(
            select(ExternalRecord.ended_on, ExternalRecord.hours)
            .where(ExternalRecord.user_id == user_id, ExternalRecord.state == ExternalState.APPROVED)):
        put("external", ended_on.year, None, hours)
    return found


def _whole_year(start: datetime, end: datetime) -> int | None:
    """The calendar year (display time zone) that [start, end) is exactly, if it is one."""
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    year = start.astimezone(zone).year
    whole = start == datetime(year, 1, 1, tzinfo=zone) and end == datetime(year + 1, 1, 1, tzinfo=zone)
    return year if whole else None


def per_unit(unit_ids: Any, start: datetime, end: datetime,
             people: Any = None) -> Iterable[Sequence[Any]]:
    """Rows of (org unit id, online, classroom, external) for the active people of the units, within
    [start, end). ``people`` narrows a Select joined to User (the report's position filter)."""
    year = _whole_year(start, end)
    if year is None:
        return per_unit_from_sources(unit_ids, start, end, people)
    narrow = people or (lambda query: query)  # the report's usual range: the kept yearly sums, not the sources
    return [tuple(row) for row in db.session.execute(narrow(
        select(User.org_unit_id, func.sum(LearnerHours.online), func.sum(LearnerHours.classroom),
               func.sum(LearnerHours.external)).join(User, User.id == LearnerHours.user_id)
        .where(User.active.is_(True), User.org_unit_id.in_(unit_ids), LearnerHours.year == year)
    ).group_by(User.org_unit_id))]


def per_unit_from_sources(unit_ids: Any, start: datetime, end: datetime,
                          people: Any = None) -> Iterable[Sequence[Any]]:
    """``per_unit`` read from the credits, sign-ins and outside records themselves (any range)."""
    narrow = people or (lambda query: query)
    active = (User.active.is_(True), User.org_unit_id.in_(unit_ids))
    sums: dict[int, list[float]] = {}
    queries = (
        ("online", select(User.org_unit_id, func.sum(TrainingCredit.hours)).join(User, User.id == TrainingCredit.user_id)
         .where(*active, TrainingCredit.earned_at >= start, TrainingCredit.earned_at < end)),
        ("classroom", select(User.org_unit_id, func.sum(SessionSeat.hours)).join(User, User.id == SessionSeat.user_id)
         .where(*active, SessionSeat.signed_in_at >= start, SessionSeat.signed_in_at < end)),
        ("external", select(User.org_unit_id, func.sum(ExternalRecord.hours)).join(User, User.id == ExternalRecord.user_id)
         .where(*active, ExternalRecord.state == ExternalState.APPROVED,
                ExternalRecord.ended_on >= start.date(), ExternalRecord.ended_on < end.date())),
    )
    for index, (_source, query) in enumerate(queries):
        for unit_id, hours in db.session.execute(narrow(query).group_by(User.org_unit_id)):
            sums.setdefault(unit_id, [0.0, 0.0, 0.0])[index] += float(hours or 0)
    return [(unit_id, *values) for unit_id, values in sums.items()]


def per_tier(unit: OrgUnit, start: datetime, end: datetime, people: Any = None) -> list[tuple[str, Split]]:
    """The hours of the active people of the unit's subtree within [start, end) by tier and source;
    external hours carry no tier and come last under ""."""
    narrow = people or (lambda query: query)
    unit_ids = select(OrgUnit.id).where(within([unit.path]))
    active = (User.active.is_(True), User.org_unit_id.in_(unit_ids))
    tiers: dict[str, Split] = {str(t): Split() for t in TIER_ORDER}
    for tier, hours in db.session.execute(narrow(
            select(Course.tier, func.sum(TrainingCredit.hours)).join(Course, Course.id == TrainingCredit.course_id)
            .join(User, User.id == TrainingCredit.user_id)
            .where(*active, TrainingCredit.earned_at >= start, TrainingCredit.earned_at < end)).group_by(Course.tier)):
        tiers.setdefault(tier or "", Split()).add("online", hours)
    linked, tier_of = _session_tier()
    for tier, hours in db.session.execute(narrow(
            select(tier_of, func.sum(SessionSeat.hours))
            .join(ClassroomSession, ClassroomSession.id == SessionSeat.session_id)
            .outerjoin(linked, linked.id == ClassroomSession.course_id)
            .join(User, User.id == SessionSeat.user_id)
            .where(*active, SessionSeat.signed_in_at >= start, SessionSeat.signed_in_at < end)).group_by(tier_of)):
        tiers.setdefault(tier or "", Split()).add("classroom", hours)
    external = db.session.scalar(narrow(
        select(func.sum(ExternalRecord.hours)).join(User, User.id == ExternalRecord.user_id)
        .where(*active, ExternalRecord.state == ExternalState.APPROVED,
               ExternalRecord.ended_on >= start.date(), ExternalRecord.ended_on < end.date())))
    tiers.setdefault("", Split()).add("external", float(external or 0))
    return sorted(tiers.items(), key=lambda item: (item[0] == "", rank(item[0]) if item[0] else 0))
