"""Two-factor sign-in: time-based one-time passwords (RFC 6238, 30-second steps, six digits) from any
authenticator app, with ten single-use recovery codes.

Who must use it is configuration (``TWO_FACTOR_ROLES``, administrators and HR by default); anyone
else may switch it on. A code is accepted one step either side of now (a phone clock a little off)
and never twice. Enrolment, each use of a recovery code, failures and resets are audited.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import datetime

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, select

from academy.database import db, utcnow
from academy.models import RecoveryCode, Role, TwoFactor, User
from academy.people.services import sessions
from academy.services import audit

STEP_SECONDS = 30
RECOVERY_CODES = 10


class WrongCode(Exception):
    """The code is not the current one, was used already, or is not a recovery code of this person."""


def required(user: User, roles: Iterable[str]) -> bool:
    """Must this person use a second factor (a role that requires it), or did they switch it on?"""
    needed = {Role(r) for r in roles}
    return enrolment(user) is not None or any(r.role in needed for r in user.roles)


def enrolment(user: User) -> TwoFactor | None:
    return db.session.get(TwoFactor, user.id)


def _cipher(app_secret: str) -> Fernet:
    key = hmac.new(app_secret.encode(), b"qs-academy two-factor secrets", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, user: User, issuer: str) -> str:
    """What the authenticator app scans: otpauth://totp/<issuer>:<employee no>?secret=…"""
    return pyotp.TOTP(secret).provisioning_uri(name=user.employee_no, issuer_name=issuer)


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    totp = pyotp.TOTP(secret)
    for step in (_step(now) - 1, _step(now), _step(now) + 1):  # one step of clock skew either way
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def _hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").lower().encode()).hexdigest()


def _new_codes(user: User, now: datetime) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(c)) for c in codes)
    return codes


def enrol(user: User, secret: str, code: str, *, app_secret: str, ip: str = "", now: datetime | None = None) -> list[str]:
    """Save the authenticator once it has produced a right code; returns the recovery codes
    (shown once, kept only as hashes). One commit."""
    now = now or utcnow()
    step = _matching_step(secret, code.strip(), now)
    if step is None:
        audit.record("2fa_enrol_failed", actor=user, ip=ip, now=now)
        db.session.commit()
        raise WrongCode
    row = enrolment(user) or TwoFactor(user_id=user.id)
    row.secret = _cipher(app_secret).encrypt(secret.encode()).decode()
    row.enrolled_at, row.last_step = now, step
    db.session.add(row)
    codes = _new_codes(user, now)
    audit.record("2fa_enrolled", actor=user, ip=ip, now=now)
    db.session.commit()
    return codes


def verify(user: User, code: str, *, app_secret: str, ip: str = "", now: datetime | None = None) -> str:
    """Accept a current one-time password or an unused recovery code; returns which ("totp" or
    "recovery"). Audited, one commit; raises WrongCode."""
    now = now or utcnow()
    code = code.strip().replace(" ", "")
    row = enrolment(user)
    if row is None:
        raise WrongCode
    if code.isdigit() and len(code) == 6:
        try:
            secret = _cipher(app_secret).decrypt(row.secret.encode()).decode()
        except InvalidToken:  # the application's secret key changed: the person must enrol again
            secret = ""
        step = _matching_step(secret, code, now) if secret else None
        if step is not None and step > row.last_step:
            row.last_step = step
            audit.record("2fa_ok", actor=user, ip=ip, now=now)
            db.session.commit()
            return "totp"
    else:
        unused = db.session.execute(select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code),
            RecoveryCode.used_at.is_(None))).scalar_one_or_none()
        if unused is not None:
            unused.used_at = now
            audit.record("2fa_recovery_code_used", actor=user, ip=ip, now=now)
            db.session.commit()
            return "recovery"
    audit.record("2fa_failed", actor=user, ip=ip, now=now)
    db.session.commit()
    raise WrongCode


def codes_left(user: User) -> int:
    return len(db.session.execute(select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                                                RecoveryCode.used_at.is_(None))).all())


def regenerate_codes(user: User, *, ip: str = "") -> list[str]:
    codes = _new_codes(user, utcnow())
    audit.record("2fa_recovery_codes_renewed", actor=user, ip=ip)
    db.session.commit()
    return codes


def reset(user: User, *, actor: User, ip: str = "") -> None:
    """An administrator takes the authenticator away (a lost phone): the person enrols again at
    their next sign-in, and every session they have ends now. Audited, one commit."""
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    keys = sessions.end_all(user.id, "2fa_reset")
    audit.record("2fa_reset", actor=actor, ip=ip, user_id=user.id)
    db.session.commit()
    sessions.forget(keys)
