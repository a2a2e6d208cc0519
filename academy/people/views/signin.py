"""The one way a browser becomes signed in, whatever proved who the person is.

A password today; a directory bind, an OpenID Connect callback or a second factor later call
``complete_login`` in the same way once they have a ``User``: the old session is dropped (its
id never carries over), a server-side session row is opened and audited with the method, and
the cookie gets the new token.
"""

from __future__ import annotations

from flask import request, session
from flask_login import login_user, logout_user
from flask_wtf.csrf import generate_csrf

from academy.models import User
from academy.people.services import sessions
from academy.people.views.privacy import on_login as privacy_on_login
from academy.people.views.twofactor import on_login
from academy.web import client_ip

SESSION_TOKEN = "_sid"  # noqa: S105 - the name of a session key, not a secret


def complete_login(user: User, *, method: str) -> None:
    session.clear()  # a fresh session: nothing from before the login survives (no fixation)
    token = sessions.start(user, method=method, ip=client_ip(), user_agent=request.user_agent.string)
    login_user(user)
    session[SESSION_TOKEN] = token
    session.permanent = True
    generate_csrf()  # the pages' forms take it from here, so the next page does not rewrite the cookie
    on_login(user, method)  # the second factor comes next where this person owes one
    privacy_on_login(user)  # then the privacy notice, where it is new to them


def current_token() -> str:
    token = session.get(SESSION_TOKEN)
    return token if isinstance(token, str) else ""


def end_browser_session() -> None:
    logout_user()
    session.clear()
