"""Content status and publishing (authors and admins), the audit log, and user accounts and
roles (admins)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from academy import access, tiers
from academy.assessment.services import question_import as question_import_service
from academy.assessment.services import quiz_sources, quizzes
from academy.content.library import load_library
from academy.forms import EmptyForm, QuestionImportForm, UserRolesForm
from academy.learning.services import content_sync, published
from academy.models import OrgUnit, Role
from academy.people.services import accounts, exports, org
from academy.people.services.exports import Column
from academy.services import audit
from academy.web import client_ip

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(login_required(lambda: None))


@bp.get("/content")
def content_status() -> ResponseReturnValue:
    access.require_role(current_user, Role.AUTHOR)
    state = content_sync.status()
    problems, courses = state.problems, state.courses
    sources = quizzes.sources()
    banks = sorted(sources.banks.values(), key=lambda b: b.id)
    exams = sorted(sources.exams.values(), key=lambda e: (tiers.rank(e.tier), e.id))
    with_final = {c.slug for c in courses if c.meta.get("final_exam") and not c.retired}
    faults: dict[str, int] = {}
    for problem in problems:
        faults[problem.path] = faults.get(problem.path, 0) + 1
    return render_template("admin/content.html", problems=problems, courses=courses, form=EmptyForm(),
                           banks=banks, exams=exams, with_final=with_final, faults=faults,
                           published=quiz_sources.published_rows(),
                           course_titles={c.slug: c.title for c in courses})


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


ACTION_NAMES = {
    "login": _l("Login"), "login_failed": _l("Failed login"), "login_throttled": _l("Login paused for an address"),
    "account_locked": _l("Account locked"), "logout": _l("Logout"), "logout_everywhere": _l("Logout on every device"),
    "password_changed": _l("Password changed"), "password_change_failed": _l("Wrong current password"),
    "password_set": _l("Password reset"), "password_reset_requested": _l("Password reset requested"),
    "role_granted": _l("Role granted"), "role_revoked": _l("Role revoked"), "account_activated": _l("Account activated"),
    "account_deactivated": _l("Account deactivated"), "people_imported": _l("People imported"),
    "quiz_regrade": _l("Attempts regraded"), "certificate_revoke": _l("Certificate revoked"),
    "content_sync": _l("Content published"), "assignment_created": _l("Assignment created"),
    "audit_exported": _l("Audit log exported"), "audit_purged": _l("Old audit entries removed"),
    "data_exported": _l("Data exported"), "competition.create": _l("Competition created"), "competition.awards": _l("Competition awards set"),
    "live.create": _l("Live final created"), "live.join": _l("Live final joined"),
    "live.takeover": _l("Live final taken over by another device"), "org_unit_renamed": _l("Unit renamed"),
    "assignment_round_opened": _l("Assignment round opened"), "report_status_rebuilt": _l("Report figures rebuilt"),
    "account_created": _l("Account created at first sign-in"), "account_linked": _l("Account linked to the identity platform"),
    "directory_unavailable": _l("Directory unreachable at sign-in"), "directory_synced": _l("Directory synchronised"),
    "2fa_enrolled": _l("Two-step sign-in set up"), "2fa_enrol_failed": _l("Two-step set-up code refused"),
    "2fa_ok": _l("Two-step code accepted"), "2fa_failed": _l("Two-step code refused"),
    "2fa_recovery_code_used": _l("Recovery code used"), "2fa_recovery_codes_renewed": _l("Recovery codes renewed"),
    "2fa_reset": _l("Authenticator removed by an administrator"), "privacy_notice_read": _l("Privacy notice read"),
    "personal_data_exported": _l("Own record downloaded"), "personal_data_anonymised": _l("Leaver anonymised"),
    "assignment_due_changed": _l("Assignment due date changed"), "assignment_reach_changed": _l("Assignment reach changed"),
    "assignment_state_changed": _l("Assignment paused, resumed or archived"),
    "import_columns_mapped": _l("People-file columns mapped"), "import_columns_forgotten": _l("People-file column mapping cleared"),
    "overdue_reminded": _l("Overdue people reminded"),
}
AUDIT_COLUMNS = [Column("时间", 20, "datetime"), Column("事件", 22), Column("工号", 12), Column("姓名", 12),
                 Column("地址", 16), Column("详情", 60)]


def _audit_filters() -> tuple[audit.Filters, list[str]]:
    """The viewer's filters from the query string; a date that is not one is named and left out."""
    wrong: list[str] = []

    def day(name: str) -> date | None:
        text = request.args.get(name, "").strip()
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            wrong.append(name)
            return None

    return audit.Filters(action=request.args.get("action", "").strip()[:40], who=request.args.get("who", "").strip()[:32],
                         ip=request.args.get("ip", "").strip()[:64], since=day("since"), until=day("until")), wrong


@bp.get("/audit")
def audit_log() -> ResponseReturnValue:
    access.require_role(current_user, Role.ADMIN)
    filters, wrong = _audit_filters()
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows = audit.page(filters, zone, page)
    kept: dict[str, Any] = {k: v for k, v in request.args.items() if k in ("action", "who", "ip", "since", "until") and v}
    return render_template("admin/audit.html", rows=rows, filters=filters, wrong=wrong, actions=audit.actions(),
                           action_name=lambda code: ACTION_NAMES.get(code, code), filter_args=kept,
                           detail_text=lambda detail: ", ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}"
                                                                for k, v in (detail or {}).items()),
                           page_url=lambda n: url_for("admin.audit_log", page=n, **kept),
                           retention=max(int(current_app.config["AUDIT_RETENTION_DAYS"]), audit.MIN_RETENTION_DAYS))


@bp.get("/audit.csv")
def audit_export() -> ResponseReturnValue:
    """The filtered entries as CSV (text cells made inert); the export is itself audited."""
    access.require_role(current_user, Role.ADMIN)
    filters, _wrong = _audit_filters()
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    audit.export_recorded(current_user, filters, ip=client_ip())
    rows = ([at, action, number or "", name or "", ip, json.dumps(detail, ensure_ascii=False)]
            for at, action, number, name, ip, detail in audit.export_rows(filters, zone))
    body = exports.csv_chunks(AUDIT_COLUMNS, rows, zone=current_app.config["DISPLAY_TIMEZONE"])
    response = Response(stream_with_context(body), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f"attachment; filename=audit-{datetime.now(zone).date().isoformat()}.csv"
    return response


@bp.get("/users")
def users() -> ResponseReturnValue:
    access.require_role(current_user, Role.ADMIN)
    query = request.args.get("q", "").strip()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows = accounts.page(query, page)
    return render_template("admin/users.html", rows=rows, query=query)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_detail(user_id: int) -> ResponseReturnValue:
    user = access.user_for_admin(current_user, user_id)
    form = UserRolesForm()
    units = org.in_tree_order()
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
    scope = org.get(form.hr_scope.data) if form.hr.data else None
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


@bp.post("/people/<int:user_id>/password")
def reset_user_password(user_id: int) -> ResponseReturnValue:
    """A temporary password, shown once on this page (never put in a cookie or a log)."""
    user = access.person_for_password_reset(current_user, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    temporary = accounts.temporary_password()
    accounts.set_password(user, temporary, actor=current_user, ip=client_ip(), temporary=True)
    back = url_for("admin.user_detail", user_id=user.id) if access.is_admin(current_user) else url_for("hr.person", user_id=user.id)
    return render_template("admin/temporary_password.html", user=user, temporary=temporary, back=back)


def _question_form() -> QuestionImportForm:
    form = QuestionImportForm()
    courses = published.snapshot().courses
    form.course.choices = [("", _("— choose —"))] + [(c.slug, c.title) for c in courses]
    chosen = next((c for c in courses if c.slug == form.course.data), None)
    form.lesson.choices = [(lesson.slug, lesson.title) for lesson in chosen.live_lessons] if chosen else []
    return form


@bp.route("/questions/import", methods=["GET", "POST"])
def question_import() -> ResponseReturnValue:
    """Upload → preview as learners will see the questions, with located warnings → save as a new bank."""
    access.require_role(current_user, Role.AUTHOR)
    form = _question_form()
    result = None
    unreadable = False
    if form.is_submitted() and form.file.data:  # kept even when another field is refused, so it is not asked for twice
        try:
            form.source.data = form.file.data.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            unreadable = True
    if form.validate_on_submit():
        text = form.source.data or ""
        if unreadable:
            form.file.errors = [_("This file is not UTF-8 text: save it as UTF-8 and upload it again.")]
        elif not text.strip():
            form.file.errors = [_("Choose a question file.")]
        if not form.file.errors:
            result = question_import_service.preview(text, form.fmt.data, bank_id=form.bank.data or "",
                                                     title=form.title.data or "", course=form.course.data,
                                                     lesson=form.lesson.data or "")
            if request.form.get("step") == "save" and result.bank is not None:
                try:
                    question_import_service.save(result, current_app.config["QUIZ_ROOT"], form.bank.data or "",
                                                 actor=current_user, ip=client_ip())
                except question_import_service.BankExists:
                    form.bank.errors = [_("A bank with this id exists already: choose another id.")]
                else:
                    flash(_("Saved %(n)d questions as a new bank; sync the content to publish it.",
                            n=len(result.bank.questions)), "success")
                    return redirect(url_for("admin.content_status"), code=303)
    status = 422 if form.is_submitted() and (result is None or form.errors) else 200
    return render_template("admin/question_import.html", form=form, result=result), status
