"""Exam accommodations (Moodle's user and group overrides): set by HR within their scope, audited,
and applied where an attempt starts, so the deadline and the attempt count are the learner's own."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from academy.content.quizzes import Kind, QuizDef
from academy.database import db
from academy.models import ExamOverride, OrgUnit, User
from academy.people.models.org import within
from academy.services import audit

MAX_EXTRA_MINUTES = 600
MAX_EXTRA_ATTEMPTS = 10


class AccommodationError(ValueError):
    """The request cannot become an override; ``code`` names the reason for a translated message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Draft:
    quiz_key: str
    user_id: int | None = None
    unit_id: int | None = None
    extra_minutes: int = 0
    extra_attempts: int = 0
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    reason: str = ""


def _unit_ids(user: User) -> list[int]:
    unit = user.org_unit
    return unit.ancestor_ids if unit is not None else []


def override_for(user: User, quiz_key: str) -> ExamOverride | None:
    """The override in force: the person's own, else the one of their nearest unit."""
    ids = _unit_ids(user)
    rows = db.session.execute(
        select(ExamOverride).where(ExamOverride.quiz_key == quiz_key,
                                   or_(ExamOverride.user_id == user.id, ExamOverride.unit_id.in_(ids)))
        .order_by(ExamOverride.id.desc())).scalars().all()
    own = [r for r in rows if r.user_id == user.id]
    if own:
        return own[0]
    by_depth = sorted((r for r in rows if r.unit_id is not None), key=lambda r: ids.index(r.unit_id or 0), reverse=True)
    return by_depth[0] if by_depth else None


def applied(user: User, quiz: QuizDef) -> tuple[QuizDef, ExamOverride | None]:
    """The quiz as this person sits it. Untimed stays untimed and unlimited stays unlimited."""
    if quiz.kind == Kind.COMPETITION:
        return quiz, None  # a competition's rules are the same for every entrant
    found = override_for(user, quiz.key)
    if found is None:
        return quiz, None
    changed = dataclasses.replace(
        quiz,
        time_limit=quiz.time_limit + found.extra_minutes if quiz.time_limit else quiz.time_limit,
        attempts=quiz.attempts + found.extra_attempts if quiz.attempts else quiz.attempts,
        opens_at=found.opens_at or quiz.opens_at,
        closes_at=found.closes_at or quiz.closes_at)
    return changed, found


def frozen(found: ExamOverride | None, quiz: QuizDef) -> dict[str, int] | None:
    """What an attempt keeps of the override, for its page: only what changed this quiz."""
    if found is None:
        return None
    kept = {"extra_minutes": found.extra_minutes if quiz.time_limit else 0,
            "extra_attempts": found.extra_attempts if quiz.attempts else 0,
            "window": int(bool(found.opens_at or found.closes_at))}
    return kept if any(kept.values()) else None


def _check(draft: Draft) -> None:
    if (draft.user_id is None) == (draft.unit_id is None):
        raise AccommodationError("target")
    if not 0 <= draft.extra_minutes <= MAX_EXTRA_MINUTES or not 0 <= draft.extra_attempts <= MAX_EXTRA_ATTEMPTS:
        raise AccommodationError("range")
    if draft.opens_at and draft.closes_at and draft.closes_at <= draft.opens_at:
        raise AccommodationError("window")
    if not (draft.extra_minutes or draft.extra_attempts or draft.opens_at or draft.closes_at):
        raise AccommodationError("empty")


def create(draft: Draft, *, actor: User, ip: str = "") -> ExamOverride:
    """A new override; the same person or unit's earlier one for the quiz is replaced (and audited)."""
    _check(draft)
    same = select(ExamOverride).where(ExamOverride.quiz_key == draft.quiz_key)
    same = same.where(ExamOverride.user_id == draft.user_id) if draft.user_id else same.where(
        ExamOverride.unit_id == draft.unit_id)
    for old in db.session.execute(same).scalars():
        audit.record("exam_override_replaced", actor=actor, ip=ip, override=old.id, quiz=old.quiz_key)
        db.session.delete(old)
    row = ExamOverride(**{**dataclasses.asdict(draft), "reason": draft.reason.strip()[:200]}, created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record("exam_override_set", actor=actor, ip=ip, override=row.id, quiz=draft.quiz_key, user=draft.user_id,
                 unit=draft.unit_id, extra_minutes=draft.extra_minutes, extra_attempts=draft.extra_attempts,
                 opens_at=draft.opens_at.isoformat() if draft.opens_at else None,
                 closes_at=draft.closes_at.isoformat() if draft.closes_at else None)
    db.session.commit()
    return row


def remove(row: ExamOverride, *, actor: User, ip: str = "") -> None:
    audit.record("exam_override_removed", actor=actor, ip=ip, override=row.id, quiz=row.quiz_key, user=row.user_id,
                 unit=row.unit_id)
    db.session.delete(row)
    db.session.commit()


def listed(scope: list[str] | None) -> list[ExamOverride]:
    """Overrides for people and units inside the subtrees ``scope`` (None: all), newest first."""
    query = select(ExamOverride).order_by(ExamOverride.created_at.desc(), ExamOverride.id.desc())
    if scope is not None:
        person_unit = select(User.id).join(OrgUnit, OrgUnit.id == User.org_unit_id).where(within(scope))
        unit = select(OrgUnit.id).where(within(scope))
        query = query.where(or_(ExamOverride.user_id.in_(person_unit), ExamOverride.unit_id.in_(unit)))
    return list(db.session.execute(query.limit(500)).scalars())


def get(override_id: int) -> ExamOverride | None:
    return db.session.get(ExamOverride, override_id)
