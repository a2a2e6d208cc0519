"""Redis where configured (``REDIS_URL``): change notices for live finals and shared counters.

The database stays the source of truth. Redis only says "event X changed" so that pages
can fetch the new state at once instead of waiting for their next poll; if Redis is down
or absent, nothing is lost and the pages fall back to polling with ETags.

Each process keeps one subscriber (``Hub``) on the pattern ``live:*`` and fans every
notice out to the streams it serves, so 2,000 open streams cost 4 Redis connections
with 4 workers, not 2,000.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import redis
from flask import Flask, current_app

log = logging.getLogger(__name__)
CHANNEL_PREFIX = "live:"
SUBSCRIBE_WAIT_SECONDS = 5.0  # how long a new stream waits for the hub's subscription before it goes on regardless


def client(app: Flask | None = None) -> redis.Redis | None:
    """The app's Redis client, or None when ``REDIS_URL`` is not set."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("REDIS_URL"):
        return None
    if "redis" not in app.extensions:
        app.extensions["redis"] = redis.Redis.from_url(app.config["REDIS_URL"], socket_timeout=2,
                                                       socket_connect_timeout=2, health_check_interval=30)
    return app.extensions["redis"]  # type: ignore[no-any-return]


def streams_enabled(app: Flask | None = None) -> bool:
    """Whether pages are offered server-sent events: Redis, and a server that holds many connections.

    A sync or threaded gunicorn worker would give each open stream a whole worker or thread,
    so under "auto" streams are offered only where gevent has patched the sockets.
    """
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    setting = app.config.get("LIVE_STREAMS", "auto")
    if not app.config.get("REDIS_URL") or setting is False:
        return False
    if setting is True:
        return True
    from academy.loadlag import gevent_patched

    return gevent_patched()


def channel(code: str, audience: str) -> str:
    """``players``: what every phone must see; ``screen``: also every answer count change."""
    return f"{CHANNEL_PREFIX}{code}:{audience}"


def publish(code: str, version: int, *, audience: str = "players") -> None:
    """Tell every instance that an event changed. A failure only delays pages until their next poll."""
    connection = client()
    if connection is None:
        return
    message = json.dumps({"code": code, "version": version})
    try:
        pipe = connection.pipeline(transaction=False)
        if audience == "players":
            pipe.publish(channel(code, "players"), message)
        pipe.publish(channel(code, "screen"), message)
        pipe.execute()
    except redis.RedisError:
        log.warning("live notice for %s not published; pages will catch up by polling", code, exc_info=True)


Builder = Callable[[str, str], str | None]  # (code, audience) -> the message every listener gets


class Hub:
    """One Redis subscriber per process, fanning each notice out to the local streams.

    ``build`` turns a notice into the text sent to every stream of that channel, built
    once per notice and process (not once per stream).
    """

    def __init__(self, app: Flask, build: Builder) -> None:
        self.app, self.build = app, build
        self.listeners: dict[str, set[queue.Queue[str]]] = {}
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.stopping = False
        self.subscribed = threading.Event()  # set once Redis has confirmed the subscription

    def listen(self, name: str) -> queue.Queue[str]:
        inbox: queue.Queue[str] = queue.Queue(maxsize=64)
        with self.lock:
            self.listeners.setdefault(name, set()).add(inbox)
            if self.thread is None or not self.thread.is_alive():
                self.subscribed.clear()
                self.thread = threading.Thread(target=self._run, name="live-hub", daemon=True)
                self.thread.start()
        # a notice published before Redis holds the subscription would be lost: the stream's
        # first state is read only after this, so nothing falls between the two
        if not self.subscribed.wait(timeout=SUBSCRIBE_WAIT_SECONDS):
            log.warning("live hub not subscribed yet; this stream may miss a change until the next one")
        return inbox

    def leave(self, name: str, inbox: queue.Queue[str]) -> None:
        with self.lock:
            self.listeners.get(name, set()).discard(inbox)

    def streams(self) -> int:
        with self.lock:
            return sum(len(v) for v in self.listeners.values())

    def stop(self) -> None:
        self.stopping = True  # the loop notices within a second
        if self.thread is not None:
            self.thread.join(timeout=5)

    def _run(self) -> None:
        while not self.stopping:
            try:
                self._subscribe()
            except (redis.RedisError, OSError):
                if self.stopping:
                    return
                log.warning("live hub lost Redis; reconnecting", exc_info=True)
                self._broadcast_all(": reconnect\n\n")  # streams keep their own keep-alives meanwhile
                time.sleep(1.0)

    def _subscribe(self) -> None:
        connection = client(self.app)
        assert connection is not None  # noqa: S101 - streams are offered only with Redis
        pubsub = connection.pubsub()  # the confirmation is read below, so listeners know they are heard
        pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
        try:
            while not self.stopping:
                message = pubsub.get_message(timeout=1.0)
                if message is None:
                    continue
                if message.get("type") == "psubscribe":
                    self.subscribed.set()
                if message.get("type") != "pmessage":
                    continue
                name = message["channel"].decode()
                with self.lock:
                    inboxes = list(self.listeners.get(name, ()))
                if not inboxes:
                    continue
                code, _, audience = name[len(CHANNEL_PREFIX):].rpartition(":")
                text = self._build(code, audience)
                if text is not None:
                    for inbox in inboxes:
                        _offer(inbox, text)
        finally:
            pubsub.close()

    def _build(self, code: str, audience: str) -> str | None:
        try:
            with self.app.app_context():
                return self.build(code, audience)
        except Exception:  # one bad notice must not stop the hub for every event
            log.exception("live notice for %s could not be built", code)
            return None

    def _broadcast_all(self, text: str) -> None:
        with self.lock:
            inboxes = [i for group in self.listeners.values() for i in group]
        for inbox in inboxes:
            _offer(inbox, text)


def _offer(inbox: queue.Queue[str], text: str) -> None:
    """A stream that cannot keep up loses its oldest notice; the newest state is what counts."""
    for _attempt in range(3):
        try:
            inbox.put_nowait(text)
            return
        except queue.Full:
            with contextlib.suppress(queue.Empty):
                inbox.get_nowait()


def hub(app: Flask, build: Builder) -> Hub:
    if "live_hub" not in app.extensions:
        app.extensions["live_hub"] = Hub(app, build)
    return app.extensions["live_hub"]  # type: ignore[no-any-return]


def shutdown(app: Flask) -> None:
    """Stop the hub and close the client (tests build many apps in one process)."""
    app.extensions["live_drain_stop"] = True
    found = app.extensions.pop("live_hub", None)
    if found is not None:
        found.stop()
    connection = app.extensions.pop("redis", None)
    if connection is not None:
        connection.close()


def sse(data: Any) -> str:
    return f"data: {json.dumps(data, separators=(',', ':'), ensure_ascii=False)}\n\n"
