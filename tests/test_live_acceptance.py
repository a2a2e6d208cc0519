"""The rule for accepting a live answer, stated once as a table that both paths pass: the Redis
path (Lua script in ``intake``) and the database path (``live``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from academy.competitions.services import live
from academy.competitions.services.live_answers import GRACE
from academy.database import db
from academy.models import LiveEvent, LivePlayer

from .support.live import host_event, join, make_user_for

BEFORE = -timedelta(seconds=1)
# (case, answers as (time relative to the deadline, position on the phone), close first, outcomes)
CASES = [
    ("in time", [(BEFORE, 0)], False, ["ok"]),
    ("within the grace", [(GRACE, 0)], False, ["ok"]),
    ("after the grace", [(GRACE + timedelta(milliseconds=50), 0)], False, ["too_late"]),
    ("no such option", [(BEFORE, 9)], False, ["invalid"]),
    ("a second answer", [(BEFORE, 0), (BEFORE, 1)], False, ["ok", "already_answered"]),
    ("question closed", [(BEFORE, 0)], True, ["not_open"]),
]


@pytest.mark.parametrize("path", ["redis", "database"])
@pytest.mark.parametrize(("case", "answers", "closed", "outcomes"), CASES, ids=[c[0] for c in CASES])
def test_acceptance_rule(request: pytest.FixtureRequest, path: str, case: str,
                         answers: list[tuple[timedelta, int]], closed: bool, outcomes: list[str]) -> None:
    app: Flask = request.getfixturevalue("redis_app" if path == "redis" else "app")
    make = make_user_for(app)
    host, code = host_event(app, make)
    join(app, make, code, "P1")
    host.post(f"/live/{code}/host/next")
    host.post(f"/live/{code}/host/open")
    if closed:
        host.post(f"/live/{code}/host/close")
    got = []
    with app.app_context():
        event = db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()
        question = event.current
        assert question is not None
        assert question.deadline is not None
        took_redis = []
        for offset, given in answers:
            player = db.session.execute(select(LivePlayer)).scalar_one()
            event = db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()
            try:
                row = live.answer(event, player, given, now=question.deadline + offset)
            except live.LiveError as refused:
                got.append(refused.reason)
            else:
                got.append("ok")
                took_redis.append(row is None)
    assert got == outcomes, case
    assert took_redis == [path == "redis"] * len(took_redis)  # each path really ran
