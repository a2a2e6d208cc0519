from __future__ import annotations

import math
import smtplib
from datetime import datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from academy import ratelimit
from academy.clock import utcnow
from academy.forms import EmptyForm, ForgotPasswordForm, LanguageForm, LoginForm, PasswordForm, ResetPasswordForm
from academy.models import Role, User
from academy.people.services import accounts, identity, password_reset, sessions, twofactor
from academy.people.views import sso
from academy.people.views.signin import complete_login, current_token, end_browser_session
from academy.web import client_ip, external_url, safe_next

bp = Blueprint("auth", __name__)

PASSWORD_REASONS = {
    "current": _l("The current password is not right."),
    "short": _l("The new password is too short."),
    "long": _l("The new password is too long."),
    "common": _l("The new password is too common and easy to guess."),
    "kinds": _l("Use at least two kinds of character: lower case, upper case, digits, symbols."),
    "personal": _l("The new password must not contain your employee number or email name."),
    "reused": _l("The new password must differ from your recent passwords."),
}


def _minutes(until: datetime) -> int:
    return max(1, math.ceil((until - utcnow()).total_seconds() / 60))


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_home(current_user))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if request.method == "POST" else 200
    try:
        user, method = identity.sign_in(form.identifier.data or "", form.password.data or "",
                                        config=current_app.config, ip=client_ip())
    except identity.DirectoryUnavailable:
        flash(_("The company directory cannot be reached right now. Try again in a few minutes."), "error")
        return render_template("auth/login.html", form=form), 503
    except accounts.TooManyAttempts as locked:
        flash(_("Too many failed logins from this network. Try again in %(n)d minutes.", n=_minutes(locked.until)), "error")
        return render_template("auth/login.html", form=form), 429
    except accounts.AccountLocked as locked:
        flash(_("Too many failed attempts: the account is locked. Try again in %(n)d minutes.", n=_minutes(locked.until)),
              "error")
        return render_template("auth/login.html", form=form), 422
    except accounts.LoginFailed:
        flash(_("Wrong employee number, email or password."), "error")
        return render_template("auth/login.html", form=form), 422
    complete_login(user, method=method)
    if user.must_change_password or accounts.password_expired(user):
        flash(_("Choose a new password before you continue."), "info")
        return redirect(url_for("auth.change_password"), code=303)
    return redirect(safe_next(form.next.data, _home(user)), code=303)


def _home(user: User) -> str:
    """Where a login lands: HR on the training office, authors on their content desk, others on 我的学习."""
    if user.has_role(Role.HR) or user.has_role(Role.ADMIN):
        return url_for("hr.home")
    if user.has_role(Role.AUTHOR):
        return url_for("admin.content_status")
    return url_for("me.dashboard")


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    form = EmptyForm()
    if form.validate_on_submit():
        id_token = session.get(sso.ID_TOKEN_KEY)
        accounts.record_logout(current_user, current_token(), ip=client_ip())
        end_browser_session()
        if id_token:  # signed in through the identity platform: end its session too
            return redirect(sso.end_session_url(id_token), code=303)
    return redirect(url_for("auth.login"), code=303)


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere() -> ResponseReturnValue:
    """Every browser and phone signed in as this person, this one too."""
    if EmptyForm().validate_on_submit():
        accounts.record_logout(current_user, current_token(), ip=client_ip(), everywhere=True)
        end_browser_session()
        flash(_("You have been logged out on every device."), "success")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    if identity.managed_elsewhere(current_user):
        return render_template("auth/password_managed.html", **_two_factor_status()), 409
    form = PasswordForm()
    if not form.validate_on_submit():
        return _password_page(form, 422 if request.method == "POST" else 200)
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    try:
        accounts.change_password(user, form.current.data or "", form.new.data or "",
                                 min_length=current_app.config["MIN_PASSWORD_LENGTH"], ip=client_ip())
    except accounts.PasswordRejected as err:
        if err.reason == "too_many":
            form.current.errors = [_("Too many wrong passwords. Try again in %(n)d minutes.",
                                     n=max(1, math.ceil(err.seconds / 60)))]
            return _password_page(form, 429)
        target = form.current if err.reason == "current" else form.new
        target.errors = [str(PASSWORD_REASONS[err.reason])]
        return _password_page(form, 422)
    complete_login(user, method="password")  # every other session has ended; this browser starts a new one
    flash(_("Your password has been changed. Other devices have been logged out."), "success")
    return redirect(url_for("me.dashboard"), code=303)


def _password_page(form: PasswordForm, status: int) -> ResponseReturnValue:
    return render_template("auth/password.html", form=form, sessions=sessions.open_sessions(current_user.id),
                           **_two_factor_status()), status


def _two_factor_status() -> dict[str, object]:
    enrolled = twofactor.enrolment(current_user) is not None
    return {"two_factor_on": enrolled, "recovery_codes_left": twofactor.codes_left(current_user) if enrolled else 0}


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> ResponseReturnValue:
    """The same answer whether or not the account exists; counted per address and per name."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/forgot.html", form=form), 422 if request.method == "POST" else 200
    identifier = form.identifier.data or ""
    seconds = current_app.config["LOGIN_LOCK_MINUTES"] * 60
    by_address, _left = ratelimit.add(f"reset-ip:{client_ip()}", seconds)
    by_name, _left = ratelimit.add(f"reset-name:{accounts.identity_key(identifier)}", seconds)
    user = accounts.find_by_identifier(identifier)
    if (user is not None and user.active and user.email and not identity.managed_elsewhere(user)
            and by_address <= current_app.config["LOGIN_IP_MAX_FAILURES"]
            and by_name <= current_app.config["LOGIN_MAX_FAILURES"]):
        link = external_url("auth.reset_password", token=password_reset.make_token(user))
        try:
            password_reset.send_link(user, link, ip=client_ip())
        except (OSError, smtplib.SMTPException):
            current_app.logger.exception("password reset mail not sent")
    flash(_("If the account exists and has an email address, a link to reset the password is on its way. "
            "It works once, within %(n)d minutes.", n=current_app.config["PASSWORD_RESET_MINUTES"]), "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    user = password_reset.user_for(token)
    if user is None or identity.managed_elsewhere(user):  # its password lives in the directory or platform
        flash(_("This link has expired or has been used. Ask for a new one."), "error")
        return redirect(url_for("auth.forgot_password"), code=303)
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/reset.html", form=form), 422 if request.method == "POST" else 200
    try:
        password_reset.reset(user, form.new.data or "", ip=client_ip())
    except accounts.PasswordRejected as err:
        form.new.errors = [str(PASSWORD_REASONS[err.reason])]
        return render_template("auth/reset.html", form=form), 422
    flash(_("Your password has been changed. Log in with the new one."), "success")
    return redirect(url_for("auth.login"), code=303)


@bp.post("/language")
def language() -> ResponseReturnValue:
    form = LanguageForm()
    lang = str(form.lang.data) if form.validate_on_submit() else ""
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            accounts.set_locale(current_user, lang)
    return redirect(safe_next(form.next.data, url_for("courses.catalog")), code=303)
