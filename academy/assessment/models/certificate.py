"""Certificates issued by passing a certification exam, and award certificates of online rounds."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.database import UTCDateTime, db, utcnow
from academy.people.models.user import User


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


class AwardCertificate(db.Model):
    """An online round's award (一等奖 … to a person, 优秀组织奖 to a unit), issued once after the close.

    Kept apart from qualification certificates: it never expires and must not count as a
    qualification held in HR reports, but it shares their serials, PDF and public check.
    ``holder_key`` (``user:<id>`` or ``unit:<id>``) makes issuing twice issue nothing new.
    """

    __tablename__ = "award_certificate"
    __table_args__ = (UniqueConstraint("competition_id", "holder_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)  # random, public, on the QR code
    competition_id: Mapped[int] = mapped_column(ForeignKey("competition.id", ondelete="CASCADE"), index=True)
    holder_key: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)  # set for a person
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)  # set for a unit
    award: Mapped[str] = mapped_column(String(40))
    rank: Mapped[int] = mapped_column()
    competition_title: Mapped[str] = mapped_column(String(200))  # as on the day of issue
    holder_name: Mapped[str] = mapped_column(String(120))
    employee_no: Mapped[str] = mapped_column(String(32), default="")
    score_percent: Mapped[int] = mapped_column(default=0)  # a unit's combined index for units
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    @property
    def for_unit(self) -> bool:
        return self.org_unit_id is not None
