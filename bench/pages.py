"""Logged-in catalog, course and lesson pages against ``/healthz``, under gunicorn on SQLite.

``python -m bench.pages`` publishes the shipped curricula to a fresh SQLite file, signs in one
learner who has read the first lesson, starts gunicorn with ``BENCH_WORKERS`` (default 2) sync
workers and sends each page for ``BENCH_SECONDS`` from ``BENCH_CONCURRENCY`` client threads,
``/healthz`` first and last (the baseline is their mean). Prints requests/s and each page's cost
as a multiple of the baseline, measured in the same run.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import select

from academy import create_app
from academy.config import ROOT
from academy.content.library import load_library
from academy.database import db
from academy.learning.services import content_sync, progress
from academy.models import Course, User
from bench import signed_in

WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "4"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
SECRET = "bench-secret"  # noqa: S105 - a throw-away benchmark server


def _prepare(url: str) -> tuple[str, list[tuple[str, str]]]:
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        content_sync.sync(load_library(ROOT / "courses", ROOT / "quiz"))
        user = User(employee_no="B1", name="基准学员")
        db.session.add(user)
        db.session.commit()
        course = db.session.execute(select(Course).where(Course.retired.is_(False)).order_by(Course.position)).scalars().first()
        assert course is not None
        first = course.live_lessons[0]
        progress.open_lesson(user, first)
        cookie = app.session_interface.get_signing_serializer(app).dumps(signed_in(user.id))  # type: ignore[attr-defined]
        pages = [("catalog", "/courses"), ("course", f"/courses/{course.slug}"),
                 ("lesson", f"/courses/{course.slug}/{first.slug}")]
        return cookie, pages


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_cpu(server: int) -> float:
    """CPU seconds used so far by the gunicorn master and its workers (user + system)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(entry.name) == server or int(fields[1]) == server:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _measure(port: int, path: str, cookie: str, server: int) -> tuple[float, float]:
    """(requests/s, server CPU ms per request): the second does not depend on what else the machine runs."""
    cpu, count_before = _server_cpu(server), time.perf_counter()
    rate = _rate(port, path, cookie)
    requests = rate * (time.perf_counter() - count_before)
    return rate, 1000 * (_server_cpu(server) - cpu) / max(requests, 1)


def _rate(port: int, path: str, cookie: str) -> float:
    """Requests per second for ``SECONDS`` from ``CONCURRENCY`` threads; every answer must be 200."""
    count = 0
    lock = threading.Lock()
    stop = time.perf_counter() + SECONDS

    def worker() -> None:
        nonlocal count
        done = 0
        while time.perf_counter() < stop:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", path, headers={"Cookie": f"session={cookie}"})
            response = conn.getresponse()
            response.read()
            conn.close()
            assert response.status == 200, (path, response.status)
            done += 1
        with lock:
            count += done

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return count / (time.perf_counter() - start)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'pages.sqlite'}"
        cookie, pages = _prepare(url)
        port = _free_port()
        env = {**os.environ, "FLASK_SQLALCHEMY_DATABASE_URI": url, "DATABASE_URL": url, "FLASK_SECRET_KEY": SECRET}
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
             "app:app"], cwd=str(ROOT), env=env)
        try:
            for _ in range(100):
                try:
                    http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                    break
                except OSError:
                    time.sleep(0.2)
            for _label, path in [("healthz", "/healthz"), *pages]:  # warm every worker and its caches
                for _ in range(4 * WORKERS):
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    conn.request("GET", path, headers={"Cookie": f"session={cookie}"})
                    conn.getresponse().read()
                    conn.close()
            print(f"gunicorn {WORKERS} sync workers, SQLite, {CONCURRENCY} client threads, {SECONDS:.0f} s a page, "
                  f"load average {os.getloadavg()[0]:.1f}")
            first = _measure(port, "/healthz", cookie, server.pid)
            measured = {label: _measure(port, path, cookie, server.pid) for label, path in pages}
            last = _measure(port, "/healthz", cookie, server.pid)
            base, base_cpu = (first[0] + last[0]) / 2, (first[1] + last[1]) / 2
            print(f"baseline /healthz                        {base:7.0f} req/s (first {first[0]:.0f}, last {last[0]:.0f})"
                  f"   server CPU {base_cpu:5.2f} ms/request")
            for label, path in pages:
                rate, cpu = measured[label]
                print(f"{label:<8} {path:<32.32} {rate:7.0f} req/s  ×{base / rate:5.1f} of baseline"
                      f"   server CPU {cpu:5.2f} ms/request  ×{cpu / base_cpu:5.1f}")
            print(f"load average after {os.getloadavg()[0]:.1f}")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
