from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

bp = Blueprint("errors", __name__)


@bp.app_errorhandler(CSRFError)
def csrf_error(error: CSRFError) -> ResponseReturnValue:
    return render_template("errors/error.html", code=400, reason="csrf"), 400


@bp.app_errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    # the body is not read again: the page's own forms (logout, language) see an empty one
    request.__dict__["form"] = ImmutableMultiDict()
    request.__dict__["files"] = ImmutableMultiDict()
    if request.path.startswith("/live/") or request.is_json:
        return jsonify(error="too_large"), 413
    return render_template("errors/error.html", code=413, reason=None), 413


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
