"""Assigned certifications: done while a valid certificate is held, reopened before it expires."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.assessment.services import certificates
from academy.database import db, utcnow
from academy.models import (
    Assignment,
    Attempt,
    Certificate,
    LearnerCertificationStatus,
    LearnerStatus,
    OrgUnit,
    Role,
    TargetKind,
    User,
)
from academy.people.services import assignment_reach, assignments, reminders, reports

from .conftest import confirm_assignment, log_in
from .support.status import _user

EXAM_ID = "cert-sample"


@pytest.fixture
def tree(synced: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> dict[str, OrgUnit]:
    units = make_tree("华东公司", "西南公司")
    group, east, west = units["group"], units["华东公司"], units["西南公司"]
    make_user("Q1", unit=east)
    make_user("L1", unit=east)
    make_user("HE", roles=(Role.HR,), scope=east, unit=east)
    make_user("HW", roles=(Role.HR,), scope=west, unit=west)
    make_user("W1", unit=west)
    return {"group": group, "east": east, "west": west}


def _unit(tree: dict[str, OrgUnit], name: str) -> OrgUnit:
    unit = db.session.get(OrgUnit, tree[name].id)
    assert unit is not None
    return unit


def _assign(tree: dict[str, OrgUnit], *, renew_days: int | None = None, due_on: date | None = date(2026, 6, 30)) -> int:
    a = assignments.create_assignment(title="认证", courses=[], exam_id=EXAM_ID, target_kind=TargetKind.PEOPLE,
                                      unit=_unit(tree, "east"), people=[_user("Q1"), _user("L1")], due_on=due_on,
                                      renew_days=renew_days)
    return a.id


def _issue(number: str, when: datetime) -> Certificate:
    """A passed certification exam, through the service that grading calls."""
    user = _user(number)
    attempt = Attempt(user_id=user.id, quiz_key=f"exam/{EXAM_ID}", paper=[], passed=True, score=4, max_score=4,
                      submitted_at=when, certificate={"title": "示例合格证书", "tier": "all-staff", "valid_years": 2})
    db.session.add(attempt)
    db.session.flush()
    cert = certificates.issue(attempt, EXAM_ID, when)
    db.session.commit()
    return cert


def _item(a_id: int, number: str) -> LearnerCertificationStatus:
    return db.session.execute(select(LearnerCertificationStatus).where(
        LearnerCertificationStatus.assignment_id == a_id,
        LearnerCertificationStatus.user_id == _user(number).id)).scalar_one()


def _summary(number: str) -> tuple[int, int, date | None]:
    row = db.session.get(LearnerStatus, _user(number).id)
    assert row is not None
    return row.items, row.completed, row.next_due


def test_a_certificate_completes_the_item_and_revoking_it_reopens_it(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        a_id = _assign(tree)
        assert _summary("Q1") == (1, 0, date(2026, 6, 30))
        cert = _issue("Q1", utcnow())
        assert _item(a_id, "Q1").completed_at == cert.issued_at
        assert _summary("Q1") == (1, 1, None)
        assert _summary("L1") == (1, 0, date(2026, 6, 30))
        certificates.revoke(cert, "作弊", actor=_user("HE"))
        assert _item(a_id, "Q1").completed_at is None
        assert _summary("Q1") == (1, 0, date(2026, 6, 30))


def test_an_expired_certificate_does_not_count(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        _issue("Q1", utcnow() - timedelta(days=3 * 365))  # two years valid: lapsed a year ago
        a_id = _assign(tree)
        assert _item(a_id, "Q1").completed_at is None


def test_reports_count_the_certification_as_one_item(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        a_id = _assign(tree)
        _issue("Q1", utcnow())
        east = _unit(tree, "east")
        late = list(reports.overdue(east, today=date(2026, 7, 1)))
        assert [(r.employee_no, r.course, r.due_on) for r in late] == [("L1", "认证", date(2026, 6, 30))]
        mandatory = list(reports.overdue(east, today=date(2026, 7, 1), filters=reports.Filters(mandatory_only=True)))
        assert [r.employee_no for r in mandatory] == ["L1"]
        year = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
        for filters in (reports.Filters(), reports.Filters(mandatory_only=True)):
            total = reports.completion_by_unit(east, today=date(2026, 7, 1), year_start=year[0], year_end=year[1],
                                               filters=filters)[0]
            assert (total.assigned, total.completed, total.overdue) == (2, 1, 1)
        reach = {r.assignment.id: r for r in assignment_reach.reaching(None, today=date(2026, 7, 1))}
        assert (reach[a_id].people, reach[a_id].completed, reach[a_id].overdue) == (2, 1, 1)
        assert assignment_reach.reaching([_unit(tree, "west").path], today=date(2026, 7, 1)) == []  # not the west's


def test_the_dashboard_links_the_exam_until_certified(synced: Flask, tree: dict[str, OrgUnit], client: FlaskClient) -> None:
    with synced.app_context():
        _assign(tree, due_on=None)
        learner = _user("L1")
    log_in(client, learner)
    page = client.get("/me").get_data(as_text=True)
    assert 'href="/quiz/exam/cert-sample"' in page
    assert "示例认证考试" in page
    assert "尚未取得" in page
    with synced.app_context():
        _issue("L1", utcnow())
    assert "已取得" in client.get("/me").get_data(as_text=True)


def test_hr_assigns_a_certification_from_the_form(synced: Flask, tree: dict[str, OrgUnit], client: FlaskClient) -> None:
    with synced.app_context():
        hr = _user("HE")
    log_in(client, hr)
    assert "exam:cert-sample" in client.get("/hr/assignments").get_data(as_text=True)
    form = {"what": "exam:cert-sample", "target_kind": "unit", "unit": tree["east"].id, "include_subtree": "y",
            "due_on": "2026-12-31", "mandatory": "y", "renew_days": "60"}
    assert confirm_assignment(client, form).status_code == 303
    with synced.app_context():
        a = db.session.execute(select(Assignment)).scalar_one()
        assert (a.exam_id, a.renew_days, a.title, a.courses) == ("cert-sample", 60, "示例认证考试", [])
        people = db.session.execute(select(LearnerCertificationStatus.user_id)).scalars().all()
        assert sorted(people) == sorted(_user(n).id for n in ("Q1", "L1", "HE"))
    page = client.get("/hr/assignments").get_data(as_text=True)
    assert "证书到期前 60 天" in page
    bad = confirm_assignment(client, {**form, "renew_days": "0"})
    assert bad.status_code == 422
    assert "1 到 365" in bad.get_data(as_text=True)
    rounds = confirm_assignment(client, {**form, "repeat_months": "12"})
    assert rounds.status_code == 422  # a certification renews by its expiry, not by rounds
    renewing_course = confirm_assignment(client, {**form, "what": "course:second-course"})
    assert renewing_course.status_code == 422
    with synced.app_context():
        assert len(db.session.execute(select(Assignment)).all()) == 1


def test_the_certification_form_is_refused_to_a_learner_and_to_another_subsidiarys_hr(
        synced: Flask, tree: dict[str, OrgUnit], client: FlaskClient) -> None:
    with synced.app_context():
        learner, other = _user("L1"), _user("HW")
    form = {"what": "exam:cert-sample", "target_kind": "unit", "unit": tree["east"].id, "include_subtree": "y"}
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


def test_renewal_opens_before_expiry_once_and_a_newer_certificate_closes_it(synced: Flask,
                                                                            tree: dict[str, OrgUnit]) -> None:
    issued = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    with synced.app_context():
        cert = _issue("Q1", issued)
        expires = cert.valid_until
        a_id = _assign(tree, renew_days=30, due_on=expires.date())  # the same day, to see which mail goes
        assert _item(a_id, "Q1").completed_at is not None  # created before the window: held and done
        day_before = expires - timedelta(days=31)
        assert assignments.roll(day_before.date(), now=day_before) == 0
        assert _item(a_id, "Q1").completed_at is not None
        window = expires - timedelta(days=30)
        assert assignments.roll(window.date(), now=window) == 1
        assert assignments.roll(window.date(), now=window) == 0  # twice the same day: nothing more
        item = _item(a_id, "Q1")
        assert (item.completed_at, item.due_on, item.renewal) == (None, expires.date(), True)
        assert _summary("Q1") == (1, 0, expires.date())
        # the expiry warnings (90/30/7 days) remind the holder; the due date sends no second mail
        due = reminders.due_soon(expires.date() - timedelta(days=7), (7, 1))
        assert [(d.kind, d.user.employee_no) for d in due] == [("due-7", "L1")]  # never certified: a due date
        late = list(reports.overdue(_unit(tree, "east"), today=expires.date() + timedelta(days=1)))
        assert [r.employee_no for r in late] == ["L1", "Q1"]
        renewed_at = expires - timedelta(days=10)
        newer = _issue("Q1", renewed_at)
        item = _item(a_id, "Q1")
        assert (item.completed_at, item.renewal) == (newer.issued_at, False)
        assert _summary("Q1") == (1, 1, None)
        assert assignments.roll(renewed_at.date(), now=renewed_at) == 0


def test_a_lapsed_certificate_is_overdue_since_its_expiry(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        cert = _issue("Q1", datetime(2025, 3, 1, 8, 0, tzinfo=UTC))
        a_id = _assign(tree, renew_days=30, due_on=None)
        after = cert.valid_until + timedelta(days=5)
        assert assignments.roll(after.date(), now=after) == 1
        item = _item(a_id, "Q1")
        assert (item.completed_at, item.due_on) == (None, cert.valid_until.date())
        assert _item(a_id, "L1").due_on is None  # never certified: no expiry to renew by


def test_a_due_certification_is_reminded_until_certified(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        _assign(tree, due_on=date(2027, 6, 30))
        _issue("Q1", utcnow())
        due = reminders.due_soon(date(2027, 6, 23), (7, 1))
        assert [(d.kind, d.user.employee_no) for d in due] == [("due-7", "L1")]
        mail = reminders._compose_due(due[0], "zh_CN")
        assert "  - 认证" in mail.body


def test_roll_from_the_command_line_opens_renewals_once(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        cert = _issue("Q1", datetime(2025, 3, 1, 8, 0, tzinfo=UTC))
        a_id = _assign(tree, renew_days=30, due_on=None)
        window = (cert.valid_until + timedelta(days=1 - 30)).date().isoformat()  # the window's second day
    runner = synced.test_cli_runner()
    first = runner.invoke(args=["assignments", "roll", "--today", window])
    again = runner.invoke(args=["assignments", "roll", "--today", window])
    assert first.exit_code == 0, first.output
    assert "1 assignment rounds opened" in first.output
    assert "0 assignment rounds opened" in again.output
    with synced.app_context():
        assert _item(a_id, "Q1").renewal
