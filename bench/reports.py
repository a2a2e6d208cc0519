# ruff: noqa: S608 - the generator SQL is built from this file's integer constants, never from input
"""Org-tree completion report and XLSX export on a large organisation (PostgreSQL).

Generates BENCH_EMPLOYEES employees (default 100,000) in 2,001 units (a group, 20
subsidiaries, 99 departments each), 20 assigned courses each (2 million assigned
course rows), realistic progress (about 1.4 million enrolments, 2 million lesson
progress rows, 1 million training credits). Then times the completion report at the
root and at one subsidiary, and an XLSX export of 100,000 overdue rows with its peak
Python memory; the leadership summary (competitions included: four online rounds, a
live final), with classroom and external hours (2,000 sessions with three sign-ins per
person, 300,000 seats; an approved outside certificate for every fourth person) and the report's
hours by tier and source. The baseline, measured in the same run, is one sequential count over
the 2 million assigned rows: the ratio says what the report costs in those units.

Set BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1/qs_bench); the
database is emptied first, unless BENCH_REUSE=1 keeps the data a previous run generated. Without a PostgreSQL server the benchmark is skipped.
"""

from __future__ import annotations

import os
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError

from academy import create_app
from academy.database import db
from academy.learning.services import course_status
from academy.learning.services import hours as training_hours
from academy.models import OrgUnit
from academy.people.models.org import within
from academy.people.services import exports, reports

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/qs_bench")
EMPLOYEES = int(os.environ.get("BENCH_EMPLOYEES", "100000"))
SUBSIDIARIES, DEPARTMENTS, COURSES, LESSONS = 20, 99, 20, 2
TODAY = date(2026, 11, 25)
REUSE = os.environ.get("BENCH_REUSE") == "1"  # keep the data of a previous run

GENERATE = [
    # org: 1 group, 20 subsidiaries (ids 2..21), 99 departments each (ids 22..)
    "INSERT INTO org_unit (id, name, kind, parent_id, path, depth) VALUES (1, '集团', 'group', NULL, '/1/', 0)",
    f"""INSERT INTO org_unit (id, name, kind, parent_id, path, depth)
        SELECT s + 1, '子公司' || s, 'subsidiary', 1, '/1/' || (s + 1) || '/', 1 FROM generate_series(1, {SUBSIDIARIES}) s""",
    f"""INSERT INTO org_unit (id, name, kind, parent_id, path, depth)
        SELECT 22 + d, '部门' || d, 'department', 2 + d / {DEPARTMENTS}, '/1/' || (2 + d / {DEPARTMENTS}) || '/' || (22 + d) || '/', 2
        FROM generate_series(0, {SUBSIDIARIES * DEPARTMENTS - 1}) d""",
    "SELECT setval(pg_get_serial_sequence('org_unit', 'id'), (SELECT max(id) FROM org_unit))",
    f"""INSERT INTO user_account (id, employee_no, name, email, org_unit_id, position, password_hash, active, failed_logins,
                                  must_change_password, password_history, created_at)
        SELECT i, 'E' || lpad(i::text, 7, '0'), '员工' || i, NULL, 22 + (i % {SUBSIDIARIES * DEPARTMENTS}),
               (ARRAY['操作工','检验员','质量工程师','班组长'])[1 + i % 4], '', i % 50 <> 0, 0, false, '[]', now()
        FROM generate_series(1, {EMPLOYEES}) i""",
    f"""INSERT INTO course (id, slug, tier, title, title_en, hours, position, intro, meta, version, retired, synced_at)
        SELECT c, 'course-' || c, (ARRAY['all-staff','practitioner','expert','leadership'])[1 + c % 4], '课程' || c, '', 2, c, '', '{{}}', 'v1', false, now()
        FROM generate_series(1, {COURSES}) c""",
    f"""INSERT INTO lesson (id, course_id, slug, title, minutes, position, source, version, retired)
        SELECT (c - 1) * {LESSONS} + l, c, 'l' || l, '第' || l || '课', 10, l, '', 'v1', false
        FROM generate_series(1, {COURSES}) c, generate_series(1, {LESSONS}) l""",
    f"""INSERT INTO assignment (id, title, target_kind, unit_id, include_subtree, position, due_on, mandatory, round_number,
                                created_at)
        SELECT c, '指派' || c, 'unit', 1, true, '', DATE '2026-09-01' + (c * 6), c % 5 <> 0, 1, now()
        FROM generate_series(1, {COURSES}) c""",
    f"INSERT INTO assignment_course (assignment_id, course_id, position) SELECT c, c, 0 FROM generate_series(1, {COURSES}) c",
    f"""INSERT INTO assignment_target (assignment_id, user_id, named, assigned_at)
        SELECT c, i, false, now() FROM generate_series(1, {EMPLOYEES}) i, generate_series(1, {COURSES}) c""",
    # diligence d = i*37 mod 100: course c is started when d >= 3c and completed when d >= 3c + 20,
    # so about 68% of assigned courses are started, 49% completed, and one person in five has finished all
    f"""INSERT INTO enrollment (user_id, course_id, started_at, last_active_at, completed_at)
        SELECT i, c, TIMESTAMPTZ '2026-02-01' + (i % 200) * INTERVAL '1 day', now(),
               CASE WHEN (i * 37) % 100 >= 3 * c + 20 THEN TIMESTAMPTZ '2026-02-02' + ((i + c) % 280) * INTERVAL '1 day' END
        FROM generate_series(1, {EMPLOYEES}) i, generate_series(1, {COURSES}) c WHERE (i * 37) % 100 >= 3 * c""",
    f"""INSERT INTO lesson_progress (user_id, lesson_id, first_opened_at, last_opened_at, completed_at, completed_version)
        SELECT e.user_id, (e.course_id - 1) * {LESSONS} + l, e.started_at, e.started_at, e.completed_at, 'v1'
        FROM enrollment e, generate_series(1, {LESSONS}) l WHERE e.completed_at IS NOT NULL""",
    """INSERT INTO training_credit (user_id, course_id, hours, earned_at)
       SELECT user_id, course_id, 2, completed_at FROM enrollment WHERE completed_at IS NOT NULL""",
    # every fourth course has a final exam, taken by those who completed it (score 60..100)
    """INSERT INTO quiz_attempt (user_id, quiz_key, number, paper, multiple, pass_mark, started_at, submitted_at,
                                expired, score, max_score, passed)
       SELECT user_id, 'final/course-' || course_id, 1, '[]', 'all_or_nothing', 60, completed_at, completed_at,
              false, 60 + (user_id + course_id) % 41, 100, true
       FROM enrollment WHERE completed_at IS NOT NULL AND course_id % 4 = 0""",
    # one person in three holds a certificate, valid until some day of the next three years
    f"""INSERT INTO certificate (serial, user_id, exam_id, title, title_en, tier, holder_name, employee_no, score_percent,
                                 issued_at, valid_until, revoke_reason)
        SELECT 'QS-BENCH-' || i, i, 'cert-all-staff', '证书', '', 'all-staff', '员工' || i, 'E' || i, 90,
               TIMESTAMPTZ '2024-01-01' + (i % 700) * INTERVAL '1 day', TIMESTAMPTZ '2026-06-01' + (i % 1000) * INTERVAL '1 day', ''
        FROM generate_series(1, {EMPLOYEES}, 3) i""",
    # knowledge competitions: four online rounds in 2026 (one for the whole group, three for one subsidiary
    # each), a paper submitted by one person in three; a live final in Q3 with 300 players
    """INSERT INTO competition (id, slug, title, rules, host_id, opens_at, closes_at, unit_ids, positions, draw, time_limit,
                                 sittings, review_after_close, team_depth, weight_participation, weight_average,
                                 freeze_hours, show_names, awards, created_at)
        SELECT r, 'bench-round-' || r, '竞赛' || r, '', 1, TIMESTAMPTZ '2026-01-10' + r * INTERVAL '60 days',
               TIMESTAMPTZ '2026-01-24' + r * INTERVAL '60 days', (CASE WHEN r = 1 THEN '[]' ELSE '[' || r || ']' END)::json,
               '[]', '[]', 30, 1, true, 1, 40, 60, 0, 10, '[]', now()
        FROM generate_series(1, 4) r""",
    f"""INSERT INTO quiz_attempt (user_id, quiz_key, number, paper, multiple, pass_mark, started_at, submitted_at,
                                expired, score, max_score, passed)
        SELECT i, 'competition/bench-round-' || (1 + i % 4), 1, '[]', 'all_or_nothing', 0,
               TIMESTAMPTZ '2026-01-11' + (1 + i % 4) * INTERVAL '60 days', TIMESTAMPTZ '2026-01-11' + (1 + i % 4) * INTERVAL '60 days',
               false, i % 11, 10, true
        FROM generate_series(1, {EMPLOYEES}, 3) i""",
    """INSERT INTO live_event (id, code, title, host_id, status, stage, teams_from_units, base_points, streak_bonus,
                              buzz_penalty, buzz_pass, version, created_at, rules)
       VALUES (1, 'BENCHFINAL', '决赛', 1, 'finished', 'podium', true, 1000, 0, 0, true, 1, TIMESTAMPTZ '2026-09-20', '{}')""",
    f"""INSERT INTO live_player (event_id, user_id, device, streak, joined_at)
        SELECT 1, i, 'bench', 0, TIMESTAMPTZ '2026-09-20' FROM generate_series(1, {EMPLOYEES}, {max(1, EMPLOYEES // 300)}) i""",
    # classroom sessions: 2,000 in the departments, each person signed in to three of them
    """INSERT INTO classroom_session (id, title, unit_id, place, starts_at, ends_at, capacity, hours, created_at,
                                      tier, description, open_registration)
       SELECT s, '面授' || s, 22 + s % 1980, '', TIMESTAMPTZ '2026-01-05' + s * INTERVAL '3 hours',
              TIMESTAMPTZ '2026-01-05' + s * INTERVAL '3 hours' + INTERVAL '2 hours', 500, 3, now(),
              (ARRAY['all-staff','practitioner','expert','leadership'])[1 + s % 4], '', false
       FROM generate_series(1, 2000) s""",
    f"""INSERT INTO session_seat (session_id, user_id, waiting, registered_at, signed_in_at, hours, pending, assigned)
        SELECT 1 + (i * 3 + k) % 2000, i, false, TIMESTAMPTZ '2026-01-02',
               TIMESTAMPTZ '2026-01-05' + ((i + k) % 300) * INTERVAL '1 day', CASE WHEN (i + k) % 7 = 0 THEN 2 ELSE 3 END,
               false, true
        FROM generate_series(1, {EMPLOYEES}) i, generate_series(0, 2) k""",
    f"""INSERT INTO external_record (user_id, kind, title, issuer, number, started_on, ended_on, expires_on, claimed_hours,
                                    scan_file, scan_type, scan_name, scan_size, state, hours, reason, submitted_at)
        SELECT i, (ARRAY['cqe','internal-auditor','black-belt','metrology','other'])[1 + i % 5], '外部培训', '机构', '',
               DATE '2026-02-01' + i % 200, DATE '2026-02-03' + i % 200, NULL, 24, 'x.pdf', 'application/pdf', 'x.pdf', 1,
               CASE WHEN i % 8 = 0 THEN 'pending' ELSE 'approved' END, CASE WHEN i % 8 = 0 THEN NULL ELSE 24 END, '', now()
        FROM generate_series(1, {EMPLOYEES}, 4) i""",
    "ANALYZE",
]


def _median(work: Callable[[], object], runs: int = 5) -> float:
    work()  # warm the caches once
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    try:
        create_engine(URL.replace("postgresql://", "postgresql+psycopg://")).connect().close()
    except OperationalError:
        print(f"skipped: no PostgreSQL at {URL} (set BENCH_DATABASE_URL)")
        return
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": URL})
    with app.app_context():
        if REUSE and db.session.execute(text("SELECT to_regclass('user_account')")).scalar_one():
            db.create_all()  # tables added since the data was generated
            print("reusing the generated data (BENCH_REUSE)")
        else:
            db.drop_all()
            db.create_all()
            start = time.perf_counter()
            for statement in GENERATE:
                db.session.execute(text(statement))
            db.session.commit()
            print(f"generated in {time.perf_counter() - start:.1f} s")
        counts = {t: db.session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
                  for t in ("org_unit", "user_account", "assignment_target", "enrollment", "lesson_progress", "training_credit",
                            "quiz_attempt", "certificate", "live_player", "session_seat", "external_record")}
        print(", ".join(f"{k} {v:,}" for k, v in counts.items()))
        # the generator writes the sources directly, as an old database would hold them: fill the
        # report's status table the way the migration's backfill and `flask reports rebuild` do
        start = time.perf_counter()
        filled = course_status.rebuild()
        db.session.commit()
        db.session.execute(text("ANALYZE learner_course_status"))
        db.session.commit()
        print(f"status table rebuilt in {time.perf_counter() - start:.1f} s: {filled:,} rows")

        root, subsidiary = db.session.get(OrgUnit, 1), db.session.get(OrgUnit, 2)
        assert root is not None
        assert subsidiary is not None
        shanghai = ZoneInfo("Asia/Shanghai")  # the report counts calendar years in the display time zone
        year = (datetime(2026, 1, 1, tzinfo=shanghai), datetime(2027, 1, 1, tzinfo=shanghai))

        def report(unit: OrgUnit) -> Callable[[], object]:
            return lambda: reports.completion_by_unit(unit, today=TODAY, year_start=year[0], year_end=year[1])

        baseline = _median(lambda: db.session.execute(text("SELECT count(*) FROM assignment_target")).scalar_one())
        at_root = _median(report(root))
        at_sub = _median(report(subsidiary))
        rows = report(root)()
        print(f"baseline: count(*) over {counts['assignment_target']:,} assigned rows  {1000 * baseline:8.1f} ms")
        print(f"completion report at the root ({len(rows) - 1} subsidiaries)  {1000 * at_root:8.1f} ms   ×{at_root / baseline:5.1f} of baseline")
        print(f"completion report at a subsidiary ({DEPARTMENTS} depts)   {1000 * at_sub:8.1f} ms   ×{at_sub / baseline:5.1f} of baseline")
        print(f"root totals: assigned {rows[0].assigned:,}, completed {rows[0].completed:,}, overdue {rows[0].overdue:,}")
        print(f"root: exam score {rows[0].exam_score:.1f}, certificates {rows[0].certificates:,}, "
              f"expiring within 90 days {rows[0].expiring:,}")
        print(f"root 2026 hours: online {rows[0].online_hours:,.0f}, classroom {rows[0].classroom_hours:,.0f}, "
              f"external {rows[0].external_hours:,.0f}")
        in_root = select(OrgUnit.id).where(within([root.path]))
        by_source = _median(lambda: training_hours.per_unit(in_root, year[0], year[1]))
        from_sources = _median(lambda: training_hours.per_unit_from_sources(in_root, year[0], year[1]))
        by_tier = _median(lambda: training_hours.per_tier(root, year[0], year[1]))
        print(f"hours by unit and source, root (in the report)   {1000 * by_source:8.1f} ms   ×{by_source / baseline:5.1f} of baseline")
        print(f"  … the same read from the sources, not the kept   {1000 * from_sources:8.1f} ms   ×{from_sources / baseline:5.1f} of baseline")
        print(f"hours by tier and source, root (report page)     {1000 * by_tier:8.1f} ms   ×{by_tier / baseline:5.1f} of baseline")
        zone = ZoneInfo("Asia/Shanghai")
        figures = reports.leadership_summary(root, reports.Period(2026), zone=zone).current
        print(f"root 2026: competition participants {figures.competition_participants:,} "
              f"({100 * figures.competition_participation:.1f}%), competitions held {figures.competitions_held}")
        for label, work in (
                ("completions per week (12 weeks), root", lambda: reports.completions_by_week(root, last_day=TODAY, zone=zone)),
                ("tier coverage, root", lambda: reports.tier_coverage(root)),
                ("tier coverage, a subsidiary", lambda: reports.tier_coverage(subsidiary)),
                ("leadership summary 2026 vs 2025, root", lambda: reports.leadership_summary(root, reports.Period(2026), zone=zone)),
                ("leadership summary 2026-Q3, a subsidiary",
                 lambda: reports.leadership_summary(subsidiary, reports.Period(2026, 3), zone=zone))):
            print(f"{label:<44} {1000 * _median(work, runs=3):8.1f} ms")

        columns = [exports.Column("工号", 12), exports.Column("姓名", 12), exports.Column("所在单位", 36),
                   exports.Column("课程", 30), exports.Column("截止日期", 12, "date"), exports.Column("逾期天数", 10)]

        written = [0]

        def export_rows(limit: int = 100_000):  # type: ignore[no-untyped-def]
            written[0] = 0
            for n, r in enumerate(reports.overdue(root, today=TODAY), start=1):
                if n > limit:
                    return
                written[0] = n
                yield [r.employee_no, r.name, r.unit, r.course, r.due_on, r.days]

        start = time.perf_counter()
        size = len(exports.write_xlsx("逾期名单", columns, export_rows()))
        elapsed = time.perf_counter() - start
        tracemalloc.start()
        exports.write_xlsx("逾期名单", columns, export_rows())
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"XLSX export of {written[0]:,} overdue rows (at most 100,000): {elapsed:.1f} s, {size / 1e6:.1f} MB file, "
              f"peak Python memory {peak / 1e6:.0f} MB (tracemalloc, second run)")


if __name__ == "__main__":
    main()
