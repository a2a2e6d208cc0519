"""Two-factor pages: enrol an authenticator, give a code after the password, renew recovery codes,
and an administrator's reset. A session that still owes its second factor reaches these pages
and logout only (``gate``)."""

from __future__ import annotations

import math

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy import access, ratelimit
from academy.forms import EmptyForm, TwoFactorForm
from academy.models import Role
from academy.people.services import twofactor
from academy.printing import qr_cells
from academy.web import OPEN_WHILE_SIGNING_IN, client_ip, return_path, safe_next

bp = Blueprint("twofactor", __name__)

NEEDED, DONE, SETUP = "mfa_needed", "mfa", "mfa_setup"  # session keys
MAX_WRONG, WRONG_WINDOW = 5, 15 * 60


def on_login(user: object, method: str) -> None:
    """Called as a session opens: does it owe a second factor before anything else?"""
    trusted = method == "oidc" and current_app.config["TWO_FACTOR_TRUST_OIDC"]  # the platform asked for its own
    session[NEEDED] = not trusted and twofactor.required(user, current_app.config["TWO_FACTOR_ROLES"])  # type: ignore[arg-type]


@bp.before_app_request
def gate() -> ResponseReturnValue | None:
    if not session.get(NEEDED) or session.get(DONE) or not current_user.is_authenticated:
        return None
    if request.endpoint in OPEN_WHILE_SIGNING_IN or (request.endpoint or "").startswith("twofactor."):
        return None
    target = "twofactor.verify" if twofactor.enrolment(current_user) else "twofactor.setup"
    return redirect(url_for(target, next=return_path()), code=303)


def _done(method: str) -> ResponseReturnValue:
    session[DONE] = method
    session.pop(SETUP, None)
    return redirect(safe_next(request.args.get("next"), url_for("me.dashboard")), code=303)


@bp.route("/account/2fa/verify", methods=["GET", "POST"])
@login_required
def verify() -> ResponseReturnValue:
    if twofactor.enrolment(current_user) is None:
        return redirect(url_for("twofactor.setup", next=request.args.get("next")), code=303)
    form = TwoFactorForm()
    key = f"2fa-wrong:{current_user.id}"
    wrong, left = ratelimit.peek(key)
    if wrong >= MAX_WRONG:
        form.code.errors = [_("Too many wrong codes. Try again in %(n)d minutes.", n=max(1, math.ceil(left / 60)))]
        return render_template("auth/two_factor_verify.html", form=form), 429
    if not form.validate_on_submit():
        return render_template("auth/two_factor_verify.html", form=form), 422 if request.method == "POST" else 200
    try:
        used = twofactor.verify(current_user, form.code.data or "", app_secret=current_app.config["SECRET_KEY"],
                                ip=client_ip())
    except twofactor.WrongCode:
        ratelimit.add(key, WRONG_WINDOW)
        form.code.errors = [_("That code is not right, or was used already. Enter the code your app shows now.")]
        return render_template("auth/two_factor_verify.html", form=form), 422
    ratelimit.forget(key)
    if used == "recovery":
        flash(_("You used a recovery code; %(n)d are left. Renew them under 账号安全 if few remain.",
                n=twofactor.codes_left(current_user)), "info")
    return _done(used)


@bp.route("/account/2fa/setup", methods=["GET", "POST"])
@login_required
def setup() -> ResponseReturnValue:
    if twofactor.enrolment(current_user) is not None and not session.get(DONE):
        return redirect(url_for("twofactor.verify"), code=303)  # enrolled: prove it before enrolling anew
    secret = session.get(SETUP) or twofactor.new_secret()
    session[SETUP] = secret
    form = TwoFactorForm()
    uri = twofactor.provisioning_uri(secret, current_user, current_app.config["TWO_FACTOR_ISSUER"])
    size, cells = qr_cells(uri)
    page = {"form": form, "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
            "qr_size": size, "qr_cells": cells}
    if not form.validate_on_submit():
        return render_template("auth/two_factor_setup.html", **page), 422 if request.method == "POST" else 200
    try:
        codes = twofactor.enrol(current_user, secret, form.code.data or "", app_secret=current_app.config["SECRET_KEY"],
                                ip=client_ip())
    except twofactor.WrongCode:
        form.code.errors = [_("That code is not right. Check the phone's clock and enter the code your app shows now.")]
        return render_template("auth/two_factor_setup.html", **page), 422
    session[DONE] = "totp"
    session.pop(SETUP, None)
    return _codes_page(codes, next_url=safe_next(request.args.get("next"), url_for("me.dashboard")))


def _codes_page(codes: list[str], *, next_url: str) -> ResponseReturnValue:
    response = current_app.make_response(render_template("auth/two_factor_codes.html", codes=codes, next_url=next_url))
    response.headers["Cache-Control"] = "no-store"  # shown once, never kept by the browser
    return response


@bp.post("/account/2fa/recovery-codes")
@login_required
def renew_codes() -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit() or twofactor.enrolment(current_user) is None or not session.get(DONE):
        return redirect(url_for("twofactor.verify"), code=303)
    return _codes_page(twofactor.regenerate_codes(current_user, ip=client_ip()), next_url=url_for("auth.change_password"))


@bp.post("/admin/users/<int:user_id>/two-factor/reset")
@login_required
def reset(user_id: int) -> ResponseReturnValue:
    user = access.user_for_admin(current_user, user_id)
    access.require_role(current_user, Role.ADMIN)
    if EmptyForm().validate_on_submit():
        twofactor.reset(user, actor=current_user, ip=client_ip())
        flash(_("The authenticator was removed. %(name)s sets up a new one at the next sign-in.", name=user.name),
              "success")
    return redirect(url_for("admin.user_detail", user_id=user.id), code=303)
