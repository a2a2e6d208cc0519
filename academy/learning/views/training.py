"""Classroom sessions: HR's pages to create, edit and fill them, the learner's page with the sessions open
to them, the screen with the rotating sign-in code, and sign-in from the phone."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # 3.3 API; stubs lag

from academy import access, tiers
from academy.forms import EmptyForm, SessionAssignForm, SessionForm
from academy.learning.services import classroom, external, published
from academy.learning.services import courses as training_courses
from academy.learning.services import hours as training_hours
from academy.models import ClassroomSession, SessionSeat, TargetKind, User
from academy.people.services import accounts, assignments, org
from academy.web import client_ip, external_url

bp = Blueprint("training", __name__, url_prefix="/training")

REFUSALS = {
    "This session does not exist.": lambda: _("This session does not exist."),
    "Sign-in is open only while the session runs.": lambda: _("Sign-in is open only while the session runs."),
    "This code has expired or belongs to another session. Scan the code on the screen again.":
        lambda: _("This code has expired or belongs to another session. Scan the code on the screen again."),
}


@bp.before_request
@login_required
def _signed_in() -> None:
    return None


@bp.app_template_global()
def classroom_attendance(user_id: int) -> list[tuple[ClassroomSession, SessionSeat]]:
    return classroom.attended(user_id)


def _signin_url(session: ClassroomSession, code: str) -> str:
    return external_url("training.sign_in", session_id=session.id, c=code)


@bp.get("/sessions/<int:session_id>/screen")
def screen(session_id: int) -> ResponseReturnValue:
    session = access.classroom_session_for_staff(current_user, session_id)
    return render_template("training/screen.html", session=session, code=classroom.current_code(session))


@bp.get("/sessions/<int:session_id>/code.json")
def code_json(session_id: int) -> ResponseReturnValue:
    session = access.classroom_session_for_staff(current_user, session_id)
    code = classroom.current_code(session)
    signed = classroom.signed_in_count(session.id)
    response = jsonify(code=code, signed_in=signed,
                       qr=url_for("training.qr", session_id=session.id, c=code) if code else None)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/sessions/<int:session_id>/qr.svg")
def qr(session_id: int) -> ResponseReturnValue:
    session = access.classroom_session_for_staff(current_user, session_id)
    code = request.args.get("c", "")
    if not code.isdigit() or len(code) != classroom.CODE_DIGITS:
        abort(404)
    image = qrcode.make(_signin_url(session, code), image_factory=qrcode.image.svg.SvgPathImage, box_size=20, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return Response(buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.route("/sessions/<int:session_id>/sign-in", methods=["GET", "POST"])
def sign_in(session_id: int) -> ResponseReturnValue:
    form = EmptyForm()
    code = (request.form.get("c") if request.method == "POST" else request.args.get("c")) or ""
    session = classroom.get(session_id)
    if session is None:
        abort(404)
    if request.method == "POST" and form.validate_on_submit():
        try:
            seat = classroom.sign_in(session_id, current_user, code)
        except classroom.SignInRefused as refusal:
            reason = str(refusal)
            message = REFUSALS[reason]() if reason in REFUSALS else reason
            return render_template("training/sign_in.html", session=session, form=form, code=code,
                                   refusal=message, signed=False), 409
        flash(_("Signed in. %(hours)s hours credited.", hours=f"{seat.hours:g}"), "success")
        return redirect(url_for("training.sign_in", session_id=session_id, done=1), code=303)
    mine = classroom.seat_of(session.id, current_user.id)
    return render_template("training/sign_in.html", session=session, form=form, code=code, refusal=None,
                           signed=mine is not None and mine.signed_in_at is not None)


# --- the learner's page ----------------------------------------------------------------------------

def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


@bp.get("")
def mine() -> ResponseReturnValue:
    """我的面授与外部培训: places and requests, sessions open to me, outside training, hours by source."""
    now = datetime.now(UTC)
    seats = classroom.seats_of(current_user.id)
    have = {s.id for s, _seat in seats}
    teaching = [s for s in classroom.for_staff([], current_user.id) if s.trainer_id == current_user.id]
    # sent here by a course whose classroom session is still to attend: name it and mark its sessions
    focus = published.snapshot().by_slug.get(request.args.get("course", ""))
    return render_template("training/mine.html", seats=seats, now=now, focus=focus,
                           open_sessions=[s for s in classroom.open_to(current_user, now=now) if s.id not in have],
                           teaching=teaching, outside=external.of(current_user.id),
                           hours=training_hours.of_person(current_user.id, zone=_zone()),
                           year=now.astimezone(_zone()).year, form=EmptyForm())


@bp.post("/sessions/<int:session_id>/request")
def request_seat(session_id: int) -> ResponseReturnValue:
    session = access.classroom_session_for_learner(current_user, session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not classroom.may_request(session, current_user):
        abort(404)
    classroom.request_seat(session.id, current_user)
    flash(_("Request sent. HR will confirm your place."), "success")
    return redirect(url_for("training.mine"), code=303)


@bp.post("/sessions/<int:session_id>/withdraw")
def withdraw(session_id: int) -> ResponseReturnValue:
    session = access.classroom_session_for_learner(current_user, session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if classroom.withdraw(session.id, current_user):
        flash(_("You gave up your place."), "success")
    return redirect(url_for("training.mine"), code=303)


# --- HR: create, edit, fill -------------------------------------------------------------------------

def _hr_only() -> None:
    if not access.can_run_sessions(current_user):
        abort(403)


def _unit_choices() -> list[SelectChoice]:
    return [SelectChoice(i, name) for i, name in org.named_within(access.scope_paths(current_user))]


def _session_form(session: ClassroomSession | None = None) -> SessionForm:
    form = SessionForm(obj=None)
    courses = training_courses.live()
    form.course.choices = [SelectChoice("", _("— none —"))] + [SelectChoice(c.slug, c.title) for c in courses]
    form.tier.choices = [SelectChoice("", _("— from the linked course, or none —"))] + [
        SelectChoice(str(t), tiers.label(t)) for t in tiers.TIER_ORDER]
    form.unit.choices = _unit_choices()
    if session is not None and not form.is_submitted():
        zone = _zone()
        course = training_courses.get(session.course_id)
        trainer = accounts.get(session.trainer_id)
        form.title.data, form.place.data, form.description.data = session.title, session.place, session.description
        form.course.data, form.tier.data = course.slug if course else "", session.tier or ""
        form.unit.data, form.trainer.data = session.unit_id, trainer.employee_no if trainer else ""
        form.starts_at.data = session.starts_at.astimezone(zone).replace(tzinfo=None)
        form.ends_at.data = session.ends_at.astimezone(zone).replace(tzinfo=None)
        form.capacity.data, form.hours.data = session.capacity, session.hours
        form.late_after_minutes.data, form.late_hours.data = session.late_after_minutes, session.late_hours
        form.open_registration.data = session.open_registration
    return form


def _refuse(form: SessionForm | SessionAssignForm, field: str, message: str) -> None:
    getattr(form, field).errors = [*getattr(form, field).errors, message]


def _draft(form: SessionForm) -> classroom.SessionDraft | None:
    """The session the form describes, or None with an error on each field at fault."""
    zone = _zone()
    trainer = None
    number = (form.trainer.data or "").strip()
    if number:
        trainer = accounts.by_number(number, active_only=True)
        if trainer is None:
            _refuse(form, "trainer", _("No active person has this employee number."))
    course = training_courses.by_slug(form.course.data or "")
    assert form.starts_at.data is not None  # noqa: S101 - DataRequired passed
    assert form.ends_at.data is not None  # noqa: S101
    starts = form.starts_at.data.replace(tzinfo=zone).astimezone(UTC)
    ends = form.ends_at.data.replace(tzinfo=zone).astimezone(UTC)
    if ends <= starts:
        _refuse(form, "ends_at", _("The session must end after it starts."))
    late_minutes, late_hours = form.late_after_minutes.data, form.late_hours.data
    if (late_minutes is None) != (late_hours is None):
        _refuse(form, "late_hours" if late_hours is None else "late_after_minutes",
                _("A late rule needs both the minutes and the hours."))
    elif late_hours is not None and late_hours > (form.hours.data or 0):
        _refuse(form, "late_hours", _("A late arrival cannot earn more than the session's hours."))
    if any(f.errors for f in form):
        return None
    unit = access.unit_for_hr(current_user, form.unit.data)
    return classroom.SessionDraft(
        title=(form.title.data or "").strip(), unit_id=unit.id, starts_at=starts, ends_at=ends,
        capacity=int(form.capacity.data or 0), hours=float(form.hours.data or 0), place=(form.place.data or "").strip(), trainer_id=trainer.id if trainer else None,
        late_after_minutes=late_minutes, late_hours=float(late_hours) if late_hours is not None else None,
        course_id=course.id if course else None, tier=form.tier.data or None,
        description=(form.description.data or "").strip(), open_registration=bool(form.open_registration.data))


@bp.get("/manage")
def manage() -> ResponseReturnValue:
    _hr_only()
    sessions = classroom.for_staff(access.scope_paths(current_user), current_user.id)
    return render_template("training/manage.html", sessions=sessions, now=datetime.now(UTC),
                           counts=classroom.seat_counts([s.id for s in sessions]))


@bp.route("/manage/new", methods=["GET", "POST"])
def new_session() -> ResponseReturnValue:
    _hr_only()
    form = _session_form()
    if form.validate_on_submit() and (draft := _draft(form)) is not None:
        made = classroom.create_session(draft, actor=current_user, ip=client_ip())
        flash(_("Session created. Now fill it: assign people, or let them ask for a seat."), "success")
        return redirect(url_for("training.detail", session_id=made.id), code=303)
    return render_template("training/edit.html", form=form, session=None), 422 if form.is_submitted() else 200


@bp.route("/manage/<int:session_id>/edit", methods=["GET", "POST"])
def edit(session_id: int) -> ResponseReturnValue:
    session = access.classroom_session_for_staff(current_user, session_id)
    _hr_only()
    form = _session_form(session)
    if form.validate_on_submit() and (draft := _draft(form)) is not None:
        classroom.update_session(session, draft, actor=current_user, ip=client_ip())
        flash(_("Session saved."), "success")
        return redirect(url_for("training.detail", session_id=session.id), code=303)
    return render_template("training/edit.html", form=form, session=session), 422 if form.is_submitted() else 200


def _assign_form() -> SessionAssignForm:
    form = SessionAssignForm()
    form.unit.choices = _unit_choices()
    return form


def _detail(session: ClassroomSession, assign_form: SessionAssignForm | None = None) -> str:
    course = training_courses.get(session.course_id)
    return render_template("training/detail.html", session=session, course=course, roster=classroom.roster(session),
                           no_shows={s.user_id for s in classroom.no_shows(session)}, now=datetime.now(UTC),
                           assign_form=assign_form or _assign_form(), form=EmptyForm(),
                           may_manage=access.can_run_sessions(current_user))


@bp.get("/manage/<int:session_id>")
def detail(session_id: int) -> ResponseReturnValue:
    session = access.classroom_session_for_staff(current_user, session_id)
    return _detail(session)


def _named_people(form: SessionAssignForm) -> list[User] | None:
    numbers = list(dict.fromkeys(n for n in re.split(r"[\s,，、;；]+", form.people.data or "") if n))
    found = accounts.by_numbers(numbers, active_only=True)
    unknown = [n for n in numbers if n not in found or not access.in_scope(current_user, found[n].org_unit)]
    if unknown:
        _refuse(form, "people", _("Not found among your people: %(numbers)s.", numbers="、".join(unknown[:10])))
        return None
    if not numbers:
        _refuse(form, "people", _("Enter the employee numbers of the people to assign."))
        return None
    return list(found.values())


@bp.post("/manage/<int:session_id>/assign")
def assign(session_id: int) -> ResponseReturnValue:
    session = access.classroom_session_for_staff(current_user, session_id)
    _hr_only()
    form = _assign_form()
    if not form.validate_on_submit():
        return _detail(session, form), 422
    kind = TargetKind(form.target_kind.data)
    unit = access.unit_for_hr(current_user, form.unit.data)
    named = _named_people(form) if kind == TargetKind.PEOPLE else []
    if kind == TargetKind.POSITION and not (form.position.data or "").strip():
        _refuse(form, "position", _("Enter the position to assign."))
    if named is None or form.position.errors:
        return _detail(session, form), 422
    people = assignments.reached_people(kind, unit, include_subtree=bool(form.include_subtree.data),
                                        position=form.position.data or "", people=named)
    if not people:
        _refuse(form, "people" if kind == TargetKind.PEOPLE else "position" if kind == TargetKind.POSITION else "unit",
                _("This reaches nobody: no active person matches."))
        return _detail(session, form), 422
    placed = classroom.assign(session.id, people, actor=current_user, ip=client_ip(),
                              notice=_("You have a place on a classroom session: %(title)s", title=session.title))
    flash(_("%(seated)d people got a seat, %(waiting)d are on the waiting list, %(already)d had a place already.",
            seated=placed.seated, waiting=placed.waiting, already=placed.already), "success")
    return redirect(url_for("training.detail", session_id=session.id), code=303)


@bp.post("/manage/<int:session_id>/people/<int:user_id>/<any(approve, refuse):decision>")
def decide(session_id: int, user_id: int, decision: str) -> ResponseReturnValue:
    session = access.classroom_session_for_staff(current_user, session_id)
    _hr_only()
    if not EmptyForm().validate_on_submit():
        abort(400)
    approve = decision == "approve"
    notice = (_("Your request was approved: %(title)s", title=session.title) if approve
              else _("Your request was not approved: %(title)s", title=session.title))
    seat = classroom.decide(session.id, user_id, approve=approve, actor=current_user, ip=client_ip(), notice=notice)
    if approve and seat is None:
        abort(404)
    flash(_("Request approved.") if approve else _("Request refused."), "success")
    return redirect(url_for("training.detail", session_id=session.id), code=303)


@bp.post("/manage/<int:session_id>/people/<int:user_id>/mark")
def mark(session_id: int, user_id: int) -> ResponseReturnValue:
    """The trainer's or HR's hand mark, for someone whose phone would not sign in."""
    session = access.classroom_session_for_staff(current_user, session_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    person = classroom.seated_person(session.id, user_id)
    if person is None:
        abort(404)
    classroom.mark_attended(session.id, person, actor=current_user, attended=request.form.get("attended") == "1")
    flash(_("Attendance saved."), "success")
    return redirect(url_for("training.detail", session_id=session.id), code=303)
