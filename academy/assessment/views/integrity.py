"""The exam page's reports of departures (certification exams only); see services/integrity.py."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from academy import access, ratelimit
from academy.assessment.services import integrity

bp = Blueprint("integrity", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    return None


@bp.post("/attempts/<int:attempt_id>/away")
def away(attempt_id: int) -> ResponseReturnValue:
    """Sent by the page (X-CSRFToken header). Never refuses the exam itself: the worst answer is 429."""
    attempt = access.attempt_for_owner(current_user, attempt_id)
    if not integrity.watched(attempt.quiz_key):
        abort(404)
    if not ratelimit.allow("quiz_away", str(attempt_id), current_user.id):
        return jsonify(recorded=False), 429
    seq = request.form.get("seq", type=int)
    seconds = request.form.get("away_seconds", type=int)
    if seq is None:
        abort(400)
    try:
        stored = integrity.record(attempt, seq, request.form.get("kind", ""), seconds)
    except integrity.NotRecorded:
        abort(400)
    return jsonify(recorded=stored)


@bp.app_template_global()
def exam_watched(quiz_key: str) -> bool:
    return integrity.watched(quiz_key)


@bp.app_template_global()
def away_summary(attempt_id: int) -> integrity.Summary:
    return integrity.summary(attempt_id)
