"""Evaluations: answered once after a completed course or an attended session, results per course,
session and trainer for HR within scope, comments exported without formulas, capped reminders."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from academy.database import db, utcnow
from academy.learning.services import classroom, evaluations
from academy.learning.services.classroom import SessionDraft
from academy.models import AuditLog, Course, Enrollment, Evaluation, Notice, OrgUnit, Role, User

from .conftest import log_in
from .support.db import fetch

RATINGS = {"content": "5", "delivery": "4", "organisation": "4", "overall": "5"}


@pytest.fixture
def people(synced: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> dict:  # type: ignore[type-arg]
    units = make_tree("华东公司/质量部", "西南公司")
    found = {
        "units": units,
        "hr": make_user("H001", name="王培训", roles=(Role.HR,), scope=units["华东公司"], unit=units["华东公司"]),
        "other_hr": make_user("H002", name="李培训", roles=(Role.HR,), scope=units["西南公司"], unit=units["西南公司"]),
        "trainer": make_user("T001", name="周讲师", unit=units["质量部"]),
        "learner": make_user("L001", name="赵学员", unit=units["质量部"]),
        "newcomer": make_user("L002", name="钱学员", unit=units["质量部"]),
    }
    with synced.app_context():
        course = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()
        db.session.add(Enrollment(user_id=found["learner"].id, course_id=course.id, completed_at=utcnow()))
        db.session.commit()
    return found


def _session(app: Flask, people: dict, attendee: User) -> int:  # type: ignore[type-arg]
    with app.app_context():
        start = utcnow() - timedelta(hours=2)
        hr = fetch(User, people["hr"].id)
        made = classroom.create_session(SessionDraft(
            title="质量管理体系内审实务", unit_id=people["units"]["华东公司"].id, starts_at=start,
            ends_at=start + timedelta(hours=3), capacity=30, hours=3, trainer_id=people["trainer"].id), actor=hr)
        classroom.mark_attended(made.id, fetch(User, attendee.id), actor=hr, attended=True)
        return made.id


def test_an_evaluation_answered_once_shows_in_the_courses_results(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    log_in(client, people["learner"])
    assert "评价已完成的培训（1 项）" in client.get("/me").get_data(as_text=True)
    assert "示例课程" in client.get("/evaluations").get_data(as_text=True)
    assert client.get("/evaluations/course/sample-course").status_code == 200
    sent = client.post("/evaluations/course/sample-course", data={**RATINGS, "comment": "案例很实用，<b>希望</b>多些练习"})
    assert sent.status_code == 303
    again = client.post("/evaluations/course/sample-course", data={**RATINGS, "overall": "1", "comment": "第二次"})
    assert again.status_code == 200
    assert "评价已完成的培训" not in client.get("/me").get_data(as_text=True)
    with synced.app_context():
        assert db.session.scalar(select(func.count()).select_from(Evaluation)) == 1

    hr = synced.test_client()
    log_in(hr, people["hr"])
    listing = hr.get("/hr/evaluations").get_data(as_text=True)
    assert "/hr/evaluations/course/sample-course" in listing
    assert "4.5" in listing
    detail = hr.get("/hr/evaluations/course/sample-course").get_data(as_text=True)
    assert "共 1 份回答" in detail
    assert "案例很实用，&lt;b&gt;希望&lt;/b&gt;多些练习" in detail
    assert "赵学员" not in detail  # read without names

    other = synced.test_client()
    log_in(other, people["other_hr"])
    assert "案例很实用" not in other.get("/hr/evaluations/course/sample-course").get_data(as_text=True)
    assert "暂无回答" in other.get("/hr/evaluations/course/sample-course").get_data(as_text=True)


def test_refused_before_completion_and_for_learners_on_results(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    log_in(client, people["newcomer"])
    assert client.get("/evaluations/course/sample-course").status_code == 404
    assert client.post("/evaluations/course/sample-course", data=RATINGS).status_code == 404
    assert client.get("/evaluations/course/no-such-course").status_code == 404
    assert client.get("/evaluations/session/999").status_code == 404
    assert client.get("/hr/evaluations").status_code == 403
    assert client.get("/hr/evaluations/course/sample-course").status_code == 403
    assert client.get("/hr/evaluations/comments.xlsx").status_code == 403
    learner = synced.test_client()
    log_in(learner, people["learner"])
    missing = learner.post("/evaluations/course/sample-course", data={"content": "5", "comment": "只打了一项"})
    assert missing.status_code == 422
    assert "请选择 1 到 5 分" in missing.get_data(as_text=True)
    bad = learner.post("/evaluations/course/sample-course", data={**RATINGS, "content": "9"})
    assert bad.status_code == 422


def test_a_session_evaluation_counts_for_its_trainer_and_stays_with_its_unit(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    session_id = _session(synced, people, people["newcomer"])
    log_in(client, people["newcomer"])
    assert client.post(f"/evaluations/session/{session_id}", data={**RATINGS, "comment": "讲得清楚"}).status_code == 303
    with synced.app_context():
        row = db.session.execute(select(Evaluation)).scalar_one()
        assert row.trainer_id == people["trainer"].id
        assert evaluations.trainer_rating(people["trainer"].id) == (1, 4.5)
    hr = synced.test_client()
    log_in(hr, people["hr"])
    listing = hr.get("/hr/evaluations").get_data(as_text=True)
    assert "周讲师" in listing
    assert "T001" in listing
    assert "讲得清楚" in hr.get(f"/hr/evaluations/session/{session_id}").get_data(as_text=True)
    trainer = synced.test_client()
    log_in(trainer, people["trainer"])
    assert trainer.get(f"/hr/evaluations/session/{session_id}").status_code == 200
    other = synced.test_client()
    log_in(other, people["other_hr"])
    assert other.get(f"/hr/evaluations/session/{session_id}").status_code == 404
    assert other.get(f"/hr/evaluations/comments.xlsx?session={session_id}").status_code == 404
    stranger = synced.test_client()
    log_in(stranger, people["learner"])
    assert stranger.get(f"/evaluations/session/{session_id}").status_code == 404  # never signed in
    assert stranger.get(f"/hr/evaluations/session/{session_id}").status_code == 404


def test_comments_export_keeps_a_formula_as_text(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    log_in(client, people["learner"])
    formula = '=HYPERLINK("http://evil.example","点我")'
    client.post("/evaluations/course/sample-course", data={**RATINGS, "comment": formula})
    hr = synced.test_client()
    log_in(hr, people["hr"])
    response = hr.get("/hr/evaluations/comments.xlsx?course=sample-course")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    cell = sheet.cell(row=2, column=7)
    assert cell.value == formula
    assert cell.data_type == "s"
    with synced.app_context():
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "data_exported")).scalar_one()
        assert entry.detail["what"] == "evaluation_comments"


def test_reminders_are_capped_and_stop_once_answered(synced: Flask, people) -> None:  # type: ignore[no-untyped-def]
    now = utcnow() + timedelta(days=1)
    with synced.app_context():
        def remind(at):  # type: ignore[no-untyped-def]
            return evaluations.remind_unanswered(now=at, title="请评价：%(title)s", body="")

        assert remind(now) == 1
        assert remind(now + timedelta(hours=1)) == 0  # too soon
        assert remind(now + timedelta(days=4)) == 1
        assert remind(now + timedelta(days=8)) == 0  # the cap
        notice = db.session.execute(select(Notice).where(Notice.kind == "evaluation")).scalars().first()
        assert notice is not None
        assert notice.link == "/evaluations/course/sample-course"
    runner = synced.test_cli_runner()
    result = runner.invoke(args=["evaluations", "remind"])
    assert result.exit_code == 0, result.output
    assert "0 evaluation reminders sent" in result.output
