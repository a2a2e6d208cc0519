"""Recurring assignments: rounds open once, count what is done in the round, and let people retake."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.database import db
from academy.learning.services import progress
from academy.models import (
    Assignment,
    AssignmentRound,
    Attempt,
    CourseCompletion,
    Enrollment,
    OrgUnit,
    Role,
    TargetKind,
    User,
)
from academy.people.services import assignments, reports

from .conftest import confirm_assignment, log_in
from .support.status import _course, _user, assert_same_as_rebuild, items

CREATED = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def tree(synced: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> dict[str, OrgUnit]:
    units = make_tree("华东公司", "西南公司")
    group, east, west = units["group"], units["华东公司"], units["西南公司"]
    make_user("Q1", unit=east)
    make_user("HE", roles=(Role.HR,), scope=east, unit=east)
    make_user("HW", roles=(Role.HR,), scope=west, unit=west)
    make_user("L1", unit=east)
    return {"group": group, "east": east, "west": west}


def _yearly(tree: dict[str, OrgUnit], slug: str = "second-course") -> int:
    east = db.session.get(OrgUnit, tree["east"].id)
    a = assignments.create_assignment(title="年度复训", courses=[_course(slug)], target_kind=TargetKind.UNIT,
                                      unit=east, due_on=date(2025, 6, 30), repeat_months=12)
    a.rounds[0].starts_on = CREATED.date()  # as if created in March 2025
    db.session.commit()
    return a.id


def test_roll_opens_each_round_once_and_moves_the_due_date(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        a_id = _yearly(tree)
        assert assignments.roll(date(2026, 3, 9)) == 0  # a year has not passed
        assert assignments.roll(date(2026, 3, 10)) == 1
        assert assignments.roll(date(2026, 3, 10)) == 0  # twice the same day: nothing more
        assert assignments.roll(date(2026, 11, 25)) == 0
        a = db.session.get(Assignment, a_id)
        assert a is not None
        assert (a.round_number, a.due_on) == (2, date(2026, 6, 30))
        rounds = db.session.execute(select(AssignmentRound.number, AssignmentRound.starts_on)
                                    .where(AssignmentRound.assignment_id == a_id).order_by(AssignmentRound.number)).all()
        assert rounds == [(1, date(2025, 3, 10)), (2, date(2026, 3, 10))]


def test_last_rounds_completion_does_not_count_and_a_retake_keeps_the_history(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        _yearly(tree)
        lesson = _course("second-course").live_lessons[0]
        progress.complete_lesson(_user("Q1"), lesson, now=datetime(2025, 4, 1, tzinfo=UTC))
        assert items("Q1")["second-course"][2:4] == (True, True)
        assignments.roll(date(2026, 3, 10))
        assert items("Q1")["second-course"][2:4] == (False, False)  # a new round: to do again
        east = db.session.get(OrgUnit, tree["east"].id)
        assert east is not None
        late = list(reports.overdue(east, today=date(2026, 7, 1)))
        assert [(r.employee_no, r.due_on) for r in late] == [("HE", date(2026, 6, 30)), ("L1", date(2026, 6, 30)),
                                                             ("Q1", date(2026, 6, 30))]

        progress.open_lesson(_user("Q1"), lesson, now=datetime(2026, 4, 2, tzinfo=UTC))  # the retake starts
        assert items("Q1")["second-course"][2:4] == (True, False)
        assert progress.complete_lesson(_user("Q1"), lesson, now=datetime(2026, 4, 3, tzinfo=UTC))
        assert items("Q1")["second-course"][2:4] == (True, True)
        enrollment = db.session.execute(select(Enrollment).where(Enrollment.user_id == _user("Q1").id)).scalar_one()
        earlier = db.session.execute(select(CourseCompletion)).scalar_one()
        assert earlier.completed_at == datetime(2025, 4, 1, tzinfo=UTC)
        assert enrollment.completed_at == datetime(2026, 4, 3, tzinfo=UTC)
        assert [r.employee_no for r in reports.overdue(east, today=date(2026, 7, 1))] == ["HE", "L1"]
        assert_same_as_rebuild()


def test_a_final_exam_of_the_last_round_does_not_complete_the_new_one(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    from .conftest import passed_final_exam

    with synced.app_context():
        _yearly(tree, "sample-course")
        q1 = _user("Q1")
    passed_final_exam(synced, q1)  # today, before the next round opens
    with synced.app_context():
        assignments.roll(date(datetime.now(UTC).year + 1, 12, 31))
        course = _course("sample-course")
        for lesson in course.live_lessons:
            progress.complete_lesson(_user("Q1"), lesson)
        assert items("Q1")["sample-course"][3:] == (False, None)  # lessons again, but the exam was last round


def test_the_training_file_shows_both_rounds(synced: Flask, tree: dict[str, OrgUnit], client: FlaskClient) -> None:
    with synced.app_context():
        _yearly(tree)
        lesson = _course("second-course").live_lessons[0]
        progress.complete_lesson(_user("Q1"), lesson, now=datetime(2025, 4, 1, tzinfo=UTC))
        assignments.roll(date(2026, 3, 10))
        progress.complete_lesson(_user("Q1"), lesson, now=datetime(2026, 4, 3, tzinfo=UTC))
        person, hr = _user("Q1"), _user("HE")
    log_in(client, hr)
    page = client.get(f"/hr/people/{person.id}").get_data(as_text=True)
    assert "2025-04-01" in page
    assert "2026-04-03" in page
    assert "上一轮" in page


def test_hr_creates_a_recurring_assignment_from_the_form(synced: Flask, tree: dict[str, OrgUnit], client: FlaskClient) -> None:
    with synced.app_context():
        hr = _user("HE")
    log_in(client, hr)
    form = {"what": "course:second-course", "target_kind": "unit", "unit": tree["east"].id, "include_subtree": "y",
            "due_on": "2026-12-31", "mandatory": "y", "repeat_months": "12"}
    response = confirm_assignment(client, form)
    assert response.status_code == 303
    with synced.app_context():
        a = db.session.execute(select(Assignment)).scalar_one()
        assert (a.repeat_months, a.round_number, len(a.rounds)) == (12, 1, 1)
    page = client.get("/hr/assignments").get_data(as_text=True)
    assert "每 12 个月" in page
    bad = confirm_assignment(client, {**form, "repeat_months": "0"})
    assert bad.status_code == 422
    assert "1 到 120" in bad.get_data(as_text=True)


def test_the_form_is_refused_to_a_learner_and_to_another_subsidiarys_hr(synced: Flask, tree: dict[str, OrgUnit],
                                                                       client: FlaskClient) -> None:
    with synced.app_context():
        learner, other = _user("L1"), _user("HW")
    form = {"what": "course:second-course", "target_kind": "unit", "unit": tree["east"].id, "include_subtree": "y",
            "repeat_months": "12"}
    log_in(client, learner)
    assert confirm_assignment(client, form).status_code == 403
    log_in(client, other)
    assert confirm_assignment(client, form).status_code == 422  # the east is not among their units
    named = {**form, "target_kind": "people", "unit": tree["west"].id, "people": "Q1"}
    refused = confirm_assignment(client, named)  # an easterner, named from the west: on the people field
    assert refused.status_code == 422
    assert "Q1" in refused.get_data(as_text=True).split('name="people"')[1]
    with synced.app_context():
        assert db.session.execute(select(Assignment)).first() is None


def test_roll_from_the_command_line(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        _yearly(tree)
    runner = synced.test_cli_runner()
    first = runner.invoke(args=["assignments", "roll", "--today", "2026-03-10"])
    again = runner.invoke(args=["assignments", "roll", "--today", "2026-03-10"])
    assert first.exit_code == 0, first.output
    assert "1 assignment rounds opened" in first.output
    assert "0 assignment rounds opened" in again.output


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert assignments.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert assignments.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert assignments.add_months(date(2025, 11, 15), 3) == date(2026, 2, 15)
    assert assignments.add_months(date(2025, 3, 10), 12) == date(2026, 3, 10)


def test_the_final_exams_attempt_limit_starts_again_each_round(synced: Flask, tree: dict[str, OrgUnit],
                                                               client: FlaskClient) -> None:
    from .support.quiz import FINAL, start

    with synced.app_context():
        a_id = _yearly(tree, "sample-course")
        learner = _user("Q1")
    log_in(client, learner)
    for _ in range(2):  # the fixture's final allows two attempts
        client.post(f"/attempts/{start(client, FINAL)}/submit")
    refused = client.post(FINAL)  # the limit is reached this round: back to the exam page
    assert "/attempts/" not in refused.location
    with synced.app_context():
        assignment = db.session.get(Assignment, a_id)
        assert assignment is not None
        today = datetime.now(UTC).date()
        assignment.rounds[0].starts_on = today.replace(year=today.year - 1, day=1)  # as if all this was a year ago
        for attempt in db.session.execute(select(Attempt)).scalars():
            attempt.started_at = attempt.started_at.replace(year=today.year - 1)
        db.session.commit()
        assert assignments.roll(today) == 1
    start(client, FINAL)  # a new round: two attempts again


def test_a_retake_leaves_the_earlier_periods_figures_as_they_were(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    zone = UTC

    def figures() -> tuple[dict[str, int], int, dict[str, int]]:
        group = db.session.get(OrgUnit, tree["group"].id)
        assert group is not None
        summary = reports.leadership_summary(group, reports.Period.parse("2025-Q2"), zone=zone,
                                             now=datetime(2026, 11, 25, tzinfo=UTC))
        weeks = reports.completions_by_week(group, last_day=date(2025, 4, 6), zone=zone, weeks=2)
        coverage = {row.name: row.covered.get("practitioner", 0)
                    for row in reports.tier_coverage(group, until=datetime(2025, 7, 1, tzinfo=UTC))}
        return summary.current.trained, sum(w.completions for w in weeks), coverage

    with synced.app_context():
        _yearly(tree)
        lesson = _course("second-course").live_lessons[0]
        progress.complete_lesson(_user("Q1"), lesson, now=datetime(2025, 4, 1, tzinfo=UTC))
        before = figures()
        assert before == ({"practitioner": 1}, 1, {"华东公司": 1, "西南公司": 0})
        assignments.roll(date(2026, 3, 10))
        progress.open_lesson(_user("Q1"), lesson, now=datetime(2026, 4, 2, tzinfo=UTC))
        progress.complete_lesson(_user("Q1"), lesson, now=datetime(2026, 4, 3, tzinfo=UTC))
        assert db.session.execute(select(CourseCompletion)).scalar_one().completed_at == datetime(2025, 4, 1, tzinfo=UTC)
        assert figures() == before
        group = db.session.get(OrgUnit, tree["group"].id)
        assert group is not None
        this_year = reports.leadership_summary(group, reports.Period.parse("2026-Q2"), zone=zone,
                                               now=datetime(2026, 11, 25, tzinfo=UTC))
        assert this_year.current.trained == {"practitioner": 1}  # the retake counts in its own period
