"""The one clock: timezone-aware UTC now, for services and views alike (views import no database module)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
