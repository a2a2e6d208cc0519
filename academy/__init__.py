"""QS Academy: quality and standardization training for large enterprises."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import ROOT
from .extensions import babel, csrf, db, login_manager, migrate


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

    db.init_app(app)
    _tune_sqlite(app)
    migrate.init_app(app, db, render_as_batch=True, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=_select_locale, timezone_selector=lambda: app.config["DISPLAY_TIMEZONE"],
                   default_translation_directories=str(ROOT / "translations"))
    _setup_login()
    _register_blueprints(app)
    _register_template_helpers(app)

    from . import cli

    cli.register(app)
    return app


def _stamp_receipt(wsgi_app: Any) -> Any:
    """Note when each request reached the app, before sessions, users or the database are read.

    Live finals judge deadlines by this time, so an answer that arrived in time counts
    even when the worker was busy with other requests.
    """
    from . import loadlag

    def stamped(environ: dict[str, Any], start_response: Any) -> Any:
        environ["academy.received"] = time.time()
        loadlag.ensure_started()
        return wsgi_app(environ, start_response)

    return stamped


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


def format_hours(value: float | int | None) -> str:
    """Training hours as people write them: 4, 2.5 (never 4.0)."""
    number = round(float(value or 0), 1)
    return str(int(number)) if number.is_integer() else str(number)


def _select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def _setup_login() -> None:
    from flask_babel import lazy_gettext as _l

    from .models import User

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from sqlalchemy.orm import lazyload

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # roles load when a page asks for them: a live final's phones never do, and at hall
        # scale that second query per request was a quarter of a worker's time
        user = db.session.get(User, int(user_id), options=[lazyload(User.roles)]) if user_id.isdigit() else None
        return user if user is not None and user.active else None


def _register_blueprints(app: Flask) -> None:
    from .web import admin, auth, certificates, competitions, courses, errors, hr, live, me, quizzes

    for blueprint in (auth.bp, courses.bp, me.bp, admin.bp, hr.bp, quizzes.bp, certificates.bp, competitions.bp, live.bp,
                      errors.bp):
        app.register_blueprint(blueprint)


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import format_datetime, get_locale
    from flask_babel import lazy_gettext as _l

    from . import access, tiers
    from .forms import EmptyForm, LanguageForm
    from .services import notices

    roles = {"learner": _l("Learner"), "hr": _l("HR"), "author": _l("Author"), "host": _l("Host"), "admin": _l("Administrator")}

    @app.context_processor
    def helpers() -> dict[str, Any]:
        chosen = get_locale()
        locale = "en" if chosen is not None and chosen.language == "en" else "zh_CN"
        return {
            "access": access, "logout_form": EmptyForm, "language_form": LanguageForm,
            "current_locale": locale,
            "tier_name": tiers.label, "tier_audience": tiers.audience, "tier_order": tiers.TIER_ORDER,
            "role_name": lambda role: roles.get(role, role),
            "course_title": lambda course: course.title_en if locale == "en" and course.title_en else course.title,
            "unread_notices": lambda: notices.unread_count(current_user) if current_user.is_authenticated else 0,
        }

    app.jinja_env.filters["hours"] = format_hours
    from .content.render import render, render_inline

    app.jinja_env.globals.update(markdown=lambda text, version="": render(text, version).html,
                                 markdown_inline=render_inline)
    app.jinja_env.filters["localtime"] = lambda value, fmt="yyyy-MM-dd HH:mm": format_datetime(value, fmt) if value else ""

    @app.after_request
    def security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response

