"""How long a request that has just arrived waits before this process looks at it.

Under gevent one process serves every connection from one loop; when the loop is
saturated, a request that arrived in time waits its turn before the app can stamp it. A
small watcher sleeps 50 ms again and again and records how much later than asked it
wakes up: that oversleep is the wait of anything that became ready at the same moment.
``arrival(stamp)`` subtracts the wait seen just before the stamp (capped), so a live
answer that reached the server before the deadline is judged by when it arrived, not by
when a busy worker got to it. Only gevent workers are watched.
"""

from __future__ import annotations

import threading
import time
from collections import deque

TICK = 0.05
CAP = 5.0  # never credit more than this: beyond it the server is down, not busy
_samples: deque[tuple[float, float]] = deque(maxlen=400)  # (wall time of the wake-up, oversleep)
_started: list[int] = []  # the pid the watcher runs in: a forked worker starts its own
_lock = threading.Lock()


def gevent_patched() -> bool:
    """Whether this process serves from one gevent loop (gunicorn's gevent worker)."""
    try:
        from gevent import monkey
    except ImportError:
        return False
    return bool(monkey.is_module_patched("socket"))


def ensure_started() -> None:
    """Watch the loop in gevent workers; threads (the development server) need no credit."""
    import os

    pid = os.getpid()
    if not gevent_patched():
        return
    if _started and _started[0] == pid:
        return
    with _lock:
        if _started and _started[0] == pid:
            return
        _started[:] = [pid]
        _samples.clear()
        threading.Thread(target=_watch, name="load-lag", daemon=True).start()


def _watch() -> None:
    while True:
        start = time.monotonic()
        time.sleep(TICK)
        _samples.append((time.time(), max(time.monotonic() - start - TICK, 0.0)))


def record(at: float, lag: float) -> None:
    """For tests: a wake-up at ``at`` that came ``lag`` seconds late."""
    _samples.append((at, lag))


def arrival(stamp: float) -> float:
    """The estimated arrival of a request stamped at ``stamp``: minus the largest wait of the
    watcher's recent wake-ups (a saturated loop wakes it rarely, so look back past the cap)."""
    recent = [lag for at, lag in list(_samples) if stamp - CAP - 1.0 <= at <= stamp]
    return stamp - min(max(recent, default=0.0), CAP)
