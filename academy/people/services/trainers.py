"""The internal trainers' registry, and what each has taught: sessions and hours from the classroom
sessions they led (ended ones only), ratings from the evaluations of those sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select

from academy.database import db, utcnow
from academy.learning.models.evaluation import ITEMS
from academy.models import ClassroomSession, Evaluation, OrgUnit, Trainer, TrainerLevel, User
from academy.people.models.org import within
from academy.services import audit


class TrainerError(ValueError):
    pass


@dataclass(frozen=True)
class TrainerRow:
    trainer: Trainer
    sessions: int
    hours: float
    answers: int
    rating: float | None


def register(user: User, level: TrainerLevel, subjects: str, *, actor: User, ip: str = "") -> Trainer:
    """Add a person to the registry, or change their level and subjects if already there."""
    row = db.session.execute(select(Trainer).where(Trainer.user_id == user.id)).scalar_one_or_none()
    if row is None:
        row = Trainer(user_id=user.id)
        db.session.add(row)
    row.level, row.subjects, row.active = TrainerLevel(level), subjects.strip()[:300], True
    db.session.flush()
    audit.record("trainer_registered", actor=actor, ip=ip, trainer=row.id, user=user.id, level=str(level))
    db.session.commit()
    return row


def update(row: Trainer, level: TrainerLevel, subjects: str, active: bool, *, actor: User, ip: str = "") -> None:
    row.level, row.subjects, row.active = TrainerLevel(level), subjects.strip()[:300], active
    audit.record("trainer_changed", actor=actor, ip=ip, trainer=row.id, level=str(level), active=active)
    db.session.commit()


def _mean_rating() -> ColumnElement[float]:
    """The mean of the four items' averages, as one SQL expression."""
    total: ColumnElement[float] = func.avg(getattr(Evaluation, ITEMS[0]))
    for item in ITEMS[1:]:
        total = total + func.avg(getattr(Evaluation, item))
    return total / len(ITEMS)


def listed(scope: list[str] | None, *, now: datetime | None = None) -> list[TrainerRow]:
    """Trainers whose own unit lies in ``scope`` (None: all), with what they taught, by name."""
    now = now or utcnow()
    query = select(Trainer).join(User, User.id == Trainer.user_id).order_by(Trainer.active.desc(), User.name)
    if scope is not None:
        query = query.join(OrgUnit, OrgUnit.id == User.org_unit_id).where(within(scope))
    trainers = list(db.session.execute(query).scalars())
    ids = [t.user_id for t in trainers]
    taught = {uid: (int(n), float(h or 0)) for uid, n, h in db.session.execute(
        select(ClassroomSession.trainer_id, func.count(ClassroomSession.id), func.sum(ClassroomSession.hours))
        .where(ClassroomSession.trainer_id.in_(ids), ClassroomSession.ends_at <= now)
        .group_by(ClassroomSession.trainer_id))}
    rated = {uid: (int(n), m) for uid, n, m in db.session.execute(
        select(Evaluation.trainer_id, func.count(Evaluation.id), _mean_rating())
        .where(Evaluation.trainer_id.in_(ids)).group_by(Evaluation.trainer_id))}
    rows = []
    for t in trainers:
        sessions, hours = taught.get(t.user_id, (0, 0.0))
        answers, mean = rated.get(t.user_id, (0, None))
        rows.append(TrainerRow(t, sessions, hours, answers, round(float(mean), 2) if mean is not None else None))
    return rows


def get(trainer_id: int) -> Trainer | None:
    return db.session.get(Trainer, trainer_id)
