"""Reminders HR sends by hand to people on the overdue list: e-mail and in-app notice.

Within the sent-once rules of the daily job: a ``ReminderLog`` key of (``nudge``, person,
day) lets a person be reminded by hand at most once a day, however many HR users press
the button, and one action reaches at most ``CAP`` people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from academy.database import db
from academy.models import ReminderLog, User
from academy.people.services import reminders
from academy.people.services.reports import OverdueRow
from academy.services import audit

CAP = 200
KIND = "nudge"


@dataclass(frozen=True)
class Nudged:
    sent: int
    already: int  # reminded by hand earlier today: skipped
    over_cap: int  # beyond the cap of one action: not sent


def _compose(user: User, items: list[OverdueRow], today: date, default_locale: str) -> reminders.Outgoing:
    with force_locale(user.locale or default_locale):
        subject = _("Overdue training: %(n)d items to complete", n=len(items))
        lines = [_("Dear %(name)s,", name=user.name), "",
                 _("The training office reminds you that these items are past their due date:"), ""]
        lines += [_("  - %(course)s (due %(due)s, %(days)d days overdue)", course=r.course, due=r.due_on.isoformat(),
                    days=r.days) for r in items]
        lines += ["", _("QS Academy")]
    return reminders.Outgoing(KIND, today.isoformat(), user, subject, "\n".join(lines), "/me")


def remind(rows: list[OverdueRow], people: list[int], *, today: date, settings: reminders.MailSettings,
           actor: User, ip: str = "", default_locale: str = "zh_CN") -> Nudged:
    """Remind the chosen people of their rows on the overdue list (rows already scoped by the caller)."""
    chosen = list(dict.fromkeys(p for p in people if any(r.user_id == p for r in rows)))
    sent_today = set(db.session.execute(select(ReminderLog.user_id).where(
        ReminderLog.kind == KIND, ReminderLog.ref == today.isoformat(), ReminderLog.user_id.in_(chosen))).scalars())
    fresh = [p for p in chosen if p not in sent_today]
    now_sending, over = fresh[:CAP], fresh[CAP:]
    users = {u.id: u for u in db.session.execute(select(User).where(User.id.in_(now_sending))).scalars()}
    outgoing = [_compose(users[p], [r for r in rows if r.user_id == p], today, default_locale)
                for p in now_sending if p in users and users[p].email]
    sent = reminders.deliver(settings, outgoing)
    audit.record("overdue_reminded", actor=actor, ip=ip, sent=sent, skipped_today=len(sent_today),
                 over_cap=len(over), people=[o.user.id for o in outgoing])
    db.session.commit()
    return Nudged(sent, len(sent_today), len(over))
