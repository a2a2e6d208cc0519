"""Live answers through Redis (a private redis-server): accepted without the database, written
in batches, and all in the database before a question is graded."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from academy import background
from academy.competitions.services import intake, live
from academy.database import db
from academy.models import LiveAnswer, LiveEvent, LivePlayer

from .conftest import make_app
from .support.live import current, host_event, join, make_user_for, order_of


def stored(app: Flask) -> list[LiveAnswer]:
    with app.app_context():
        rows = list(db.session.execute(select(LiveAnswer).order_by(LiveAnswer.player_id)).scalars())
        db.session.expunge_all()
        return rows


def shown(app: Flask, code: str, number: str, position: int) -> int:
    """Where the player's phone shows the option that is ``position`` in the event's order."""
    return order_of(app, code, number).index(position)


def test_accepted_answers_wait_in_redis_and_are_all_in_the_database_after_close(redis_app: Flask) -> None:
    make = make_user_for(redis_app)
    host, code = host_event(redis_app, make)
    phones = {n: join(redis_app, make, code, n) for n in ("P1", "P2", "P3")}
    host.post(f"/live/{code}/host/next")
    host.post(f"/live/{code}/host/open")
    key, question_id, count = current(redis_app, code)
    right, wrong = key[0], (key[0] + 1) % count
    picks = {"P1": right, "P2": right, "P3": wrong}
    for number, phone in phones.items():
        response = phone.post(f"/live/{code}/answer", json={"answer": shown(redis_app, code, number, picks[number])})
        assert response.status_code == 200, response.json
    assert stored(redis_app) == []  # nothing written yet: the answers wait in Redis
    mine = phones["P1"].get(f"/live/{code}/me").json["you"]
    assert mine["answered"]
    assert mine["answer"] == right
    assert not mine["may_answer"]
    assert host.get(f"/live/{code}/state").json["answered"] == 3
    assert host.post(f"/live/{code}/host/close").status_code == 303
    rows = stored(redis_app)
    assert [(r.question_id, r.answer, r.correct) for r in rows] == [
        (question_id, right, True), (question_id, right, True), (question_id, wrong, False)]
    assert rows[0].points > 0
    assert rows[1].points > 0
    assert rows[2].points == 0
    host.post(f"/live/{code}/host/reveal")
    distribution = host.get(f"/live/{code}/state").json["question"]["distribution"]
    assert distribution[right] == 2
    assert distribution[wrong] == 1
    late = phones["P3"].post(f"/live/{code}/answer", json={"answer": 0})
    assert late.status_code == 409
    assert late.json["error"] == "not_open"
    assert len(stored(redis_app)) == 3


def test_a_second_answer_is_refused_and_the_first_one_counts(redis_app: Flask) -> None:
    make = make_user_for(redis_app)
    host, code = host_event(redis_app, make)
    phone = join(redis_app, make, code, "P1")
    host.post(f"/live/{code}/host/next")
    host.post(f"/live/{code}/host/open")
    assert phone.post(f"/live/{code}/answer", json={"answer": 0}).status_code == 200
    again = phone.post(f"/live/{code}/answer", json={"answer": 1})
    assert again.status_code == 409
    assert again.json["error"] == "already_answered"
    assert "已经" in again.json["message"]
    bad = phone.post(f"/live/{code}/answer", json={"answer": 9})
    assert bad.status_code == 409
    assert bad.json["error"] == "invalid"
    host.post(f"/live/{code}/host/close")
    rows = stored(redis_app)
    assert len(rows) == 1
    assert rows[0].answer == order_of(redis_app, code, "P1")[0]


def test_late_answers_are_refused_by_the_deadline_in_redis(redis_app: Flask) -> None:
    make = make_user_for(redis_app)
    host, code = host_event(redis_app, make)
    join(redis_app, make, code, "P1")
    host.post(f"/live/{code}/host/next")
    host.post(f"/live/{code}/host/open")
    with redis_app.app_context():
        event = db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()
        player = db.session.execute(select(LivePlayer)).scalar_one()
        assert event.current is not None
        assert event.current.deadline is not None
        deadline = event.current.deadline
        with pytest.raises(live.LiveError) as refused:
            intake.answer(code, player.user_id, player.device, 0, deadline + live.GRACE + timedelta(milliseconds=50))
        assert refused.value.reason == "too_late"
        assert intake.answer(code, player.user_id, player.device, 0, deadline + live.GRACE)  # just within the grace
        assert intake.drain(code, event.current.id) == 1


def test_the_old_device_is_refused_after_a_takeover(redis_app: Flask) -> None:
    make = make_user_for(redis_app)
    host, code = host_event(redis_app, make)
    old = join(redis_app, make, code, "P1")
    new = join(redis_app, make, code, "P1")  # the same person joins on a second phone
    host.post(f"/live/{code}/host/next")
    host.post(f"/live/{code}/host/open")
    refused = old.post(f"/live/{code}/answer", json={"answer": 0})
    assert refused.status_code == 409
    assert refused.json["error"] == "taken_over"
    assert new.post(f"/live/{code}/answer", json={"answer": 1}).status_code == 200
    host.post(f"/live/{code}/host/close")
    rows = stored(redis_app)
    assert len(rows) == 1
    assert rows[0].answer == order_of(redis_app, code, "P1")[1]


def test_answers_need_a_signed_in_player(redis_app: Flask) -> None:
    make = make_user_for(redis_app)
    host, code = host_event(redis_app, make)
    join(redis_app, make, code, "P1")
    host.post(f"/live/{code}/host/next")
    host.post(f"/live/{code}/host/open")
    anonymous = redis_app.test_client().post(f"/live/{code}/answer", json={"answer": 0})
    assert anonymous.status_code == 302
    assert "/login" in anonymous.headers["Location"]
    outsider = redis_app.test_client()
    from .conftest import log_in

    log_in(outsider, make("X1"))
    assert outsider.post(f"/live/{code}/answer", json={"answer": 0}).status_code == 404  # never joined
    host.post(f"/live/{code}/host/close")
    assert stored(redis_app) == []


def test_a_batch_drained_twice_is_written_once(redis_app: Flask) -> None:
    make = make_user_for(redis_app)
    host, code = host_event(redis_app, make)
    phone = join(redis_app, make, code, "P1")
    host.post(f"/live/{code}/host/next")
    host.post(f"/live/{code}/host/open")
    assert phone.post(f"/live/{code}/answer", json={"answer": 0}).status_code == 200
    _key, question_id, _count = current(redis_app, code)
    connection = intake.realtime.client(redis_app)
    assert connection is not None
    copy = connection.lrange(f"intake:{code}:in:{question_id}", 0, -1)
    with redis_app.app_context():
        assert intake.drain_all() == 1
        connection.rpush(f"intake:{code}:in:{question_id}", *copy)  # as if another instance had read it too
        assert intake.drain(code, question_id) == 1  # the row exists: nothing new is written
        assert db.session.execute(select(func.count()).select_from(LiveAnswer)).scalar_one() == 1
        assert connection.llen(f"intake:{code}:in:{question_id}") == 0
        assert not connection.sismember(intake.PENDING, f"{code}:{question_id}")


def _one_answer_in_redis(redis_url: str, *, start_background: bool) -> Flask:
    """An app whose drainer may run (every 0.02 s), started as a server starts it or not at all,
    and one accepted answer waiting in Redis."""
    import redis

    redis.Redis.from_url(redis_url).flushall()
    app = make_app(REDIS_URL=redis_url, LIVE_STREAMS=True, LIVE_DRAIN_BACKGROUND=True, LIVE_DRAIN_SECONDS=0.02)
    if start_background:
        background.start(app)  # as gunicorn.conf.py does for each worker
    make = make_user_for(app)
    host, code = host_event(app, make)
    phone = join(app, make, code, "P1")
    host.post(f"/live/{code}/host/next")
    host.post(f"/live/{code}/host/open")
    assert phone.post(f"/live/{code}/answer", json={"answer": 0}).status_code == 200
    phone.get(f"/live/{code}/me")
    return app


def test_the_background_drainer_writes_answers_while_the_question_is_open(redis_url: str) -> None:
    app = _one_answer_in_redis(redis_url, start_background=True)
    for _ in range(100):
        if stored(app):
            break
        time.sleep(0.05)
    rows = stored(app)
    assert len(rows) == 1
    assert rows[0].correct is None


def test_no_request_starts_the_drainer(redis_url: str) -> None:
    app = _one_answer_in_redis(redis_url, start_background=False)
    time.sleep(0.3)  # fifteen rounds of a drainer, had any request started one
    assert stored(app) == []


def test_buzz_rounds_keep_the_database_path(redis_app: Flask) -> None:
    make = make_user_for(redis_app)
    host, code = host_event(redis_app, make)
    phone = join(redis_app, make, code, "P1")
    for _ in range(2):  # the two "everyone" questions pass unanswered
        for step in ("next", "open", "reveal"):
            host.post(f"/live/{code}/host/{step}")
    host.post(f"/live/{code}/host/next")
    host.post(f"/live/{code}/host/open")
    assert phone.post(f"/live/{code}/buzz").status_code == 200
    assert phone.post(f"/live/{code}/answer", json={"answer": 0}).status_code == 200
    assert len(stored(redis_app)) == 1  # in the database at once, graded as the turn answered
