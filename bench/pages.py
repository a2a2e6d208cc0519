"""Lesson page cost against a minimal endpoint, in one process, same run.

Prints requests/s for /healthz (the baseline), the catalog and a lesson page with the
render cache warm, and each page's cost as a multiple of the baseline.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from academy import create_app
from academy.config import ROOT
from academy.content.library import load_library
from academy.database import db
from academy.models import Course, User
from academy.services import content_sync
from bench import signed_in


def _rate(client, path: str, seconds: float = 2.0) -> float:  # type: ignore[no-untyped-def]
    client.get(path)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        count += 1
    return count / (time.perf_counter() - start)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'b.sqlite'}"})
        with app.app_context():
            db.create_all()
            content_sync.sync(load_library(ROOT / "courses", ROOT / "quiz"))
            db.session.add(User(employee_no="B1", name="基准"))
            db.session.commit()
            course = db.session.execute(select(Course).where(Course.retired.is_(False))).scalars().first()
            lesson = f"/courses/{course.slug}/{course.live_lessons[0].slug}" if course else "/courses"
            keys = signed_in(1)
        client = app.test_client()
        with client.session_transaction() as session:
            session.update(keys)
        base = _rate(client, "/healthz")
        print(f"baseline /healthz            {base:8.0f} req/s")
        for label, path in (("catalog /courses", "/courses"), (f"lesson {lesson}", lesson)):
            rate = _rate(client, path)
            print(f"{label:<28} {rate:8.0f} req/s   cost ×{base / rate:5.1f} of baseline")


if __name__ == "__main__":
    main()
