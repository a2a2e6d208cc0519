"""Answer intake for live finals where Redis is configured: a hall's burst costs no database work.

At 2,000 players an "everyone answers" question brings some 700 answers a second; through
the database each cost five queries and a commit, and requests waited in the workers until
answers sent in time were refused. Here an answer is accepted against Redis alone:

* the current question's acceptance facts (id, state, deadline, kind, type, option count) sit
  in a small hash the host's actions write after each commit (``post``);
* each joined player's id, team and current device sit in a hash ``join`` writes, so the
  one-device takeover still wins; a device that does not match goes to the database path,
  which refuses it or refreshes the hash;
* one Lua script checks state and deadline, refuses a second answer (``HSETNX`` per question
  and player) and appends the stamped answer to the question's list, all at once.

The database stays the record. ``drain`` moves accepted answers into ``live_answer`` in
batches (``INSERT … ON CONFLICT DO NOTHING`` on the unique question/player pair, so any
instance may drain and a batch drained twice is harmless). A thread per process drains
every ``LIVE_DRAIN_SECONDS``; closing a question first seals its hash (no answer is
accepted after that) and then drains synchronously, so grading and the distribution see
every accepted answer.

Only "everyone answers" questions take this path; buzz, team and risk rounds are a few
answers at a time and keep the database path with its team and turn checks.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from datetime import UTC, datetime
from typing import Any, cast

import redis
from flask import Flask
from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from academy import realtime, scoring
from academy.competitions.services.live_answers import GRACE, LiveError, display_order, stored_answer
from academy.database import db
from academy.models import LiveAnswer, LiveEvent, LivePlayer, QState, RoundKind

log = logging.getLogger(__name__)
KEEP_SECONDS = 2 * 24 * 3600  # long enough for any final; the database keeps the record
BATCH = 500
PENDING = "intake:pending"  # "<code>:<question id>" of every list that may hold answers

# KEYS: facts, marks, inbox, pending, count; ARGV: question id, player id, answer, record, received, grace, member, keep
_ACCEPT = """
local f = redis.call('HMGET', KEYS[1], 'qid', 'state', 'deadline')
if f[1] ~= ARGV[1] or f[2] ~= 'open' then return 'not_open' end
if tonumber(ARGV[5]) > tonumber(f[3]) + tonumber(ARGV[6]) then return 'too_late' end
if redis.call('HSETNX', KEYS[2], ARGV[2], ARGV[3]) == 0 then return 'already_answered' end
redis.call('EXPIRE', KEYS[2], ARGV[8])
redis.call('RPUSH', KEYS[3], ARGV[4])
redis.call('EXPIRE', KEYS[3], ARGV[8])
redis.call('SADD', KEYS[4], ARGV[7])
redis.call('INCR', KEYS[5])
redis.call('EXPIRE', KEYS[5], ARGV[8])
return 'ok'
"""
# KEYS: inbox, pending; ARGV: member, then the items drained. Answers are unique in a list (one per
# player), so if the drained items are still its head they are cut off at once; if another
# drainer got there first, whatever of them is left goes one by one.
_TRIM = """
local n = #ARGV - 1
if n > 0 then
  if redis.call('LINDEX', KEYS[1], n - 1) == ARGV[n + 1] and redis.call('LINDEX', KEYS[1], 0) == ARGV[2] then
    redis.call('LTRIM', KEYS[1], n, -1)
  else
    for i = 2, n + 1 do redis.call('LREM', KEYS[1], 1, ARGV[i]) end
  end
end
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
return redis.call('LLEN', KEYS[1])
"""


class Unavailable(Exception):
    """Redis could not seal or drain a question: closing must wait rather than lose answers."""


def _facts_key(code: str) -> str:
    return f"intake:{code}:q"


def _players_key(code: str) -> str:
    return f"intake:{code}:p"


def _marks_key(code: str, question_id: int) -> str:
    return f"intake:{code}:a:{question_id}"


def _inbox_key(code: str, question_id: int) -> str:
    return f"intake:{code}:in:{question_id}"


def _count_key(code: str, question_id: int) -> str:
    return f"intake:{code}:n:{question_id}"


# --- written by joins and host actions ---------------------------------------------------------

def remember(code: str, player: LivePlayer) -> None:
    """The player's id, team and current device, for the answer path (after the join's commit)."""
    connection = realtime.client()
    if connection is None:
        return
    try:
        connection.hset(_players_key(code), str(player.user_id), f"{player.id}|{player.team_id or ''}|{player.device}")
        connection.expire(_players_key(code), KEEP_SECONDS)
    except redis.RedisError:
        log.warning("live player %s not cached; their answers take the database path", player.id, exc_info=True)


def post(event: LiveEvent) -> None:
    """The current question's acceptance facts, after a host action's commit and before its notice.

    On opening, every player is cached again too (one query): players who joined while Redis
    was away, or before it was configured, would otherwise all take the database path at once.
    """
    connection = realtime.client()
    question = event.current
    if connection is None or question is None:
        return
    if question.state == QState.OPEN and question.kind == RoundKind.EVERYONE:
        _remember_all(connection, event)
    facts = {"qid": str(question.id), "state": str(question.state), "kind": str(question.kind),
             "qtype": question.qtype, "options": str(len(question.options)),
             "deadline": str(question.deadline.timestamp()) if question.deadline else "0"}
    try:
        pipe = connection.pipeline()
        pipe.delete(_facts_key(event.code))
        pipe.hset(_facts_key(event.code), mapping=cast(Any, facts))  # redis-py's Mapping key is invariant
        pipe.expire(_facts_key(event.code), KEEP_SECONDS)
        pipe.execute()
    except redis.RedisError:
        log.warning("live question facts for %s not written; answers take the database path", event.code, exc_info=True)


def _remember_all(connection: redis.Redis, event: LiveEvent) -> None:
    rows = db.session.execute(select(LivePlayer.user_id, LivePlayer.id, LivePlayer.team_id, LivePlayer.device)
                              .where(LivePlayer.event_id == event.id)).all()
    if not rows:
        return
    try:
        connection.hset(_players_key(event.code), mapping={
            str(user): f"{player}|{team or ''}|{device}" for user, player, team, device in rows})
        connection.expire(_players_key(event.code), KEEP_SECONDS)
    except redis.RedisError:
        log.warning("live players of %s not cached; their answers take the database path", event.code, exc_info=True)


def seal(code: str, question_id: int) -> None:
    """No answer is accepted for the question after this (before the close is committed)."""
    connection = realtime.client()
    if connection is None:
        return
    try:
        if connection.hget(_facts_key(code), "qid") == str(question_id).encode():
            connection.hset(_facts_key(code), "state", QState.CLOSED.value)
    except redis.RedisError as error:
        raise Unavailable from error


# --- the answer path ------------------------------------------------------------------------------

def _script(connection: redis.Redis, source: str) -> Any:
    """Sent once, then run by its digest (``EVALSHA``)."""
    return connection.register_script(source)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _epoch(when: datetime) -> float:
    return when.replace(tzinfo=UTC).timestamp() if when.tzinfo is None else when.timestamp()


def answer(code: str, user_id: int, device: str | None, given: Any, received: datetime) -> bool:
    """Accept an "everyone answers" answer from Redis alone. True: accepted; False: this answer
    needs the database path (no Redis, another round kind, a player or device not cached).
    Refusals raise ``LiveError``."""
    connection = realtime.client()
    if connection is None:
        return False
    try:
        pipe = connection.pipeline(transaction=False)
        pipe.hgetall(_facts_key(code))
        pipe.hget(_players_key(code), str(user_id))
        facts_raw, cached = pipe.execute()
    except redis.RedisError:
        return False
    if not facts_raw or cached is None:
        return False
    player_id, team_id, known_device = _text(cached).split("|", 2)
    if not device or device != known_device:
        return False  # the database decides: a takeover's refusal, or a stale cache refreshed
    facts = {_text(k): _text(v) for k, v in facts_raw.items()}
    if facts.get("kind") != RoundKind.EVERYONE.value:
        return False
    accept(code, facts, int(player_id), int(team_id) if team_id else None, given, received)
    return True


def facts_for(code: str) -> dict[str, str] | None:
    """The current question's facts when it takes this path ("everyone answers", Redis configured)."""
    connection = realtime.client()
    if connection is None:
        return None
    try:
        raw = connection.hgetall(_facts_key(code))
    except redis.RedisError:
        return None
    facts = {_text(k): _text(v) for k, v in raw.items()}
    return facts if facts.get("kind") == RoundKind.EVERYONE.value else None


def accept(code: str, facts: dict[str, str], player_id: int, team_id: int | None, given: Any,
           received: datetime) -> None:
    question_id = int(facts["qid"])
    if facts.get("state") != QState.OPEN.value:
        raise LiveError("not_open")
    qtype, count = facts["qtype"], int(facts["options"])
    if not scoring.valid_answer(qtype, count, given):
        raise LiveError("invalid")
    if qtype in ("single", "multiple"):
        given = stored_answer(display_order(code, player_id, question_id, count, qtype), given)
    at = _epoch(received)
    stored = json.dumps(given)
    record = json.dumps({"p": player_id, "t": team_id, "a": given, "at": at})
    connection = realtime.client()
    assert connection is not None  # noqa: S101 - facts came from it
    try:
        keys = [_facts_key(code), _marks_key(code, question_id), _inbox_key(code, question_id), PENDING,
                _count_key(code, question_id)]
        outcome = _script(connection, _ACCEPT)(keys=keys, args=[
            str(question_id), str(player_id), stored, record, repr(at), repr(GRACE.total_seconds()),
            f"{code}:{question_id}", str(KEEP_SECONDS)])
    except redis.RedisError:
        raise LiveError("busy") from None
    outcome = outcome.decode() if isinstance(outcome, bytes) else str(outcome)
    if outcome != "ok":
        raise LiveError(outcome)
    realtime.publish(code, 0, audience="screen")


def pending_answer(code: str, question_id: int, player_id: int) -> tuple[bool, Any]:
    """An answer accepted but not yet drained: (found, answer in the event's order)."""
    connection = realtime.client()
    if connection is None:
        return False, None
    try:
        raw = connection.hget(_marks_key(code, question_id), str(player_id))
    except redis.RedisError:
        return False, None
    return (True, json.loads(raw)) if raw is not None else (False, None)


def accepted_count(code: str, question_id: int) -> int:
    connection = realtime.client()
    if connection is None:
        return 0
    try:
        return int(connection.get(_count_key(code, question_id)) or 0)
    except redis.RedisError:
        return 0


# --- into the database ------------------------------------------------------------------------------

def _insert(rows: list[dict[str, Any]]) -> None:
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = pg_insert(LiveAnswer).on_conflict_do_nothing(index_elements=["question_id", "player_id"])
    elif dialect == "sqlite":
        statement = sqlite_insert(LiveAnswer).on_conflict_do_nothing(index_elements=["question_id", "player_id"])
    else:  # pragma: no cover - the project runs on PostgreSQL and SQLite
        statement = insert(LiveAnswer)
    db.session.execute(statement, rows)


def drain(code: str, question_id: int) -> int:
    """Write the question's accepted answers to the database, commit, and only then remove them
    from Redis. Returns how many were written. Raises ``Unavailable`` when Redis fails."""
    connection = realtime.client()
    if connection is None:
        return 0
    inbox, member, written = _inbox_key(code, question_id), f"{code}:{question_id}", 0
    try:
        while True:
            items = connection.lrange(inbox, 0, BATCH - 1)
            if not items:
                connection.eval(_TRIM, 2, inbox, PENDING, member)
                return written
            rows = []
            for item in items:
                data = json.loads(item)
                rows.append({"question_id": question_id, "player_id": data["p"], "team_id": data["t"],
                             "answer": data["a"], "answered_at": datetime.fromtimestamp(data["at"], UTC), "points": 0})
            _insert(rows)
            db.session.commit()
            written += len(rows)
            left = connection.eval(_TRIM, 2, inbox, PENDING, member, *items)
            if not left:
                return written
    except redis.RedisError as error:
        db.session.rollback()
        raise Unavailable from error


def drain_all() -> int:
    """Every list that may hold answers; a list some other instance is draining is skipped."""
    connection = realtime.client()
    if connection is None:
        return 0
    written = 0
    for raw in connection.smembers(PENDING):
        code, _, question = _text(raw).rpartition(":")
        lock = f"intake:lock:{code}:{question}"
        if not connection.set(lock, os.getpid(), nx=True, px=5000):
            continue
        try:
            written += drain(code, int(question))
        finally:
            connection.delete(lock)
    return written


# --- a drainer per process ------------------------------------------------------------------------------

_lock = threading.Lock()


def ensure_draining(app: Flask) -> None:
    """Start this process's drainer once, where Redis is configured and the setting allows it."""
    setting = app.config.get("LIVE_DRAIN_BACKGROUND", "auto")
    if not app.config.get("REDIS_URL") or setting is False:
        return
    if setting != True:  # noqa: E712 - "auto": gevent workers, as for streams
        from academy.loadlag import gevent_patched

        if not gevent_patched():
            return
    pid = os.getpid()
    # kept on the app, not by id(app): a new app may get the id of one already collected.
    # The pid: a forked worker starts its own.
    if app.extensions.get("live_drain_pid") == pid:
        return
    with _lock:
        if app.extensions.get("live_drain_pid") == pid:
            return
        app.extensions["live_drain_pid"] = pid
        threading.Thread(target=_drain_forever, args=(app,), name="live-drain", daemon=True).start()


def _drain_forever(app: Flask) -> None:
    interval = float(app.config.get("LIVE_DRAIN_SECONDS", 0.15))
    while not app.extensions.get("live_drain_stop"):
        try:
            with app.app_context():
                drain_all()
                db.session.remove()
        except Exception:  # a failed batch stays in Redis and is tried again
            log.warning("live answers not drained yet", exc_info=True)
            time.sleep(1.0)
        time.sleep(interval)
