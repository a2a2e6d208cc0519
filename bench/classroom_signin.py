"""A classroom session's sign-in burst: ``python -m bench.classroom_signin [--people 500] [--seconds 60]``.

gunicorn (gthread) on PostgreSQL. Set up first, not timed: a 500-seat session running now,
``--people`` learners (nine in ten holding a seat by assignment, the rest walking in) and an
HR screen. During the run the screen polls ``code.json`` every 5 s as the projector page does,
and each phone signs in with the code last shown, at a random moment of the ``--seconds``
window; one phone in ten taps twice at once. ``GET /healthz`` is polled by four clients in the
same run as the baseline. Afterwards the database is checked: every person signed in exactly
once, hours credited once, no seat over the session's. Figures: sign-in p50/p99 against
``/healthz``, and how many requests were refused or failed.

The database in BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1/qs_bench) is
wiped. CSRF is off for the server (the simulated phones hold no form token); everything else
is the production code path, the rotating code included.
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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from academy import create_app
from academy.database import db, utcnow
from academy.extensions import login_manager
from academy.learning.services import classroom
from academy.models import ClassroomSession, OrgUnit, Role, SessionSeat, User, UserRole
from bench import signed_in

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/qs_bench")
SECRET = "bench-secret"  # noqa: S105 - a throw-away benchmark server
AGENT = "qs-bench-phone"


def prepare(url: str, people: int) -> tuple[int, str, list[str]]:
    """Fresh schema, the session, its people and an HR screen: (session id, screen cookie, phone cookies)."""
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        unit = OrgUnit(name="华东公司", path="")
        db.session.add(unit)
        db.session.flush()
        unit.path = f"/{unit.id}/"
        hr = User(employee_no="HR0001", name="培训管理员", org_unit_id=unit.id, password_hash="!")  # noqa: S106 - cannot log in
        hr.roles.append(UserRole(role=Role.HR, scope_unit_id=unit.id))
        db.session.add(hr)
        db.session.add_all(User(employee_no=f"L{n:06d}", name=f"学员{n}", org_unit_id=unit.id) for n in range(people))
        db.session.commit()
        start = utcnow() - timedelta(minutes=5)
        session = classroom.create_session(classroom.SessionDraft(
            title="质量管理体系内审员培训（压测）", unit_id=unit.id, starts_at=start, ends_at=start + timedelta(hours=3),
            capacity=max(people, 1), hours=3, place="大礼堂", late_after_minutes=30, late_hours=2), actor=hr)
        learners = db.session.execute(select(User).where(User.employee_no.like("L%")).order_by(User.id)).scalars().all()
        for user in learners[: people * 9 // 10]:
            db.session.add(SessionSeat(session_id=session.id, user_id=user.id))
        db.session.commit()
        signer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        with app.test_request_context(headers={"User-Agent": AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            browser = login_manager._session_identifier_generator()
        screen = signer.dumps(signed_in(hr.id, _id=browser))
        phones = [signer.dumps(signed_in(user.id, _id=browser)) for user in learners]
        return session.id, screen, phones


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


def _request(port: int, method: str, path: str, cookie: str | None = None, body: str | None = None) -> tuple[int, float, bytes]:
    headers = {"User-Agent": AGENT}
    if cookie:
        headers["Cookie"] = f"session={cookie}"
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, (time.perf_counter() - started) * 1000, data
    finally:
        conn.close()


def _cuts(samples: list[float]) -> tuple[float, float]:
    if len(samples) < 2:
        return (samples[0], samples[0]) if samples else (0.0, 0.0)
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49], cuts[98]


def run(port: int, session_id: int, screen: str, phones: list[str], seconds: float) -> dict[str, list]:  # type: ignore[type-arg]
    """The burst: returns sign-in and healthz times and every sign-in's status."""
    shown = {"code": ""}
    stop = threading.Event()
    out: dict[str, list] = {"signin": [], "status": [], "healthz": [], "screen": []}  # type: ignore[type-arg]
    lock = threading.Lock()

    def poll_screen() -> None:
        while not stop.is_set():
            status, took, data = _request(port, "GET", f"/training/sessions/{session_id}/code.json", screen)
            if status == 200:
                shown["code"] = json.loads(data)["code"] or ""
            with lock:
                out["screen"].append(took)
            stop.wait(5)

    def poll_health() -> None:
        while not stop.is_set():
            status, took, _ = _request(port, "GET", "/healthz")
            if status == 200:
                with lock:
                    out["healthz"].append(took)
            stop.wait(0.25)

    def sign(cookie: str) -> None:
        status, took, _ = _request(port, "POST", f"/training/sessions/{session_id}/sign-in", cookie,
                                   urlencode({"c": shown["code"]}))
        with lock:
            out["signin"].append(took)
            out["status"].append(status)

    pollers = [threading.Thread(target=poll_screen)] + [threading.Thread(target=poll_health) for _ in range(4)]
    for t in pollers:
        t.start()
    while not shown["code"]:
        time.sleep(0.05)
    rnd = random.Random(19)
    plan = sorted([(rnd.uniform(0, seconds), c) for c in phones]
                  + [(rnd.uniform(0, seconds), c) for c in rnd.sample(phones, len(phones) // 10)] * 1)
    doubles = {c for _, c in plan if sum(1 for _, d in plan if d == c) > 1}
    begin = time.perf_counter()
    with ThreadPoolExecutor(max_workers=64) as pool:
        for at, cookie in plan:
            delay = at - (time.perf_counter() - begin)
            if delay > 0:
                time.sleep(delay)
            pool.submit(sign, cookie)
            if cookie in doubles:  # the second tap of the same phone, sent at once
                pool.submit(sign, cookie)
                doubles.discard(cookie)
    out["window"] = [time.perf_counter() - begin]
    stop.set()
    for t in pollers:
        t.join()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.classroom_signin")
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "5203")))
    args = parser.parse_args(sys.argv[1:] if __name__ == "__main__" else [])
    if not URL.startswith("postgres"):
        print("bench.classroom_signin skipped: set BENCH_DATABASE_URL=postgresql://… (its database is wiped)")
        return
    try:
        session_id, screen, phones = prepare(URL, args.people)
    except OperationalError as error:
        print(f"bench.classroom_signin skipped: no PostgreSQL at {URL} ({error.orig})")
        return
    env = {**os.environ, "DATABASE_URL": URL, "FLASK_SECRET_KEY": SECRET, "FLASK_WTF_CSRF_ENABLED": "false"}
    root = str(Path(__file__).resolve().parent.parent)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", str(args.workers), "--threads", str(args.threads),
         "-b", f"127.0.0.1:{args.port}", "--log-level", "warning", "app:app"], cwd=root, env=env)
    try:
        _wait_for(args.port)
        load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
        out = run(args.port, session_id, screen, phones, args.seconds)
        load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    finally:
        server.terminate()
        server.wait(timeout=20)
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": URL})
    with app.app_context():
        signed = db.session.scalar(select(func.count()).select_from(SessionSeat).where(
            SessionSeat.session_id == session_id, SessionSeat.signed_in_at.is_not(None))) or 0
        seats = db.session.scalar(select(func.count()).select_from(SessionSeat).where(
            SessionSeat.session_id == session_id)) or 0
        hours = db.session.scalar(select(func.sum(SessionSeat.hours)).where(SessionSeat.session_id == session_id)) or 0
        capacity = db.session.get(ClassroomSession, session_id).capacity  # type: ignore[union-attr]
    statuses = out["status"]
    ok = sum(1 for s in statuses if s == 303)
    refused = sum(1 for s in statuses if s == 409)
    failed = len(statuses) - ok - refused
    p50, p99 = _cuts(out["signin"])
    h50, h99 = _cuts(out["healthz"])
    print(f"gunicorn gthread {args.workers}×{args.threads}, PostgreSQL; {args.people} people in {out['window'][0]:.0f} s,"
          f" {len(statuses) - args.people} second taps; load average {load_before} → {load_after}")
    print(f"sign-in requests: {len(statuses)} ({ok} accepted, {refused} refused, {failed} failed)")
    print(f"database: {signed} of {args.people} signed in, {seats} seats for {capacity} places, {float(hours):g} hours"
          f" credited (expected {args.people * 3} or less for late arrivals)")
    print(f"sign-in p50 {p50:.0f} ms  p99 {p99:.0f} ms   (GET /healthz in the same run p50 {h50:.0f} ms  p99 {h99:.0f} ms;"
          f" ratio p50 ×{p50 / max(h50, 0.1):.1f}, p99 ×{p99 / max(h99, 0.1):.1f})")
    if signed != args.people or failed or seats > capacity:
        raise SystemExit("sign-ins missing, counted twice or failed")


if __name__ == "__main__":
    main()
