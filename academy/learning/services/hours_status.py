"""Each person's training hours per calendar year and source (``LearnerHours``), derived from the
sources: online course credits, classroom sign-ins and approved outside records.

The years are calendar years in the display time zone, as the reports count them; a year is
worked out here in Python, so SQLite and PostgreSQL agree. ``status_keeper`` calls ``derive``
for the people a transaction's writes touched; ``derive(None)`` rebuilds every row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import ColumnElement, delete, insert, select, true

from academy.database import db
from academy.learning.models.training import ExternalState
from academy.models import ExternalRecord, LearnerHours, SessionSeat, TrainingCredit


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def _rows(ids: list[int] | None) -> Iterator[tuple[int, int, int, float]]:
    """(user, year, source index, hours) of every source row of these people (``None``: everyone's)."""
    zone = _zone()

    def year(when: datetime | date) -> int:
        return when.astimezone(zone).year if isinstance(when, datetime) else when.year

    def people(column: Any) -> ColumnElement[bool]:
        return column.in_(ids) if ids is not None else true()

    for user_id, when, hours in db.session.execute(select(TrainingCredit.user_id, TrainingCredit.earned_at, TrainingCredit.hours)
                                                   .where(people(TrainingCredit.user_id))):
        yield user_id, year(when), 0, float(hours or 0)
    for user_id, when, hours in db.session.execute(select(SessionSeat.user_id, SessionSeat.signed_in_at, SessionSeat.hours)
                                                   .where(people(SessionSeat.user_id), SessionSeat.signed_in_at.is_not(None),
                                                          SessionSeat.hours.is_not(None))):
        yield user_id, year(when), 1, float(hours or 0)
    for user_id, when, hours in db.session.execute(select(ExternalRecord.user_id, ExternalRecord.ended_on, ExternalRecord.hours)
                                                   .where(people(ExternalRecord.user_id),
                                                          ExternalRecord.state == ExternalState.APPROVED)):
        yield user_id, year(when), 2, float(hours or 0)


def derive(user_ids: Iterable[int] | None) -> None:
    """Write the rows of these people again (``None``: of everyone); the caller commits."""
    ids = None if user_ids is None else sorted(set(user_ids))
    if ids is not None and not ids:
        return
    sums: dict[tuple[int, int], list[float]] = {}
    for start in range(0, len(ids), 500) if ids is not None else [0]:
        chunk = ids[start:start + 500] if ids is not None else None
        db.session.execute(delete(LearnerHours).where(LearnerHours.user_id.in_(chunk) if chunk is not None else true()))
        for user_id, year, source, hours in _rows(chunk):
            sums.setdefault((user_id, year), [0.0, 0.0, 0.0])[source] += hours
    rows = [{"user_id": u, "year": y, "online": round(v[0], 1), "classroom": round(v[1], 1), "external": round(v[2], 1)}
            for (u, y), v in sums.items()]
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(LearnerHours), rows[start:start + 5000])

