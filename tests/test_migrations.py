"""The migrations build the same schema as the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text

from academy.content.library import load_library
from academy.database import db
from academy.learning.services import content_sync
from academy.models import Course

from .conftest import FIXTURES, make_app


def _diff_after_upgrade(url: str) -> list[object]:
    app = make_app(SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        db.engine.dispose()
    return list(diff)


def test_migrations_match_models_on_sqlite(tmp_path: Path) -> None:
    assert _diff_after_upgrade(f"sqlite:///{tmp_path / 'migrated.sqlite'}") == []


@pytest.fixture
def scratch_postgres(postgres_server: str) -> str:
    name = f"qs_migrate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    yield url  # type: ignore[misc]
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_migrations_match_models_on_postgresql(scratch_postgres: str) -> None:
    assert _diff_after_upgrade(scratch_postgres) == []


def _backfill_matches_rebuild(url: str) -> None:
    """0007 fills the report's status tables of a database that already has progress."""
    from flask_migrate import downgrade

    from academy.learning.services import progress
    from academy.models import TargetKind
    from academy.people.services import accounts, assignments, org

    from .support.status import snapshot

    app = make_app(SQLALCHEMY_DATABASE_URI=url, COURSES_ROOT=FIXTURES / "courses")
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade()
        content_sync.sync(load_library(app.config["COURSES_ROOT"], app.config["QUIZ_ROOT"]))
        unit = org.create_unit("集团")
        people = [accounts.create_user(f"E{i}", "员工", org_unit=unit) for i in range(3)]
        course = db.session.execute(select(Course).where(Course.slug == "second-course")).scalar_one()
        assignments.create_assignment(title="a", courses=[course], target_kind=TargetKind.UNIT, unit=unit)
        progress.complete_lesson(people[0], course.live_lessons[0])
        progress.open_lesson(people[1], course.live_lessons[0])
        accounts.set_active(people[2], False)
        kept = snapshot()
        assert len(kept[0]) == 3
        db.session.rollback()  # the migration's connection must not wait for this one
        downgrade(revision="0006")
        upgrade()
        db.session.expire_all()
        assert snapshot() == kept
        db.session.remove()
        db.engine.dispose()


def test_backfill_on_sqlite(tmp_path: Path) -> None:
    _backfill_matches_rebuild(f"sqlite:///{tmp_path / 'backfill.sqlite'}")


def test_backfill_on_postgresql(scratch_postgres: str) -> None:
    _backfill_matches_rebuild(scratch_postgres)
