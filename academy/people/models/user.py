from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.database import UTCDateTime, db, utcnow
from academy.people.models.org import OrgUnit


class Role(StrEnum):
    LEARNER = "learner"
    HR = "hr"  # scoped to one org subtree
    AUTHOR = "author"
    HOST = "host"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = (UniqueConstraint("identity_source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    position: Mapped[str] = mapped_column(String(80), default="")
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    # "local", "ldap" or "oidc"; an account signs in through its source only (services/identity.py)
    identity_source: Mapped[str] = mapped_column(String(10), default="local", server_default="local")
    external_id: Mapped[str | None] = mapped_column(String(255))  # LDAP: the entry's DN; OIDC: issuer|subject
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(10))  # null: the site default (zh_CN)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    must_change_password: Mapped[bool] = mapped_column(default=False)  # set by a reset from HR or an admin
    # hashes of earlier passwords, newest first, so a change cannot go back to one of them
    password_history: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # personal information: which privacy notice the person has read, and a leaver's clock
    privacy_notice_version: Mapped[int] = mapped_column(default=0, server_default="0")
    privacy_notice_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # kept by the listener below
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    org_unit: Mapped[OrgUnit | None] = relationship()
    roles: Mapped[list[UserRole]] = relationship(back_populates="user", lazy="selectin", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def has_role(self, role: Role) -> bool:
        return role == Role.LEARNER or any(r.role == role for r in self.roles)

    def role_names(self) -> list[str]:
        return sorted(r.role for r in self.roles)


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(String(20))
    scope_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))  # HR: whose people

    user: Mapped[User] = relationship(back_populates="roles")
    scope_unit: Mapped[OrgUnit | None] = relationship(lazy="joined")


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()


@event.listens_for(User.active, "set")
def _note_deactivation(user: User, value: bool, old: object, _initiator: object) -> None:
    """Every path that deactivates someone (import, directory sync, admin) starts the leaver's clock."""
    if value is False and old is not False:
        user.deactivated_at = utcnow()
    elif value is True:
        user.deactivated_at = None
