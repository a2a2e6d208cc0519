"""Evaluations: the learner's questionnaire after a course or session, and HR's results and comments."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from academy import access
from academy.forms import EvaluationForm
from academy.learning.models.evaluation import ITEMS
from academy.learning.services import classroom, evaluations
from academy.learning.services import courses as course_rows
from academy.models import ClassroomSession, Course, Role
from academy.people.services import accounts, exports
from academy.services import audit
from academy.web import client_ip

bp = Blueprint("evaluations", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    return None


def item_labels() -> dict[str, str]:
    form = EvaluationForm(meta={"csrf": False})
    return {item: str(getattr(form, item).label.text) for item in ITEMS}


SHORT_LABELS = {"content": _l("Usefulness"), "delivery": _l("Clarity"), "organisation": _l("Organisation"),
                "overall": _l("Overall satisfaction")}


def short_labels() -> dict[str, str]:
    """Column headings for the results tables (the full statements go in their title)."""
    return {item: str(SHORT_LABELS[item]) for item in ITEMS}


@bp.get("/evaluations")
def mine() -> ResponseReturnValue:
    return render_template("evaluations/mine.html", due=evaluations.pending(current_user))


def _questionnaire(title: str, *, course: Course | None = None,
                   session: ClassroomSession | None = None) -> ResponseReturnValue:
    earlier = evaluations.answered(current_user, course=course, session=session)
    form = EvaluationForm()
    if earlier is None and form.validate_on_submit():
        ratings = {item: int(getattr(form, item).data) for item in ITEMS}
        evaluations.submit(current_user, ratings, form.comment.data or "", course=course, session=session)
        flash(_("Thank you: your evaluation is saved."), "success")
        return redirect(url_for("evaluations.mine"), code=303)
    status = 422 if form.is_submitted() and earlier is None else 200
    return render_template("evaluations/form.html", form=form, title=title, earlier=earlier,
                           trainer=accounts.get(session.trainer_id) if session else None,
                           labels=item_labels()), status


@bp.route("/evaluations/course/<slug>", methods=["GET", "POST"])
def course(slug: str) -> ResponseReturnValue:
    found = access.course_to_evaluate(current_user, slug)
    return _questionnaire(found.title, course=found)


@bp.route("/evaluations/session/<int:session_id>", methods=["GET", "POST"])
def session(session_id: int) -> ResponseReturnValue:
    found = access.session_to_evaluate(current_user, session_id)
    return _questionnaire(found.title, session=found)


# -- results for HR and trainers -------------------------------------------------------------------

@bp.get("/hr/evaluations")
def results() -> ResponseReturnValue:
    access.require_role(current_user, Role.HR)
    scope = access.scope_paths(current_user)
    return render_template("evaluations/results.html", courses=evaluations.by_course(scope),
                           sessions=evaluations.by_session(scope), trainers=evaluations.by_trainer(scope),
                           labels=short_labels(), statements=item_labels())


@bp.get("/hr/evaluations/course/<slug>")
def course_results(slug: str) -> ResponseReturnValue:
    found = access.course_for_results(current_user, slug)
    scope = access.scope_paths(current_user)
    return render_template("evaluations/detail.html", title=found.title, labels=item_labels(),
                           result=evaluations.detail(scope, course_id=found.id),
                           comments=evaluations.comments(scope, course_id=found.id, limit=200),
                           export=url_for("evaluations.export", course=found.slug))


@bp.get("/hr/evaluations/session/<int:session_id>")
def session_results(session_id: int) -> ResponseReturnValue:
    """The session's trainer, and HR of its organising unit, read every answer to it."""
    found = access.classroom_session_for_staff(current_user, session_id)
    return render_template("evaluations/detail.html", title=found.title, labels=item_labels(),
                           result=evaluations.detail(None, session_id=found.id),
                           comments=evaluations.comments(None, session_id=found.id, limit=200),
                           export=url_for("evaluations.export", session=found.id))


@bp.get("/hr/evaluations/comments.xlsx")
def export() -> ResponseReturnValue:
    """Comments without names; a comment typed as a formula stays text (exports.write_xlsx)."""
    scope = access.scope_paths(current_user)
    course_id = session_id = None
    if request.args.get("session"):
        found = access.classroom_session_for_staff(current_user, request.args.get("session", type=int) or 0)
        session_id, scope = found.id, None
    else:
        access.require_role(current_user, Role.HR)
        if request.args.get("course"):
            course_id = access.course_for_results(current_user, request.args.get("course", "")).id
    rows = evaluations.comments(scope, course_id=course_id, session_id=session_id)
    titles = course_rows.titles(r.course_id for r in rows)
    sessions = classroom.titles(r.session_id for r in rows)
    labels = item_labels()
    columns = [exports.Column(_("Submitted"), 18, "datetime"), exports.Column(_("Course or session"), 30)] + [
        exports.Column(labels[item], 12, "number") for item in ITEMS] + [exports.Column(_("Comment"), 60)]
    data = [(r.submitted_at, titles.get(r.course_id or 0) or sessions.get(r.session_id or 0, ""),
             *(getattr(r, item) for item in ITEMS), r.comment) for r in rows]
    audit.exported(current_user, "evaluation_comments", ip=client_ip(), course=course_id, session=session_id)
    zone = current_app.config["DISPLAY_TIMEZONE"]
    body = exports.write_xlsx(_("Evaluation comments"), columns, data, zone=zone)
    stamp = datetime.now(ZoneInfo(zone)).date().isoformat()
    return send_file(io.BytesIO(body), as_attachment=True, download_name=f"evaluation-comments-{stamp}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.cli.command("remind")
def remind() -> None:
    """In-app reminders for unanswered evaluations (at most two per item, three days apart)."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        sent = evaluations.remind_unanswered(title=_("Please evaluate: %(title)s", title="%(title)s"),
                                             body=_("Two minutes, four ratings: your answer helps improve the training."))
    click.echo(f"{sent} evaluation reminders sent")




@bp.app_template_global()
def evaluations_due() -> int:
    """How many finished courses and sessions the signed-in person has not evaluated yet."""
    return len(evaluations.pending(current_user)) if current_user.is_authenticated else 0
