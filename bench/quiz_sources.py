"""Serving the published banks: ``python -m bench.quiz_sources``.

Every page that names a quiz asks for the banks and exams. They come from the database
(``content sync``), parsed once per process and content version; before, each server read
``quiz/`` from its own disk and checked every file's modification time on each call. Both
are measured in the same run on the real curricula, and the ratio is printed:

* warm: one call as a request makes it, when the process already holds the version;
* cold: the first call after a sync, which parses every published bank and exam.

``BENCH_DATABASE_URL`` runs it on PostgreSQL instead of a temporary SQLite file.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from academy import create_app
from academy.assessment.services import quiz_sources, quizzes
from academy.content.exams import load_exams
from academy.content.library import load_library
from academy.content.quizbank import load_banks
from academy.content.quizzes import load_sources
from academy.database import db
from academy.learning.services import content_sync
from academy.models import QuizSource

ROOT = Path(__file__).resolve().parent.parent


def per_call(work: Callable[[], object], seconds: float = 1.0) -> float:
    """Seconds per call, the median of five timed runs of about ``seconds`` / 5 each."""
    runs = []
    for _ in range(5):
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 5:
            work()
            count += 1
        runs.append((time.perf_counter() - start) / count)
    return sorted(runs)[2]


def main() -> int:
    folder = tempfile.mkdtemp(prefix="qs-bench-")
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    quiz_root = app.config["QUIZ_ROOT"]
    with app.app_context():
        db.drop_all()
        db.create_all()
        content_sync.sync(load_library(app.config["COURSES_ROOT"], quiz_root))
        rows = db.session.query(QuizSource).filter(QuizSource.retired.is_(False)).all()
        banks = sum(r.kind == "bank" for r in rows)

        def from_database() -> object:
            with app.test_request_context("/"):  # a request reads the content version once
                return quizzes.sources()

        def from_disk() -> object:
            with app.test_request_context("/"):  # the same request around it, so only the lookup differs
                return load_sources(quiz_root)

        from_database()
        from_disk()
        warm_db, warm_disk = per_call(from_database), per_call(from_disk)
        cold_db = per_call(lambda: quiz_sources.parse(rows), 3.0)
        cold_disk = per_call(lambda: (load_banks(quiz_root), load_exams(quiz_root)), 3.0)
    print(f"{banks} banks, {len(rows) - banks} exams, database {url.split(':')[0]}")
    print(f"warm call:  database {warm_db * 1e6:8.1f} µs   disk (baseline) {warm_disk * 1e6:8.1f} µs   "
          f"ratio {warm_db / warm_disk:5.2f}")
    print(f"cold parse: database {cold_db * 1e3:8.1f} ms   disk (baseline) {cold_disk * 1e3:8.1f} ms   "
          f"ratio {cold_db / cold_disk:5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
