"""External training and certificates: the learner submits one with its scan; HR of their subtree reviews it.

The scan is sent only to its owner and their HR, as a download with its type read from its bytes at upload,
so a file dressed up as a page is never rendered."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # 3.3 API; stubs lag

from academy import access
from academy.forms import ExternalDecisionForm, ExternalForm
from academy.learning.services import external
from academy.models import ExternalKind, ExternalRecord, ExternalState, Role
from academy.web import client_ip

bp = Blueprint("external", __name__, url_prefix="/training/external")
bp.before_request(login_required(lambda: None))

KINDS = {
    ExternalKind.CQE: _l("Registered quality engineer (注册质量工程师)"),
    ExternalKind.INTERNAL_AUDITOR: _l("Internal auditor (内审员)"),
    ExternalKind.BLACK_BELT: _l("Six Sigma black belt (六西格玛黑带)"),
    ExternalKind.METROLOGY: _l("Metrology verifier (计量检定员)"),
    ExternalKind.OTHER: _l("Other outside course or qualification"),
}
REFUSALS = {
    "empty": _l("The file is empty."),
    "too_large": _l("The scan is larger than %(mb)s MB."),
    "type": _l("The scan must be a PDF, PNG or JPEG file."),
}


@bp.app_template_global()
def external_kind(kind: str) -> str:
    return str(KINDS.get(ExternalKind(kind), kind)) if kind in set(ExternalKind) else kind


@bp.app_template_global()
def external_rule(kind: str) -> str:
    rule = current_app.config["EXTERNAL_HOURS_RULES"].get(kind) or current_app.config["EXTERNAL_HOURS_RULES"].get("other", {})
    if "fixed" in rule:
        return _("%(h)s hours when approved", h=f"{float(rule['fixed']):g}")
    if "cap" in rule:
        return _("the hours you enter, up to %(h)s", h=f"{float(rule['cap']):g}")
    return _("the hours you enter")


def _form() -> ExternalForm:
    form = ExternalForm()
    form.kind.choices = [SelectChoice(str(k), str(label)) for k, label in KINDS.items()]
    return form


@bp.route("/new", methods=["GET", "POST"])
def submit() -> ResponseReturnValue:
    form = _form()
    if form.validate_on_submit():
        assert form.started_on.data is not None  # noqa: S101 - DataRequired passed
        assert form.ended_on.data is not None  # noqa: S101
        if form.ended_on.data < form.started_on.data:
            form.ended_on.errors = [_("The end cannot come before the start.")]
        if form.expires_on.data is not None and form.expires_on.data < form.ended_on.data:
            form.expires_on.errors = [_("The expiry cannot come before the end.")]
        if not form.errors and not form.ended_on.errors and not form.expires_on.errors:
            upload = form.scan.data
            data = upload.read(int(current_app.config["SCAN_MAX_BYTES"]) + 1)
            item = external.Submission(
                kind=ExternalKind(form.kind.data), title=(form.title.data or "").strip(), issuer=(form.issuer.data or "").strip(),
                number=(form.number.data or "").strip(), started_on=form.started_on.data, ended_on=form.ended_on.data,
                expires_on=form.expires_on.data, claimed_hours=float(form.claimed_hours.data or 0))
            try:
                external.submit(current_user, item, data, upload.filename or "", ip=client_ip())
            except external.ScanRefused as refused:
                mb = f"{round(int(current_app.config['SCAN_MAX_BYTES']) / 1048576, 1):g}"
                form.scan.errors = [str(REFUSALS[refused.reason]) % {"mb": mb}]
            else:
                flash(_("Submitted. HR will review it; you will get a notice."), "success")
                return redirect(url_for("training.mine"), code=303)
    status = 422 if form.is_submitted() else 200
    rules = [(str(label), external_rule(kind)) for kind, label in KINDS.items()]
    return render_template("training/external_new.html", form=form, rules=rules), status


@bp.get("/review")
def review() -> ResponseReturnValue:
    access.require_role(current_user, Role.HR)
    scope = access.scope_paths(current_user)
    return render_template("training/external_review.html", pending=external.to_review(scope),
                           decided=external.to_review(scope, state=ExternalState.APPROVED, limit=50)
                           + external.to_review(scope, state=ExternalState.REJECTED, limit=50))


def _page(record: ExternalRecord, form: ExternalDecisionForm | None = None) -> str:
    reviewer = record.user_id != current_user.id and access.can_review_people(current_user, record.user)
    return render_template("training/external_item.html", record=record, reviewer=reviewer,
                           form=form or ExternalDecisionForm())


@bp.get("/<int:record_id>")
def item(record_id: int) -> ResponseReturnValue:
    return _page(access.external_record_for_viewer(current_user, record_id))


@bp.get("/<int:record_id>/scan")
def scan(record_id: int) -> ResponseReturnValue:
    record = access.external_record_for_viewer(current_user, record_id)
    path = external.scan_path(record)
    if not path.is_file():
        abort(404)
    ext = path.suffix.lstrip(".")
    response = Response(path.read_bytes(), mimetype=record.scan_type)  # a few MB at most (SCAN_MAX_BYTES)
    response.headers["Content-Disposition"] = (
        f"attachment; filename=scan-{record.id}.{ext}; filename*=UTF-8''{quote(record.scan_name)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/<int:record_id>/decide")
def decide(record_id: int) -> ResponseReturnValue:
    record = access.external_record_for_reviewer(current_user, record_id)
    form = ExternalDecisionForm()
    if not form.validate_on_submit():
        return _page(record, form), 422
    approve = form.decision.data == "approve"
    if not approve and not (form.reason.data or "").strip():
        form.reason.errors = [_("Give the reason for rejecting it; the employee will read it.")]
        return _page(record, form), 422
    try:
        external.decide(record, approve=approve, reason=form.reason.data or "", actor=current_user, ip=client_ip())
    except external.AlreadyDecided:
        flash(_("This item was decided already."), "error")
        return redirect(url_for("external.item", record_id=record.id), code=303)
    flash(_("Approved: the hours count in the training file.") if approve else _("Rejected; the employee was told why."),
          "success")
    return redirect(url_for("external.review"), code=303)
