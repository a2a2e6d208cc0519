# ruff: noqa: S608 - the generator SQL is built from this file's integer constants, never from input
"""Online-round rankings with 10,000 finished participants (PostgreSQL).

``python -m bench.leaderboard [finishers]`` generates an organisation (a group, 20
subsidiaries, 10 departments each), ``finishers × 1.2`` eligible employees and one round
in which ``finishers`` (default 10,000) of them have submitted one or two sittings (scores
and times with many ties), all through SQL for speed. Then it times ``standings()`` (the
host's full board, and a learner's frozen, masked board) and the leaderboard page as the
host and as a learner. Baselines in the same run: ``SELECT 1`` for the query and
``GET /healthz`` for the page, through the same session and test client.

Set BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1/qs_bench); the database
is emptied first. Without a PostgreSQL server the benchmark is skipped.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from academy import create_app
from academy.competitions.services import competitions
from academy.database import db
from academy.models import Competition, User
from bench import signed_in

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/qs_bench")
SECRET = "bench-secret"  # noqa: S105 - a throw-away benchmark app
SUBSIDIARIES, DEPARTMENTS = 20, 10
NOW = datetime.now(UTC)
OPENS = NOW - timedelta(days=14)  # open for two weeks, closing in 12 hours: the last 24 hours are frozen
CLOSES = NOW + timedelta(hours=12)


def _org_sql(people: int) -> list[str]:
    units = SUBSIDIARIES * DEPARTMENTS
    return [
        "INSERT INTO org_unit (id, name, kind, parent_id, path, depth) VALUES (1, '集团', 'group', NULL, '/1/', 0)",
        f"""INSERT INTO org_unit (id, name, kind, parent_id, path, depth)
            SELECT s + 1, '子公司' || s, 'subsidiary', 1, '/1/' || (s + 1) || '/', 1 FROM generate_series(1, {SUBSIDIARIES}) s""",
        f"""INSERT INTO org_unit (id, name, kind, parent_id, path, depth)
            SELECT 100 + d, '部门' || d, 'department', 2 + d / {DEPARTMENTS}, '/1/' || (2 + d / {DEPARTMENTS}) || '/' || (100 + d) || '/', 2
            FROM generate_series(0, {units - 1}) d""",
        "SELECT setval(pg_get_serial_sequence('org_unit', 'id'), (SELECT max(id) FROM org_unit))",
        f"""INSERT INTO user_account (id, employee_no, name, email, org_unit_id, position, password_hash, active, failed_logins, created_at)
            SELECT i, 'P' || lpad(i::text, 7, '0'), (ARRAY['王','李','张','刘','陈'])[1 + i % 5] || '员工' || i, NULL,
                   100 + (i % {units}), '检验员', '', true, 0, now()
            FROM generate_series(1, {people}) i""",
        "SELECT setval(pg_get_serial_sequence('user_account', 'id'), (SELECT max(id) FROM user_account))",
    ]


def _attempts_sql(key: str, finishers: int) -> list[str]:
    """Every finisher sits once; every third sits twice. Scores 40..100 of 100, 10..60 minutes: many ties."""
    return [f"""INSERT INTO quiz_attempt (user_id, quiz_key, number, paper, multiple, pass_mark, started_at, deadline,
                                       submitted_at, expired, score, max_score, passed)
                SELECT i, '{key}', n, '[]', 'all_or_nothing', 0, ts - ((10 + (i * 7 + n) % 50) * INTERVAL '1 minute'), NULL,
                       ts, false, 40 + (i * 13 + n * 7) % 61, 100, true
                FROM generate_series(1, {finishers}) i, generate_series(1, 2) n,
                     LATERAL (SELECT TIMESTAMPTZ '{OPENS.isoformat()}' + 3600 * INTERVAL '1 second'
                                  + ((i * 97 + n * 31) % 1200000) * INTERVAL '1 second' AS ts) t
                WHERE n = 1 OR i % 3 = 0"""]


def prepare(url: str, finishers: int) -> tuple[Flask, str, int, int]:
    """A fresh database with the round; returns the app, the slug, the host's and a learner's id."""
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
        people = finishers * 6 // 5
        for statement in _org_sql(people):
            db.session.execute(text(statement))
        db.session.commit()
        host = User(employee_no="HOST", name="主持人", password_hash="!")  # noqa: S106 - cannot log in
        db.session.add(host)
        db.session.commit()
        c = competitions.create(host, title="质量月知识竞赛", rules="", opens_at=OPENS, closes_at=CLOSES,
                                draw=[{"bank": "tqm-fundamentals", "count": 100}], time_limit=60, sittings=2,
                                team_depth=1, freeze_hours=24, show_names=10,
                                awards=[{"name": "一等奖", "top": 10}, {"name": "二等奖", "top": 50},
                                        {"name": "三等奖", "min_percent": 90}, {"name": "优秀组织奖", "units": 3}])
        for statement in _attempts_sql(c.quiz_key, finishers):
            db.session.execute(text(statement))
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        return app, c.slug, host.id, 1


def _time(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm: compiled statements, templates, caches
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    finishers = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 10_000
    if not URL.startswith("postgres"):
        print("bench.leaderboard skipped: set BENCH_DATABASE_URL=postgresql://… (its database is wiped)")
        return
    try:
        print(f"generating {finishers} finished participants …", flush=True)
        app, slug, host_id, learner_id = prepare(URL, finishers)
    except OperationalError as error:
        print(f"bench.leaderboard skipped: no PostgreSQL at {URL} ({error.orig})")
        return
    runs = 5
    with app.app_context():
        c = db.session.execute(db.select(Competition).where(Competition.slug == slug)).scalar_one()
        base = _time(lambda: db.session.execute(text("SELECT 1")).scalar_one(), 50)
        board = competitions.standings(c, now=NOW, full=True)
        def cold() -> object:
            competitions._cache.clear()  # as after every new sitting
            return competitions.standings(c, now=NOW, full=True)

        first = _time(cold, runs)
        full = _time(lambda: competitions.standings(c, now=NOW, full=True), runs)
        frozen = _time(lambda: competitions.standings(c, now=NOW), runs)
    print(f"{len(board.people)} ranked people, {len(board.units)} units · load average {_load()}")
    print(f"baseline SELECT 1                 {base * 1000:8.2f} ms")
    print(f"standings(), first read           {first * 1000:8.1f} ms  ({first / base:,.0f}x baseline)")
    print(f"standings(), host (full)          {full * 1000:8.1f} ms  ({full / base:,.0f}x baseline)")
    print(f"standings(), learner (frozen)     {frozen * 1000:8.1f} ms  ({frozen / base:,.0f}x baseline)")
    pages = []
    for label, user_id in (("host", host_id), ("learner", learner_id)):
        client = app.test_client()
        with app.app_context():
            keys = signed_in(user_id)
        with client.session_transaction() as session:
            session.update(keys)
        health = _time(lambda: client.get("/healthz"), 20)  # noqa: B023 - used at once
        took = _time(lambda: client.get(f"/competitions/{slug}/board"), runs)  # noqa: B023 - used at once
        size = len(client.get(f"/competitions/{slug}/board").data)
        pages.append(took)
        print(f"GET board as {label:<8}             {took * 1000:8.1f} ms  ({took / health:,.0f}x GET /healthz "
              f"{health * 1000:.2f} ms), {size / 1024:.0f} KiB")
    print(f"load average {_load()}")


if __name__ == "__main__":
    main()
