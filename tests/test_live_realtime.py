"""Live finals with Redis (a private redis-server): notices, streams, rate limits; and the
per-player option order, receipt stamps and limits without Redis."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
import redis
from flask import Flask, g
from sqlalchemy import select

from academy import loadlag, realtime
from academy.competitions.services import live
from academy.database import db, utcnow
from academy.models import LiveAnswer, LiveEvent

from .conftest import log_in, make_app
from .support.live import current, host_event, join, make_user_for, order_of


class Stream:
    """Reads a text/event-stream response from the test client, one event at a time."""

    def __init__(self, response: Any) -> None:
        assert response.status_code == 200
        assert response.mimetype == "text/event-stream"
        self.response, self.chunks = response, iter(response.response)

    def next_data(self) -> dict[str, Any]:
        while True:
            chunk = next(self.chunks)
            text = chunk.decode() if isinstance(chunk, bytes) else chunk
            for line in text.splitlines():
                if line.startswith("data: "):
                    return json.loads(line[6:])  # type: ignore[no-any-return]

    def close(self) -> None:
        self.response.close()


@pytest.fixture
def notices(redis_url: str):  # type: ignore[no-untyped-def]
    connection = redis.Redis.from_url(redis_url)
    pubsub = connection.pubsub(ignore_subscribe_messages=True)
    pubsub.psubscribe("live:*")
    yield pubsub
    pubsub.close()
    connection.close()


def drain(pubsub: Any) -> list[str]:
    got: list[str] = []
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.2)
        if message and message["type"] == "pmessage":
            got.append(message["channel"].decode().rsplit(":", 1)[1])
    return got


def test_host_actions_reach_phones_and_answers_only_the_screen(redis_app: Flask, notices) -> None:  # type: ignore[no-untyped-def]
    make_user = make_user_for(redis_app)
    host, code = host_event(redis_app, make_user)
    phone = join(redis_app, make_user, code, "P1")
    assert drain(notices) == ["screen"]  # a join changes the player count only
    host.post(f"/live/{code}/host/next")
    assert sorted(drain(notices)) == ["players", "screen"]
    host.post(f"/live/{code}/host/open")
    drain(notices)
    assert phone.post(f"/live/{code}/answer", json={"answer": 0}).status_code == 200
    assert drain(notices) == ["screen"]


def test_a_stream_pushes_the_open_question_without_the_key(redis_app: Flask) -> None:  # type: ignore[no-untyped-def]
    make_user = make_user_for(redis_app)
    host, code = host_event(redis_app, make_user)
    phone = join(redis_app, make_user, code, "P1")
    stream = Stream(phone.get(f"/live/{code}/stream", buffered=False))
    try:
        assert stream.next_data()["question"] is None  # the state at connection time
        host.post(f"/live/{code}/host/next")
        assert stream.next_data()["question"]["state"] == "shown"
        host.post(f"/live/{code}/host/open")
        pushed = stream.next_data()
        assert pushed["question"]["state"] == "open"
        assert "key" not in pushed["question"]
        host.post(f"/live/{code}/host/reveal")
        revealed = stream.next_data()["question"]
        assert revealed["key"]["correct"] == current(redis_app, code)[0]
    finally:
        stream.close()


def test_the_screen_stream_says_when_to_refetch(redis_app: Flask) -> None:  # type: ignore[no-untyped-def]
    make_user = make_user_for(redis_app)
    host, code = host_event(redis_app, make_user)
    stream = Stream(host.get(f"/live/{code}/screen/stream", buffered=False))
    try:
        assert stream.next_data() == {"changed": True}
        join(redis_app, make_user, code, "P1")
        assert stream.next_data() == {"changed": True}
    finally:
        stream.close()


def test_streams_are_refused_to_outsiders_and_without_redis(redis_app: Flask) -> None:  # type: ignore[no-untyped-def]
    make_user = make_user_for(redis_app)
    _host, code = host_event(redis_app, make_user)
    outsider = redis_app.test_client()
    log_in(outsider, make_user("X1"))
    assert outsider.get(f"/live/{code}/stream").status_code == 404  # not a player
    assert outsider.get(f"/live/{code}/screen/stream").status_code == 404  # not the host
    for plain in (make_app(), make_app(REDIS_URL=redis_app.config["REDIS_URL"])):  # no Redis; Redis but no gevent
        host, code = host_event(plain, make_user_for(plain))
        phone = join(plain, make_user_for(plain), code, "P1")
        assert phone.get(f"/live/{code}/stream").status_code == 404
        assert host.get(f"/live/{code}/screen/stream").status_code == 404
        assert '"stream": null' in phone.get(f"/live/{code}").text  # the page polls instead




@pytest.mark.parametrize("with_redis", [True, False])
def test_too_many_answers_get_429_in_the_players_language(with_redis: bool, request: pytest.FixtureRequest) -> None:
    app = request.getfixturevalue("redis_app") if with_redis else make_app()
    make = make_user_for(app)
    host, code = host_event(app, make)
    phone = join(app, make, code, "P1")
    host.post(f"/live/{code}/host/next")
    host.post(f"/live/{code}/host/open")
    statuses = [phone.post(f"/live/{code}/answer", json={"answer": 0}).status_code for _ in range(6)]
    assert statuses == [200, 409, 409, 409, 409, 429]
    refused = phone.post(f"/live/{code}/answer", json={"answer": 0})
    assert refused.status_code == 429
    assert refused.json["error"] == "too_many"
    assert "稍等" in refused.json["message"]
    other = join(app, make, code, "P2")  # per player: someone else still answers
    assert other.post(f"/live/{code}/answer", json={"answer": 0}).status_code == 200


def test_too_many_buzzes_stakes_and_joins_are_refused(redis_app: Flask) -> None:  # type: ignore[no-untyped-def]
    make_user = make_user_for(redis_app)
    _host, code = host_event(redis_app, make_user)
    phone = join(redis_app, make_user, code, "P1")
    assert [phone.post(f"/live/{code}/buzz").status_code for _ in range(6)][-1] == 429
    assert [phone.post(f"/live/{code}/stake", json={"stake": 200}).status_code for _ in range(6)][-1] == 429
    joins = [phone.post(f"/live/{code}/join", data={"code": code}).status_code for _ in range(6)]
    assert joins[-1] == 429
    assert "稍等" in phone.post(f"/live/{code}/join", data={"code": code}).text


def test_each_player_has_an_own_order_mapped_back_on_the_server(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    host, code = host_event(app, make_user)
    phones = {f"P{i}": join(app, make_user, code, f"P{i}") for i in range(1, 9)}
    host.post(f"/live/{code}/host/next")
    host.post(f"/live/{code}/host/open")
    key, question_id, count = current(app, code)
    orders = {n: order_of(app, code, n) for n in phones}
    assert len({tuple(o) for o in orders.values()}) > 1  # 8 players, 3 options: not all alike
    assert all(sorted(o) == list(range(count)) for o in orders.values())
    assert orders["P1"] == order_of(app, code, "P1")  # the same every time it is asked
    for number, phone in phones.items():
        me = phone.get(f"/live/{code}/me").json
        assert me["you"]["order"] == orders[number]
        assert f'"{question_id}": {json.dumps(orders[number])}' in phone.get(f"/live/{code}").text
        right_here = orders[number].index(key[0])  # where this phone shows the right answer
        pick = right_here if number != "P8" else (right_here + 1) % count
        assert phone.post(f"/live/{code}/answer", json={"answer": pick}).status_code == 200
    host.post(f"/live/{code}/host/reveal")
    with app.app_context():
        stored = db.session.execute(select(LiveAnswer).where(LiveAnswer.question_id == question_id)).scalars().all()
        assert sum(1 for a in stored if a.correct) == 7
        assert sorted(a.answer for a in stored).count(key[0]) == 7  # kept in the event's order
    screen = host.get(f"/live/{code}/state").json["question"]
    assert screen["distribution"][key[0]] == 7  # the big screen counts in the event's order
    assert sum(screen["distribution"]) == 8
    assert phones["P1"].get(f"/live/{code}/me").json["you"]["correct"] is True
    assert phones["P8"].get(f"/live/{code}/me").json["you"]["correct"] is False


def test_multiple_choice_positions_are_mapped_too(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    host, code = host_event(app, make_user)
    phone = join(app, make_user, code, "P1")
    for action in ("next", "open", "reveal", "next", "open"):  # the second question is multiple choice
        host.post(f"/live/{code}/host/{action}")
    key, _question_id, _count = current(app, code)
    order = order_of(app, code, "P1")
    shown = sorted(order.index(k) for k in key)
    assert phone.post(f"/live/{code}/answer", json={"answer": shown}).status_code == 200
    host.post(f"/live/{code}/host/reveal")
    assert phone.get(f"/live/{code}/me").json["you"]["correct"] is True


def test_an_answer_that_arrived_in_time_counts_though_the_worker_was_slow(app: Flask, make_user,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    host, code = host_event(app, make_user)
    phone = join(app, make_user, code, "P1")
    host.post(f"/live/{code}/host/next")
    host.post(f"/live/{code}/host/open")
    monkeypatch.setattr(live, "GRACE", timedelta(0))

    def busy() -> None:
        """The request is in, then the worker is busy until after the deadline."""
        if not g.get("slow_done"):
            g.slow_done = True
            with app.app_context():
                event = db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()
                assert event.current is not None
                event.current.deadline = utcnow() + timedelta(milliseconds=20)
                db.session.commit()
            time.sleep(0.05)

    app.before_request_funcs.setdefault(None, []).append(busy)  # after the receipt stamp, before the view
    response = phone.post(f"/live/{code}/answer", json={"answer": 0})
    assert response.status_code == 200
    with app.app_context():
        answer = db.session.execute(select(LiveAnswer)).scalar_one()
        event = db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()
        assert event.current is not None
        assert event.current.deadline is not None
        assert answer.answered_at < event.current.deadline < utcnow()


def test_a_busy_workers_wait_is_credited_up_to_a_cap() -> None:
    now = time.time() + 3600  # clear of the watcher's own samples
    assert loadlag.arrival(now) == now  # nothing seen: no credit
    loadlag.record(now - 0.5, 1.2)  # the loop woke the watcher 1.2 s late just before
    assert loadlag.arrival(now) == pytest.approx(now - 1.2)
    loadlag.record(now - 0.1, 30.0)  # a stall, not a busy loop: credit stops at the cap
    assert loadlag.arrival(now) == pytest.approx(now - loadlag.CAP)
    assert loadlag.arrival(now + loadlag.CAP + 2) == now + loadlag.CAP + 2  # old waits do not count


def test_a_notice_right_after_the_first_stream_connects_is_not_lost(redis_app: Flask) -> None:
    hub = realtime.Hub(redis_app, lambda code, audience: f"data: {code} {audience}\n\n")
    try:
        inbox = hub.listen(realtime.channel("ABC123", "players"))  # the first stream starts the hub
        with redis_app.app_context():
            realtime.publish("ABC123", 1)  # at once, as a host's click may come
        assert inbox.get(timeout=5) == "data: ABC123 players\n\n"
    finally:
        hub.stop()
