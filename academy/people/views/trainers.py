"""The internal trainers' registry (内训师) for HR: level, subjects, and what each has taught."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy import access
from academy.forms import TrainerEditForm, TrainerForm
from academy.models import Role, TrainerLevel
from academy.people.services import reports, trainers
from academy.web import client_ip

bp = Blueprint("trainers", __name__, url_prefix="/hr/trainers")


@bp.before_request
@login_required
def _hr_only() -> None:
    access.require_role(current_user, Role.HR)


@bp.route("/", methods=["GET", "POST"])
def index() -> ResponseReturnValue:
    form = TrainerForm()
    if form.validate_on_submit():
        person = access.person_in_scope(current_user, form.person.data or "")
        if person is None:
            form.person.errors = [*form.person.errors, _("Not found among your people.")]
        else:
            trainers.register(person, TrainerLevel(form.level.data), form.subjects.data or "", actor=current_user,
                              ip=client_ip())
            flash(_("%(name)s is in the trainers' registry.", name=person.name), "success")
            return redirect(url_for("trainers.index"), code=303)
    status = 422 if form.is_submitted() else 200
    return render_template("trainers/index.html", form=form, rows=trainers.listed(access.scope_paths(current_user)),
                           names=reports.unit_names()), status


@bp.route("/<int:trainer_id>", methods=["GET", "POST"])
def edit(trainer_id: int) -> ResponseReturnValue:
    row = access.trainer_for_hr(current_user, trainer_id)
    form = TrainerEditForm(obj=row)
    if form.validate_on_submit():
        trainers.update(row, TrainerLevel(form.level.data), form.subjects.data or "", bool(form.active.data),
                        actor=current_user, ip=client_ip())
        flash(_("Saved."), "success")
        return redirect(url_for("trainers.index"), code=303)
    status = 422 if form.is_submitted() else 200
    return render_template("trainers/edit.html", form=form, row=row), status


@bp.app_template_global()
def trainer_level(level: str) -> str:
    from academy.forms import TRAINER_LEVELS

    return next((str(c.label) for c in TRAINER_LEVELS if c.value == level), level)
