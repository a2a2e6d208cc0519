"""Internal trainers (what each taught, and how it was rated) and annual training plans with progress
on the HR home, the report and the leadership summary; both kept within HR's scope."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.database import db, utcnow
from academy.learning.services import classroom
from academy.learning.services.classroom import SessionDraft
from academy.models import AuditLog, Course, Evaluation, OrgUnit, Role, Trainer, TrainingCredit, TrainingPlan, User

from .conftest import log_in
from .support.db import fetch


@pytest.fixture
def people(synced: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> dict:  # type: ignore[type-arg]
    units = make_tree("华东公司/质量部", "西南公司")
    return {
        "units": units,
        "hr": make_user("H001", name="王培训", roles=(Role.HR,), scope=units["华东公司"], unit=units["华东公司"]),
        "other_hr": make_user("H002", name="李培训", roles=(Role.HR,), scope=units["西南公司"], unit=units["西南公司"]),
        "trainer": make_user("T001", name="周讲师", unit=units["质量部"]),
        "learner": make_user("L001", name="赵学员", unit=units["质量部"]),
        "far": make_user("L002", name="孙学员", unit=units["西南公司"]),
    }


def _taught_session(app: Flask, people: dict, *, rating: int = 4) -> int:  # type: ignore[type-arg]
    """A three-hour session led by the trainer, ended an hour ago, attended by the learner who rated it."""
    with app.app_context():
        start = utcnow() - timedelta(hours=4)
        hr = fetch(User, people["hr"].id)
        made = classroom.create_session(SessionDraft(
            title="测量系统分析", unit_id=people["units"]["质量部"].id, starts_at=start, ends_at=start + timedelta(hours=3),
            capacity=20, hours=3, trainer_id=people["trainer"].id), actor=hr)
        classroom.mark_attended(made.id, fetch(User, people["learner"].id), actor=hr, attended=True)
        db.session.add(Evaluation(user_id=people["learner"].id, session_id=made.id, trainer_id=people["trainer"].id,
                                  content=5, delivery=rating, organisation=rating, overall=5))
        db.session.commit()
        return made.id


def test_a_registered_trainer_shows_sessions_hours_and_rating(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    _taught_session(synced, people)
    log_in(client, people["hr"])
    response = client.post("/hr/trainers/", data={"person": "T001", "level": "senior", "subjects": "MSA、SPC"})
    assert response.status_code == 303
    page = client.get("/hr/trainers/").get_data(as_text=True)
    assert "周讲师" in page
    assert "高级内训师" in page
    assert "MSA、SPC" in page
    row = page[page.index("周讲师"):]
    assert re.search(r'data-label="授课场次">1</td><td class="num" data-label="授课学时">3</td>', row)
    assert "4.5" in row
    with synced.app_context():
        trainer_id = db.session.execute(select(Trainer.id)).scalar_one()
        assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "trainer_registered")) is not None
    edited = client.post(f"/hr/trainers/{trainer_id}", data={"level": "principal", "subjects": "MSA", "active": ""})
    assert edited.status_code == 303
    assert "已停用" in client.get("/hr/trainers/").get_data(as_text=True)


def test_trainers_stay_within_scope(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    own = synced.test_client()
    log_in(own, people["hr"])
    own.post("/hr/trainers/", data={"person": "T001", "level": "junior", "subjects": "SPC"})
    with synced.app_context():
        trainer_id = db.session.execute(select(Trainer.id)).scalar_one()
    log_in(client, people["other_hr"])
    refused = client.post("/hr/trainers/", data={"person": "T001", "level": "junior", "subjects": "SPC"})
    assert refused.status_code == 422
    assert "不在你管理的人员中" in refused.get_data(as_text=True)
    assert "周讲师" not in client.get("/hr/trainers/").get_data(as_text=True)
    assert client.get(f"/hr/trainers/{trainer_id}").status_code == 404
    assert client.post(f"/hr/trainers/{trainer_id}", data={"level": "senior", "subjects": "x"}).status_code == 404
    learner = synced.test_client()
    log_in(learner, people["learner"])
    assert learner.get("/hr/trainers/").status_code == 403
    assert learner.get(f"/hr/trainers/{trainer_id}").status_code == 403


def _plan_form(unit_id: int, **changes: object) -> dict[str, object]:
    year = datetime.now(ZoneInfo("Asia/Shanghai")).year
    data: dict[str, object] = {"unit": str(unit_id), "year": str(year), "hours_per_head": "20", "tier_all_staff": "8",
                               "planned_sessions": "2", "budget": "100000", "spent": "25000", "note": "含外聘讲师费"}
    data.update(changes)
    return data


def test_progress_against_the_plan_on_home_report_and_summary(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    _taught_session(synced, people)
    with synced.app_context():
        course = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()
        db.session.add(TrainingCredit(user_id=people["learner"].id, course_id=course.id, hours=2, earned_at=utcnow()))
        db.session.commit()
        course_id = course.id
    log_in(client, people["hr"])
    made = client.post("/hr/plans/new", data={**_plan_form(people["units"]["华东公司"].id), "courses": [str(course_id)]})
    assert made.status_code == 303, made.get_data(as_text=True)
    # 华东公司 has three people (HR, trainer, learner): 2 online and 3 classroom hours
    detail = client.get(made.location).get_data(as_text=True)
    assert "年度培训计划完成情况" in detail
    assert "1.7 / 20 学时" in detail  # 5 hours over 3 people, to one decimal
    assert "线上 0.7，面授 1" in detail
    assert "已举办面授场次" in detail
    assert "1 / 2" in detail
    assert "25.0%" in detail
    for page in ("/hr", "/hr/report", "/hr/summary"):
        body = client.get(page).get_data(as_text=True)
        assert "年度培训计划完成情况" in body, page
        assert "1.7 / 20 学时" in body, page
    again = client.post(made.location, data={**_plan_form(people["units"]["华东公司"].id, hours_per_head="10")})
    assert again.status_code == 303
    with synced.app_context():
        assert db.session.scalar(select(TrainingPlan.hours_per_head)) == 10


def test_plans_refuse_bad_figures_and_other_scopes(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    log_in(client, people["hr"])
    negative = client.post("/hr/plans/new", data=_plan_form(people["units"]["华东公司"].id, budget="-5"))
    assert negative.status_code == 422
    outside = client.post("/hr/plans/new", data=_plan_form(people["units"]["西南公司"].id))
    assert outside.status_code == 422
    assert "请选择你管理的组织单位" in outside.get_data(as_text=True)
    made = client.post("/hr/plans/new", data=_plan_form(people["units"]["华东公司"].id))
    other = synced.test_client()
    log_in(other, people["other_hr"])
    assert other.get(made.location).status_code == 404
    assert "年度培训计划完成情况" not in other.get("/hr").get_data(as_text=True)
    learner = synced.test_client()
    log_in(learner, people["learner"])
    assert learner.get("/hr/plans/").status_code == 403
    assert learner.get(made.location).status_code == 403
