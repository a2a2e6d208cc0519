"""The training file (培训档案) as a PDF made on the server: the printed page's sections in the
page's order, every text set by ``record_pdf`` as text (escaped), never as markup."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _

from academy.learning.services.training_record import Record
from academy.people.services.reports import TrainingFile
from academy.record_pdf import Section, record_pdf


def _day(value: datetime | None) -> str:
    return format_datetime(value, "yyyy-MM-dd") if value else "—"


def _hours(value: float | int | None) -> str:
    number = round(float(value or 0), 1)
    return str(int(number)) if number.is_integer() else str(number)


def _title(course: Any, locale: str) -> str:
    return str(course.title_en if locale == "en" and course.title_en else course.title)


def _status(item: Any) -> str:
    if item.completed_at:
        return f"{_('Completed')} {_day(item.completed_at)}"
    if item.overdue:
        return _("Overdue")
    return _("In progress") if item.started else _("Not started")


def _state(state: str) -> str:
    return {"valid": _("Valid"), "expired": _("Expired"), "renewed": _("Renewed")}.get(state, _("Revoked"))


def training_file_pdf(file: TrainingFile, record: Record, quiz_titles: dict[str, str], *, now: datetime,
                      locale: str, classroom: Sequence[tuple[Any, Any]] = ()) -> bytes:
    person = file.person
    hours = _("Training hours credited: %(h)s", h=_hours(file.total_hours))
    if record.hours_by_year:
        hours += "（" + "；".join(_("%(year)d: %(h)s hours", year=y, h=_hours(h)) for y, h in record.hours_by_year) + "）"
    facts = [(_("Employee number"), person.employee_no), (_("Name"), person.name), (_("Unit"), file.unit or "—"),
             (_("Position"), person.position or "—"), (_("Training hours"), hours)]
    if not person.active:
        facts.append((_("Status"), _("Left")))
    none = _("None.")
    sections = [
        Section(_("Assigned courses"), (_("Course"), _("Assignment"), _("Due date"), _("Status")),
                [(_title(a.course, locale), a.assignment.title, a.due_on.isoformat() if a.due_on else "—", _status(a))
                 for a in file.assigned], none),
        Section(_("Courses"), (_("Course"), _("Started"), _("Completed")),
                [*((_title(e.course, locale), _day(e.started_at), _day(e.completed_at)) for e in file.enrollments),
                 *((f"{_title(c.course, locale)} · {_('earlier round')}", _day(c.started_at), _day(c.completed_at))
                   for c in file.earlier)], none),
        Section(_("Lessons"), (_("Course"), _("Lesson"), _("First opened"), _("Completed")),
                [(_title(p.lesson.course, locale), p.lesson.title, _day(p.first_opened_at), _day(p.completed_at))
                 for p in file.lessons], none),
        Section(_("Exams sat"), (_("Exam"), _("Attempt"), _("Submitted"), _("Score"), _("Result")),
                [(quiz_titles.get(a.quiz_key, _("Retired exam")), _("No. %(n)d", n=a.number),
                  format_datetime(a.submitted_at, "yyyy-MM-dd HH:mm") if a.submitted_at else "—",
                  f"{100 * (a.score or 0) / a.max_score:.0f}" if a.max_score else "—",
                  _("Passed") if a.passed else (_("Not passed") if a.passed is False else "—"))
                 for a in record.attempts], none),
        Section(_("Certificates"), (_("Certificate"), _("Issued"), _("Valid until"), _("Status")),
                [(c.title, _day(c.issued_at), _day(c.valid_until),
                  _state(record.certificate_state(c, now)))
                 for c in record.certificates], none),
        Section(_("Competitions and awards"), (_("Competition"), _("Award"), _("Issued")),
                [(w.competition_title, w.award, _day(w.issued_at)) for w in record.awards], none),
        Section(_("Online training hours"), (_("Course"), _("Hours"), _("Credited on")),
                [(_title(c.course, locale), _hours(c.hours), _day(c.earned_at)) for c in file.credits], none),
        Section(_("Classroom sessions"), (_("Session"), _("Hours"), _("Signed in at")),
                [(s.title, _hours(seat.hours), format_datetime(seat.signed_in_at, "yyyy-MM-dd HH:mm") if seat.signed_in_at else "—")
                 for s, seat in classroom], none),
        Section(_("External training and certificates"), (_("Course or qualification"), _("Issued by"), _("Valid until"), _("Hours")),
                [(r.title, r.issuer, r.expires_on.isoformat() if r.expires_on else "—", _hours(r.hours)) for r in record.outside],
                none),
        Section(_("Hours by source"), (_("Year"), _("Online"), _("Classroom"), _("External"), _("Total")),
                [(str(year), _hours(h.online), _hours(h.classroom), _hours(h.external), _hours(h.total))
                 for year, h in record.hours.by_year], none),
    ]
    footer = _("QS Academy · drawn %(when)s", when=now.strftime("%Y-%m-%d %H:%M"))
    return record_pdf(f"{_('Training file')}：{person.name}", facts, sections, footer)
