"""Reminders by email, each sent once, mirrored as in-app notices.

Three kinds: due-date reminders to learners (e.g. 7 and 1 days before), a weekly overdue
digest to each HR user for their subtree, and certificate-expiry warnings (90/30/7 days).

A ``ReminderLog`` row with a unique (kind, person, ref) key is written and committed
together with each message and its ``Notice``, so running the job twice (or after a crash)
sends nothing twice. This service commits once per message on purpose: a message that
left the building must stay recorded even if a later one fails.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from email.message import EmailMessage
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import String, and_, case, cast, exists, func, literal, select

from academy.database import db, utcnow
from academy.learning.services import external
from academy.models import (
    Assignment,
    AssignmentCourse,
    AssignmentState,
    AssignmentTarget,
    Certificate,
    Course,
    LearnerCertificationStatus,
    LearnerCourseStatus,
    Notice,
    OrgUnit,
    ReminderLog,
    Role,
    User,
    UserRole,
)
from academy.people.services import reports


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    username: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MailSettings:
        return cls(host=config["MAIL_SERVER"], port=int(config["MAIL_PORT"]), sender=config["MAIL_FROM"],
                   username=config.get("MAIL_USERNAME") or "", password=config.get("MAIL_PASSWORD") or "",
                   starttls=bool(config.get("MAIL_STARTTLS")))


@dataclass(frozen=True)
class Due:
    kind: str
    assignment: Assignment
    user: User
    courses: list[Course]  # the ones not completed yet (none for a certification)
    due_on: date


def due_soon(today: date, days: Iterable[int]) -> list[Due]:
    """People whose assignment falls due in exactly N days, not finished, not yet reminded."""
    found: list[Due] = []
    for n in sorted(set(days), reverse=True):
        kind = f"due-{n}"
        already = exists().where(ReminderLog.kind == kind, ReminderLog.assignment_id == Assignment.id,
                                 ReminderLog.user_id == User.id, ReminderLog.ref == _due_ref_sql())
        pending = db.session.execute(
            select(Assignment, User)
            .join(AssignmentTarget, AssignmentTarget.assignment_id == Assignment.id)
            .join(User, User.id == AssignmentTarget.user_id)
            .where(func.coalesce(AssignmentTarget.due_on, Assignment.due_on) == today + timedelta(days=n),
                   Assignment.state == AssignmentState.ACTIVE.value, User.active.is_(True),
                   User.email.is_not(None), ~already)
            .order_by(Assignment.id, User.id)).all()
        for assignment, user in pending:
            if assignment.exam_id is not None:
                # a renewal is due at the certificate's expiry, which the expiry warnings announce
                item = db.session.get(LearnerCertificationStatus, (assignment.id, user.id))
                if item is not None and item.completed_at is None and not item.renewal:
                    found.append(Due(kind, assignment, user, [], today + timedelta(days=n)))
                continue
            status = LearnerCourseStatus  # completed in the current round, for recurring assignments
            open_courses = list(db.session.execute(
                select(Course).join(AssignmentCourse, AssignmentCourse.course_id == Course.id)
                .join(status, and_(status.course_id == Course.id, status.assignment_id == assignment.id,
                                   status.user_id == user.id))
                .where(AssignmentCourse.assignment_id == assignment.id, status.completed_at.is_(None))
                .order_by(AssignmentCourse.position)).scalars())
            if open_courses:
                found.append(Due(kind, assignment, user, open_courses, today + timedelta(days=n)))
    return found


@dataclass(frozen=True)
class Outgoing:
    """One message to one person, and the notice that mirrors it."""

    kind: str
    ref: str
    user: User
    subject: str
    body: str
    link: str = ""  # where the notice points, a path inside the site
    assignment_id: int | None = None
    html: str = ""  # an HTML alternative, built with every user text escaped


def _due_ref(assignment: Assignment) -> str:
    """``assignment-12`` for the first round (the key reminders always had), ``assignment-12-r2`` after."""
    base = f"assignment-{assignment.id}"
    return base if assignment.round_number == 1 else f"{base}-r{assignment.round_number}"


def _due_ref_sql():  # type: ignore[no-untyped-def]  # the same key, as SQL over Assignment
    base = literal("assignment-") + cast(Assignment.id, String)
    return case((Assignment.round_number == 1, base), else_=base + "-r" + cast(Assignment.round_number, String))


def _compose_due(due: Due, default_locale: str) -> Outgoing:
    with force_locale(due.user.locale or default_locale):
        days = int(due.kind.split("-")[1])
        subject = _("Reminder: %(title)s is due in %(n)d days", title=due.assignment.title, n=days)
        lines = [_("Dear %(name)s,", name=due.user.name), "",
                 _("The training \"%(title)s\" assigned to you is due on %(due)s. Still to complete:",
                   title=due.assignment.title, due=str(due.due_on)), ""]
        lines += [f"  - {c.title}" for c in due.courses] or [f"  - {due.assignment.title}"]  # a certification
        lines += ["", _("QS Academy")]
    return Outgoing(due.kind, _due_ref(due.assignment), due.user, subject, "\n".join(lines), "/me",
                    due.assignment.id)


def _sent(kind_prefix: str) -> set[tuple[str, int, str]]:
    return {(k, u, r) for k, u, r in db.session.execute(
        select(ReminderLog.kind, ReminderLog.user_id, ReminderLog.ref).where(ReminderLog.kind.startswith(kind_prefix)))}


def certificate_warnings(now: datetime, zone: tzinfo, days: Iterable[int] = (90, 30, 7), *,
                         default_locale: str = "zh_CN") -> list[Outgoing]:
    """Valid certificates within N days of expiry: one warning per threshold, the nearest one crossed.

    A job that first runs 20 days before expiry sends the 30-day warning only, then the
    7-day one a fortnight later; it never sends the 90-day one late.
    """
    thresholds = sorted(set(days))
    if not thresholds:
        return []
    today = now.astimezone(zone).date()
    done = _sent("cert-")
    found: list[Outgoing] = []
    for cert, user in db.session.execute(
            select(Certificate, User).join(User, User.id == Certificate.user_id)
            .where(Certificate.revoked_at.is_(None), Certificate.renewed_by_id.is_(None),
                   Certificate.valid_until > now, Certificate.valid_until <= now + timedelta(days=thresholds[-1] + 1),
                   User.active.is_(True), User.email.is_not(None))
            .order_by(Certificate.valid_until, Certificate.id)).all():
        left = (cert.valid_until.astimezone(zone).date() - today).days
        within = [n for n in thresholds if left <= n]
        if not within:
            continue
        kind, ref = f"cert-{within[0]}", f"certificate-{cert.id}"
        if (kind, user.id, ref) in done:
            continue
        with force_locale(user.locale or default_locale):
            title = cert.title_en if (user.locale or default_locale) == "en" and cert.title_en else cert.title
            expires = cert.valid_until.astimezone(zone).date().isoformat()
            subject = _("Your certificate %(title)s expires in %(n)d days", title=title, n=left)
            body = "\n".join([
                _("Dear %(name)s,", name=user.name), "",
                _("Your certificate \"%(title)s\" (%(serial)s) is valid until %(date)s. Pass the exam again before then to renew it.",
                  title=title, serial=cert.serial, date=expires), "", _("QS Academy")])
        found.append(Outgoing(kind, ref, user, subject, body, "/me/certificates"))
    return found


def overdue_digests(today: date, *, default_locale: str = "zh_CN", limit: int = 50) -> list[Outgoing]:
    """Once per ISO week, each HR user gets one digest: the overdue list of every subtree they look after
    (the first ``limit`` lines of each, and how many in all)."""
    year, week, _day = today.isocalendar()
    ref = f"{year}-W{week:02d}"
    done = _sent("digest")
    scopes: dict[int, tuple[User, list[OrgUnit]]] = {}
    for user, unit in db.session.execute(
            select(User, OrgUnit).join(UserRole, UserRole.user_id == User.id)
            .join(OrgUnit, OrgUnit.id == UserRole.scope_unit_id)
            .where(UserRole.role == Role.HR, User.active.is_(True), User.email.is_not(None))
            .order_by(User.id, OrgUnit.path)).all():
        if ("digest", user.id, ref) not in done:
            scopes.setdefault(user.id, (user, []))[1].append(unit)
    found: list[Outgoing] = []
    for user, units in scopes.values():
        sections: list[tuple[OrgUnit, int, list[reports.OverdueRow]]] = []
        for unit in units:
            shown: list[reports.OverdueRow] = []
            total = 0
            for row in reports.overdue(unit, today=today):  # streamed: only the shown lines are kept
                total += 1
                if len(shown) < limit:
                    shown.append(row)
            if total:
                sections.append((unit, total, shown))
        if not sections:
            continue
        count = sum(total for _unit, total, _rows in sections)
        names = "、".join(unit.name for unit, _total, _rows in sections)
        with force_locale(user.locale or default_locale):
            subject = _("Weekly overdue training: %(n)d in %(unit)s", n=count, unit=names)
            lines = [_("Dear %(name)s,", name=user.name)]
            for unit, total, rows in sections:
                lines += ["", _("%(n)d assigned courses in %(unit)s are past their due date:", n=total, unit=unit.name), ""]
                lines += [f"  - {r.employee_no} {r.name} · {r.unit} · {r.course} · {r.due_on.isoformat()} (+{r.days})"
                          for r in rows]
                if total > len(rows):
                    lines.append(_("… and %(n)d more: see the overdue list.", n=total - len(rows)))
            lines += ["", _("QS Academy")]
        found.append(Outgoing("digest", ref, user, subject, "\n".join(lines), f"/hr/overdue?unit={sections[0][0].id}"))
    return found


def _message(item: Outgoing, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = str(item.user.email)
    # a title typed by a user may hold a line break, which a header must not
    message["Subject"] = " ".join(item.subject.split())
    message.set_content(item.body)
    if item.html:
        message.add_alternative(item.html, subtype="html")
    return message


def deliver(settings: MailSettings, items: list[Outgoing], *, notices: bool = True) -> int:
    """Send each message, recording it and its notice in the same commit; returns how many went out.

    ``notices=False`` when the in-app notices were written already (with the change they announce)."""
    if not items:
        return 0
    sent = 0
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password)
        for item in items:
            now = utcnow()
            db.session.add(ReminderLog(kind=item.kind, ref=item.ref, assignment_id=item.assignment_id,
                                       user_id=item.user.id, sent_at=now))
            if notices:
                db.session.add(Notice(user_id=item.user.id, kind=item.kind, title=item.subject[:200], body=item.body,
                                      link=item.link, created_at=now))
            db.session.flush()  # the unique key claims the reminder before the message goes out
            try:
                smtp.send_message(_message(item, settings.sender))
            except OSError:  # an SMTP refusal or a broken connection: the claimed reminder was not sent
                db.session.rollback()
                raise
            db.session.commit()
            sent += 1
    return sent


@dataclass(frozen=True)
class Sent:
    due: int = 0
    digests: int = 0
    certificates: int = 0
    external: int = 0  # expiry warnings for approved outside qualifications

    @property
    def total(self) -> int:
        return self.due + self.digests + self.certificates + self.external


def send_all(settings: MailSettings, *, today: date, now: datetime, zone: tzinfo, days: Iterable[int] = (7, 1),
             certificate_days: Iterable[int] = (90, 30, 7), default_locale: str = "zh_CN") -> Sent:
    """Everything the daily job sends: due-date reminders, the weekly digests, certificate warnings."""
    due = deliver(settings, [_compose_due(d, default_locale) for d in due_soon(today, days)])
    digests = deliver(settings, overdue_digests(today, default_locale=default_locale))
    certificates = deliver(settings, certificate_warnings(now, zone, certificate_days, default_locale=default_locale))
    outside = deliver(settings, [Outgoing(e.kind, e.ref, e.user, e.subject, e.body, "/training")
                                 for e in external.expiry_warnings(now, zone, list(certificate_days),
                                                                   default_locale=default_locale)])
    return Sent(due, digests, certificates, outside)

