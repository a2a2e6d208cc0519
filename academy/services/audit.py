from __future__ import annotations

from datetime import datetime
from typing import Any

from ..database import db, utcnow
from ..models import AuditLog, User


def record(action: str, *, actor: User | None = None, ip: str = "", now: datetime | None = None, **detail: Any) -> AuditLog:
    """Add an audit entry to the current transaction (the caller commits)."""
    entry = AuditLog(action=action, actor_id=actor.id if actor else None, ip=ip or "", at=now or utcnow(), detail=detail)
    db.session.add(entry)
    return entry
