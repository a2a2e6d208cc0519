"""Rows that keep people's sign-ins and uploads: login sessions and previewed import files."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from academy.database import UTCDateTime, db, utcnow


class LoginSession(db.Model):
    """One signed-in browser. The cookie holds a random token; this row holds its SHA-256.

    A request is signed in only while its row is open and neither idle nor too old, so ending
    the row (logout, password change, deactivation, role change) ends that browser at once.
    """

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # hex SHA-256 of the cookie's token
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(20), default="password")  # how the person proved who they are
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    ended_reason: Mapped[str] = mapped_column(String(20), default="")


class ImportUpload(db.Model):
    """A people file previewed and waiting for "apply": in the database, so every instance finds it,
    readable by its uploader only, and purged when it expires."""

    __tablename__ = "import_upload"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # hex SHA-256 of the form's token
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(120))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ImportColumnMap(db.Model):
    """How one HR user's people files name their columns, chosen once on the upload page and
    used for every later file: the folded header text -> the field it holds ("" for a column
    to leave out). One row per user: an HR system exports the same layout every time."""

    __tablename__ = "import_column_map"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    columns: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
