from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from academy import access
from academy.assessment.services import quizzes
from academy.forms import EmptyForm
from academy.learning.services import classroom, next_step, progress
from academy.learning.services import hours as training_hours
from academy.people.services import notices, reports

bp = Blueprint("me", __name__, url_prefix="/me")
bp.before_request(login_required(lambda: None))


@bp.get("")
def dashboard() -> ResponseReturnValue:
    zone = current_app.config["DISPLAY_TIMEZONE"]
    board = progress.dashboard(current_user, zone=zone)
    today = datetime.now(ZoneInfo(zone)).date()
    assigned = reports.assigned_courses(current_user, today=today)
    certifications = reports.assigned_certifications(current_user, today=today)
    exams = quizzes.sources().exams
    steps = next_step.next_steps(current_user, [e.course for e, _state in board.in_progress])
    hours = training_hours.of_person(current_user.id, zone=ZoneInfo(zone)).year(today.year)
    now = datetime.now(ZoneInfo(zone))
    upcoming = [(s, seat) for s, seat in classroom.seats_of(current_user.id) if s.ends_at > now]
    return render_template("me/dashboard.html", board=board, assigned=assigned, certifications=certifications,
                           exams=exams, steps=steps, hours=hours, upcoming=upcoming,
                           open_count=len([s for s in classroom.open_to(current_user) if s.id not in {u.id for u, _ in upcoming}]))


@bp.get("/notices")
def notice_list() -> ResponseReturnValue:
    return render_template("me/notices.html", notices=notices.recent(current_user), form=EmptyForm())


@bp.post("/notices/read")
def notices_read() -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    notices.mark_read(current_user)
    return redirect(url_for("me.notice_list"), code=303)


@bp.post("/notices/<int:notice_id>/read")
def notice_read(notice_id: int) -> ResponseReturnValue:
    notice = access.notice_for_owner(current_user, notice_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    notices.mark_read(current_user, notice)
    return redirect(notice.link if notice.link.startswith("/") and not notice.link.startswith("//")
                    else url_for("me.notice_list"), code=303)
