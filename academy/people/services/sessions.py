"""Login sessions kept on the server: a signed cookie alone can be saved and replayed, a row can be ended.

The cookie carries a random token; the row is keyed by its SHA-256, so a copy of the
database gives no working cookie. A request is signed in while its row is open, has been
used within the idle timeout, and is younger than the absolute lifetime. With Redis, the
open sessions are mirrored there, so the live answer path (which skips the database) still
refuses a session that has ended.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import redis
from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from academy import realtime
from academy.database import db, utcnow
from academy.models import LoginSession, User
from academy.services import audit

TOUCH_EVERY = timedelta(seconds=60)  # last use is written at most this often: a phone polls every second


def token_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _idle() -> timedelta:
    return timedelta(minutes=int(current_app.config["SESSION_IDLE_MINUTES"]))


def _lifetime() -> timedelta:
    return timedelta(hours=float(current_app.config["SESSION_LIFETIME_HOURS"]))


def mirror(key: str, user_id: int | None) -> None:
    """Keep Redis's copy of an open session (None: remove it)."""
    connection = realtime.client()
    if connection is None:
        return
    try:
        if user_id is None:
            connection.delete(f"session:{key}")
        else:
            connection.set(f"session:{key}", user_id, ex=int(_idle().total_seconds()))
    except redis.RedisError:
        pass  # Redis down: the database path decides, and it knows


def mirrored_user(token: str) -> int | None:
    """The user of an open session per Redis, or None (no Redis, not there, ended)."""
    connection = realtime.client()
    if connection is None:
        return None
    try:
        value = connection.get(f"session:{token_key(token)}")
    except redis.RedisError:
        return None
    return int(value) if value is not None else None


def start(user: User, *, method: str, ip: str = "", user_agent: str = "", now: datetime | None = None) -> str:
    """Open a session for ``user`` and audit the login; returns the token for the cookie."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=token_key(token), user_id=user.id, method=method, created_at=now, last_seen_at=now,
                                ip=ip[:64], user_agent=user_agent[:200]))
    user.last_login_at = now
    audit.record("login", actor=user, ip=ip, now=now, method=method)
    db.session.commit()
    mirror(token_key(token), user.id)
    return token


# The person and their session row in one statement, roles joined: loading a signed-in person is
# the one cost every page shares, and three round trips were a fifth of a catalog page's time.
_PERSON_AND_SESSION = (select(User, LoginSession).join(LoginSession, LoginSession.user_id == User.id)
                       .options(joinedload(User.roles)))


def signed_in_user(token: str, user_id: int, *, now: datetime | None = None) -> User | None:
    """The active person whose open session this token is, or None; ends an idle or too old session."""
    found = db.session.execute(_PERSON_AND_SESSION.where(
        User.id == user_id, LoginSession.id == token_key(token))).unique().one_or_none()
    if found is None:
        return None
    user, row = found
    return user if user.active and _still_open(row, now or utcnow()) else None


def _still_open(row: LoginSession, now: datetime) -> bool:
    if row.ended_at is not None:
        return False
    reason = "idle" if now - row.last_seen_at > _idle() else "expired" if now - row.created_at > _lifetime() else ""
    if reason:
        _end_rows([row], reason, now)
        db.session.commit()
        return False
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
        mirror(row.id, row.user_id)
    return True


def end(token: str, reason: str, *, now: datetime | None = None) -> None:
    row = db.session.get(LoginSession, token_key(token))
    if row is not None and row.ended_at is None:
        _end_rows([row], reason, now or utcnow())
        db.session.commit()


def end_all(user_id: int, reason: str, *, now: datetime | None = None) -> list[str]:
    """End every open session of a person, without committing: the caller's change and this are one.

    Returns the ended keys; call ``forget`` with them after the commit."""
    rows = list(db.session.execute(
        select(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))).scalars())
    _end_rows(rows, reason, now or utcnow(), mirrored=False)
    return [r.id for r in rows]


def forget(keys: list[str]) -> None:
    for key in keys:
        mirror(key, None)


def _end_rows(rows: list[LoginSession], reason: str, now: datetime, *, mirrored: bool = True) -> None:
    for row in rows:
        row.ended_at = now
        row.ended_reason = reason[:20]
        if mirrored:
            mirror(row.id, None)


def open_sessions(user_id: int) -> list[LoginSession]:
    return list(db.session.execute(
        select(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .order_by(LoginSession.last_seen_at.desc())).scalars())


def purge(*, now: datetime | None = None, keep_days: int = 180) -> int:
    """Close sessions past their lifetime and drop rows ended long ago; returns rows dropped."""
    now = now or utcnow()
    db.session.execute(update(LoginSession).where(LoginSession.ended_at.is_(None),
                                                  LoginSession.created_at < now - _lifetime())
                       .values(ended_at=now, ended_reason="expired"))
    gone = db.session.execute(delete(LoginSession).where(LoginSession.ended_at < now - timedelta(days=keep_days)))
    db.session.commit()
    return int(gone.rowcount)  # type: ignore[attr-defined]
