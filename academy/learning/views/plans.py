"""Annual training plans for HR, and their progress on the HR home, the report and the summary."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # 3.3 API; stubs lag

from academy import access, tiers
from academy.forms import PlanForm
from academy.learning.services import courses as course_rows
from academy.learning.services import plans
from academy.models import OrgUnit, Role, TrainingPlan
from academy.people.services import org, reports
from academy.web import client_ip

bp = Blueprint("plans", __name__, url_prefix="/hr/plans")

TIER_FIELDS = {str(t): "tier_" + str(t).replace("-", "_") for t in tiers.TIER_ORDER}  # PlanForm's field per tier


@bp.before_request
@login_required
def _hr_only() -> None:
    access.require_role(current_user, Role.HR)


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


@bp.app_template_global()
def plan_progress(unit: OrgUnit) -> plans.Progress | None:
    """The progress of the plan covering ``unit`` this year, for the HR pages that show it."""
    return plans.for_unit(unit, datetime.now(_zone()).year, _zone())


def _number(value: float) -> Decimal:
    """40 rather than 40.0 in the form, as people write hours and yuan."""
    return Decimal(int(value)) if float(value).is_integer() else Decimal(str(value))


def _form(plan: TrainingPlan | None) -> PlanForm:
    form = PlanForm()
    form.unit.choices = [SelectChoice(i, name) for i, name in org.named_within(access.scope_paths(current_user))]
    form.courses.choices = [SelectChoice(c.id, f"{c.title}（{tiers.label(c.tier)}）") for c in course_rows.live()]
    if plan is not None and not form.is_submitted():
        form.unit.data, form.year.data = plan.unit_id, plan.year
        form.hours_per_head.data = _number(plan.hours_per_head)
        for tier, name in TIER_FIELDS.items():
            value = plan.tier_hours.get(tier)
            getattr(form, name).data = _number(value) if value else None
        form.courses.data, form.planned_sessions.data = list(plan.course_ids), plan.planned_sessions
        form.budget.data, form.spent.data, form.note.data = _number(plan.budget), _number(plan.spent), plan.note
    elif plan is None and not form.is_submitted():
        form.year.data = datetime.now(_zone()).year
        form.unit.data = request.args.get("unit", type=int)
    return form


def _save(form: PlanForm) -> TrainingPlan | None:
    unit = access.unit_in_scope(current_user, form.unit.data)
    if unit is None:
        form.unit.errors = [*form.unit.errors, _("Choose a unit you manage.")]
        return None
    draft = plans.Draft(
        unit_id=unit.id, year=int(form.year.data or 0), hours_per_head=float(form.hours_per_head.data or 0),
        tier_hours={tier: float(getattr(form, name).data or 0) for tier, name in TIER_FIELDS.items()},
        course_ids=[int(c) for c in form.courses.data or []], planned_sessions=int(form.planned_sessions.data or 0),
        budget=float(form.budget.data or 0), spent=float(form.spent.data or 0), note=form.note.data or "")
    return plans.save(draft, actor=current_user, ip=client_ip())


@bp.get("/")
def index() -> ResponseReturnValue:
    rows = [plans.progress(p, _zone()) for p in plans.listed(access.scope_paths(current_user))]
    return render_template("plans/index.html", rows=rows, names=reports.unit_names())


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    form = _form(None)
    if form.validate_on_submit() and (saved := _save(form)) is not None:
        flash(_("The plan is saved."), "success")
        return redirect(url_for("plans.detail", plan_id=saved.id), code=303)
    return render_template("plans/edit.html", form=form, plan=None), 422 if form.is_submitted() else 200


@bp.route("/<int:plan_id>", methods=["GET", "POST"])
def detail(plan_id: int) -> ResponseReturnValue:
    plan = access.plan_for_hr(current_user, plan_id)
    form = _form(plan)
    if form.validate_on_submit() and (saved := _save(form)) is not None:
        flash(_("The plan is saved."), "success")
        return redirect(url_for("plans.detail", plan_id=saved.id), code=303)
    return render_template("plans/edit.html", form=form, plan=plan, progress=plans.progress(plan, _zone()),
                           names=reports.unit_names()), 422 if form.is_submitted() else 200
