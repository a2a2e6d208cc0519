"""The e-mail that goes with a new assignment's in-app notice, sent as soon as it is made.

Sent once per person and assignment (a ``ReminderLog`` key of ``assigned``, person,
``assignment-N``), so saving twice or a retry after a dropped connection repeats nothing.
The plain text and the HTML part carry the same words; every user text in the HTML part
(the title, the names) is escaped.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import select

from academy.database import db
from academy.models import Assignment, AssignmentTarget, ReminderLog, User
from academy.people.services import reminders

KIND = "assigned"


def _compose(assignment: Assignment, user: User, due: str, default_locale: str) -> reminders.Outgoing:
    with force_locale(user.locale or default_locale):
        subject = _("New training assigned: %(title)s", title=assignment.title)
        greeting = _("Dear %(name)s,", name=user.name)
        what = _("The training office has assigned you \"%(title)s\".", title=assignment.title)
        when = _("Please complete it by %(due)s.", due=due) if due else _("It has no due date.")
        where = _("You find it under My learning.")
        closing = _("QS Academy")
    body = "\n".join([greeting, "", what, when, where, "", closing])
    html = "".join(f"<p>{escape(line)}</p>" for line in (greeting, what, when, where, closing))
    return reminders.Outgoing(KIND, f"assignment-{assignment.id}", user, subject, body, "/me", assignment.id,
                              html=f"<!doctype html><html><body>{html}</body></html>")


def mail_assigned(settings: reminders.MailSettings, assignment: Assignment, *, default_locale: str = "zh_CN") -> int:
    """E-mail every active learner of the assignment who has an address and was not mailed yet;
    returns how many messages went out (the in-app notices were written with the assignment)."""
    rows = db.session.execute(
        select(User, AssignmentTarget.due_on).join(AssignmentTarget, AssignmentTarget.user_id == User.id)
        .where(AssignmentTarget.assignment_id == assignment.id, User.active.is_(True), User.email.is_not(None))
        .order_by(User.id)).all()
    sent = set(db.session.execute(select(ReminderLog.user_id).where(
        ReminderLog.kind == KIND, ReminderLog.ref == f"assignment-{assignment.id}")).scalars())
    outgoing = []
    for user, own_due in rows:
        if user.id in sent or not user.email:
            continue
        due = own_due or assignment.due_on
        outgoing.append(_compose(assignment, user, due.isoformat() if due else "", default_locale))
    return reminders.deliver(settings, outgoing, notices=False)
