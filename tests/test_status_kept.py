"""The report's status tables are kept by the session: every service that changes progress, and
any write through the session that no service makes, leaves them equal to a rebuild."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, text, update

from academy.assessment.services import certificates, quizzes
from academy.database import db, utcnow
from academy.learning.services import course_status, progress
from academy.models import (
    Assignment,
    AssignmentState,
    AssignmentTarget,
    Attempt,
    Certificate,
    Enrollment,
    LearnerCertificationStatus,
    LearnerCourseStatus,
    LearnerStatus,
    OrgUnit,
    TargetKind,
    User,
)
from academy.people.services import accounts, assignments, people_import

from .conftest import log_in
from .support.quiz import FINAL, answer_all, start
from .support.status import _course, _user, assert_same_as_rebuild, items

DUE = date(2026, 12, 31)


@pytest.fixture
def tree(synced: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> dict[str, OrgUnit]:
    units = make_tree("华东公司/质量部", "西南公司")
    make_user("Q1", unit=units["质量部"])
    make_user("Q2", unit=units["质量部"])
    make_user("W1", unit=units["西南公司"])
    return units


def _unit(name: str) -> OrgUnit:
    return db.session.execute(select(OrgUnit).where(OrgUnit.name == name)).scalar_one()


def _assignment(title: str) -> Assignment:
    return db.session.execute(select(Assignment).where(Assignment.title == title)).scalar_one()


def _certified(number: str) -> None:
    """A passed certification exam, graded through the service the quiz pages call."""
    user = _user(number)
    attempt = Attempt(user_id=user.id, quiz_key="exam/cert-sample", paper=[], passed=True, score=4, max_score=4,
                      submitted_at=utcnow(), certificate={"title": "示例合格证书", "tier": "all-staff", "valid_years": 2})
    db.session.add(attempt)
    db.session.flush()
    certificates.issue(attempt, "cert-sample", utcnow())
    db.session.commit()


def test_every_service_that_changes_progress_leaves_the_tables_equal_to_a_rebuild(
        synced: Flask, tree: dict[str, OrgUnit], client: FlaskClient) -> None:
    steps: list[tuple[str, Callable[[], object]]] = [
        ("assignment created", lambda: assignments.create_assignment(
            title="east", courses=[_course("sample-course"), _course("second-course")], target_kind=TargetKind.UNIT,
            unit=_unit("华东公司"), due_on=DUE)),
        ("certification assigned", lambda: assignments.create_assignment(
            title="cert", courses=[], exam_id="cert-sample", target_kind=TargetKind.PEOPLE, unit=_unit("华东公司"),
            people=[_user("Q1"), _user("Q2")], due_on=DUE, renew_days=30)),
        ("recurring assigned", lambda: assignments.create_assignment(
            title="yearly", courses=[_course("second-course")], target_kind=TargetKind.UNIT, unit=_unit("质量部"),
            due_on=DUE, repeat_months=12)),
        ("lesson opened", lambda: progress.open_lesson(_user("Q2"), _course("second-course").live_lessons[0])),
        ("lesson completed", lambda: progress.complete_lesson(_user("Q1"), _course("second-course").live_lessons[0])),
        ("certificate issued", lambda: _certified("Q1")),
        ("certificate revoked", lambda: certificates.revoke(
            certificates.of_user(_user("Q1"))[0], "错发", actor=_user("Q2"))),
        ("due date changed", lambda: assignments.change_due_date(_assignment("east"), date(2027, 1, 31))),
        ("paused", lambda: assignments.set_state(_assignment("east"), AssignmentState.PAUSED)),
        ("resumed", lambda: assignments.set_state(_assignment("east"), AssignmentState.ACTIVE)),
        ("reach changed", lambda: assignments.change_reach(
            _assignment("east"), target_kind=TargetKind.UNIT, unit=_unit("质量部"))),
        ("reach widened", lambda: assignments.change_reach(
            _assignment("east"), target_kind=TargetKind.UNIT, unit=_unit("集团"))),
        ("deactivated", lambda: accounts.set_active(_user("Q2"), False)),
        ("reactivated", lambda: accounts.set_active(_user("Q2"), True)),
        ("hired", lambda: accounts.create_user("N1", "新人", org_unit=_unit("质量部"))),
        ("people imported", lambda: people_import.import_people(
            "工号,姓名,组织路径,状态\nQ1,张三明,集团/西南公司,在职\nW1,张三明,集团/华东公司/质量部,在职\n"
            "N2,新人,集团/华东公司,在职\n".encode(), "people.csv")),
        ("round opened", lambda: assignments.roll(utcnow().date() + timedelta(days=400))),
        ("archived", lambda: assignments.set_state(_assignment("cert"), AssignmentState.ARCHIVED)),
    ]
    for name, step in steps:
        with synced.app_context():
            step()
            try:
                assert_same_as_rebuild()
            except AssertionError as error:
                raise AssertionError(f"after: {name}") from error
    with synced.app_context():
        learner = _user("W1")  # in 质量部 since the import: assigned the courses of east and yearly
    log_in(client, learner)
    failed = start(client, FINAL)
    client.post(f"/attempts/{failed}/submit")  # graded, nothing answered: a best score of 0 %
    with synced.app_context():
        assert items("W1")["sample-course"][4] == 0.0
        assert_same_as_rebuild()
    expiring = start(client, FINAL)
    answer_all(client, synced, expiring)
    with synced.app_context():
        assert quizzes.close_expired(now=utcnow() + timedelta(days=1)) == 1  # the time limit ran out: graded as saved
        assert db.session.get(Attempt, expiring).expired  # type: ignore[union-attr]
        assert items("W1")["sample-course"][4] == 100.0  # the best score; the lessons are not done
        assert_same_as_rebuild()


def test_a_write_no_service_makes_is_kept_before_it_is_read(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        assignments.create_assignment(title="east", courses=[_course("sample-course")], target_kind=TargetKind.UNIT,
                                      unit=_unit("华东公司"), due_on=DUE)
        q1 = _user("Q1")
        course = _course("sample-course")
        now = utcnow()
        db.session.add(Enrollment(user_id=q1.id, course_id=course.id, started_at=now, last_active_at=now))
        db.session.flush()  # no commit: a read later in the same transaction sees it kept already
        assert items("Q1")["sample-course"][2:4] == (True, False)
        db.session.add(Attempt(user_id=q1.id, quiz_key="final/sample-course", paper=[], passed=False, score=1,
                               max_score=4, submitted_at=now))
        q1.org_unit_id = _unit("华东公司").id
        db.session.commit()
        assert items("Q1")["sample-course"] == (_unit("华东公司").id, True, True, False, 25.0)
        assert_same_as_rebuild()
        q1 = _user("Q1")
        db.session.commit()  # q1 expires: the change below names no loaded id
        q1.active = False
        db.session.commit()
        assert items("Q1")["sample-course"][1] is False
        db.session.add(Attempt(user_id=q1.id, quiz_key="final/sample-course", paper=[], passed=False, score=3,
                               max_score=4, submitted_at=now))
        db.session.commit()
        assert items("Q1")["sample-course"][4] == 75.0

        # statements through the session, past the unit of work: the rows they touch are read first
        db.session.execute(update(Enrollment).where(Enrollment.user_id == q1.id).values(completed_at=now))
        db.session.commit()
        assert items("Q1")["sample-course"][3] is True
        db.session.execute(delete(AssignmentTarget).where(AssignmentTarget.user_id == q1.id))
        db.session.commit()
        assert items("Q1") == {}
        assert db.session.get(LearnerStatus, q1.id) is None  # no item left: no summary
        assert_same_as_rebuild()


def test_a_certificate_written_directly_completes_the_assigned_certification(synced: Flask,
                                                                              tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        a = assignments.create_assignment(title="cert", courses=[], exam_id="cert-sample", target_kind=TargetKind.PEOPLE,
                                          unit=_unit("华东公司"), people=[_user("Q1")], due_on=DUE)
        q1 = _user("Q1")
        issued = utcnow()
        db.session.add(Certificate(serial="DIRECT-1", user_id=q1.id, exam_id="cert-sample", title="示例", tier="all-staff",
                                   holder_name=q1.name, employee_no=q1.employee_no, issued_at=issued,
                                   valid_until=issued + timedelta(days=365)))
        db.session.commit()
        item = db.session.get(LearnerCertificationStatus, (a.id, q1.id))
        assert item is not None
        assert item.completed_at == issued
        summary = db.session.get(LearnerStatus, q1.id)
        assert summary is not None
        assert (summary.items, summary.completed) == (1, 1)


def test_sql_text_is_not_seen_and_a_rebuild_repairs_it(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    """The documented limit: a write in plain SQL goes around the session; ``rebuild`` is the repair."""
    with synced.app_context():
        assignments.create_assignment(title="east", courses=[_course("sample-course")], target_kind=TargetKind.UNIT,
                                      unit=_unit("华东公司"), due_on=DUE)
        q1 = _user("Q1")
        db.session.execute(text("UPDATE user_account SET active = :no WHERE id = :id"), {"no": False, "id": q1.id})
        db.session.commit()
        active = select(LearnerCourseStatus.active).where(LearnerCourseStatus.user_id == q1.id)
        assert db.session.execute(active).scalar_one() is True  # stale until rebuilt
        course_status.rebuild()
        db.session.commit()
        assert db.session.execute(active).scalar_one() is False


def test_a_rolled_back_write_leaves_nothing_to_keep(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        assignments.create_assignment(title="east", courses=[_course("sample-course")], target_kind=TargetKind.UNIT,
                                      unit=_unit("华东公司"), due_on=DUE)
        q1 = _user("Q1")
        q1.active = False
        db.session.flush()
        assert items("Q1")["sample-course"][1] is False
        db.session.rollback()
        assert items("Q1")["sample-course"][1] is True
        assert "status_pending" not in db.session().info or not db.session().info["status_pending"]
        assert_same_as_rebuild()


def test_the_round_start_counts_a_later_visit_to_an_earlier_enrolment(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    """A learner enrolled before a round began and reading on in it has started the round's item:
    a change of ``last_active_at`` alone moves the item (kept now, where no service asked for it)."""
    with synced.app_context():
        lesson = _course("second-course").live_lessons[0]
        before = datetime(2025, 1, 5, 9, 0, tzinfo=UTC)
        progress.open_lesson(_user("Q1"), lesson, now=before)
        a = assignments.create_assignment(title="yearly", courses=[_course("second-course")], target_kind=TargetKind.UNIT,
                                          unit=_unit("质量部"), due_on=DUE, repeat_months=12)
        a.round_started_at = datetime(2025, 6, 1, tzinfo=UTC)
        db.session.commit()
        assert items("Q1")["second-course"][2] is False  # not active in this round yet
        progress.open_lesson(_user("Q1"), lesson, now=datetime(2025, 7, 1, tzinfo=UTC))
        assert items("Q1")["second-course"][2] is True
        assert_same_as_rebuild()


def test_a_deleted_assignment_leaves_its_learners_summaries(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        kept = assignments.create_assignment(title="kept", courses=[_course("second-course")], target_kind=TargetKind.UNIT,
                                             unit=_unit("华东公司"), due_on=DUE)
        gone = assignments.create_assignment(title="gone", courses=[_course("sample-course")], target_kind=TargetKind.UNIT,
                                             unit=_unit("华东公司"), due_on=date(2026, 6, 30))
        summary = db.session.get(LearnerStatus, _user("Q1").id)
        assert summary is not None
        assert (summary.items, summary.next_due) == (2, date(2026, 6, 30))
        db.session.delete(gone)  # its targets and items go by ON DELETE CASCADE, unseen by the session
        db.session.commit()
        assert set(items("Q1")) == {"second-course"}
        summary = db.session.get(LearnerStatus, _user("Q1").id)
        assert summary is not None
        assert (summary.items, summary.next_due) == (1, DUE)
        assert kept.id is not None
        assert_same_as_rebuild()
