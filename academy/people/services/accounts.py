from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from academy import ratelimit
from academy.database import db, utcnow
from academy.models import Notice, OrgUnit, Role, User, UserRole
from academy.people.services import assignments, passwords, sessions
from academy.services import audit

# A real hash to compare against when the account does not exist, so timing does not tell.
_DUMMY_HASH = generate_password_hash("not-a-password-of-anyone")


class LoginFailed(Exception):
    """Wrong identifier or password, or a disabled account: one message for all."""


class AccountLocked(Exception):
    def __init__(self, until: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until


class TooManyAttempts(AccountLocked):
    """Too many failures from one network address, whatever the names tried."""


PasswordRejected = passwords.PasswordRejected


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # scrypt, Werkzeug's default


def create_user(employee_no: str, name: str, *, password: str | None = None, email: str | None = None,
                org_unit: OrgUnit | None = None, position: str = "", phone: str | None = None,
                roles: tuple[tuple[Role, OrgUnit | None], ...] = (), commit: bool = True, refresh: bool = True) -> User:
    """A new account; ``refresh=False`` leaves its assignments to the caller's ``refresh_users`` (a batch)."""
    user = User(employee_no=employee_no.strip(), name=name.strip(), email=(email or None),
                org_unit_id=org_unit.id if org_unit else None, position=position, phone=phone,
                password_hash=hash_password(password) if password else "")
    for role, scope in roles:
        user.roles.append(UserRole(role=role, scope_unit_id=scope.id if scope else None))
    db.session.add(user)
    db.session.flush()
    if refresh:
        assignments.refresh_user(user)  # a newcomer to an assigned unit gets its assignments
    if commit:
        db.session.commit()
    return user


def spend_hash_time(password: str) -> None:
    """Check ``password`` against a throw-away hash: a refusal takes as long as a real check."""
    check_password_hash(_DUMMY_HASH, password)


def find_by_identifier(identifier: str) -> User | None:
    key = identifier.strip()
    if not key:
        return None
    return db.session.execute(
        select(User).where(or_(User.employee_no == key, func.lower(User.email) == key.lower()))
    ).scalars().first()


def get(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None


def by_numbers(numbers: Iterable[str], *, active_only: bool = False) -> dict[str, User]:
    """The people with these employee numbers, by number (numbers nobody has are left out)."""
    wanted = list(numbers)
    if not wanted:
        return {}
    query = select(User).where(User.employee_no.in_(wanted))
    if active_only:
        query = query.where(User.active.is_(True))
    return {u.employee_no: u for u in db.session.execute(query).scalars()}


def by_number(employee_no: str, *, active_only: bool = False) -> User | None:
    number = employee_no.strip()
    return by_numbers([number], active_only=active_only).get(number) if number else None


def page(text: str, number: int, *, per_page: int = 50) -> Pagination:
    """The admin's people list: employee number, name or e-mail containing ``text``, by employee number."""
    statement = select(User).order_by(User.employee_no)
    if text:  # what an admin types is text: % and _ match themselves, not any characters
        statement = statement.where(or_(*(column.contains(text, autoescape=True)
                                          for column in (User.employee_no, User.name, User.email))))
    return db.paginate(statement, page=number, per_page=per_page, error_out=False)


def identity_key(identifier: str) -> str:
    """A keyed hash of what was typed: counts failures per name without storing the name (it may be a password)."""
    secret = str(current_app.secret_key).encode()
    return hmac.new(secret, identifier.strip().lower().encode(), hashlib.sha256).hexdigest()[:24]


def _config(name: str) -> int:
    return int(current_app.config[name])


def authenticate(identifier: str, password: str, *, ip: str = "", now: datetime | None = None,
                 max_failures: int = 5, lock_minutes: int = 15) -> User:
    """Return the user or raise; every outcome is audited and committed.

    Three counters stand between a guesser and a password, each with its own reach:
    - per network address: ``LOGIN_IP_MAX_FAILURES`` failures, whatever the names, then a pause;
    - per name and address: ``max_failures`` failures lock that name *from that address*, for
      ``lock_minutes`` doubled with each lock of the day. Someone else cannot lock an admin out
      at will, since the admin's own address keeps its own count;
    - per account, across addresses: ``LOGIN_ACCOUNT_MAX_FAILURES`` lock the account itself (a
      spread-out guesser), audited as an alert.
    Known and unknown names take the same path, the same message and one password hash each.
    """
    now = now or utcnow()
    who = identity_key(identifier)
    ip_key, pair_key, lock_key = f"login-ip:{ip}", f"login-pair:{who}:{ip}", f"login-lock:{who}:{ip}"
    failures, ip_left = ratelimit.peek(ip_key)
    if failures >= _config("LOGIN_IP_MAX_FAILURES"):
        spend_hash_time(password)
        audit.record("login_throttled", ip=ip, now=now, who=who[:16])
        db.session.commit()
        raise TooManyAttempts(now + timedelta(seconds=ip_left))
    _count, lock_left = ratelimit.peek(lock_key)
    user = find_by_identifier(identifier)
    if lock_left or (user is not None and user.locked_until and user.locked_until > now):
        spend_hash_time(password)
        until = max(now + timedelta(seconds=lock_left), user.locked_until if user and user.locked_until else now)
        audit.record("login_failed", actor=user, ip=ip, now=now, reason="locked", who=who[:16])
        db.session.commit()
        raise AccountLocked(until)
    right = check_password_hash(user.password_hash if user and user.password_hash else _DUMMY_HASH, password)
    if user is not None and right and user.active and user.password_hash:
        user.failed_logins = 0
        user.locked_until = None
        ratelimit.forget(pair_key)
        return user
    ratelimit.add(ip_key, _config("LOGIN_IP_WINDOW_MINUTES") * 60)
    count, _left = ratelimit.add(pair_key, lock_minutes * 60)
    if count >= max_failures:
        locks, _day = ratelimit.add(f"login-locks:{who}:{ip}", 24 * 3600)
        seconds = min(lock_minutes * 60 * 2 ** (locks - 1), 24 * 3600)  # each lock of the day twice as long
        ratelimit.hold(lock_key, seconds)
        ratelimit.forget(pair_key)
        audit.record("account_locked", actor=user, ip=ip, now=now, who=who[:16],
                     until=(now + timedelta(seconds=seconds)).isoformat())
    if user is not None:
        user.failed_logins += 1
        if user.failed_logins >= _config("LOGIN_ACCOUNT_MAX_FAILURES"):
            user.locked_until = now + timedelta(minutes=lock_minutes)
            user.failed_logins = 0
            audit.record("account_locked", actor=user, ip=ip, now=now, until=user.locked_until.isoformat(),
                         scope="all_addresses", alert=True)
            _alert_admins(user, now)
    reason = "unknown" if user is None else "inactive" if not user.active else "password"
    audit.record("login_failed", actor=user, ip=ip, now=now, reason=reason, who=who[:16])
    db.session.commit()
    raise LoginFailed


def _alert_admins(locked: User, now: datetime) -> None:
    """Guesses from many addresses at one account: every admin gets an in-app notice (part of the caller's commit)."""
    admins = db.session.execute(select(User).join(UserRole).where(UserRole.role == Role.ADMIN, User.active.is_(True))).scalars()
    for admin in admins:
        with force_locale(admin.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            title = _("Account %(no)s locked after failed logins from several addresses", no=locked.employee_no)
        db.session.add(Notice(user_id=admin.id, kind="security", title=title, created_at=now,
                              link="/admin/audit?action=account_locked"))


def record_logout(user: User, token: str, *, ip: str = "", everywhere: bool = False) -> None:
    """End this browser's session, or every session of the person."""
    if everywhere:
        keys = sessions.end_all(user.id, "logout_everywhere")
        audit.record("logout_everywhere", actor=user, ip=ip, sessions=len(keys))
        db.session.commit()
        sessions.forget(keys)
        return
    audit.record("logout", actor=user, ip=ip)
    db.session.commit()
    sessions.end(token, "logout")


def change_password(user: User, current: str, new: str, *, min_length: int = 10, ip: str = "") -> None:
    """The person's own change: the current password first (its guesses are counted), then the policy.

    Every session ends, this one included; the caller signs the person in again."""
    key = f"password-check:{user.id}"
    tries, left = ratelimit.peek(key)
    if tries >= _config("LOGIN_MAX_FAILURES"):
        raise PasswordRejected("too_many", left)
    if not check_password_hash(user.password_hash, current):
        ratelimit.add(key, _config("LOGIN_LOCK_MINUTES") * 60)
        audit.record("password_change_failed", actor=user, ip=ip)
        db.session.commit()
        raise PasswordRejected("current")
    ratelimit.forget(key)
    passwords.check(new, user, min_length=min_length)
    _store_password(user, new)
    user.must_change_password = False
    keys = sessions.end_all(user.id, "password_changed")
    audit.record("password_changed", actor=user, ip=ip)
    db.session.commit()
    sessions.forget(keys)


def check_new_password(user: User, new: str, min_length: int) -> None:
    passwords.check(new, user, min_length=min_length)


def _store_password(user: User, new: str) -> None:
    keep = _config("PASSWORD_HISTORY")
    if user.password_hash:
        user.password_history = [user.password_hash, *(user.password_history or [])][:keep]
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()


def password_expired(user: User, *, now: datetime | None = None) -> bool:
    days = _config("PASSWORD_MAX_AGE_DAYS")
    if not days or user.password_changed_at is None:
        return False
    return (now or utcnow()) - user.password_changed_at > timedelta(days=days)


def temporary_password() -> str:
    """Twelve characters people can read out and type: no 0/O or 1/l/I, letters and digits both."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(12))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate


def set_password(user: User, new: str, *, actor: User | None = None, ip: str = "", temporary: bool = False) -> None:
    """Set by someone else (an admin, HR, the command line). ``temporary``: the person must change it at
    their next login. Their open sessions end either way."""
    _store_password(user, new)
    user.must_change_password = temporary
    keys = sessions.end_all(user.id, "password_reset")
    audit.record("password_set", actor=actor, ip=ip, user_id=user.id, temporary=temporary)
    db.session.commit()
    sessions.forget(keys)


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()


def set_roles(user: User, wanted: dict[Role, OrgUnit | None], *, actor: User | None = None, ip: str = "",
              commit: bool = True) -> list[str]:
    """Make the user's roles exactly ``wanted`` (role -> HR scope); audit each change; one commit
    (or none, inside a caller's transaction)."""
    changes: list[str] = []
    current = {r.role: r for r in user.roles}
    for role, held in current.items():
        if role not in wanted:
            user.roles.remove(held)
            audit.record("role_revoked", actor=actor, ip=ip, user_id=user.id, role=str(role))
            changes.append(f"-{role}")
    for role, scope in wanted.items():
        scope_id = scope.id if scope else None
        row = current.get(role)
        if row is None:
            user.roles.append(UserRole(role=role, scope_unit_id=scope_id))
        elif row.scope_unit_id != scope_id:
            row.scope_unit_id = scope_id
        else:
            continue
        audit.record("role_granted", actor=actor, ip=ip, user_id=user.id, role=str(role), scope=scope_id)
        changes.append(f"+{role}")
    # a browser signed in with the old rights must sign in again
    keys = sessions.end_all(user.id, "role_changed") if changes else []
    if commit:
        db.session.commit()
    sessions.forget(keys)  # a cache of open sessions: forgetting before the caller's commit costs only a read
    return changes


def set_active(user: User, active: bool, *, actor: User | None = None, ip: str = "") -> None:
    keys: list[str] = []
    if user.active != active:
        user.active = active
        audit.record("account_activated" if active else "account_deactivated", actor=actor, ip=ip, user_id=user.id)
        assignments.refresh_user(user)  # back at work: the unit's assignments apply again
        if not active:
            keys = sessions.end_all(user.id, "deactivated")
    db.session.commit()
    sessions.forget(keys)
