from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from ..forms import EmptyForm, LanguageForm, LoginForm, PasswordForm
from ..services import accounts, identity
from . import client_ip, safe_next, sso

bp = Blueprint("auth", __name__)

PASSWORD_REASONS = {
    "current": _l("The current password is not right."),
    "short": _l("The new password is too short."),
    "guessable": _l("The new password is too easy to guess."),
}


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("courses.catalog"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 422 if request.method == "POST" else 200
    try:
        user = identity.sign_in(form.identifier.data or "", form.password.data or "", config=current_app.config,
                                ip=client_ip())
    except identity.DirectoryUnavailable:
        flash(_("The company directory cannot be reached right now. Try again in a few minutes."), "error")
        return render_template("auth/login.html", form=form), 503
    except accounts.AccountLocked:
        flash(_("Too many failed attempts. The account is locked for a while; try again later."), "error")
        return render_template("auth/login.html", form=form), 422
    except accounts.LoginFailed:
        flash(_("Wrong employee number, email or password."), "error")
        return render_template("auth/login.html", form=form), 422
    session.clear()  # a fresh session on login: no fixation
    login_user(user)
    session.permanent = True
    return redirect(safe_next(form.next.data, url_for("me.dashboard")), code=303)


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    form = EmptyForm()
    if form.validate_on_submit():
        id_token = session.get(sso.ID_TOKEN_KEY)
        accounts.record_logout(current_user, ip=client_ip())
        logout_user()
        session.clear()
        if id_token:  # signed in through the identity platform: end its session too
            return redirect(sso.end_session_url(id_token), code=303)
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    if identity.managed_elsewhere(current_user):
        return render_template("auth/password_managed.html"), 409
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form), 422 if request.method == "POST" else 200
    try:
        accounts.change_password(current_user, form.current.data or "", form.new.data or "",
                                 min_length=current_app.config["MIN_PASSWORD_LENGTH"], ip=client_ip())
    except accounts.PasswordRejected as err:
        flash(str(PASSWORD_REASONS[err.reason]), "error")
        return render_template("auth/password.html", form=form), 422
    flash(_("Your password has been changed."), "success")
    return redirect(url_for("me.dashboard"), code=303)


@bp.post("/language")
def language() -> ResponseReturnValue:
    form = LanguageForm()
    lang = str(form.lang.data) if form.validate_on_submit() else ""
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
        if current_user.is_authenticated:
            accounts.set_locale(current_user, lang)
    return redirect(safe_next(form.next.data, url_for("courses.catalog")), code=303)
