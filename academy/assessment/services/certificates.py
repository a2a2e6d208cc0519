"""Certificates: issue on passing a certification exam, verify, revoke, renew by passing again."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import bindparam, select

from academy.database import db, read, utcnow
from academy.models import Attempt, Certificate, User
from academy.people.services import status_keeper
from academy.services import audit

SERIAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone


def new_serial() -> str:
    """QS-XXXX-XXXX-XXXX-XXXX: 80 random bits, unguessable, never a row id."""
    chars = "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(16))
    return "QS-" + "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def issue(attempt: Attempt, exam_id: str, now: datetime) -> Certificate:
    """Add the certificate a passed attempt earns (flushes; the caller commits).

    Passing again renews: the newest certificate is valid, older ones say they were renewed.
    """
    spec = attempt.certificate or {}
    user = attempt.user
    cert = Certificate(
        serial=new_serial(), user_id=user.id, exam_id=exam_id, attempt_id=attempt.id,
        title=str(spec.get("title", exam_id)), title_en=str(spec.get("title_en", "")),
        tier=str(spec.get("tier", "")), holder_name=user.name, employee_no=user.employee_no,
        score_percent=round(attempt.percent), issued_at=now,
        valid_until=add_years(now, int(spec.get("valid_years", 3))))
    db.session.add(cert)
    db.session.flush()
    older = db.session.execute(select(Certificate).where(
        Certificate.user_id == user.id, Certificate.exam_id == exam_id, Certificate.id != cert.id,
        Certificate.renewed_by_id.is_(None))).scalars()
    for old in older:
        old.renewed_by_id = cert.id
    status_keeper.as_of(db.session(), now)  # an assigned certification is done as of the issue
    return cert


def by_serial(serial: str) -> Certificate | None:
    return db.session.execute(select(Certificate).where(Certificate.serial == serial.strip().upper())).scalar_one_or_none()


def valid_until(user: User, now: datetime) -> dict[str, datetime]:
    """Until when the learner's valid certificate of each exam holds (the catalog's exam boxes): one column read."""
    return dict(read(_VALID, {"user_id": user.id, "now": now}).tuples().all())


_VALID = select(Certificate.exam_id, Certificate.valid_until).where(
    Certificate.user_id == bindparam("user_id"), Certificate.revoked_at.is_(None), Certificate.renewed_by_id.is_(None),
    Certificate.valid_until > bindparam("now"))
def of_attempt(attempt_id: int) -> Certificate | None:
    """The certificate a passed attempt issued, if any."""
    return db.session.execute(select(Certificate).where(Certificate.attempt_id == attempt_id)).scalars().first()


def of_user(user: User) -> list[Certificate]:
    return list(db.session.execute(
        select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.issued_at.desc())).scalars())


def revoke(cert: Certificate, reason: str, *, actor: User, ip: str = "", now: datetime | None = None) -> Certificate:
    now = now or utcnow()
    if cert.revoked_at is None:
        cert.revoked_at, cert.revoke_reason, cert.revoked_by_id = now, reason.strip(), actor.id
        audit.record("certificate_revoke", actor=actor, ip=ip, now=now, serial=cert.serial, reason=reason.strip())
        status_keeper.as_of(db.session(), now)
    db.session.commit()
    return cert


