"""Who sends a live answer, read from the signed session cookie without a database query.

The hottest request of a live final: thousands of phones answer within seconds, so it does not
load the user. Flask-Login keeps the signed-in id under ``_user_id`` in the session; this is the
one place that relies on that.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import session

from academy.people.services import sessions

LOGIN_SESSION_KEY = "_user_id"  # Flask-Login's own key (flask_login.utils.login_user)


@dataclass(frozen=True)
class Answerer:
    user_id: int
    device: str | None


def live_answerer(code: str) -> Answerer | None:
    """The signed-in user and the device token their join gave this browser. The answer path then
    checks the device against the player's current one (``services.intake``), so a takeover still
    wins. None: not signed in this way; the caller treats the request as any other page would."""
    user_id = session.get(LOGIN_SESSION_KEY)
    if not isinstance(user_id, str) or not user_id.isdigit():
        return None
    token = session.get("_sid")
    # an ended session (logout, deactivation, role change) is gone from Redis at once: such a
    # request takes the database path, which refuses it
    if not isinstance(token, str) or sessions.mirrored_user(token) != int(user_id):
        return None
    device = session.get(f"live:{code}")
    return Answerer(int(user_id), device if isinstance(device, str) else None)
