"""Integrity signals of certification exams: departures from the exam page, recorded, never blocking.

The page reports each departure (a hidden tab or a window that lost focus) with its own counter,
and reports the same counter again on return with the time away, so a retried or doubled report
changes nothing. A runaway page stops being recorded at ``MAX_EVENTS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from academy.content.quizzes import Kind, QuizKey
from academy.database import db, utcnow
from academy.models import Attempt, AwayEvent

MAX_EVENTS = 300
MAX_SEQ = 100_000
KINDS = ("hidden", "blur")


class NotRecorded(ValueError):
    """Not a certification exam, or a report that does not fit."""


def watched(quiz_key: str) -> bool:
    """Only certification exams record departures (and say so before they start)."""
    ident = QuizKey.parse(quiz_key)
    return ident is not None and ident.kind == Kind.EXAM


def record(attempt: Attempt, seq: int, kind: str, away_seconds: int | None = None, *,
           now: datetime | None = None) -> bool:
    """Store one departure, or its length on return. True if something new was stored."""
    if not watched(attempt.quiz_key) or kind not in KINDS or not 0 <= seq <= MAX_SEQ:
        raise NotRecorded(attempt.quiz_key)
    if away_seconds is not None and not 0 <= away_seconds <= 24 * 3600:
        raise NotRecorded(str(away_seconds))
    if not attempt.is_open:
        return False  # a page left open after the attempt closed
    if away_seconds is not None:
        changed = db.session.execute(
            update(AwayEvent).where(AwayEvent.attempt_id == attempt.id, AwayEvent.seq == seq,
                                    AwayEvent.away_seconds.is_(None)).values(away_seconds=away_seconds))
        if getattr(changed, "rowcount", 0):
            db.session.commit()
            return True
    stored = db.session.scalar(select(func.count()).select_from(AwayEvent).where(AwayEvent.attempt_id == attempt.id))
    if (stored or 0) >= MAX_EVENTS:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(AwayEvent(attempt_id=attempt.id, seq=seq, kind=kind, at=now or utcnow(),
                                     away_seconds=away_seconds))
    except IntegrityError:  # the same report again
        db.session.rollback()
        return False
    db.session.commit()
    return True


@dataclass(frozen=True)
class Summary:
    count: int
    away_seconds: int
    events: list[AwayEvent]


def summary(attempt_id: int) -> Summary:
    events = list(db.session.execute(
        select(AwayEvent).where(AwayEvent.attempt_id == attempt_id).order_by(AwayEvent.at, AwayEvent.seq)).scalars())
    return Summary(len(events), sum(e.away_seconds or 0 for e in events), events)
