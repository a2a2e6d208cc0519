"""Online round under load: ``python -m bench.online_load --participants 2000 [--questions 100] [--minutes 10]``.

PostgreSQL and gunicorn (gthread, ``--workers``, ``--threads``), driven by locust run
headless in its own process. Set up first, not timed: an online round drawing a
``--questions`` paper (60% single, 20% multiple, 20% true/false) from the real banks, the
participants, and each one's attempt (random paper and option order, as the quiz engine
draws them). Then every participant saves each answer as given, one per pacing interval so
that all finish within ``--minutes``, and submits. Afterwards the database is checked:
every answer the server acknowledged must be stored with the value sent (zero lost), every
acknowledged submit graded. Figures: answer-save p50/p99 against ``GET /healthz`` polled
in the same run, saves per second, and the load average.

The database in BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1/qs_bench) is
wiped. CSRF is off for the server (the simulated clients hold no form token); everything
else is the production code path.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from academy import create_app
from academy.assessment.services import quizzes
from academy.competitions.services import competitions
from academy.config import ROOT
from academy.content.library import load_library
from academy.content.quizbank import QType, Question
from academy.content.quizzes import load_sources
from academy.database import db, utcnow
from academy.extensions import login_manager
from academy.grading import from_display
from academy.learning.services import content_sync
from academy.models import Attempt, AttemptAnswer, User
from bench import signed_in

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/qs_bench")
SECRET = "bench-secret"  # noqa: S105 - a throw-away benchmark server
BANKS = ("tqm-fundamentals", "qs-basics", "iso9001-qms-audit")
AGENT = "qs-bench-participant"  # every simulated browser sends this User-Agent from 127.0.0.1


def _draw(questions: int) -> list[dict[str, object]]:
    """60/20/20 single, multiple, true/false, spread over three banks."""
    rules = []
    for qtype, share in (("single", 0.6), ("multiple", 0.2), ("truefalse", 0.2)):
        total = round(questions * share) if qtype != "truefalse" else questions - round(questions * 0.6) - round(questions * 0.2)
        for n, bank in enumerate(BANKS):
            count = total // len(BANKS) + (1 if n < total % len(BANKS) else 0)
            if count:
                rules.append({"bank": bank, "count": count, "types": [qtype]})
    return rules


def _form(q: Question, size: int, rnd: random.Random) -> tuple[list[tuple[str, str]], object]:
    """A random answer as the page's fields, and the same answer in displayed positions."""
    name = f"q-{q.id}"
    if q.type is QType.SINGLE:
        pick = rnd.randrange(size)
        return [(name, str(pick))], pick
    if q.type is QType.MULTIPLE:
        picks = sorted(rnd.sample(range(size), rnd.randint(1, size)))
        return [(name, str(p)) for p in picks], picks
    truth = rnd.random() < 0.5
    return [(name, "true" if truth else "false")], truth


def prepare(url: str, participants: int, questions: int, minutes: int) -> tuple[list[dict[str, object]], dict[tuple[int, str], object]]:
    """Fresh schema, content, round, participants and their attempts; the plan and the expected stored values."""
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        content_sync.sync(load_library(ROOT / "courses", ROOT / "quiz"))
        sources = load_sources(ROOT / "quiz")
        host = User(employee_no="HOST", name="主持人", password_hash="!")  # noqa: S106 - cannot log in
        db.session.add(host)
        db.session.add_all(User(employee_no=f"L{n:06d}", name=f"选手{n}") for n in range(participants))
        db.session.commit()
        now = utcnow()
        c = competitions.create(host, title="线上预赛（压测）", rules="", opens_at=now - timedelta(hours=1),
                                closes_at=now + timedelta(hours=6), draw=_draw(questions), time_limit=minutes + 50,
                                sittings=1)
        quiz = competitions.quiz_def(c)
        rnd = random.Random(8)
        signer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        # the session as a login leaves it, with the browser's identifier: without it every request
        # would mark the session not fresh and send a new cookie back, which a browser never causes
        with app.test_request_context(headers={"User-Agent": AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            browser = login_manager._session_identifier_generator()
        plan: list[dict[str, object]] = []
        expected: dict[tuple[int, str], object] = {}
        users = db.session.execute(select(User).where(User.employee_no.like("L%")).order_by(User.id)).scalars().all()
        for user in users:
            attempt = quizzes.start_or_resume(user, quiz, sources, rnd=rnd)
            answers = []
            for item in quizzes.paper_of(attempt).items:
                fields, shown = _form(item.question, len(item.order), rnd)
                answers.append([item.question.id, urlencode(fields)])
                # as JSON gives it back: the comparison is of stored values, not of Python types
                expected[(attempt.id, item.question.id)] = json.loads(json.dumps(from_display(item.question, shown, item.order)))
            plan.append({"attempt": attempt.id, "answers": answers,
                         "cookie": signer.dumps(signed_in(user.id, _id=browser))})
        return plan, expected


def _wait_for(port: int) -> None:
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _cuts(samples: list[float]) -> tuple[float, float]:
    if len(samples) < 2:
        return (samples[0], samples[0]) if samples else (0.0, 0.0)
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49], cuts[98]


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.online_load")
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "5201")))
    args = parser.parse_args(sys.argv[1:] if __name__ == "__main__" else [])
    if not URL.startswith("postgres"):
        print("bench.online_load skipped: set BENCH_DATABASE_URL=postgresql://… (its database is wiped)")
        return
    print(f"preparing {args.participants} participants with a {args.questions}-question paper each …", flush=True)
    started = time.perf_counter()
    try:
        plan, expected = prepare(URL, args.participants, args.questions, args.minutes)
    except OperationalError as error:
        print(f"bench.online_load skipped: no PostgreSQL at {URL} ({error.orig})")
        return
    print(f"prepared in {time.perf_counter() - started:.0f} s")
    # everyone arrives within the first tenth of the window (at most 30 s), then saves one answer per
    # interval, so that the last answer and the submit land inside the window with 15 s to spare
    arrival = min(30.0, args.minutes * 6.0)
    pace = (args.minutes * 60 - arrival - 15) / args.questions
    workdir = Path(tempfile.mkdtemp(prefix="online-load-"))
    (workdir / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": URL, "FLASK_SECRET_KEY": SECRET, "FLASK_WTF_CSRF_ENABLED": "false",
           "ONLINE_LOAD_PLAN": str(workdir / "plan.json"), "ONLINE_LOAD_LOG": str(workdir / "log.json"),
           "ONLINE_LOAD_PACE": f"{pace:.3f}"}
    root = str(Path(__file__).resolve().parent.parent)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", str(args.workers), "--threads", str(args.threads),
         "-b", f"127.0.0.1:{args.port}",
         # participants pause seconds between answers: a connection kept open only 2 s (the default)
         # is closed by the server just as the next answer is sent on it
         "--keep-alive", "75", "--log-level", "warning", "app:app"], cwd=root, env=env)
    try:
        _wait_for(args.port)
        spawn = args.participants / arrival
        print(f"gunicorn gthread {args.workers}×{args.threads} on :{args.port}, PostgreSQL; locust {args.participants}"
              f" participants, one answer every {pace:.1f} s each ({args.participants / pace:.0f} saves/s wanted);"
              f" load average before {_load()}", flush=True)
        window = time.perf_counter()
        locust = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(Path(__file__).with_name("_online_locust.py")), "--headless",
             "-u", str(args.participants + 4), "-r", f"{spawn:.2f}", "--run-time", f"{args.minutes * 60}s",
             "--stop-timeout", "10", "--host", f"http://127.0.0.1:{args.port}", "--only-summary", "--loglevel", "WARNING"],
            cwd=root, env=env, capture_output=True, text=True, check=False)
        took = time.perf_counter() - window
        load_during = _load()
    finally:
        server.terminate()
        server.wait(timeout=20)
    if not (workdir / "log.json").exists():
        print(locust.stdout[-3000:], locust.stderr[-3000:])
        raise SystemExit("locust wrote no log")
    log = json.loads((workdir / "log.json").read_text(encoding="utf-8"))
    acked = {(a, q) for a, q in log["acked"]}
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": URL})
    with app.app_context():
        stored = {(a, q): v for a, q, v in db.session.execute(
            select(AttemptAnswer.attempt_id, AttemptAnswer.question_id, AttemptAnswer.value)).tuples()}
        graded = db.session.execute(select(func.count()).select_from(Attempt).where(
            Attempt.submitted_at.is_not(None), Attempt.expired.is_(False))).scalar_one()
    lost = [key for key in acked if key not in stored]
    altered = [key for key in acked if key in stored and stored[key] != expected[key]]
    save_p50, save_p99 = _cuts(log["times"].get("save answer", []))
    health_p50, health_p99 = _cuts(log["times"].get("healthz", []))
    submit_p50, submit_p99 = _cuts(log["times"].get("submit", []))
    wanted = len(expected)
    print(f"window {took:.0f} s · load average at the end {load_during}")
    print(f"answers: {len(acked)} of {wanted} acknowledged ({100 * len(acked) / wanted:.1f}%), {len(stored)} stored,"
          f" lost {len(lost)}, altered {len(altered)} · {len(acked) / took:.1f} saves/s")
    print(f"submits: {len(log['submitted'])} acknowledged, {graded} graded in the database")
    print(f"save answer p50 {save_p50:.0f} ms  p99 {save_p99:.0f} ms   "
          f"(GET /healthz in the same run p50 {health_p50:.0f} ms  p99 {health_p99:.0f} ms;"
          f" ratio p50 ×{save_p50 / max(health_p50, 0.1):.1f}, p99 ×{save_p99 / max(health_p99, 0.1):.1f})")
    if log["times"].get("submit"):
        print(f"submit p50 {submit_p50:.0f} ms  p99 {submit_p99:.0f} ms")
    failures = [line for line in locust.stdout.splitlines() + locust.stderr.splitlines() if "not saved" in line or "submit:" in line]
    if failures:
        print("locust failures:", *failures[:5], sep="\n  ")
    if lost or altered:
        raise SystemExit("acknowledged answers missing or altered in the database")


if __name__ == "__main__":
    main()
