from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import db, utcnow
from ..models import OrgUnit, Role, User, UserRole
from . import assignments, audit

# A real hash to compare against when the account does not exist, so timing does not tell.
_DUMMY_HASH = generate_password_hash("not-a-password-of-anyone")


class LoginFailed(Exception):
    """Wrong identifier or password, or a disabled account: one message for all."""


class AccountLocked(Exception):
    def __init__(self, until: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until


class PasswordRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def hash_password(password: str) -> str:
    return generate_password_hash(password)  # scrypt, Werkzeug's default


def create_user(employee_no: str, name: str, *, password: str | None = None, email: str | None = None,
                org_unit: OrgUnit | None = None, position: str = "", phone: str | None = None,
                roles: tuple[tuple[Role, OrgUnit | None], ...] = (), commit: bool = True) -> User:
    user = User(employee_no=employee_no.strip(), name=name.strip(), email=(email or None),
                org_unit_id=org_unit.id if org_unit else None, position=position, phone=phone,
                password_hash=hash_password(password) if password else "")
    for role, scope in roles:
        user.roles.append(UserRole(role=role, scope_unit_id=scope.id if scope else None))
    db.session.add(user)
    db.session.flush()
    assignments.refresh_user(user)  # a newcomer to an assigned unit gets its assignments
    if commit:
        db.session.commit()
    return user


def find_by_identifier(identifier: str) -> User | None:
    key = identifier.strip()
    if not key:
        return None
    return db.session.execute(
        select(User).where(or_(User.employee_no == key, func.lower(User.email) == key.lower()))
    ).scalars().first()


def authenticate(identifier: str, password: str, *, ip: str = "", now: datetime | None = None,
                 max_failures: int = 5, lock_minutes: int = 15) -> User:
    """Return the user or raise; every outcome is audited and committed."""
    now = now or utcnow()
    user = find_by_identifier(identifier)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        audit.record("login_failed", ip=ip, now=now, identifier=identifier[:64], reason="unknown")
        db.session.commit()
        raise LoginFailed
    if user.locked_until and user.locked_until > now:
        audit.record("login_failed", actor=user, ip=ip, now=now, reason="locked")
        db.session.commit()
        raise AccountLocked(user.locked_until)
    if not user.password_hash or not check_password_hash(user.password_hash, password) or not user.active:
        user.failed_logins += 1
        reason = "inactive" if not user.active else "password"
        if user.failed_logins >= max_failures:
            user.locked_until = now + timedelta(minutes=lock_minutes)
            user.failed_logins = 0
            audit.record("account_locked", actor=user, ip=ip, now=now, until=user.locked_until.isoformat())
        audit.record("login_failed", actor=user, ip=ip, now=now, reason=reason)
        db.session.commit()
        raise LoginFailed
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record("login", actor=user, ip=ip, now=now)
    db.session.commit()
    return user


def record_logout(user: User, *, ip: str = "") -> None:
    audit.record("logout", actor=user, ip=ip)
    db.session.commit()


def change_password(user: User, current: str, new: str, *, min_length: int = 10, ip: str = "") -> None:
    if not check_password_hash(user.password_hash, current):
        raise PasswordRejected("current")
    check_new_password(user, new, min_length)
    user.password_hash = hash_password(new)
    audit.record("password_changed", actor=user, ip=ip)
    db.session.commit()


def check_new_password(user: User, new: str, min_length: int) -> None:
    if len(new) < min_length:
        raise PasswordRejected("short")
    if new.strip().lower() in {user.employee_no.lower(), (user.email or "").lower()}:
        raise PasswordRejected("guessable")
    if len(set(new)) < 4:
        raise PasswordRejected("guessable")


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.commit()


def set_roles(user: User, wanted: dict[Role, OrgUnit | None], *, actor: User | None = None, ip: str = "") -> list[str]:
    """Make the user's roles exactly ``wanted`` (role -> HR scope); audit each change; one commit."""
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
    db.session.commit()
    return changes


def set_active(user: User, active: bool, *, actor: User | None = None, ip: str = "") -> None:
    if user.active != active:
        user.active = active
        audit.record("account_activated" if active else "account_deactivated", actor=actor, ip=ip, user_id=user.id)
        assignments.refresh_user(user)  # back at work: the unit's assignments apply again
    db.session.commit()
