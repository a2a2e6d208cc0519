"""In-app notices: count, list and mark read (the reminders service writes them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, select, update

from academy.database import db, read, utcnow
from academy.models import Notice, User


def unread_count(user: User) -> int:
    """The header's bell on every page: a column read."""
    return int(read(_UNREAD, {"user_id": user.id}).scalar_one())


_UNREAD = select(func.count()).select_from(Notice).where(Notice.user_id == bindparam("user_id"), Notice.read_at.is_(None))


def recent(user: User, *, limit: int = 100) -> list[Notice]:
    return list(db.session.execute(
        select(Notice).where(Notice.user_id == user.id)
        .order_by(Notice.read_at.is_not(None), Notice.created_at.desc(), Notice.id.desc()).limit(limit)).scalars())


def mark_read(user: User, notice: Notice | None = None, *, now: datetime | None = None) -> int:
    """Mark one notice (or all of the user's unread ones) read; returns how many changed."""
    query = update(Notice).where(Notice.user_id == user.id, Notice.read_at.is_(None)).values(read_at=now or utcnow())
    if notice is not None:
        query = query.where(Notice.id == notice.id)
    changed = db.session.execute(query).rowcount  # type: ignore[attr-defined]  # CursorResult
    db.session.commit()
    return int(changed or 0)


def get(notice_id: int) -> Notice | None:
    return db.session.get(Notice, notice_id)
