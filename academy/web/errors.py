from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

bp = Blueprint("errors", __name__)


@bp.app_errorhandler(CSRFError)
def csrf_error(error: CSRFError) -> ResponseReturnValue:
    return render_template("errors/error.html", code=400, reason="csrf"), 400


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    return render_template("errors/error.html", code=code, reason=None), code


@bp.app_errorhandler(Exception)
def server_error(error: Exception) -> ResponseReturnValue:
    current_app.logger.exception("unhandled error")
    return render_template("errors/error.html", code=500, reason=None), 500


@bp.get("/healthz")
def health() -> ResponseReturnValue:
    return "ok", 200, {"Content-Type": "text/plain"}
