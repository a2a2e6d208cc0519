"""Submission rate limits: fixed windows counted in Redis when configured, else in this process.

A phone sends one answer per question; a burst of requests from one player is a stuck
button or a script. Without Redis (SQLite, one process) the counters live in the process,
which is exact there; with several processes each would count alone, so production
configures ``REDIS_URL`` and every instance shares one counter.
"""

from __future__ import annotations

import threading
import time

import redis
from flask import current_app

from academy import realtime

_lock = threading.Lock()


def allow(action: str, scope: str, who: int, *, now: float | None = None) -> bool:
    """Count one attempt at ``action`` by ``who`` in ``scope``; False once the window's limit is passed.

    A window opens with the first attempt and lasts its seconds, rather than being cut by the
    clock: a burst is never split in two by a window boundary and let through twice.
    """
    limit, seconds = current_app.config["LIVE_RATE_LIMITS"][action]
    key = f"rate:{action}:{scope}:{who}"
    connection = realtime.client()
    if connection is not None:
        try:
            pipe = connection.pipeline()
            pipe.incr(key)
            pipe.expire(key, seconds, nx=True)  # only the first attempt of a window sets its end
            count = int(pipe.execute()[0])
            return count <= limit
        except redis.RedisError:
            pass  # Redis down: count here rather than refuse every player
    return _count_here(key, limit, seconds, now if now is not None else time.time())


def _count_here(key: str, limit: int, seconds: int, now: float) -> bool:
    # kept per app, so two apps in one process (tests, say) never share a count
    local: dict[str, tuple[int, float]] = current_app.extensions.setdefault("rate_counts", {})
    with _lock:
        if len(local) > 10_000:  # forget finished windows
            for stale in [k for k, (_c, end) in local.items() if end <= now]:
                del local[stale]
        count, ends = local.get(key, (0, 0.0))
        if ends <= now:  # no window yet, or it has ended: this attempt opens one
            count, ends = 0, now + seconds
        local[key] = (count + 1, ends)
    return count + 1 <= limit


# --- counters that say how long they last: failed logins and their locks ------------------------

def add(key: str, seconds: int, *, now: float | None = None) -> tuple[int, int]:
    """Count one event under ``key`` in a window its first event opens; (count so far, seconds left)."""
    connection = realtime.client()
    if connection is not None:
        try:
            pipe = connection.pipeline()
            pipe.incr(key)
            pipe.expire(key, seconds, nx=True)
            pipe.ttl(key)
            count, _set, left = pipe.execute()
            return int(count), max(int(left), 1)
        except redis.RedisError:
            pass
    moment = now if now is not None else time.time()
    local: dict[str, tuple[int, float]] = current_app.extensions.setdefault("rate_counts", {})
    with _lock:
        count, ends = local.get(key, (0, 0.0))
        if ends <= moment:
            count, ends = 0, moment + seconds
        local[key] = (count + 1, ends)
    return count + 1, max(int(ends - moment + 0.999), 1)


def hold(key: str, seconds: int, *, now: float | None = None) -> None:
    """Set ``key`` for ``seconds`` from now (a lock), replacing any earlier one."""
    connection = realtime.client()
    if connection is not None:
        try:
            connection.set(key, 1, ex=seconds)
            return
        except redis.RedisError:
            pass
    moment = now if now is not None else time.time()
    local: dict[str, tuple[int, float]] = current_app.extensions.setdefault("rate_counts", {})
    with _lock:
        local[key] = (1, moment + seconds)


def peek(key: str, *, now: float | None = None) -> tuple[int, int]:
    """(count, seconds left) of ``key`` without counting; (0, 0) when it has run out or never began."""
    connection = realtime.client()
    if connection is not None:
        try:
            pipe = connection.pipeline()
            pipe.get(key)
            pipe.ttl(key)
            value, left = pipe.execute()
            return (int(value), max(int(left), 1)) if value is not None else (0, 0)
        except redis.RedisError:
            pass
    moment = now if now is not None else time.time()
    local: dict[str, tuple[int, float]] = current_app.extensions.setdefault("rate_counts", {})
    count, ends = local.get(key, (0, 0.0))
    return (count, max(int(ends - moment + 0.999), 1)) if ends > moment else (0, 0)


def forget(key: str) -> None:
    connection = realtime.client()
    if connection is not None:
        try:
            connection.delete(key)
            return
        except redis.RedisError:
            pass
    current_app.extensions.setdefault("rate_counts", {}).pop(key, None)
