from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from ..services import progress

bp = Blueprint("me", __name__, url_prefix="/me")
bp.before_request(login_required(lambda: None))


@bp.get("")
def dashboard() -> ResponseReturnValue:
    board = progress.dashboard(current_user, zone=current_app.config["DISPLAY_TIMEZONE"])
    return render_template("me/dashboard.html", board=board)
