"""Due-date reminders by email, each sent once.

A ``ReminderLog`` row with a unique (kind, assignment, person) key is written and
committed together with each message, so running the job twice (or after a crash)
sends nothing twice. This service commits once per message on purpose: a message
that left the building must stay recorded even if a later one fails.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, exists, select

from ..database import db, utcnow
from ..models import Assignment, AssignmentCourse, AssignmentTarget, Course, Enrollment, ReminderLog, User


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
    courses: list[Course]  # the ones not completed yet


def due_soon(today: date, days: Iterable[int]) -> list[Due]:
    """People whose assignment falls due in exactly N days, not finished, not yet reminded."""
    found: list[Due] = []
    for n in sorted(set(days), reverse=True):
        kind = f"due-{n}"
        already = exists().where(ReminderLog.kind == kind, ReminderLog.assignment_id == Assignment.id,
                                 ReminderLog.user_id == User.id)
        pending = db.session.execute(
            select(Assignment, User)
            .join(AssignmentTarget, AssignmentTarget.assignment_id == Assignment.id)
            .join(User, User.id == AssignmentTarget.user_id)
            .where(Assignment.due_on == today + timedelta(days=n), User.active.is_(True),
                   User.email.is_not(None), ~already)
            .order_by(Assignment.id, User.id)).all()
        for assignment, user in pending:
            open_courses = list(db.session.execute(
                select(Course).join(AssignmentCourse, AssignmentCourse.course_id == Course.id)
                .outerjoin(Enrollment, and_(Enrollment.course_id == Course.id, Enrollment.user_id == user.id))
                .where(AssignmentCourse.assignment_id == assignment.id, Enrollment.completed_at.is_(None))
                .order_by(AssignmentCourse.position)).scalars())
            if open_courses:
                found.append(Due(kind, assignment, user, open_courses))
    return found


def compose(due: Due, sender: str, default_locale: str) -> EmailMessage:
    with force_locale(due.user.locale or default_locale):
        days = int(due.kind.split("-")[1])
        message = EmailMessage()
        message["From"] = sender
        message["To"] = str(due.user.email)
        message["Subject"] = _("Reminder: %(title)s is due in %(n)d days", title=due.assignment.title, n=days)
        lines = [_("Dear %(name)s,", name=due.user.name), "",
                 _("The training \"%(title)s\" assigned to you is due on %(due)s. Still to complete:",
                   title=due.assignment.title, due=str(due.assignment.due_on)), ""]
        lines += [f"  - {c.title}" for c in due.courses]
        lines += ["", _("QS Academy")]
        message.set_content("\n".join(lines))
    return message


def send_due_reminders(settings: MailSettings, *, today: date, days: Iterable[int] = (7, 1),
                       default_locale: str = "zh_CN") -> int:
    """Send what is due and not yet sent; returns how many messages went out."""
    todo = due_soon(today, days)
    if not todo:
        return 0
    sent = 0
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, settings.password)
        for due in todo:
            db.session.add(ReminderLog(kind=due.kind, assignment_id=due.assignment.id, user_id=due.user.id,
                                       sent_at=utcnow()))
            db.session.flush()  # the unique key claims the reminder before the message goes out
            try:
                smtp.send_message(compose(due, settings.sender, default_locale))
            except smtplib.SMTPException:
                db.session.rollback()
                raise
            db.session.commit()
            sent += 1
    return sent
