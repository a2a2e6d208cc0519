"""A live final with many simulated phones on loopback, against a baseline in the same run.

Each player is a thread that polls its state once a second with If-None-Match, as the
phone page does, and answers 0.2–3 s after it first sees a question open. The host opens
and closes three questions. Printed:

* baseline: the same threads hitting /healthz (requests/s, p50, p99);
* polling: requests/s, share of 304s and bytes, against the same polls answered in full;
* time from the host's "open" to 95% of players having received the open question;
* answer-capture latency p50/p99 as multiples of the baseline;
* answers sent before the deadline against answers counted in the database (must be equal).

Usage: ``python -m bench.live [players]`` (default 50). ``BENCH_DATABASE_URL`` runs it on
PostgreSQL instead of a temporary SQLite file; ``BENCH_WORKERS=n`` serves with gunicorn
(n processes × 8 threads) instead of one threaded werkzeug process.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from statistics import quantiles
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select

from academy import create_app
from academy.competitions.services import live
from academy.config import ROOT
from academy.content.quizbank import QType, load_banks
from academy.database import db
from academy.models import LiveAnswer, Role, User, UserRole
from bench import signed_in

QUESTIONS = 3
SECONDS = 8


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # keep the 303 and its Set-Cookie


_OPENER = urllib.request.build_opener(_NoRedirect)


class Phone:
    def __init__(self, base: str, cookie: str) -> None:
        self.base, self.cookie, self.etag = base, cookie, ""
        self.requests = self.not_modified = self.bytes = self.full = self.full_bytes = 0

    def call(self, path: str, body: dict[str, Any] | None = None, *, etag: bool = True,
             form: bool = False) -> tuple[int, Any, float]:
        headers = {"Cookie": f"session={self.cookie}"}
        if etag and self.etag and body is None:
            headers["If-None-Match"] = self.etag
        data = None
        if body is not None:
            data = urlencode(body).encode() if form else json.dumps(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded" if form else "application/json"
        request = urllib.request.Request(self.base + path, data=data, headers=headers)  # noqa: S310 - loopback http only
        start = time.perf_counter()
        try:
            with _OPENER.open(request, timeout=30) as response:
                status, raw, got = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, raw, got = error.code, error.read(), error.headers
        elapsed = time.perf_counter() - start
        self.requests += 1
        self.bytes += len(raw) + sum(len(k) + len(v) + 4 for k, v in got.items())
        if status == 304:
            self.not_modified += 1
        elif body is None:
            self.full += 1
            self.full_bytes += len(raw) + sum(len(k) + len(v) + 4 for k, v in got.items())
        if body is None and status == 200 and got.get("ETag"):
            self.etag = got["ETag"]
        if "session=" in (got.get("Set-Cookie") or ""):
            self.cookie = got["Set-Cookie"].split("session=", 1)[1].split(";", 1)[0]
        return status, json.loads(raw) if raw and status != 304 and raw[:1] == b"{" else None, elapsed


def _serve(url: str) -> tuple[subprocess.Popen[bytes], str]:
    """The app in its own process (werkzeug, threaded), so the simulated phones do not share its GIL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {**os.environ, "FLASK_SECRET_KEY": "bench", "DATABASE_URL": url, "FLASK_WTF_CSRF_ENABLED": "false"}
    workers = int(os.environ.get("BENCH_WORKERS", "0"))
    if workers:  # as in production: gunicorn, several processes sharing the database
        command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", "8", "-b", f"127.0.0.1:{port}",
                   "--log-level", "warning", "academy:create_app()"]
    else:
        command = [sys.executable, "-c", "import logging; from academy import create_app; from werkzeug.serving import run_simple; "
                   f"logging.getLogger('werkzeug').setLevel(logging.ERROR); run_simple('127.0.0.1', {port}, create_app(), threaded=True)"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2).close()  # noqa: S310 - loopback http only
            return process, base
        except OSError:  # URLError, refused, or a read timeout: gunicorn listens before its workers boot
            time.sleep(0.1)
    process.terminate()  # never leave a server behind
    raise RuntimeError("the app did not start")


def _pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return quantiles(values, n=100, method="inclusive")[q - 1]


def _baseline(phones: list[Phone], seconds: float) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run(phone: Phone) -> None:
        while time.perf_counter() < stop:
            _s, _b, elapsed = phone.call("/healthz", etag=False)
            with lock:
                latencies.append(elapsed)
            time.sleep(1.0)

    threads = [threading.Thread(target=run, args=(p,)) for p in phones]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies


def main(players: int = 50) -> None:
    folder = tempfile.mkdtemp()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(folder) / 'live.sqlite'}"
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})
    banks, _ = load_banks(ROOT / "quiz")
    singles = [q for bank in banks.values() for q in bank.questions if q.type is QType.SINGLE][:QUESTIONS]
    with app.app_context():
        db.drop_all()
        db.create_all()
        if url.startswith("sqlite") and os.environ.get("BENCH_SQLITE_WAL"):
            with db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        host = User(employee_no="HOST", name="主持人")
        host.roles.append(UserRole(role=Role.HOST))
        people = [User(employee_no=f"P{i:05d}", name=f"选手{i}") for i in range(players)]
        db.session.add_all([host, *people])
        db.session.commit()
        event = live.create_event(host, "bench", [live.Item(q, seconds=SECONDS) for q in singles])
        code = event.code
        keys = [q.key["correct"][0] for q in event.questions]
        sign = app.session_interface.get_signing_serializer(app).dumps  # type: ignore[attr-defined]
        cookies = [sign(signed_in(u.id)) for u in people]
        host_cookie = sign(signed_in(host.id))
    server, base = _serve(url)
    try:
        _run(app, url, players, code, keys, host_cookie, base, cookies)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _run(app: Any, url: str, players: int, code: str, keys: list[int], host_cookie: str, base: str,
         cookies: list[str]) -> None:
    phones = [Phone(base, c) for c in cookies]

    baseline = _baseline(phones, 3.0)
    for phone in phones:
        phone.call(f"/live/{code}/join", {"code": code}, form=True)
    for phone in phones:
        phone.requests = phone.not_modified = phone.bytes = phone.full = phone.full_bytes = 0

    seen: dict[int, list[float]] = {i: [] for i in range(1, QUESTIONS + 1)}
    capture: list[float] = []
    sent_in_time = refused = lost = 0
    lock = threading.Lock()
    opened: dict[int, tuple[float, float]] = {}  # position -> (perf time of open, deadline as perf time)
    finished = threading.Event()

    def player(phone: Phone) -> None:
        nonlocal sent_in_time, refused, lost
        done: set[int] = set()
        while not finished.is_set():
            status, state, _e = phone.call(f"/live/{code}/me")
            question = (state or {}).get("question") or {}
            position = question.get("position")
            if status == 200 and question.get("state") == "open" and position not in done:
                done.add(position)
                now = time.perf_counter()
                with lock:
                    seen[position].append(now - opened[position][0])
                delay = random.uniform(0.2, 3.0)
                time.sleep(delay)
                sent = time.perf_counter()
                answer_status, _body, elapsed = phone.call(f"/live/{code}/answer", {"answer": keys[position - 1]})
                with lock:
                    capture.append(elapsed)
                    if sent <= opened[position][1]:
                        sent_in_time += 1
                    if answer_status != 200:
                        refused += 1
                        lost += sent <= opened[position][1]
                continue
            time.sleep(1.0)

    threads = [threading.Thread(target=player, args=(p,)) for p in phones]
    poll_start = time.perf_counter()
    for t in threads:
        t.start()
    host_phone = Phone(base, host_cookie)
    time.sleep(1.5)
    try:
        for position in range(1, QUESTIONS + 1):
            host_phone.call(f"/live/{code}/host/next", {}, form=True)
            time.sleep(1.0)
            start = time.perf_counter()
            opened[position] = (start, start + SECONDS)
            host_phone.call(f"/live/{code}/host/open", {}, form=True)
            time.sleep(SECONDS + 1.0)
            host_phone.call(f"/live/{code}/host/reveal", {}, form=True)
            time.sleep(1.0)
    finally:  # a failed host step must not leave the phone threads polling for ever
        finished.set()
    for t in threads:
        t.join()
    poll_seconds = time.perf_counter() - poll_start

    with app.app_context():
        counted = db.session.execute(select(func.count()).select_from(LiveAnswer)).scalar_one()
        db.session.remove()
        if url.startswith("sqlite"):
            db.engine.dispose()
    requests = sum(p.requests for p in phones)
    polls_304 = sum(p.not_modified for p in phones)
    polled_bytes = sum(p.bytes for p in phones)
    b50, b99 = _pct(baseline, 50), _pct(baseline, 99)
    print(f"players {players} on {url.split(':', 1)[0]}, {QUESTIONS} questions of {SECONDS} s")
    print(f"baseline /healthz            p50 {b50 * 1000:6.1f} ms  p99 {b99 * 1000:6.1f} ms")
    full_size = sum(p.full_bytes for p in phones) / max(sum(p.full for p in phones), 1)
    print(f"polling                      {requests / poll_seconds:6.1f} req/s, {100 * polls_304 / max(requests, 1):4.1f}% 304, "
          f"{polled_bytes / 1024:7.0f} KiB in all; the same polls without ETags ≈ {requests * full_size / 1024:7.0f} KiB "
          f"(×{requests * full_size / max(polled_bytes, 1):4.1f})")
    for position, delays in seen.items():
        p95 = _pct(sorted(delays), 95)
        print(f"question {position}: {len(delays)}/{players} saw it open; 95% within {p95:5.2f} s of 'open'")
    c50, c99 = _pct(capture, 50), _pct(capture, 99)
    print(f"answer capture               p50 {c50 * 1000:6.1f} ms (×{c50 / b50:4.1f} baseline)  "
          f"p99 {c99 * 1000:6.1f} ms (×{c99 / b99:4.1f} baseline)")
    print(f"answers sent before the deadline {sent_in_time}, counted in the database {counted}, "
          f"refused as late {refused}, of which sent before the deadline {lost}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
