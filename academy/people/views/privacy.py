"""The privacy notice (read once at the first sign-in, and again when it changes) and a person's
own copy of what is kept about them, as JSON and PDF. A session that still owes the notice
reaches only these pages, the second step of sign-in and logout."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from academy.clock import utcnow
from academy.forms import EmptyForm
from academy.people.services import privacy
from academy.record_pdf import Section, record_pdf
from academy.web import OPEN_WHILE_SIGNING_IN, client_ip, return_path, safe_next

bp = Blueprint("privacy", __name__)
DUE = "privacy_due"  # session key


def on_login(user: object) -> None:
    session[DUE] = privacy.notice_due(user, current_app.config["PRIVACY_NOTICE_VERSION"])  # type: ignore[arg-type]


@bp.before_app_request
def gate() -> ResponseReturnValue | None:
    if not session.get(DUE) or not current_user.is_authenticated:
        return None
    endpoint = request.endpoint or ""
    if endpoint in OPEN_WHILE_SIGNING_IN or endpoint.startswith(("privacy.", "twofactor.")):
        return None
    return redirect(url_for("privacy.read", next=return_path()), code=303)


@bp.get("/privacy")
def notice() -> ResponseReturnValue:
    return render_template("privacy/notice.html", form=None)


@bp.route("/privacy/read", methods=["GET", "POST"])
@login_required
def read() -> ResponseReturnValue:
    form = EmptyForm()
    if not form.validate_on_submit():
        return render_template("privacy/notice.html", form=form), 422 if request.method == "POST" else 200
    privacy.acknowledge(current_user, current_app.config["PRIVACY_NOTICE_VERSION"], ip=client_ip())
    session[DUE] = False
    return redirect(safe_next(request.args.get("next"), url_for("me.dashboard")), code=303)


def _private(response):  # type: ignore[no-untyped-def]
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/me/record.json")
@login_required
def record_json() -> ResponseReturnValue:
    data = privacy.record_of(current_user)
    privacy.export_recorded(current_user, "json", ip=client_ip())
    response = current_app.response_class(json.dumps(data, ensure_ascii=False, indent=2),
                                          mimetype="application/json")
    response.headers["Content-Disposition"] = "attachment; filename=my-training-record.json"
    return _private(response)


def _when(value: str | None) -> str:
    from datetime import datetime

    return format_datetime(datetime.fromisoformat(value), "yyyy-MM-dd HH:mm") if value else "—"


_EXTERNAL_STATES = {"pending": _l("Awaiting review"), "approved": _l("Approved"), "rejected": _l("Not accepted")}


@bp.get("/me/record.pdf")
@login_required
def record_pdf_download() -> ResponseReturnValue:
    data = privacy.record_of(current_user)
    p = data["person"]
    person = [(_("Employee number"), p["employee_no"]), (_("Name"), p["name"]), (_("Email"), p["email"] or "—"),
              (_("Mobile"), p["phone"] or "—"), (_("Unit"), p["unit"] or "—"), (_("Position"), p["position"] or "—")]
    none = _("None")
    sections = [
        Section(_("Courses"), (_("Course"), _("Started"), _("Completed"), _("Lessons completed")),
                [(c["course"], _when(c["started_at"]), _when(c["completed_at"]), str(c["lessons_completed"]))
                 for c in data["courses"]], none),
        Section(_("Quizzes and exams"), (_("Quiz"), _("Attempt"), _("Submitted"), _("Score")),
                [(a["quiz"], str(a["attempt"]), _when(a["submitted_at"]),
                  f"{a['score'] or 0:g} / {a['max_score'] or 0:g}") for a in data["exam_attempts"]], none),
        Section(_("Certificates"), (_("Serial"), _("Title"), _("Issued"), _("Valid until")),
                [(c["serial"], c["title"], _when(c["issued_at"]), _when(c["valid_until"])) for c in data["certificates"]],
                none),
        Section(_("Training hours"), (_("Course"), _("Hours"), _("Earned")),
                [(c["course"], f"{c['hours']:g}", _when(c["earned_at"])) for c in data["training_hours"]], none),
        Section(_("Classroom sessions"), (_("Session"), _("Starts"), _("Signed in at"), _("Hours")),
                [(c["session"], _when(c["starts_at"]), _when(c["signed_in_at"]), f"{c['hours'] or 0:g}")
                 for c in data["classroom_sessions"]], none),
        Section(_("External training and certificates"), (_("Course or qualification"), _("Issued by"), _("Status"), _("Hours")),
                [(e["title"], e["issuer"], str(_EXTERNAL_STATES.get(e["state"], e["state"])), f"{e['hours'] or 0:g}")
                 for e in data["external_training"]], none),
        Section(_("Recent sign-ins"), (_("When"), _("Network address"), _("How")),
                [(_when(s["at"]), s["from"], s["method"]) for s in data["sign_ins"][:50]], none),
    ]
    footer = _("Drawn for %(name)s at %(when)s. Everything QS Academy keeps about you; the JSON copy has all rows.",
               name=p["name"], when=format_datetime(utcnow(), "yyyy-MM-dd HH:mm"))
    body = record_pdf(_("My training and personal record"), person, sections, footer)
    privacy.export_recorded(current_user, "pdf", ip=client_ip())
    response = current_app.response_class(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = "attachment; filename=my-training-record.pdf"
    return _private(response)
