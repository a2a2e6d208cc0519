"""The plain quiz form saves all its answers in one commit, or none of them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection

from academy.assessment.services import quizzes
from academy.content.exams import DrawRule
from academy.content.quizbank import QType
from academy.content.quizzes import exam as exam_quiz
from academy.content.quizzes import load_sources
from academy.database import db
from academy.models import Attempt, User

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def commits(synced: Flask) -> Iterator[list[int]]:
    """COMMITs sent to the database (savepoints are not commits)."""
    seen: list[int] = []

    def count(_connection: Connection) -> None:
        seen.append(1)

    with synced.app_context():
        engine = db.engine
    event.listen(engine, "commit", count)
    yield seen
    event.remove(engine, "commit", count)


def _attempt(app: Flask, person: User) -> int:
    sources = load_sources(FIXTURES / "quiz")
    quiz = dataclasses.replace(exam_quiz(sources.exams["cert-sample"]), draw=(DrawRule(bank="sample-course", count=7),))
    with app.app_context():
        user = db.session.get(User, person.id)
        assert user is not None
        return quizzes.start_or_resume(user, quiz, sources).id


def _choices(attempt: Attempt) -> dict[str, Any]:
    """A valid answer for every choice question of the paper (position 0, or True)."""
    values: dict[str, Any] = {}
    for item in quizzes.paper_of(attempt).items:
        if item.question.type is QType.SINGLE:
            values[item.question.id] = 0
        elif item.question.type is QType.TRUEFALSE:
            values[item.question.id] = True
    return values


def test_all_answers_in_one_commit(synced: Flask, make_user: Callable[..., User], commits: list[int]) -> None:
    attempt_id = _attempt(synced, make_user())
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        values = _choices(attempt)
        assert len(values) >= 2
        commits.clear()
        quizzes.save_answers(attempt, values)
        assert len(commits) == 1
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        assert set(attempt.answer_map()) == set(values)


def test_one_bad_answer_saves_none(synced: Flask, make_user: Callable[..., User]) -> None:
    attempt_id = _attempt(synced, make_user())
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        values = {**_choices(attempt), "no-such-question": 0}
        with pytest.raises(quizzes.BadAnswer):
            quizzes.save_answers(attempt, values)
        db.session.rollback()
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        assert attempt.answer_map() == {}
