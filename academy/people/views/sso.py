"""Sign-in through an OpenID Connect identity platform: authorization code with PKCE, the ID
token's signature, issuer, audience, expiry and nonce checked by Authlib, state kept in the
session; the account is found by services.identity."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, abort, current_app, flash, redirect, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from academy.people.services import identity
from academy.people.views.signin import complete_login
from academy.web import client_ip

bp = Blueprint("sso", __name__)
ID_TOKEN_KEY = "oidc_id_token"  # noqa: S105 - a session key name, not a secret; kept for id_token_hint


def _client() -> Any:
    """One Authlib registry per app, built from its config on first use."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if "qs_oidc" not in app.extensions:
        oauth = OAuth(app)
        oauth.register("platform", client_id=app.config["OIDC_CLIENT_ID"],
                       client_secret=app.config.get("OIDC_CLIENT_SECRET", ""),
                       server_metadata_url=app.config["OIDC_DISCOVERY_URL"],
                       client_kwargs={"scope": app.config["OIDC_SCOPES"], "code_challenge_method": "S256",
                                      "timeout": 10})
        app.extensions["qs_oidc"] = oauth.platform
    return app.extensions["qs_oidc"]


def _enabled() -> None:
    if identity.OIDC not in current_app.config["LOGIN_METHODS"] or not current_app.config["OIDC_DISCOVERY_URL"]:
        abort(404)


@bp.get("/login/oidc")
def start() -> ResponseReturnValue:
    _enabled()
    return _client().authorize_redirect(url_for("sso.callback", _external=True))  # type: ignore[no-any-return]


@bp.get("/login/oidc/callback")
def callback() -> ResponseReturnValue:
    _enabled()
    try:
        token = _client().authorize_access_token()  # state, code + verifier, ID token signature, nonce
    except (OAuthError, KeyError, ValueError) as err:  # a replayed or forged code, a wrong state, a bad token
        current_app.logger.warning("OIDC sign-in refused: %s", err)
        flash(_("Single sign-on did not complete. Please try again."), "error")
        return redirect(url_for("auth.login"), code=303)
    try:
        user = identity.login_with_oidc(token["userinfo"], employee_claim=current_app.config["OIDC_EMPLOYEE_CLAIM"],
                                        ip=client_ip())
    except (identity.NoAccount, identity.accounts.LoginFailed):
        flash(_("Your company account has no training account here yet. Ask your HR training officer."), "error")
        return redirect(url_for("auth.login"), code=303)
    complete_login(user, method="oidc")
    session[ID_TOKEN_KEY] = token.get("id_token", "")
    return redirect(url_for("me.dashboard"), code=303)


def end_session_url(id_token: str) -> str:
    """The platform's logout, back to our login page after; our own login page if it has none."""
    back = url_for("auth.login", _external=True)
    try:
        endpoint = _client().load_server_metadata().get("end_session_endpoint")
    except Exception:  # the platform is down: our session is over anyway
        current_app.logger.warning("OIDC metadata unavailable for logout", exc_info=True)
        endpoint = None
    if not endpoint:
        return back
    return f"{endpoint}?{urlencode({'id_token_hint': id_token, 'post_logout_redirect_uri': back})}"
