"""Fixtures from the app factory. The suite runs on in-memory SQLite, and on PostgreSQL
when TEST_DATABASE_URL is set (`make test` does both in CI)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import text
from werkzeug.routing.rules import Rule
from werkzeug.test import TestResponse

from academy import create_app, realtime
from academy.content.library import load_library
from academy.database import db
from academy.learning.services import content_sync
from academy.models import OrgUnit, Role, User, UserRole
from academy.people.services import org
from academy.people.services.accounts import hash_password

FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "correct-horse-42"  # noqa: S105 - test accounts only


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets a database of its own on the same server, made on first use."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{base.database}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


# The suite's own database: in-memory SQLite, or PostgreSQL when TEST_DATABASE_URL is set.
TEST_DATABASE_URL = _worker_database(os.environ.get("TEST_DATABASE_URL", ""))
# A PostgreSQL server for the few tests that make scratch databases of their own; `make test` passes it
# to the SQLite run too, so those tests run in both. Without one they skip and say why.
POSTGRES_SERVER_URL = os.environ.get("TEST_POSTGRES_URL") or os.environ.get("TEST_DATABASE_URL", "")
_schema_ready: set[str] = set()
_HASH = hash_password(PASSWORD)  # scrypt is slow on purpose: hash the shared test password once


# Emptying every table costs about 150 ms (TRUNCATE makes new files for each); a test writes to a
# few. This empties only the tables that hold rows and restarts every sequence that was used, which
# leaves the database as a fresh schema would be, in one round trip.
_EMPTY_POSTGRES = """
CREATE OR REPLACE FUNCTION qs_test_empty(tables text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  name text;
  filled text[] := '{}';
  has_rows boolean;
  used record;
BEGIN
  FOREACH name IN ARRAY tables LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', name) INTO has_rows;
    IF has_rows THEN
      filled := filled || format('%I', name);
    END IF;
  END LOOP;
  IF cardinality(filled) > 0 THEN
    EXECUTE 'TRUNCATE ' || array_to_string(filled, ', ') || ' CASCADE';
  END IF;
  FOR used IN SELECT schemaname, sequencename FROM pg_sequences
              WHERE schemaname = current_schema() AND last_value IS NOT NULL LOOP
    PERFORM setval(format('%I.%I', used.schemaname, used.sequencename), 1, false);
  END LOOP;
END $$
"""


def _reset_postgres() -> None:
    """Schema once per run, then an empty database per test."""
    url = str(db.engine.url)
    if url not in _schema_ready:
        db.drop_all()
        db.create_all()
        db.session.execute(text(_EMPTY_POSTGRES))
        _schema_ready.add(url)
    db.session.execute(text("SELECT qs_test_empty(:tables)"), {"tables": [t.name for t in db.metadata.sorted_tables]})
    db.session.commit()


_sqlite_schema: sqlite3.Connection | None = None


def _reset_sqlite() -> None:
    """The empty schema in the app's own in-memory database. CREATE TABLE runs once per worker;
    every later app gets a copy of that empty database through SQLite's backup API (about 1 ms)."""
    global _sqlite_schema
    if _sqlite_schema is None:
        db.create_all()
    raw = db.engine.raw_connection()
    try:
        connection = raw.driver_connection
        assert isinstance(connection, sqlite3.Connection)
        if _sqlite_schema is None:
            _sqlite_schema = sqlite3.connect(":memory:", check_same_thread=False)
            connection.backup(_sqlite_schema)
        else:
            _sqlite_schema.backup(connection)
    finally:
        raw.close()


_builders: dict[tuple[object, ...], Callable[..., tuple[str, str]]] = {}
_compile_builder = Rule._compile_builder


def _shared_builder(rule: Rule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
    """Werkzeug compiles a URL builder for every rule of every app (two thirds of building an app);
    the suite builds a thousand apps with the same rules. The builder is a plain function of the
    rule's text, arguments and defaults (its converters are looked up on the rule when it runs),
    so one compiled function serves every app's copy of the rule."""
    defaults = rule.defaults or {}
    if any(dynamic and part in defaults for dynamic, part in rule._trace):
        return _compile_builder(rule, append_unknown)  # a default folded into the URL: not shared
    key = (rule.rule, tuple(rule._trace), tuple(defaults), append_unknown)
    if key not in _builders:
        _builders[key] = _compile_builder(rule, append_unknown)
    return _builders[key]


Rule._compile_builder = _shared_builder  # type: ignore[method-assign,assignment]


class _SharedTemplates(BytecodeCache):
    """Every test app has a Jinja environment of its own, so each would parse and compile the same
    templates again (a third of a typical page test). Apps built by ``create_app`` share one set of
    options, so the compiled code is the same for all: kept once per worker, and checked against
    the template's source each time it is loaded."""

    def __init__(self) -> None:
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.codes.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


_templates = _SharedTemplates()
_apps: list[Flask] = []


@pytest.fixture(autouse=True)
def _close_apps() -> Iterator[None]:
    """Every app a test builds gives its database connections back when the test ends."""
    yield
    while _apps:
        app = _apps.pop()
        realtime.shutdown(app)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def make_app(**overrides: object) -> Flask:
    config: dict[str, object] = {
        "TESTING": True, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL or "sqlite://",
        "COURSES_ROOT": FIXTURES / "courses", "QUIZ_ROOT": FIXTURES / "quiz",
        "LOGIN_MAX_FAILURES": 3, "LOGIN_LOCK_MINUTES": 15,
        # the second factor has tests of its own (test_two_factor.py); elsewhere HR and admins sign in with a password
        "TWO_FACTOR_ROLES": (),
        "PRIVACY_NOTICE_VERSION": 0,  # likewise the privacy notice (test_privacy.py): no notice is new to anyone
        "SCAN_FOLDER": tempfile.mkdtemp(prefix="qs-scans-"),  # uploaded scans never land in the worktree
    }
    config.update(overrides)
    app = create_app(config)
    app.jinja_env.bytecode_cache = _templates
    _apps.append(app)
    with app.app_context():
        if TEST_DATABASE_URL and str(config["SQLALCHEMY_DATABASE_URI"]).startswith("postgres"):
            _reset_postgres()
        elif config["SQLALCHEMY_DATABASE_URI"] == "sqlite://":
            _reset_sqlite()
        else:
            db.create_all()
    return app


@pytest.fixture
def app() -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def synced(app: Flask) -> Flask:
    """The fixture curricula, banks and exams published to the database."""
    return publish(app)


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A copy of the fixture courses/ and quiz/ folders that a test may edit (their parent folder)."""
    shutil.copytree(FIXTURES / "courses", tmp_path / "courses")
    shutil.copytree(FIXTURES / "quiz", tmp_path / "quiz")
    return tmp_path


def publish(app: Flask) -> Flask:
    """What ``flask content sync`` does: the app's courses/ and quiz/ folders published to its database."""
    with app.app_context():
        content_sync.sync(load_library(app.config["COURSES_ROOT"], app.config["QUIZ_ROOT"]))
    return app


@pytest.fixture
def make_unit(app: Flask) -> Callable[..., OrgUnit]:
    def make(name: str, parent: OrgUnit | None = None) -> OrgUnit:
        with app.app_context():
            parent_row = db.session.get(OrgUnit, parent.id) if parent else None
            unit = org.create_unit(name, parent=parent_row)
            db.session.refresh(unit)
            db.session.expunge(unit)
        return unit
    return make


@pytest.fixture
def make_tree(make_unit: Callable[..., OrgUnit]) -> Callable[..., dict[str, OrgUnit]]:
    """An org tree from paths below the group: ``make_tree("华东公司/质量部", "西南公司")`` gives
    集团 with 华东公司 (and its 质量部) and 西南公司, keyed by name; the root is also under "group"."""
    def make(*paths: str, root: str = "集团") -> dict[str, OrgUnit]:
        units = {root: make_unit(root)}
        units["group"] = units[root]
        for path in paths:
            parent = units[root]
            for name in path.split("/"):
                if name not in units:
                    units[name] = make_unit(name, parent)
                parent = units[name]
        return units
    return make


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(employee_no: str | None = None, *, name: str = "张三明", email: str | None = None,
             roles: tuple[Role, ...] = (), scope: OrgUnit | None = None, unit: OrgUnit | None = None,
             password: str = PASSWORD, active: bool = True) -> User:
        number = employee_no or f"E{next(counter):05d}"
        with app.app_context():
            hashed = _HASH if password == PASSWORD else hash_password(password)
            user = User(employee_no=number, name=name, email=email or f"{number.lower()}@example.com",
                        org_unit_id=unit.id if unit else None, password_hash=hashed, active=active)
            for role in roles:
                user.roles.append(UserRole(role=role, scope_unit_id=scope.id if scope and role == Role.HR else None))
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user
    return make


def log_in(client: FlaskClient, user: User) -> None:
    """Sign ``client`` in as ``user`` without the login form: a server-side session row and its cookie."""
    import secrets

    from academy.models import LoginSession
    from academy.people.services.sessions import mirror, token_key

    token = secrets.token_urlsafe(32)
    with client.application.app_context():
        if db.session.get(User, user.id) is not None:  # some tests sign in as someone who does not exist
            db.session.add(LoginSession(id=token_key(token), user_id=user.id, method="test"))
            db.session.commit()
            mirror(token_key(token), user.id)
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session["_sid"] = token


# --- a real server and a real browser, for the journeys an issue names ------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-gpu"]


class LiveServer:
    def __init__(self, app: Flask) -> None:
        import threading

        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture
def live_app(tmp_path: Path) -> Flask:
    """An app on a file database (threads share it) with CSRF on, as in production."""
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'live.sqlite'}"
    app = make_app(SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=True)
    with app.app_context():
        content_sync.sync(load_library(app.config["COURSES_ROOT"], app.config["QUIZ_ROOT"]))
    return app


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(live_app)
    yield server
    server.stop()


# Every console message about the Content-Security-Policy, from every page of every browser test
CSP_VIOLATIONS: list[str] = []


class _WatchedBrowser:
    """The browser, with each new page reporting Content-Security-Policy violations to ``CSP_VIOLATIONS``."""

    def __init__(self, chromium: object) -> None:
        self._chromium = chromium

    def __getattr__(self, name: str) -> object:
        return getattr(self._chromium, name)

    def new_context(self, **options: object) -> object:
        context = self._chromium.new_context(**options)  # type: ignore[attr-defined]

        def watch(page: object) -> None:
            page.on("console", lambda message: CSP_VIOLATIONS.append(f"{page.url}: {message.text}")  # type: ignore[attr-defined]
                    if "Content Security Policy" in message.text else None)

        context.on("page", watch)
        return context


@pytest.fixture(autouse=True)
def _no_csp_violations() -> Iterator[None]:
    """A browser test that made the page break its own Content-Security-Policy fails."""
    seen = len(CSP_VIOLATIONS)
    yield
    assert CSP_VIOLATIONS[seen:] == []


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield _WatchedBrowser(chromium)
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    yield page
    context.close()


def browser_log_in(page: object, server: LiveServer, employee_no: str, password: str = PASSWORD) -> None:
    page.goto(f"{server.url}/login")  # type: ignore[attr-defined]
    page.fill("input[name=identifier]", employee_no)  # type: ignore[attr-defined]
    page.fill("input[name=password]", password)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(lambda url: not url.startswith(f"{server.url}/login"))  # type: ignore[attr-defined]  # each role has its own home


def passed_final_exam(app: Flask, user: User, course: str = "sample-course") -> None:
    """Record a passed final exam, for tests about what happens after it."""
    from datetime import UTC, datetime

    from academy.models import Attempt

    with app.app_context():
        db.session.add(Attempt(user_id=user.id, quiz_key=f"final/{course}", paper=[], passed=True,
                               score=3, max_score=3, submitted_at=datetime.now(UTC)))
        db.session.commit()


# --- a private Redis, started for the session ---------------------------------------------------

REDIS_SERVER = "/usr/bin/redis-server"  # Debian package redis-server (make browser-deps)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """Its own redis-server on a free port, no persistence: the shared 6379 is never touched."""
    import socket
    import subprocess
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    process = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        for _ in range(200):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.025)
        else:
            raise RuntimeError("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def redis_app(redis_url: str) -> Flask:
    """An app with Redis configured; counters and notices from earlier tests are wiped."""
    import redis

    connection = redis.Redis.from_url(redis_url)
    connection.flushall()
    connection.close()
    return make_app(REDIS_URL=redis_url, LIVE_STREAMS=True)


@pytest.fixture
def postgres_server() -> str:
    """The URL of a PostgreSQL server to make scratch databases on."""
    if not POSTGRES_SERVER_URL:
        pytest.skip("needs a PostgreSQL server: set TEST_DATABASE_URL (make test does in CI)")
    return POSTGRES_SERVER_URL.replace("postgresql://", "postgresql+psycopg://", 1)


# --- markers: `pytest -m "not slow"` leaves out the real browser, LibreOffice and server processes ----

_SLOW_FIXTURES = {"browser", "page", "live_server", "live_app"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & {"browser", "page"}:
            item.add_marker(pytest.mark.browser)
        if fixtures & {"postgres_server"}:
            item.add_marker(pytest.mark.postgres)
        if fixtures & _SLOW_FIXTURES or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


def confirm_assignment(client: FlaskClient, data: dict[str, object]) -> TestResponse:
    """Post the guided assignment form as HR does: count the reach first, then confirm that count."""
    shown = client.post("/hr/assignments", data={**data, "step": "preview"})
    if shown.status_code != 200:
        return shown
    seen = re.search(r'name="reach_seen" type="hidden" value="(\d+)"', shown.get_data(as_text=True))
    assert seen, "the preview shows the reach before saving"
    return client.post("/hr/assignments", data={**data, "step": "save", "reach_seen": seen.group(1)})
