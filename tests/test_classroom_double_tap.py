"""A walk-in's phone that taps "sign in" twice at once: one seat, hours credited once, no error
(found by bench/classroom_signin.py; the race needs PostgreSQL's parallel transactions)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from academy.database import db, utcnow
from academy.learning.services import classroom
from academy.learning.services.classroom import SessionDraft
from academy.models import OrgUnit, Role, SessionSeat, User

from .conftest import TEST_DATABASE_URL
from .support.db import fetch


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="parallel transactions need PostgreSQL (TEST_DATABASE_URL)")
def test_parallel_taps_of_a_walk_in_make_one_seat(app: Flask, make_tree: Callable[..., dict[str, OrgUnit]],
                                                  make_user: Callable[..., User]) -> None:
    units = make_tree("华东公司")
    hr = make_user(roles=(Role.HR,), scope=units["华东公司"], unit=units["华东公司"])
    walkers = [make_user(unit=units["华东公司"]) for _ in range(6)]
    with app.app_context():
        start = utcnow() - timedelta(minutes=5)
        sid = classroom.create_session(SessionDraft(title="现场培训", unit_id=units["华东公司"].id, starts_at=start,
                                                    ends_at=start + timedelta(hours=2), capacity=10, hours=2),
                                       actor=fetch(User, hr.id)).id
        code = classroom.current_code(fetch(classroom.ClassroomSession, sid)) or ""

    def tap(user_id: int) -> float:
        with app.app_context():
            hours = classroom.sign_in(sid, fetch(User, user_id), code).hours or 0.0
            db.session.remove()
            return hours

    with ThreadPoolExecutor(max_workers=12) as pool:
        credited = list(pool.map(tap, [w.id for w in walkers for _ in range(2)]))
    assert credited == [2.0] * 12
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SessionSeat)) == 6
        assert db.session.scalar(select(func.sum(SessionSeat.hours))) == 12
