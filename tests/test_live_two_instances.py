"""Two app processes on different ports share one PostgreSQL database and one Redis and run
one live final: whatever a host or player does through one instance, the other serves at
once, to pollers and to streams (server-sent events) alike."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from academy.competitions.services import live
from academy.content.quizbank import load_banks
from academy.database import db
from academy.models import LiveAnswer, LiveEvent, LiveQuestion, Role, User, UserRole
from academy.people.services import sessions

from .conftest import FIXTURES, make_app

ROOT = Path(__file__).resolve().parent.parent
SECRET = "two-instances-secret"  # noqa: S105 - test only


@pytest.fixture
def shared_postgres(postgres_server: str) -> Iterator[str]:
    name = f"qs_live_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin.url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(url: str, redis_url: str, *, gunicorn: bool = False) -> tuple[subprocess.Popen[bytes], str]:
    """A threaded development server, which starts no background work, or gunicorn as in production:
    a gevent worker whose drainer ``gunicorn.conf.py`` starts (``LIVE_DRAIN_BACKGROUND`` "auto")."""
    port = _free_port()
    env = {**os.environ, "FLASK_SECRET_KEY": SECRET, "DATABASE_URL": url, "FLASK_WTF_CSRF_ENABLED": "false",
           "REDIS_URL": redis_url, "FLASK_LIVE_STREAMS": "true",
           "FLASK_QUIZ_ROOT": str(FIXTURES / "quiz"), "FLASK_COURSES_ROOT": str(FIXTURES / "courses")}
    if gunicorn:
        command = [sys.executable, "-m", "gunicorn", "--worker-class", "gevent", "--workers", "1",
                   "--graceful-timeout", "2", "--bind", f"127.0.0.1:{port}", "app:app"]
    else:
        command = [sys.executable, "-c", "from academy import create_app; from werkzeug.serving import run_simple; "
                   f"run_simple('127.0.0.1', {port}, create_app(), threaded=True)"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return process, f"http://127.0.0.1:{port}"


def _wait_until_up(base: str) -> None:
    for _ in range(600):  # up to a minute on a loaded machine
        try:
            urllib.request.urlopen(f"{base}/login", timeout=1)  # noqa: S310 - our own test server
            return
        except OSError:  # refused, or a read timeout: gunicorn listens before its worker has booted
            time.sleep(0.1)
    raise RuntimeError(f"{base} did not start")


class Browser:
    """One person's cookies, valid on both instances (they share the secret key)."""

    def __init__(self, session_cookie: str) -> None:
        self.cookies = {"session": session_cookie}

    def call(self, base: str, path: str, body: dict[str, Any] | None = None, *,
             etag: str | None = None, form: bool = False) -> tuple[int, Any, dict[str, str]]:
        data = None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if etag:
            headers["If-None-Match"] = etag
        if body is not None:
            data = (json.dumps(body) if not form else "&".join(f"{k}={v}" for k, v in body.items())).encode()
            headers["Content-Type"] = "application/json" if not form else "application/x-www-form-urlencoded"
        request = urllib.request.Request(base + path, data=data, headers=headers,  # noqa: S310 - loopback http only
                                         method="POST" if body is not None else "GET")
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            response = opener.open(request, timeout=10)
            status, raw, got = response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            status, raw, got = error.code, error.read(), dict(error.headers)
        for header in [v for k, v in got.items() if k.lower() == "set-cookie"]:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        payload = json.loads(raw) if raw and got.get("Content-Type", "").startswith("application/json") else raw
        return status, payload, got


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class EventStream:
    """A phone's or screen's server-sent-events connection, read in a thread as EventSource does."""

    def __init__(self, base: str, path: str, browser: Browser) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        request = urllib.request.Request(base + path, headers={"Cookie": cookie, "Accept": "text/event-stream"})  # noqa: S310 - loopback http only
        self.response = urllib.request.urlopen(request, timeout=30)  # noqa: S310 - loopback http only
        assert self.response.headers["Content-Type"].startswith("text/event-stream")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.response:
                if raw.startswith(b"data: "):
                    self.events.put(json.loads(raw[6:]))
        except (OSError, ValueError, AttributeError):  # http.client, closed under the reader by the test
            return

    def until(self, check: Any, seconds: float = 15.0) -> dict[str, Any]:
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            try:
                data = self.events.get(timeout=max(stop - time.monotonic(), 0.01))
            except queue.Empty:
                break
            if check(data):
                return data
        raise AssertionError("the stream did not deliver the change")

    def drain(self) -> None:
        time.sleep(0.3)  # let notices already sent arrive, then forget them
        while not self.events.empty():
            self.events.get_nowait()

    def close(self) -> None:
        self.response.close()


def test_two_instances_run_one_live_final(shared_postgres: str, redis_url: str) -> None:
    app = make_app(SQLALCHEMY_DATABASE_URI=shared_postgres, SECRET_KEY=SECRET)
    banks, _ = load_banks(FIXTURES / "quiz")
    questions = {q.id: q for bank in banks.values() for q in bank.questions}
    with app.app_context():
        host = User(employee_no="H1", name="主持人")
        host.roles.append(UserRole(role=Role.HOST))
        players = [User(employee_no=f"P{i}", name=f"选手{i}") for i in (1, 2)]
        db.session.add_all([host, *players])
        db.session.commit()
        event = live.create_event(host, "两实例决赛", [live.Item(questions["sample-001"]),
                                                  live.Item(questions["sample-002"], live.RoundKind.BUZZ)])
        code, key = event.code, event.questions[0].key["correct"][0]
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        # each browser holds an open server-side login session, as after the login form
        tokens = [sessions.start(u, method="test") for u in (host, *players)]
        cookies = [serializer.dumps({"_user_id": str(u.id), "_fresh": True, "_sid": token})
                   for u, token in zip((host, *players), tokens, strict=True)]
    # only B (gunicorn) drains in the background: answers accepted by A reach the database through B
    servers = [_serve(shared_postgres, redis_url), _serve(shared_postgres, redis_url, gunicorn=True)]
    streams: list[EventStream] = []
    try:
        a, b = (base for _process, base in servers)
        for base in (a, b):
            _wait_until_up(base)
        host_browser, one, two = (Browser(c) for c in cookies)

        assert one.call(a, f"/live/{code}/join", {"code": code}, form=True)[0] == 303
        screen = EventStream(b, f"/live/{code}/screen/stream", host_browser)  # the big screen streams from B
        streams.append(screen)
        screen.until(lambda data: data == {"changed": True})  # on connecting
        assert two.call(b, f"/live/{code}/join", {"code": code}, form=True)[0] == 303
        screen.until(lambda data: data == {"changed": True}, 10)  # player 2's join reached B's screen
        phone = EventStream(a, f"/live/{code}/stream", one)  # player 1 streams from A
        streams.append(phone)
        assert phone.until(lambda data: True)["question"] is None
        assert host_browser.call(a, f"/live/{code}/host/next", {}, form=True)[0] == 303
        assert host_browser.call(b, f"/live/{code}/host/open", {}, form=True)[0] == 303
        pushed = phone.until(lambda data: (data.get("question") or {}).get("state") == "open")  # opened on B
        assert "key" not in pushed["question"]

        status, state, headers = two.call(a, f"/live/{code}/me")  # player 2 joined on B, polls A
        assert status == 200
        assert state["question"]["state"] == "open"
        assert two.call(b, f"/live/{code}/me", etag=headers["ETag"])[0] == 304  # same ETag on both instances

        screen.drain()
        order_one = one.call(a, f"/live/{code}/me")[1]["you"]["order"]  # each phone has its own option order
        order_two = two.call(b, f"/live/{code}/me")[1]["you"]["order"]
        assert one.call(b, f"/live/{code}/answer", {"answer": order_one.index(key)})[0] == 200
        assert two.call(a, f"/live/{code}/answer", {"answer": order_two.index((key + 1) % 3)})[0] == 200
        assert one.call(a, f"/live/{code}/answer", {"answer": 0})[1]["error"] == "already_answered"
        screen.until(lambda data: data == {"changed": True}, 10)  # answers reach the screen's stream
        screen_a = host_browser.call(a, f"/live/{code}/state")[1]
        assert screen_a["answered"] == 2
        assert _stored_answers(app, code, 2, seconds=10) == 2  # drained by B while the question is open
        assert host_browser.call(b, f"/live/{code}/host/reveal", {}, form=True)[0] == 303
        revealed = phone.until(lambda data: (data.get("question") or {}).get("state") == "revealed")
        assert revealed["question"]["key"]["correct"] == [key]
        assert revealed["question"]["distribution"][key] == 1

        mine = one.call(a, f"/live/{code}/me")[1]["you"]
        assert mine["correct"] is True
        assert mine["points"] > 500

        # buzz-in across instances: the first buzz by the database's order wins, wherever it arrived
        host_browser.call(a, f"/live/{code}/host/next", {}, form=True)
        host_browser.call(b, f"/live/{code}/host/open", {}, form=True)
        assert two.call(b, f"/live/{code}/buzz", {})[0] == 200
        assert one.call(a, f"/live/{code}/buzz", {})[0] == 200
        assert one.call(b, f"/live/{code}/me")[1]["you"]["my_turn"] is False
        assert two.call(a, f"/live/{code}/me")[1]["you"]["my_turn"] is True
    finally:
        for stream in streams:
            stream.close()
        for process, _base in servers:
            process.terminate()
            process.wait(timeout=10)
    with app.app_context():
        event = db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()
        assert event.version > 5
    assert _stored_answers(app, code, 2) == 2  # the database holds the record


def _stored_answers(app: Any, code: str, expected: int, seconds: float = 0.0) -> int:
    stop = time.monotonic() + seconds
    while True:
        with app.app_context():
            count = db.session.execute(
                select(func.count()).select_from(LiveAnswer).join(LiveQuestion).join(LiveEvent)
                .where(LiveEvent.code == code)).scalar_one()
            db.session.remove()
        if count >= expected or time.monotonic() >= stop:
            return int(count)
        time.sleep(0.1)
