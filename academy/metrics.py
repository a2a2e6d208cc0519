"""What each figure of the HR pages means: one name and one definition per metric, used by the
HR home, the report, the people list, the leadership summary and its PDF alike, so the same
number is never explained two ways.

Keys are stable; the texts are translated where they are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class Metric:
    key: str
    label: LazyString
    how: LazyString


_ALL = [
    Metric("headcount", _l("Headcount"),
           _l("People active today in the unit and every unit below it. The org tree keeps no history, so past "
              "periods are counted over today's people too.")),
    Metric("assigned", _l("Assigned"),
           _l("People with at least one item (a course or a certification) from an assignment that is not paused "
              "or archived.")),
    Metric("started", _l("Started"), _l("Of the people assigned, those who opened at least one assigned course.")),
    Metric("completed", _l("Completed"), _l("Of the people assigned, those who completed every item assigned to them.")),
    Metric("overdue", _l("Overdue"),
           _l("People with at least one item past its due date and not completed. A late joiner's due date is "
              "their own; paused and archived assignments do not count.")),
    Metric("completion_rate", _l("Completion rate"),
           _l("Completed divided by assigned: a share of people, not of courses, so one unfinished course keeps a "
              "person out.")),
    Metric("mandatory", _l("Mandatory completion"),
           _l("People who have completed every mandatory item assigned to them, out of the people with one.")),
    Metric("coverage", _l("All-staff training coverage"),
           _l("People active today who have completed an all-staff course by the end of the period, out of all "
              "people active today. It counts any all-staff course, assigned or not, so it can be high while the "
              "completion rate of one assignment is low.")),
    Metric("exam_score", _l("Average exam score"),
           _l("The mean of each person's best final-exam score (percent) over the assigned courses where they "
              "took the exam.")),
    Metric("certificates", _l("Certificates held"), _l("Valid certificates held today: not expired and not revoked.")),
    Metric("expiring", _l("Expiring within 90 days"),
           _l("Valid certificates, not revoked or renewed, whose expiry falls in the next 90 days.")),
    Metric("hours_per_head", _l("Training hours per head this year"),
           _l("Hours credited this year to the people active today, divided by their number.")),
    Metric("completions_week", _l("Completions per week"),
           _l("Courses completed in each week (Monday to Sunday, Beijing time) by the people active today, any "
              "course, assigned or not, a retaken course counted again.")),
    Metric("tier_coverage", _l("Tier coverage"),
           _l("For each unit below, the share of its active people who completed at least one course of each "
              "tier; each tier is a quarter of the bar.")),
    Metric("trained", _l("People trained per tier"),
           _l("People who completed at least one course of the tier within the period, counted once however "
              "many courses.")),
    Metric("holders", _l("People holding a valid certificate"),
           _l("People holding a certificate valid at the end of the period (today while it runs).")),
    Metric("issued", _l("Certificates issued"), _l("Certificates issued within the period, renewals included.")),
    Metric("hours", _l("Training hours"), _l("Hours credited within the period to the people active today.")),
    Metric("participants", _l("Competition participants"),
           _l("People who submitted a paper in an online round or joined a live final within the period.")),
    Metric("participation", _l("Competition participation"), _l("Competition participants divided by the headcount.")),
    Metric("competitions", _l("Competitions held"),
           _l("Online rounds open to the unit whose window overlaps the period, and the live finals someone of "
              "the unit joined.")),
]
METRICS = {m.key: m for m in _ALL}


def metric(key: str) -> Metric:
    return METRICS[key]


def defined(keys: list[str] | tuple[str, ...]) -> list[Metric]:
    """The metrics of a page, in its order, for its "how each figure is computed" list."""
    return [METRICS[k] for k in keys]
