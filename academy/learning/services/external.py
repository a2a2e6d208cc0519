"""External training and certificates (外部培训与证书): an employee submits an outside course or
qualification with a scan; HR of their subtree approves it (hours credited by the rules per kind) or
rejects it with a reason.

Scans are checked by their first bytes, not their name, and kept in the instance folder under a random
name, so nothing uploaded is ever served from ``static/`` or as a page.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from academy.database import db, utcnow
from academy.models import ExternalKind, ExternalRecord, ExternalState, Notice, OrgUnit, ReminderLog, User
from academy.people.models.org import within
from academy.services import audit

# (signature, stored type, file extension): a PDF, a PNG or a JPEG, nothing else
SIGNATURES = ((b"%PDF-", "application/pdf", "pdf"), (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
              (b"\xff\xd8\xff", "image/jpeg", "jpg"))


class ScanRefused(Exception):
    """The scan is empty, too large, or not a PDF, PNG or JPEG; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def scan_type(data: bytes) -> tuple[str, str] | None:
    """The type and extension the bytes are, whatever the file was called."""
    return next(((kind, ext) for sig, kind, ext in SIGNATURES if data.startswith(sig)), None)


def scan_folder() -> Path:
    folder = Path(current_app.config.get("SCAN_FOLDER") or Path(current_app.instance_path) / "scans")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def scan_path(record: ExternalRecord) -> Path:
    return scan_folder() / record.scan_file


@dataclass(frozen=True)
class Submission:
    kind: ExternalKind
    title: str
    issuer: str
    number: str
    started_on: date
    ended_on: date
    expires_on: date | None
    claimed_hours: float


def submit(user: User, item: Submission, data: bytes, filename: str, *, ip: str = "") -> ExternalRecord:
    """Keep the scan and the details for HR to decide; raises ScanRefused before anything is written."""
    if not data:
        raise ScanRefused("empty")
    if len(data) > int(current_app.config["SCAN_MAX_BYTES"]):
        raise ScanRefused("too_large")
    found = scan_type(data)
    if found is None:
        raise ScanRefused("type")
    kind, ext = found
    name = f"{secrets.token_hex(16)}.{ext}"
    path = scan_folder() / name
    path.write_bytes(data)
    path.chmod(0o600)
    shown = Path(filename or "").name[-100:] or f"scan.{ext}"
    record = ExternalRecord(user_id=user.id, kind=item.kind, title=item.title, issuer=item.issuer, number=item.number,
                            started_on=item.started_on, ended_on=item.ended_on, expires_on=item.expires_on,
                            claimed_hours=item.claimed_hours, scan_file=name, scan_type=kind, scan_name=shown,
                            scan_size=len(data), state=ExternalState.PENDING, reason="")
    db.session.add(record)
    db.session.flush()
    audit.record("external.submit", actor=user, ip=ip, record_id=record.id, kind=str(item.kind))
    db.session.commit()
    return record


def credited_hours(kind: str, claimed: float, rules: dict[str, Any] | None = None) -> float:
    """The hours an approved item counts for: a fixed figure per kind, or the hours claimed up to a cap."""
    rules = rules if rules is not None else current_app.config["EXTERNAL_HOURS_RULES"]
    rule = rules.get(kind) or rules.get("other") or {}
    if "fixed" in rule:
        return float(rule["fixed"])
    if "cap" in rule:
        return float(min(claimed, float(rule["cap"])))
    return float(claimed)


class AlreadyDecided(Exception):
    """The item was approved or rejected before."""


def decide(record: ExternalRecord, *, approve: bool, reason: str, actor: User, ip: str = "",
           now: datetime | None = None) -> ExternalRecord:
    """HR's decision, audited; the submitter gets an in-app notice. A rejection needs a reason."""
    now = now or utcnow()
    locked = db.session.execute(
        select(ExternalRecord).where(ExternalRecord.id == record.id).with_for_update()).scalar_one()
    if locked.state != ExternalState.PENDING:
        raise AlreadyDecided
    if not approve and not reason.strip():
        raise ValueError("A rejection needs a reason.")
    locked.state = ExternalState.APPROVED if approve else ExternalState.REJECTED
    locked.hours = credited_hours(locked.kind, float(locked.claimed_hours)) if approve else None
    locked.reason = "" if approve else reason.strip()[:500]
    locked.reviewed_at = now
    locked.reviewed_by_id = actor.id
    owner = db.session.get(User, locked.user_id)
    with force_locale((owner.locale if owner else None) or current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = (_("External training approved: %(title)s", title=locked.title) if approve
                 else _("External training not accepted: %(title)s", title=locked.title))
    db.session.add(Notice(user_id=locked.user_id, kind="external", title=title[:200], body=locked.reason,
                          link="/training", created_at=now))
    audit.record("external.approve" if approve else "external.reject", actor=actor, ip=ip, now=now,
                 record_id=locked.id, user_id=locked.user_id, hours=locked.hours, reason=locked.reason)
    db.session.commit()
    return locked


def forget(user_id: int) -> None:
    """A leaver's anonymisation: the scans go and the certificate numbers with them; the items and their
    hours stay for the unit's figures (flush only, the caller commits)."""
    for record in db.session.scalars(select(ExternalRecord).where(ExternalRecord.user_id == user_id)):
        scan_path(record).unlink(missing_ok=True)
        record.number = ""
        record.scan_name = ""
        record.scan_size = 0
    db.session.flush()


def of(user_id: int) -> list[ExternalRecord]:
    return list(db.session.scalars(
        select(ExternalRecord).where(ExternalRecord.user_id == user_id).order_by(ExternalRecord.submitted_at.desc())))


def approved_of(user_id: int) -> list[ExternalRecord]:
    return [r for r in of(user_id) if r.state == ExternalState.APPROVED]


def to_review(scope_paths: list[str] | None, *, state: ExternalState = ExternalState.PENDING,
              limit: int = 200) -> list[ExternalRecord]:
    """Items of people in the viewer's subtrees (everyone's for None), oldest first for pending ones."""
    query = (select(ExternalRecord).join(User, User.id == ExternalRecord.user_id)
             .join(OrgUnit, OrgUnit.id == User.org_unit_id).where(ExternalRecord.state == state))
    if scope_paths is not None:
        query = query.where(within(scope_paths))
    order = ExternalRecord.submitted_at if state == ExternalState.PENDING else ExternalRecord.reviewed_at.desc()
    return list(db.session.scalars(query.order_by(order).limit(limit)))


# --- expiry reminders, as for our own certificates ---------------------------------------------------

@dataclass(frozen=True)
class Expiring:
    kind: str  # "ext-<days>": the threshold crossed
    ref: str
    user: User
    subject: str
    body: str


def expiry_warnings(now: datetime, zone: tzinfo, days: tuple[int, ...] | list[int], *,
                    default_locale: str = "zh_CN") -> list[Expiring]:
    """Approved items with an expiry date within N days: one warning per threshold, the nearest crossed,
    never twice (the reminder log keeps what was sent)."""
    thresholds = sorted(set(days))
    if not thresholds:
        return []
    today = now.astimezone(zone).date()
    sent = {(k, u, r) for k, u, r in db.session.execute(
        select(ReminderLog.kind, ReminderLog.user_id, ReminderLog.ref).where(ReminderLog.kind.startswith("ext-")))}
    found: list[Expiring] = []
    for record, user in db.session.execute(
            select(ExternalRecord, User).join(User, User.id == ExternalRecord.user_id)
            .where(ExternalRecord.state == ExternalState.APPROVED, ExternalRecord.expires_on.is_not(None),
                   ExternalRecord.expires_on > today,
                   ExternalRecord.expires_on <= today + timedelta(days=thresholds[-1]),
                   User.active.is_(True), User.email.is_not(None))
            .order_by(ExternalRecord.expires_on, ExternalRecord.id)).tuples():
        expires = record.expires_on or today
        left = (expires - today).days
        within_days = [n for n in thresholds if left <= n]
        if not within_days:
            continue
        kind, ref = f"ext-{within_days[0]}", f"external-{record.id}"
        if (kind, user.id, ref) in sent:
            continue
        with force_locale(user.locale or default_locale):
            subject = _("Your qualification %(title)s expires in %(n)d days", title=record.title, n=left)
            body = "\n".join([
                _("Dear %(name)s,", name=user.name), "",
                _("Your qualification \"%(title)s\" (%(number)s, issued by %(issuer)s) is valid until %(date)s. "
                  "Renew it with the issuer and submit the new certificate.",
                  title=record.title, number=record.number or "—", issuer=record.issuer,
                  date=expires.isoformat()), "", _("QS Academy")])
        found.append(Expiring(kind, ref, user, subject, body))
    return found


def get(record_id: int) -> ExternalRecord | None:
    return db.session.get(ExternalRecord, record_id)
