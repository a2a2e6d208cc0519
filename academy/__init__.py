"""QS Academy: quality and standardization training for large enterprises."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel import Locale
from flask import Flask, current_app, g, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from academy.config import ROOT
from academy.extensions import babel, csrf, db, login_manager, migrate

DOWNLOADS = {"application/pdf", "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _database_url(url: str) -> str:
    """Accept the usual ``postgres://`` spellings and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"), instance_relative_config=True)
    app.config.from_object("academy.config.Defaults")
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    app.config.update(overrides or {})
    app.config["SQLALCHEMY_DATABASE_URI"] = _database_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("SECRET_KEY"):
        key_file = Path(app.instance_path) / "secret_key"
        if key_file.exists():
            app.config["SECRET_KEY"] = key_file.read_text().strip()
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("Set FLASK_SECRET_KEY (or run `make run`, which generates instance/secret_key)")
    app.config["COURSES_ROOT"] = Path(app.config["COURSES_ROOT"])
    app.config["QUIZ_ROOT"] = Path(app.config["QUIZ_ROOT"])
    app.wsgi_app = _stamp_receipt(app.wsgi_app)  # type: ignore[method-assign]
    if app.config.get("TRUSTED_PROXIES"):
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    _private_instance(app)
    db.init_app(app)
    _tune_sqlite(app)
    from academy.people.services import status_keeper

    status_keeper.install(db.session)  # the report's status tables follow every write, whoever makes it
    migrate.init_app(app, db, render_as_batch=True, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: app.config["DISPLAY_TIMEZONE"],
                   default_translation_directories=str(ROOT / "translations"))
    _setup_login(app)
    _register_blueprints(app)
    _register_template_helpers(app)

    from academy import cli

    cli.register(app)
    return app


def _stamp_receipt(wsgi_app: Any) -> Any:
    """Note when each request reached the app, before sessions, users or the database are read.

    Live finals judge deadlines by this time, so an answer that arrived in time counts
    even when the worker was busy with other requests.
    """

    def stamped(environ: dict[str, Any], start_response: Any) -> Any:
        environ["academy.received"] = time.time()
        return wsgi_app(environ, start_response)

    return stamped


def _private_instance(app: Flask) -> None:
    """instance/ holds the secret key and the laptop database: readable by the owner only."""
    folder = Path(app.instance_path)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_uid == os.getuid():
        folder.chmod(0o700)
    from werkzeug.serving import WSGIRequestHandler

    # the development server names its version in every response; a probe learns nothing from "QS Academy"
    setattr(WSGIRequestHandler, "version_string", lambda _handler: "QS Academy")  # noqa: B010 - a class attribute


def _tune_sqlite(app: Flask) -> None:
    """WAL lets readers work while one writer commits, and NORMAL sync stays safe in WAL mode."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        return
    from sqlalchemy import event

    with app.app_context():
        @event.listens_for(db.engine, "connect")
        def pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()
            for suffix in ("", "-wal", "-shm"):
                file = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///") + suffix)
                if file.exists() and file.stat().st_uid == os.getuid():
                    file.chmod(0o600)


def format_hours(value: float | int | None) -> str:
    """Training hours as people write them: 4, 2.5 (never 4.0)."""
    number = round(float(value or 0), 1)
    return str(int(number)) if number.is_integer() else str(number)


def _select_locale() -> Locale:
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return _parsed(str(current_user.locale))
    chosen = session.get("lang")
    if chosen in languages:
        return _parsed(str(chosen))
    return _parsed(str(current_app.config["BABEL_DEFAULT_LOCALE"]))


@functools.cache
def _parsed(identifier: str) -> Locale:
    # Babel checks a name against every locale it knows on each parse: half a millisecond per page
    return Locale.parse(identifier)


def _setup_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from academy.models import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from academy.people.services import sessions

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        token = session.get("_sid")  # the server-side session: ended, idle or too old means signed out
        if not user_id.isdigit() or not isinstance(token, str):
            return None
        return sessions.signed_in_user(token, int(user_id))

    @app.before_request
    def password_first() -> Any:
        """Someone whose password was reset by HR or an admin chooses their own before anything else."""
        from flask import redirect, request, url_for

        endpoint = request.endpoint or ""
        # health checks and the live answer path (Redis only) load no user, and this must not make them
        if (endpoint in ("static", "errors.health", "live.answer") or endpoint.startswith("auth.")
                or not current_user.is_authenticated or not current_user.must_change_password):
            return None
        return redirect(url_for("auth.change_password"), code=303)


def _register_blueprints(app: Flask) -> None:
    from academy.assessment.views import accommodations, certificates, integrity, quizzes
    from academy.competitions.views import competitions, live
    from academy.learning.views import courses, evaluations, external_training, plans, training
    from academy.people.views import admin, auth, hr, me, privacy, sso, trainers, twofactor
    from academy.web import errors

    for blueprint in (auth.bp, sso.bp, twofactor.bp, privacy.bp, courses.bp, me.bp, admin.bp, hr.bp, quizzes.bp, certificates.bp, competitions.bp,
                      live.bp, training.bp, external_training.bp, accommodations.bp, integrity.bp, evaluations.bp,
                      trainers.bp, plans.bp,
                      errors.bp):
        app.register_blueprint(blueprint)


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import format_datetime, get_locale
    from flask_babel import lazy_gettext as _l
    from sqlalchemy import select
    from sqlalchemy.orm.attributes import set_committed_value

    from academy import access, tiers
    from academy.database import read
    from academy.forms import EmptyForm, LanguageForm
    from academy.models import User, UserRole
    from academy.people.services import notices

    roles = {"learner": _l("Learner"), "hr": _l("HR"), "author": _l("Author"), "host": _l("Host"), "admin": _l("Administrator")}

    def roles_for_header() -> None:
        """Most people are learners: one column read that finds no role spares the header's lazy load
        of the roles (the ORM's slowest read on a page). Pages only: polls and the answer path never ask."""
        user = current_user._get_current_object() if current_user.is_authenticated else None  # type: ignore[attr-defined]
        if isinstance(user, User) and "roles" not in user.__dict__ and read(
                select(UserRole.id).where(UserRole.user_id == user.id).limit(1)).first() is None:
            set_committed_value(user, "roles", [])

    @app.context_processor
    def helpers() -> dict[str, Any]:
        roles_for_header()
        chosen = get_locale()
        locale = "en" if chosen is not None and chosen.language == "en" else "zh_CN"
        return {
            "access": access, "logout_form": EmptyForm, "language_form": LanguageForm,
            "current_locale": locale,
            "tier_name": tiers.label, "tier_audience": tiers.audience, "tier_order": tiers.TIER_ORDER,
            "role_name": lambda role: roles.get(role, role),
            "course_title": lambda course: course.title_en if locale == "en" and course.title_en else course.title,
            "unread_notices": lambda: notices.unread_count(current_user) if current_user.is_authenticated else 0,
            # a label's colon: full-width in Chinese, ASCII and a space in English
            "colon": "：" if locale == "zh_CN" else ": ",
        }

    app.jinja_env.filters["hours"] = format_hours
    from academy.metrics import defined, metric
    from academy.people.views.import_messages import translated

    app.jinja_env.globals.update(metric=metric, metrics_defined=defined)

    app.jinja_env.filters["import_reason"] = translated
    from academy.content.render import render, render_inline

    app.jinja_env.globals.update(markdown=lambda text, version="": render(text, version).html,
                                 markdown_inline=render_inline)
    app.jinja_env.filters["localtime"] = lambda value, fmt="yyyy-MM-dd HH:mm": format_datetime(value, fmt) if value else ""

    from academy.web import external_url

    app.jinja_env.globals["external_url"] = external_url

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        from flask import request

        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype in ("text/html", "image/svg+xml"):  # documents only: a phone's polls stay small
            response.headers.setdefault("Content-Security-Policy", app.config["CONTENT_SECURITY_POLICY"])
        if request.is_secure and app.config["HSTS_SECONDS"]:
            response.headers.setdefault("Strict-Transport-Security", f"max-age={int(app.config['HSTS_SECONDS'])}")
        # a signed-in person's pages, PDFs and exports are theirs: no shared cache or back-button copy keeps them;
        # a response that chose its own caching (live polls with ETags, static files) keeps its choice
        downloaded = response.mimetype in DOWNLOADS  # send_file marks these "no-cache", which still stores them
        # a page that never looked at the user (health checks, say) is not made to load one here
        viewer = g.get("_login_user")
        signed_in = viewer is not None and viewer.is_authenticated
        if (request.endpoint != "static" and ("Cache-Control" not in response.headers or downloaded)
                and (signed_in or request.path.startswith("/hr/"))):
            response.headers["Cache-Control"] = "no-store"
        return response

