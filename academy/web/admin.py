"""Content status and the audit log: authors and admins only."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import access
from ..content.library import load_library
from ..database import db
from ..forms import EmptyForm
from ..models import AuditLog, ContentProblem, Course, Role
from ..services import content_sync
from . import client_ip

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(login_required(lambda: None))


@bp.get("/content")
def content_status() -> ResponseReturnValue:
    access.require_role(current_user, Role.AUTHOR)
    problems = db.session.execute(select(ContentProblem).order_by(ContentProblem.path, ContentProblem.line)).scalars()
    courses = db.session.execute(select(Course).order_by(Course.tier, Course.position)).scalars()
    return render_template("admin/content.html", problems=list(problems), courses=list(courses), form=EmptyForm())


@bp.post("/content/sync")
def sync() -> ResponseReturnValue:
    access.require_role(current_user, Role.AUTHOR)
    if not EmptyForm().validate_on_submit():
        abort(400)
    library = load_library(current_app.config["COURSES_ROOT"], current_app.config["QUIZ_ROOT"])
    report = content_sync.sync(library, actor=current_user, ip=client_ip())
    flash(_("Synced: %(created)d new, %(updated)d updated, %(retired)d retired, %(problems)d problems.",
            created=len(report.created), updated=len(report.updated), retired=len(report.retired),
            problems=report.problems), "success" if not report.problems else "error")
    return redirect(url_for("admin.content_status"), code=303)


@bp.get("/audit")
def audit_log() -> ResponseReturnValue:
    access.require_role(current_user, Role.ADMIN)
    entries = db.session.execute(select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(200)).scalars()
    return render_template("admin/audit.html", entries=list(entries))
