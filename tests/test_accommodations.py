"""Exam accommodations: extra time, extra attempts and another window, set by HR within scope,
audited, applied where an attempt starts, and shown on the exam and attempt pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.assessment.services import accommodations, quizzes
from academy.database import db, utcnow
from academy.models import Attempt, AuditLog, ExamOverride, OrgUnit, Role, User

from .conftest import log_in
from .support.db import fetch
from .support.quiz import EXAM, start


@pytest.fixture
def people(synced: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> dict:  # type: ignore[type-arg]
    units = make_tree("华东公司/质量部", "西南公司")
    return {
        "units": units,
        "hr": make_user("H001", name="王培训", roles=(Role.HR,), scope=units["华东公司"], unit=units["华东公司"]),
        "other_hr": make_user("H002", name="李培训", roles=(Role.HR,), scope=units["西南公司"], unit=units["西南公司"]),
        "learner": make_user("L001", name="赵学员", unit=units["质量部"]),
        "colleague": make_user("L002", name="钱学员", unit=units["质量部"]),
    }


def _set(client: FlaskClient, **fields: object) -> object:
    data = {"quiz": "exam/cert-sample", "target_kind": "person", "person": "L001", "unit": "0",
            "extra_minutes": "0", "extra_attempts": "0", "reason": "视力障碍，需放大字号"}
    data.update({k: str(v) for k, v in fields.items()})
    return client.post("/hr/accommodations/", data=data)


def test_extra_time_set_by_hr_lengthens_the_limit_and_the_deadline(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    log_in(client, people["hr"])
    response = _set(client, extra_minutes=15)
    assert response.status_code == 303, response.get_data(as_text=True)
    listing = client.get("/hr/accommodations/").get_data(as_text=True)
    assert "赵学员" in listing
    assert "+15 分钟" in listing
    assert "示例认证考试" in listing

    learner = synced.test_client()
    log_in(learner, people["learner"])
    page = learner.get(EXAM).get_data(as_text=True)
    assert "35 分钟" in page
    assert "你的考试时间已延长 15 分钟" in page
    before = utcnow()
    attempt_id = start(learner, EXAM)
    take = learner.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "你的考试时间已延长 15 分钟" in take
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        assert attempt.deadline is not None
        assert timedelta(minutes=34) < attempt.deadline - before < timedelta(minutes=36)
        assert attempt.accommodation == {"extra_minutes": 15, "extra_attempts": 0, "window": 0}
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "exam_override_set")).scalar_one()
        assert entry.detail["extra_minutes"] == 15
        assert entry.actor_id == people["hr"].id

    colleague = synced.test_client()
    log_in(colleague, people["colleague"])
    other = colleague.get(EXAM).get_data(as_text=True)
    assert "20 分钟" in other
    assert "延长" not in other


def test_a_unit_gets_an_extra_attempt_and_a_persons_own_override_wins(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    log_in(client, people["hr"])
    assert _set(client, target_kind="unit", person="", unit=people["units"]["质量部"].id, extra_attempts=1).status_code == 303
    assert _set(client, extra_minutes=10).status_code == 303
    with synced.app_context():
        quiz = quizzes.sources().exams["cert-sample"]
        from academy.content.quizzes import exam

        definition = exam(quiz)
        mine, found = accommodations.applied(fetch(User, people["learner"].id), definition)
        assert found is not None
        assert found.user_id == people["learner"].id
        assert (mine.time_limit, mine.attempts) == (30, 2)
        theirs, found = accommodations.applied(fetch(User, people["colleague"].id), definition)
        assert found is not None
        assert found.unit_id == people["units"]["质量部"].id
        assert (theirs.time_limit, theirs.attempts) == (20, 3)
        user = fetch(User, people["colleague"].id)
        now = utcnow()
        for n in range(3):  # the exam allows two; the unit's accommodation a third (past the cooling-off time)
            attempt = quizzes.start_or_resume(user, definition, quizzes.sources(), now=now + timedelta(hours=2 * n))
            quizzes.submit(attempt, now=now + timedelta(hours=2 * n, minutes=1))
        with pytest.raises(quizzes.AttemptLimitReached):
            quizzes.start_or_resume(user, definition, quizzes.sources(), now=now + timedelta(hours=8))


def test_another_window_opens_a_closed_exam_for_that_person(synced: Flask, people) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from academy.content.quizzes import exam

    with synced.app_context():
        now = utcnow()
        closed = replace(exam(quizzes.sources().exams["cert-sample"]), opens_at=now - timedelta(days=3),
                         closes_at=now - timedelta(days=1))
        hr = fetch(User, people["hr"].id)
        accommodations.create(accommodations.Draft(quiz_key=closed.key, user_id=people["learner"].id,
                                                   opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=2),
                                                   reason="出差补考"), actor=hr)
        learner = fetch(User, people["learner"].id)
        attempt = quizzes.start_or_resume(learner, closed, quizzes.sources(), now=now)
        assert attempt.accommodation == {"extra_minutes": 0, "extra_attempts": 0, "window": 1}
        with pytest.raises(quizzes.NotOpen):
            quizzes.start_or_resume(fetch(User, people["colleague"].id), closed, quizzes.sources(), now=now)


def test_bad_requests_show_the_error_on_the_field(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    log_in(client, people["hr"])
    empty = _set(client)
    assert empty.status_code == 422
    assert "请给出延长时间、增加次数或另设时段" in empty.get_data(as_text=True)
    window = _set(client, opens_at="2026-12-10T10:00", closes_at="2026-12-10T09:00")
    assert window.status_code == 422
    assert "结束时间须晚于开始时间" in window.get_data(as_text=True)
    with synced.app_context():
        assert db.session.scalar(select(ExamOverride.id)) is None


def test_hr_of_another_subsidiary_can_neither_set_nor_see_nor_remove(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    log_in(client, people["other_hr"])
    refused = _set(client, extra_minutes=15)
    assert refused.status_code == 422
    assert "不在你管理的人员中" in refused.get_data(as_text=True)
    unit = _set(client, target_kind="unit", person="", unit=people["units"]["质量部"].id, extra_minutes=5)
    assert unit.status_code == 422
    own = synced.test_client()
    log_in(own, people["hr"])
    assert _set(own, extra_minutes=15).status_code == 303
    with synced.app_context():
        override_id = db.session.scalar(select(ExamOverride.id))
    assert "赵学员" not in client.get("/hr/accommodations/").get_data(as_text=True)
    assert client.post(f"/hr/accommodations/{override_id}/delete").status_code == 404
    assert own.post(f"/hr/accommodations/{override_id}/delete").status_code == 303
    with synced.app_context():
        assert db.session.scalar(select(ExamOverride.id)) is None
        assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "exam_override_removed")) is not None


def test_learners_are_refused(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    log_in(client, people["learner"])
    assert client.get("/hr/accommodations/").status_code == 403
    assert _set(client, extra_minutes=60).status_code == 403
    assert client.post("/hr/accommodations/1/delete").status_code == 403
