from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from ..services import progress, reports

bp = Blueprint("me", __name__, url_prefix="/me")
bp.before_request(login_required(lambda: None))


@bp.get("")
def dashboard() -> ResponseReturnValue:
    zone = current_app.config["DISPLAY_TIMEZONE"]
    board = progress.dashboard(current_user, zone=zone)
    assigned = reports.assigned_courses(current_user, today=datetime.now(ZoneInfo(zone)).date())
    return render_template("me/dashboard.html", board=board, assigned=assigned)
