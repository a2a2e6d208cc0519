"""Submit throughput under gunicorn on PostgreSQL: ``BENCH_DATABASE_URL=postgresql://… python -m bench.submit``.

1,000 learners each have an open attempt at a 50-question certification exam with every
answer saved (set up through the services, not timed). Then, against a gunicorn server,
every learner submits once (grading, certificate issue, commit) from ``CONCURRENCY``
client threads; a minimal endpoint (``/healthz``) is measured the same way in the same
run. The database named in BENCH_DATABASE_URL is wiped. CSRF is off for the server
(the client holds no form token); everything else is the production code path.
"""

from __future__ import annotations

import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import select, text

from academy import create_app
from academy.access import quiz_by_key
from academy.assessment.services import quizzes
from academy.config import ROOT
from academy.content.library import load_library
from academy.content.quizzes import load_sources
from academy.database import db
from academy.learning.services import content_sync
from academy.models import Attempt, AttemptAnswer, User
from bench import signed_in
from bench.grading import answer_for

LEARNERS = int(os.environ.get("BENCH_LEARNERS", "1000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
EXAM = "exam/cert-all-staff"
SECRET = "bench-secret"  # noqa: S105 - a throw-away benchmark server


def _prepare(url: str) -> list[tuple[int, int]]:
    """Fresh schema, published content, learners with a fully answered open attempt."""
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        content_sync.sync(load_library(ROOT / "courses", ROOT / "quiz"))
        quiz = quiz_by_key(EXAM)
        assert quiz is not None, EXAM
        sources = load_sources(ROOT / "quiz")
        db.session.add_all(User(employee_no=f"B{n:05d}", name="基准学员") for n in range(LEARNERS))
        db.session.commit()
        rnd = random.Random(3)
        pairs = []
        for user in db.session.execute(select(User).order_by(User.id)).scalars():
            attempt = quizzes.start_or_resume(user, quiz, sources, rnd=rnd)
            paper = quizzes.paper_of(attempt)
            db.session.add_all(AttemptAnswer(attempt_id=attempt.id, question_id=i.question.id,
                                             value=answer_for(i.question, rnd)) for i in paper.items)
            db.session.commit()
            pairs.append((user.id, attempt.id))
        cookie = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        return [(attempt_id, cookie.dumps(signed_in(user_id))) for user_id, attempt_id in pairs]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _hammer(port: int, jobs: list[tuple[str, str, str]]) -> tuple[float, list[float], int]:
    """(method, path, session cookie) per request from CONCURRENCY keep-alive connections."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    queue = list(reversed(jobs))

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not queue:
                    break
                method, path, cookie = queue.pop()
            start = time.perf_counter()
            conn.request(method, path, headers={"Cookie": f"session={cookie}"} if cookie else {})
            response = conn.getresponse()
            response.read()
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                if response.status >= 400:
                    errors += 1
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies, errors


def _report(label: str, elapsed: float, latencies: list[float], errors: int) -> float:
    rate = len(latencies) / elapsed
    cuts = statistics.quantiles(latencies, n=100)
    print(f"{label:<34} {rate:8.1f} req/s   p50 {cuts[49] * 1000:7.1f} ms   p99 {cuts[98] * 1000:7.1f} ms"
          f"   errors {errors}")
    return rate


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("bench.submit skipped: set BENCH_DATABASE_URL=postgresql://… (its database is wiped)")
        return
    print(f"preparing {LEARNERS} learners with a 50-question attempt each …", flush=True)
    jobs = _prepare(url)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "FLASK_SECRET_KEY": SECRET, "FLASK_WTF_CSRF_ENABLED": "false"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "app:app"], cwd=str(Path(__file__).resolve().parent.parent), env=env)
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        _hammer(port, [("GET", "/healthz", "")] * 200)  # warm every worker
        print(f"gunicorn {WORKERS} workers, {CONCURRENCY} concurrent clients, PostgreSQL")
        base = _report("baseline GET /healthz", *_hammer(port, [("GET", "/healthz", "")] * len(jobs)))
        submits = [("POST", f"/attempts/{attempt_id}/submit", cookie) for attempt_id, cookie in jobs]
        rate = _report(f"submit 50-question paper ×{len(jobs)}", *_hammer(port, submits))
        print(f"ratio: submit throughput is {rate / base:.3f} of the baseline ({base / rate:.1f}x slower)")
        app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            graded = db.session.execute(select(Attempt).where(Attempt.submitted_at.is_not(None))).scalars().all()
            print(f"check: {len(graded)} of {len(jobs)} attempts graded, each once")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
