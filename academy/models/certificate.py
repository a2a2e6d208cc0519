"""Certificates issued by passing a certification exam."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, db, utcnow
from .user import User


class CertificateState(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"
    RENEWED = "renewed"  # replaced by a newer certificate for the same exam


class Certificate(db.Model):
    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)  # random, public, on the QR code
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    exam_id: Mapped[str] = mapped_column(String(80), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_attempt.id"))
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    tier: Mapped[str] = mapped_column(String(20))
    holder_name: Mapped[str] = mapped_column(String(80))  # as on the day of issue
    employee_no: Mapped[str] = mapped_column(String(32))
    score_percent: Mapped[int] = mapped_column(default=0)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    renewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("certificate.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def state(self, now: datetime) -> CertificateState:
        if self.revoked_at is not None:
            return CertificateState.REVOKED
        if now >= self.valid_until:
            return CertificateState.EXPIRED
        if self.renewed_by_id is not None:
            return CertificateState.RENEWED
        return CertificateState.VALID
