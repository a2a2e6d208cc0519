"""Simulated phones for ``bench.live_load``, run by locust in its own process (gevent).

Each user is one joined player. With ``LIVE_MODE=sse`` it holds the event stream open,
as the phone page does with Redis, and fetches its own state (with its ETag) within
1.5 s of each push that needs it (as the phone page decides); with ``LIVE_MODE=poll`` it polls ``/me`` once a second with its ETag.
It answers the open question 0.2–3 s after it first sees it, at the position where its
own option order shows the right answer, and writes one JSON line per event it observes
to ``LIVE_RESULTS`` (wall-clock times: the app runs on the same machine).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import gevent
from locust import FastHttpUser, constant, task

CODE = os.environ["LIVE_CODE"]
MODE = os.environ.get("LIVE_MODE", "sse")
with open(os.environ["LIVE_PLAYERS"], encoding="utf-8") as _file:
    PLAYERS: list[dict[str, Any]] = json.load(_file)  # [{"cookie": ..., "answers": {position: shown index}}]
RESULTS = open(os.environ["LIVE_RESULTS"], "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - shared by every user
SPREAD = 1.5
_numbers = itertools.count()


def own_part_known(question: dict[str, Any] | None, stage: str | None) -> bool:
    """As ``ownPartKnown`` in static/js/live.js: when a push needs no fetch of the phone's own state."""
    return bool(question) and stage == "question" and question["kind"] == "everyone" and \
        question["state"] in ("shown", "open", "closed")


def record(**fields: Any) -> None:
    RESULTS.write(json.dumps(fields) + "\n")


def _watch_own_lag() -> None:
    """How late this load generator's own greenlets wake: an answer "sent" at t leaves the
    socket only when its greenlet runs, so this part of the delay is the simulator's, not the app's."""
    while True:
        start = time.monotonic()
        gevent.sleep(0.05)
        record(kind="client_lag", at=time.time(), lag=time.monotonic() - start - 0.05)


gevent.spawn(_watch_own_lag)


class Phone(FastHttpUser):
    wait_time = constant(3600)  # everything happens in on_start's loops
    connection_timeout = 60.0
    network_timeout = 300.0  # a phone's fetch waits as long as the server takes

    def on_start(self) -> None:
        self.number = next(_numbers)
        me = PLAYERS[self.number % len(PLAYERS)]
        self.cookie, self.answers = me["cookie"], me["answers"]
        self.etag = ""
        self.done: set[int] = set()
        if MODE == "sse":
            self.stream()
        else:
            self.poll()

    @task
    def idle(self) -> None:
        """Locust needs a task; the phone's work is in ``stream`` or ``poll``."""

    def headers(self) -> dict[str, str]:
        return {"Cookie": f"session={self.cookie}"}

    def seen(self, question: dict[str, Any] | None, how: str) -> None:
        if not question or question.get("state") != "open":
            return
        position = int(question["position"])
        if position in self.done:
            return
        self.done.add(position)
        record(kind="seen", player=self.number, position=position, at=time.time(), opened=question["opened_at"] / 1000,
               how=how)
        gevent.spawn(self.answer, position, question["deadline"] / 1000)

    def answer(self, position: int, deadline: float) -> None:
        gevent.sleep(random.uniform(0.2, 3.0))
        sent = time.time()
        record(kind="sent", player=self.number, position=position, sent=sent, in_time=sent <= deadline)
        body = json.dumps({"answer": self.answers[str(position)]})
        with self.client.post(f"/live/{CODE}/answer", data=body, headers={**self.headers(), "Content-Type": "application/json"},
                              name="answer", catch_response=True) as response:
            status = response.status_code
            try:
                error = (response.json() or {}).get("error") if status != 200 else None
            except ValueError:
                error = None
            response.success()
        record(kind="answer", player=self.number, position=position, sent=sent, took=time.time() - sent,
               status=status, in_time=sent <= deadline, error=error)

    def me(self) -> None:
        headers = self.headers()
        if self.etag:
            headers["If-None-Match"] = self.etag
        with self.client.get(f"/live/{CODE}/me", headers=headers, name="me", catch_response=True) as response:
            if response.status_code == 200:
                self.etag = response.headers.get("ETag", "")
                self.seen((response.json() or {}).get("question"), "me")
            response.success()

    def poll(self) -> None:
        while True:
            self.me()
            gevent.sleep(1.0)

    def stream(self) -> None:
        """A raw socket reading ``text/event-stream``, as EventSource does; reconnects like it."""
        parts = urlsplit(self.host)
        while True:
            try:
                with socket.create_connection((parts.hostname, parts.port), timeout=120) as sock:
                    request = (f"GET /live/{CODE}/stream HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                               f"Cookie: session={self.cookie}\r\nAccept: text/event-stream\r\n\r\n")
                    sock.sendall(request.encode())
                    reader = sock.makefile("rb")
                    status = reader.readline()
                    if b" 200 " not in status:
                        record(kind="stream_refused", player=self.number, status=status.decode(errors="replace"))
                        gevent.sleep(2.0)
                        continue
                    record(kind="stream_open", player=self.number, at=time.time())
                    self.events(reader)
            except OSError as error:
                record(kind="stream_error", player=self.number, error=str(error))
            gevent.sleep(2.0)

    def events(self, reader: Any) -> None:
        chunked = False
        while (line := reader.readline().strip()) != b"":
            chunked = chunked or line.lower() == b"transfer-encoding: chunked"
        while True:
            line = reader.readline()
            if not line:
                return
            if chunked and line.strip() and all(c in b"0123456789abcdefABCDEF\r\n" for c in line):
                continue  # a chunk-size line
            if line.startswith(b"data: "):
                state = json.loads(line[6:])
                question = state.get("question")
                self.seen(question, "push")
                if not own_part_known(question, state.get("stage")):
                    gevent.spawn_later(random.uniform(0, SPREAD), self.me)
