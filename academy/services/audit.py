from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, delete, insert, select

from academy.database import db, utcnow
from academy.models import AuditLog, User


def record(action: str, *, actor: User | None = None, ip: str = "", now: datetime | None = None, **detail: Any) -> AuditLog:
    """Add an audit entry to the current transaction (the caller commits)."""
    entry = AuditLog(action=action, actor_id=actor.id if actor else None, ip=ip or "", at=now or utcnow(), detail=detail)
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class Filters:
    action: str = ""
    who: str = ""  # an employee number
    ip: str = ""
    since: date | None = None
    until: date | None = None  # inclusive


def search(filters: Filters, zone: tzinfo) -> Select[tuple[AuditLog]]:
    """Entries matching ``filters``, newest first; dates are local days in ``zone``."""
    query = select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    if filters.action:
        query = query.where(AuditLog.action == filters.action)
    if filters.who:
        query = query.join(User, User.id == AuditLog.actor_id).where(User.employee_no == filters.who)
    if filters.ip:
        query = query.where(AuditLog.ip == filters.ip)
    if filters.since:
        query = query.where(AuditLog.at >= datetime.combine(filters.since, time.min, zone))
    if filters.until:
        query = query.where(AuditLog.at < datetime.combine(filters.until + timedelta(days=1), time.min, zone))
    return query


def page(filters: Filters, zone: tzinfo, number: int, *, per_page: int = 100) -> Pagination:
    return db.paginate(search(filters, zone), page=number, per_page=per_page, error_out=False)


def export_recorded(actor: User, filters: Filters, *, ip: str = "") -> None:
    """The audit log's own export is an audited event, committed before the first row is sent."""
    record("audit_exported", actor=actor, ip=ip, filters={k: str(v) for k, v in vars(filters).items() if v})
    db.session.commit()


def exported(actor: User, what: str, *, ip: str = "", **detail: Any) -> None:
    """A download of people's data (lists, reports, results): who took what, when, from where.

    Written on a connection of its own: the download's rows are still being read through the
    request's session, and a commit there would expire them half-way."""
    with db.engine.begin() as connection:
        connection.execute(insert(AuditLog).values(action="data_exported", actor_id=actor.id, ip=ip or "", at=utcnow(),
                                                   detail={"what": what, **detail}))


def export_rows(filters: Filters, zone: tzinfo) -> Iterator[tuple[Any, ...]]:
    """(time, action, employee number, name, address, detail) for each matching entry, read in batches."""
    query = (search(filters, zone).with_only_columns(AuditLog.at, AuditLog.action, User.employee_no, User.name,
                                                     AuditLog.ip, AuditLog.detail)
             .outerjoin(User, User.id == AuditLog.actor_id) if not filters.who else
             search(filters, zone).with_only_columns(AuditLog.at, AuditLog.action, User.employee_no, User.name,
                                                     AuditLog.ip, AuditLog.detail))
    for row in db.session.execute(query.execution_options(yield_per=1000)):
        yield tuple(row)


def actions() -> list[str]:
    return list(db.session.execute(select(AuditLog.action).distinct().order_by(AuditLog.action)).scalars())


MIN_RETENTION_DAYS = 180  # the Cybersecurity Law (art. 21) asks for network logs kept at least six months


def purge(*, keep_days: int, now: datetime | None = None) -> int:
    """Delete entries older than ``keep_days`` (never fewer than 180); the only way entries leave."""
    keep = max(keep_days, MIN_RETENTION_DAYS)
    cutoff = (now or utcnow()) - timedelta(days=keep)
    gone = db.session.execute(delete(AuditLog).where(AuditLog.at < cutoff))
    record("audit_purged", now=now, before=cutoff.isoformat(), entries=int(gone.rowcount))  # type: ignore[attr-defined]
    db.session.commit()
    return int(gone.rowcount)  # type: ignore[attr-defined]
