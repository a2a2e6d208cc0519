"""Classroom sessions: the screen with the rotating sign-in code, and sign-in from the phone."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import access
from ..database import db
from ..forms import EmptyForm
from ..models import ClassroomSession, SessionSeat
from ..services import classroom
from . import external_url

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
    signed = db.session.query(SessionSeat).filter(SessionSeat.session_id == session.id,
                                                  SessionSeat.signed_in_at.isnot(None)).count()
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
    session = db.session.get(ClassroomSession, session_id)
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
    mine = db.session.query(SessionSeat).filter_by(session_id=session.id, user_id=current_user.id).one_or_none()
    return render_template("training/sign_in.html", session=session, form=form, code=code, refusal=None,
                           signed=mine is not None and mine.signed_in_at is not None)
