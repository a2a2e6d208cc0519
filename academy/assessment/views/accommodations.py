"""Exam accommodations for HR: extra time, extra attempts or another window, per person or unit."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # 3.3 API; stubs lag

from academy import access
from academy.assessment.services import accommodations, quizzes
from academy.forms import EmptyForm, ExamOverrideForm
from academy.learning.services import courses as course_rows
from academy.models import Role
from academy.people.services import org, reports
from academy.web import client_ip

bp = Blueprint("accommodations", __name__, url_prefix="/hr/accommodations")

REFUSALS = {
    "target": ("person", _l("Name one person by employee number, or choose a unit.")),
    "range": ("extra_minutes", _l("Extra minutes go up to 600 and extra attempts up to 10.")),
    "window": ("closes_at", _l("The window must close after it opens.")),
    "empty": ("extra_minutes", _l("Give extra time, extra attempts or another window.")),
}


@bp.before_request
@login_required
def _hr_only() -> None:
    access.require_role(current_user, Role.HR)


def quiz_titles() -> dict[str, str]:
    """The exams an override may name: certification exams and course final exams."""
    titles = {f"exam/{e.id}": _("Certification: %(title)s", title=e.title)
              for e in sorted(quizzes.sources().exams.values(), key=lambda e: e.id)}
    for course in sorted(course_rows.live(), key=lambda c: c.slug):
        if (course.meta or {}).get("final_exam"):
            titles[f"final/{course.slug}"] = _("Final exam: %(title)s", title=course.title)
    return titles


def _form(titles: dict[str, str]) -> ExamOverrideForm:
    form = ExamOverrideForm()
    form.quiz.choices = [SelectChoice("", _("— choose an exam —"))] + [SelectChoice(k, v) for k, v in titles.items()]
    form.unit.choices = [SelectChoice(0, _("— choose a unit —"))] + [
        SelectChoice(i, name) for i, name in org.named_within(access.scope_paths(current_user))]
    return form


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])) if value else None


def _draft(form: ExamOverrideForm) -> accommodations.Draft | None:
    """The form as a draft, with the field's error when the person or unit is not the viewer's."""
    user_id = unit_id = None
    if form.target_kind.data == "person":
        person = access.person_in_scope(current_user, form.person.data or "")
        if person is None:
            form.person.errors = [*form.person.errors, _("Not found among your people.")]
            return None
        user_id = person.id
    else:
        unit = access.unit_in_scope(current_user, form.unit.data)
        if unit is None:
            form.unit.errors = [*form.unit.errors, _("Choose a unit you manage.")]
            return None
        unit_id = unit.id
    return accommodations.Draft(quiz_key=form.quiz.data, user_id=user_id, unit_id=unit_id,
                                extra_minutes=form.extra_minutes.data or 0, extra_attempts=form.extra_attempts.data or 0,
                                opens_at=_utc(form.opens_at.data), closes_at=_utc(form.closes_at.data),
                                reason=form.reason.data or "")


@bp.route("/", methods=["GET", "POST"])
def index() -> ResponseReturnValue:
    titles = quiz_titles()
    form = _form(titles)
    if form.validate_on_submit() and (draft := _draft(form)) is not None:
        try:
            accommodations.create(draft, actor=current_user, ip=client_ip())
        except accommodations.AccommodationError as exc:
            field, message = REFUSALS[exc.code]
            getattr(form, field).errors = [*getattr(form, field).errors, str(message)]
        else:
            flash(_("The accommodation is in force from the next attempt."), "success")
            return redirect(url_for("accommodations.index"), code=303)
    status = 422 if form.is_submitted() else 200
    rows = accommodations.listed(access.scope_paths(current_user))
    return render_template("accommodations/index.html", form=form, rows=rows, titles=titles,
                           names=reports.unit_names(), delete_form=EmptyForm()), status


@bp.post("/<int:override_id>/delete")
def delete(override_id: int) -> ResponseReturnValue:
    row = access.exam_override_for_hr(current_user, override_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    accommodations.remove(row, actor=current_user, ip=client_ip())
    flash(_("The accommodation is removed; attempts already started keep their time."), "success")
    return redirect(url_for("accommodations.index"), code=303)
