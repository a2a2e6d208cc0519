"""People files kept between "preview" and "apply": in the database, so any instance can apply them,
only for the person who uploaded them, and never longer than ``IMPORT_KEEP_HOURS``."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete

from academy.database import db, utcnow
from academy.models import ImportUpload, User


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keep(user: User, data: bytes, filename: str, *, now: datetime | None = None) -> str:
    """Store the file; returns the token the apply form carries. Expired files of anyone go at the same time."""
    now = now or utcnow()
    token = secrets.token_urlsafe(24)
    db.session.execute(delete(ImportUpload).where(ImportUpload.expires_at <= now))
    db.session.add(ImportUpload(id=_key(token), user_id=user.id, filename=filename[-120:], data=data, created_at=now,
                                expires_at=now + timedelta(hours=float(current_app.config["IMPORT_KEEP_HOURS"]))))
    db.session.commit()
    return token


def take(user: User, token: str, *, now: datetime | None = None) -> ImportUpload | None:
    """The uploader's own unexpired file, or None (someone else's, expired, applied, or never kept)."""
    row = db.session.get(ImportUpload, _key(token))
    if row is None or row.user_id != user.id or row.expires_at <= (now or utcnow()):
        return None
    return row


def discard(row: ImportUpload) -> None:
    db.session.delete(row)
    db.session.commit()


def purge(*, now: datetime | None = None) -> int:
    gone = db.session.execute(delete(ImportUpload).where(ImportUpload.expires_at <= (now or utcnow())))
    db.session.commit()
    return int(gone.rowcount)  # type: ignore[attr-defined]
