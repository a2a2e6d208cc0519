"""Saving one answer on the lean path: one row per question, the server's clock, the owner only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from academy import access
from academy.assessment.services import quizzes
from academy.content.quizbank import Question
from academy.database import db, utcnow
from academy.forms import answer_from_form
from academy.grading import from_display
from academy.models import Attempt, AttemptAnswer, User

from .conftest import log_in
from .support.quiz import EXAM, paper, right_fields, start


@pytest.fixture
def learner(synced: Flask, client: FlaskClient, make_user) -> User:  # type: ignore[no-untyped-def]
    user = make_user(name="王五", employee_no="20249999")
    log_in(client, user)
    return user


def _shown(q: Question, order: tuple[int, ...]) -> Any:
    """The right answer in displayed positions, as the route hands it to the service."""
    return answer_from_form(q, len(order), MultiDict(right_fields(q, order)))


def _rows(app: Flask, attempt_id: int) -> list[AttemptAnswer]:
    with app.app_context():
        return list(db.session.execute(
            select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)).scalars())


def test_saving_a_question_again_replaces_its_one_row(synced: Flask, client: FlaskClient, learner: User) -> None:
    attempt_id = start(client, EXAM)
    q, order = paper(synced, attempt_id)[0]
    url = f"/attempts/{attempt_id}/answers/{q.id}"
    assert client.post(url, data=right_fields(q, order)).get_json()["saved"] is True
    with synced.app_context():
        (first,) = db.session.execute(select(AttemptAnswer)).scalars()
        first.value = "an older answer"
        db.session.commit()
        first_id, first_at = first.id, first.saved_at
    second = client.post(url, data=right_fields(q, order))
    assert second.status_code == 200
    assert second.get_json()["remaining"] > 0
    (row,) = _rows(synced, attempt_id)
    assert row.id == first_id
    assert row.value == from_display(q, _shown(q, order), order)
    assert row.saved_at >= first_at


def test_clearing_an_answer_removes_its_row(synced: Flask, client: FlaskClient, learner: User) -> None:
    attempt_id = start(client, EXAM)
    q, order = paper(synced, attempt_id)[0]
    url = f"/attempts/{attempt_id}/answers/{q.id}"
    assert client.post(url, data=right_fields(q, order)).status_code == 200
    cleared = client.post(url, data={})
    assert cleared.status_code == 200
    assert cleared.get_json()["saved"] is True
    assert _rows(synced, attempt_id) == []


def test_a_save_after_the_time_limit_is_refused_and_the_attempt_graded(synced: Flask, client: FlaskClient,
                                                                      learner: User) -> None:
    attempt_id = start(client, EXAM)
    q, order = paper(synced, attempt_id)[0]
    assert client.post(f"/attempts/{attempt_id}/answers/{q.id}", data=right_fields(q, order)).status_code == 200
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        attempt.deadline = utcnow() - timedelta(milliseconds=1)
        db.session.commit()
    late_q, late_order = paper(synced, attempt_id)[1]
    late = client.post(f"/attempts/{attempt_id}/answers/{late_q.id}", data=right_fields(late_q, late_order))
    assert late.status_code == 409
    assert late.get_json() == {"saved": False, "closed": True,
                               "error": "时间已到：本次作答已按你保存的答案评分。"}
    assert [r.question_id for r in _rows(synced, attempt_id)] == [q.id]
    with synced.app_context():
        graded = db.session.get(Attempt, attempt_id)
        assert graded is not None
        assert graded.expired
        assert graded.submitted_at == graded.deadline
        assert graded.score is not None
        assert graded.score > 0


def test_the_write_itself_refuses_an_attempt_closed_after_it_was_read(synced: Flask, client: FlaskClient,
                                                                     learner: User) -> None:
    attempt_id = start(client, EXAM)
    q, order = paper(synced, attempt_id)[0]
    with synced.test_request_context():
        head = access.own_attempt_head(learner, quizzes.head_for_save(attempt_id))
        db.session.commit()  # a second request submits meanwhile
        with synced.app_context():
            other = db.session.get(Attempt, attempt_id)
            assert other is not None
            quizzes.submit(other)
        assert head.is_open
        with pytest.raises(quizzes.AttemptClosed):
            quizzes.save_one(head, q.id, _shown(q, order), now=utcnow())
    assert _rows(synced, attempt_id) == []


def test_a_save_just_before_the_deadline_is_kept_and_one_at_it_is_refused(synced: Flask, client: FlaskClient,
                                                                         learner: User) -> None:
    attempt_id = start(client, EXAM)
    (q1, o1), (q2, o2) = paper(synced, attempt_id)[:2]
    with synced.test_request_context():
        head = access.own_attempt_head(learner, quizzes.head_for_save(attempt_id))
        assert head.deadline is not None
        quizzes.save_one(head, q1.id, _shown(q1, o1), now=head.deadline - timedelta(microseconds=1))
        head = access.own_attempt_head(learner, quizzes.head_for_save(attempt_id))
        with pytest.raises(quizzes.AttemptClosed):
            quizzes.save_one(head, q2.id, _shown(q2, o2), now=head.deadline)
    assert [r.question_id for r in _rows(synced, attempt_id)] == [q1.id]


def test_someone_elses_attempt_is_404_on_the_save_and_saves_nothing(synced: Flask, client: FlaskClient,
                                                                   learner: User, make_user) -> None:  # type: ignore[no-untyped-def]
    attempt_id = start(client, EXAM)
    q, order = paper(synced, attempt_id)[0]
    stranger = synced.test_client()
    log_in(stranger, make_user(name="赵六", employee_no="20240001"))
    assert stranger.post(f"/attempts/{attempt_id}/answers/{q.id}", data=right_fields(q, order)).status_code == 404
    assert stranger.post(f"/attempts/{attempt_id + 100}/answers/{q.id}", data=right_fields(q, order)).status_code == 404
    assert _rows(synced, attempt_id) == []


def test_an_inactive_account_cannot_save(synced: Flask, client: FlaskClient, learner: User) -> None:
    attempt_id = start(client, EXAM)
    q, order = paper(synced, attempt_id)[0]
    with synced.app_context():
        user = db.session.get(User, learner.id)
        assert user is not None
        user.active = False
        db.session.commit()
    refused = client.post(f"/attempts/{attempt_id}/answers/{q.id}", data=right_fields(q, order))
    assert refused.status_code in (302, 401)
    assert _rows(synced, attempt_id) == []


def test_submit_grades_an_answer_saved_after_the_attempt_was_loaded(synced: Flask, client: FlaskClient,
                                                                    learner: User) -> None:
    attempt_id = start(client, EXAM)
    q, order = paper(synced, attempt_id)[0]
    with synced.app_context():
        stale = db.session.get(Attempt, attempt_id)
        assert stale is not None
        assert stale.answer_map() == {}  # loaded before the answer arrives
        other = synced.test_client()
        log_in(other, learner)
        assert other.post(f"/attempts/{attempt_id}/answers/{q.id}", data=right_fields(q, order)).status_code == 200
        quizzes.submit(stale)
        item = next(i for i in stale.items or [] if i["id"] == q.id)
        assert item["answered"] is True
        assert item["score"] == item["max"]
