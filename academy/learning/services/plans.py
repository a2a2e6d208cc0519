"""Annual training plans and progress against them.

Progress is measured on the people active today in the plan's unit subtree, over the plan's
calendar year (in the display time zone): hours per head from every source (online courses and
classroom sessions), hours per head from each tier's courses, completions of the planned
courses, classroom sessions held by units of the subtree, and the budget booked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from sqlalchemy import distinct, func, select

from academy.database import db
from academy.models import (
    ClassroomSession,
    Course,
    Enrollment,
    OrgUnit,
    SessionSeat,
    TrainingCredit,
    TrainingPlan,
    User,
)
from academy.people.models.org import within
from academy.services import audit
from academy.tiers import TIER_ORDER


class PlanError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Draft:
    unit_id: int
    year: int
    hours_per_head: float
    tier_hours: dict[str, float]
    course_ids: list[int]
    planned_sessions: int
    budget: float
    spent: float = 0.0
    note: str = ""


def save(draft: Draft, *, actor: User, ip: str = "") -> TrainingPlan:
    """Create the unit's plan for the year, or replace its figures (one plan per unit and year)."""
    if not 2000 <= draft.year <= 2100:
        raise PlanError("year")
    numbers = [draft.hours_per_head, draft.planned_sessions, draft.budget, draft.spent, *draft.tier_hours.values()]
    if any(n < 0 for n in numbers):
        raise PlanError("negative")
    row = db.session.execute(select(TrainingPlan).where(TrainingPlan.unit_id == draft.unit_id,
                                                        TrainingPlan.year == draft.year)).scalar_one_or_none()
    if row is None:
        row = TrainingPlan(unit_id=draft.unit_id, year=draft.year, created_by_id=actor.id)
        db.session.add(row)
    row.hours_per_head, row.planned_sessions = draft.hours_per_head, draft.planned_sessions
    row.tier_hours = {t: float(h) for t, h in draft.tier_hours.items() if h}
    row.course_ids = sorted(set(draft.course_ids))
    row.budget, row.spent, row.note = draft.budget, draft.spent, draft.note.strip()[:500]
    db.session.flush()
    audit.record("training_plan_saved", actor=actor, ip=ip, plan=row.id, unit=draft.unit_id, year=draft.year,
                 budget=draft.budget, spent=draft.spent)
    db.session.commit()
    return row


def listed(scope: list[str] | None) -> list[TrainingPlan]:
    query = select(TrainingPlan).join(OrgUnit, OrgUnit.id == TrainingPlan.unit_id).order_by(
        TrainingPlan.year.desc(), OrgUnit.path)
    if scope is not None:
        query = query.where(within(scope))
    return list(db.session.execute(query).scalars())


def plan_for(unit: OrgUnit, year: int) -> TrainingPlan | None:
    """The plan covering ``unit`` in ``year``: its own, else the nearest unit above's."""
    ids = unit.ancestor_ids
    plans = {p.unit_id: p for p in db.session.execute(
        select(TrainingPlan).where(TrainingPlan.unit_id.in_(ids), TrainingPlan.year == year)).scalars()}
    return next((plans[i] for i in reversed(ids) if i in plans), None)


@dataclass(frozen=True)
class CourseProgress:
    course_id: int
    title: str
    completed: int  # people of the subtree who completed it in the year


@dataclass(frozen=True)
class Progress:
    plan: TrainingPlan
    headcount: int
    hours_per_head: float
    online_per_head: float
    classroom_per_head: float
    tier_per_head: dict[str, float] = field(default_factory=dict)
    courses: list[CourseProgress] = field(default_factory=list)
    sessions_held: int = 0

    @property
    def hours_rate(self) -> float:
        return min(1.0, self.hours_per_head / self.plan.hours_per_head) if self.plan.hours_per_head else 0.0

    @property
    def sessions_rate(self) -> float:
        return min(1.0, self.sessions_held / self.plan.planned_sessions) if self.plan.planned_sessions else 0.0

    @property
    def budget_rate(self) -> float:
        return self.plan.spent / self.plan.budget if self.plan.budget else 0.0

    def tier_rate(self, tier: str) -> float:
        target = float(self.plan.tier_hours.get(tier) or 0)
        return min(1.0, self.tier_per_head.get(tier, 0.0) / target) if target else 0.0


def progress(plan: TrainingPlan, zone: tzinfo) -> Progress:
    start = datetime(plan.year, 1, 1, tzinfo=zone)
    end = datetime(plan.year + 1, 1, 1, tzinfo=zone)
    unit = db.session.get(OrgUnit, plan.unit_id)
    roots = [unit.path] if unit is not None else []
    people = (select(User.id).join(OrgUnit, OrgUnit.id == User.org_unit_id)
              .where(within(roots), User.active.is_(True)))
    headcount = int(db.session.scalar(select(func.count()).select_from(people.subquery())) or 0)
    online_by_tier = dict(db.session.execute(
        select(Course.tier, func.coalesce(func.sum(TrainingCredit.hours), 0))
        .join(Course, Course.id == TrainingCredit.course_id)
        .where(TrainingCredit.user_id.in_(people), TrainingCredit.earned_at >= start, TrainingCredit.earned_at < end)
        .group_by(Course.tier)).tuples().all())
    classroom = float(db.session.scalar(
        select(func.coalesce(func.sum(SessionSeat.hours), 0))
        .where(SessionSeat.user_id.in_(people), SessionSeat.signed_in_at >= start, SessionSeat.signed_in_at < end)) or 0)
    online = sum(float(v) for v in online_by_tier.values())
    per = (lambda hours: hours / headcount) if headcount else (lambda hours: 0.0)
    titles = dict(db.session.execute(select(Course.id, Course.title).where(Course.id.in_(plan.course_ids))).tuples().all())
    done = dict(db.session.execute(
        select(Enrollment.course_id, func.count(distinct(Enrollment.user_id)))
        .where(Enrollment.course_id.in_(plan.course_ids), Enrollment.user_id.in_(people),
               Enrollment.completed_at >= start, Enrollment.completed_at < end)
        .group_by(Enrollment.course_id)).tuples().all())
    held = int(db.session.scalar(
        select(func.count(ClassroomSession.id)).join(OrgUnit, OrgUnit.id == ClassroomSession.unit_id)
        .where(within(roots), ClassroomSession.starts_at >= start, ClassroomSession.starts_at < end)) or 0)
    return Progress(
        plan=plan, headcount=headcount, hours_per_head=per(online + classroom), online_per_head=per(online),
        classroom_per_head=per(classroom),
        tier_per_head={str(t): per(float(online_by_tier.get(t, 0))) for t in TIER_ORDER},
        courses=[CourseProgress(cid, titles[cid], int(done.get(cid, 0))) for cid in plan.course_ids if cid in titles],
        sessions_held=held)


def for_unit(unit: OrgUnit, year: int, zone: tzinfo) -> Progress | None:
    """Progress of the plan covering the unit (for the HR home, the report and the summary)."""
    plan = plan_for(unit, year)
    return progress(plan, zone) if plan is not None else None


def get(plan_id: int) -> TrainingPlan | None:
    return db.session.get(TrainingPlan, plan_id)
