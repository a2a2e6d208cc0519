"""A second factor for sign-in: a time-based one-time password (RFC 6238) and recovery codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from academy.database import UTCDateTime, db, utcnow


class TwoFactor(db.Model):
    """One person's authenticator. The shared secret is kept encrypted with a key derived from the
    application's secret key; ``last_step`` refuses a code that was already used once."""

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(String(255))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_step: Mapped[int] = mapped_column(default=0)


class RecoveryCode(db.Model):
    """A single-use code for when the phone is lost; only its SHA-256 is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
