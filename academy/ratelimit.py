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

from . import realtime

_lock = threading.Lock()


def allow(action: str, scope: str, who: int, *, now: float | None = None) -> bool:
    """Count one attempt at ``action`` by ``who`` in ``scope``; False once the window's limit is passed."""
    limit, seconds = current_app.config["LIVE_RATE_LIMITS"][action]
    window = int((now if now is not None else time.time()) // seconds)
    key = f"rate:{action}:{scope}:{who}:{window}"
    connection = realtime.client()
    if connection is not None:
        try:
            pipe = connection.pipeline()
            pipe.incr(key)
            pipe.expire(key, seconds + 1)
            count = int(pipe.execute()[0])
            return count <= limit
        except redis.RedisError:
            pass  # Redis down: count here rather than refuse every player
    return _count_here(key, limit, (window + 1) * seconds, now if now is not None else time.time())


def _count_here(key: str, limit: int, ends: float, now: float) -> bool:
    # kept per app, so two apps in one process (tests, say) never share a count
    _local: dict[str, tuple[int, float]] = current_app.extensions.setdefault("rate_counts", {})
    with _lock:
        if len(_local) > 10_000:  # forget finished windows
            for stale in [k for k, (_c, end) in _local.items() if end <= now]:
                del _local[stale]
        count = _local.get(key, (0, ends))[0] + 1
        _local[key] = (count, ends)
    return count <= limit
