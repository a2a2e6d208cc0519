"""Content status and publishing (authors and admins), the audit log, and user accounts and
roles (admins)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from .. import access
from ..content.library import load_library
from ..database import db
from ..forms import EmptyForm, UserRolesForm
from ..models import AuditLog, ContentProblem, Course, OrgUnit, Role, User
from ..services import accounts, content_sync
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


@bp.get("/users")
def users() -> ResponseReturnValue:
    access.require_role(current_user, Role.ADMIN)
    query = request.args.get("q", "").strip()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    statement = select(User).order_by(User.employee_no)
    if query:
        like = f"%{query}%"
        statement = statement.where(or_(User.employee_no.like(like), User.name.like(like), User.email.like(like)))
    rows = db.paginate(statement, page=page, per_page=50, error_out=False)
    return render_template("admin/users.html", rows=rows, query=query)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_detail(user_id: int) -> ResponseReturnValue:
    user = access.user_for_admin(current_user, user_id)
    form = UserRolesForm()
    units = db.session.execute(select(OrgUnit).order_by(OrgUnit.path)).scalars().all()
    form.hr_scope.choices = [(0, "—"), *((u.id, "　" * u.depth + u.name) for u in units)]
    roles = {r.role: r for r in user.roles}
    if request.method == "GET":
        for role in (Role.AUTHOR, Role.HOST, Role.HR, Role.ADMIN):
            getattr(form, role.value).data = role in roles
        hr = roles.get(Role.HR)
        form.hr_scope.data = hr.scope_unit_id if hr and hr.scope_unit_id else 0
        form.active.data = user.active
        return render_template("admin/user.html", user=user, form=form)
    if not form.validate_on_submit() or (form.hr.data and not form.hr_scope.data):
        if form.hr.data and not form.hr_scope.data:
            form.hr_scope.errors = [_("Choose the unit whose people this HR user manages.")]
        return render_template("admin/user.html", user=user, form=form), 422
    scope = db.session.get(OrgUnit, form.hr_scope.data) if form.hr.data else None
    wanted: dict[Role, OrgUnit | None] = {r: None for r in (Role.AUTHOR, Role.HOST, Role.ADMIN) if getattr(form, r.value).data}
    if form.hr.data:
        wanted[Role.HR] = scope
    if user.id == current_user.id and Role.ADMIN not in wanted:
        flash(_("You cannot take the administrator role from yourself."), "error")
        return render_template("admin/user.html", user=user, form=form), 422
    accounts.set_roles(user, wanted, actor=current_user, ip=client_ip())
    accounts.set_active(user, bool(form.active.data) or user.id == current_user.id, actor=current_user, ip=client_ip())
    flash(_("Saved."), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id), code=303)
