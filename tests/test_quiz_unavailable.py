"""A quiz its bank cannot fill is refused to the learner and reported in the log."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from academy.assessment.services import quizzes
from academy.content.exams import DrawRule
from academy.content.quizzes import exam as exam_quiz
from academy.content.quizzes import load_sources
from academy.database import db
from academy.models import User

FIXTURES = Path(__file__).parent / "fixtures"


def test_a_bank_too_small_for_the_draw_is_logged(synced: Flask, make_user: Callable[..., User],
                                                 caplog: pytest.LogCaptureFixture) -> None:
    sources = load_sources(FIXTURES / "quiz")
    quiz = dataclasses.replace(exam_quiz(sources.exams["cert-sample"]),
                               draw=(DrawRule(bank="sample-course", count=999),))
    person = make_user()
    with synced.app_context(), caplog.at_level(logging.WARNING, logger="academy.assessment.services.quizzes"):
        user = db.session.get(User, person.id)
        assert user is not None
        with pytest.raises(quizzes.PaperUnavailable):
            quizzes.start_or_resume(user, quiz, sources)
    assert any("exam/cert-sample" in r.getMessage() and "sample-course" in r.getMessage() for r in caplog.records)


def test_an_unexpected_fault_is_logged_with_its_traceback(synced: Flask, make_user: Callable[..., User],
                                                           caplog: pytest.LogCaptureFixture) -> None:
    sources = load_sources(FIXTURES / "quiz")
    quiz = dataclasses.replace(exam_quiz(sources.exams["cert-sample"]), draw=(DrawRule(bank="sample-course", count=2),))
    broken = dataclasses.replace(sources, banks=None)  # type: ignore[arg-type]  # a fault inside the draw
    person = make_user()
    with synced.app_context(), caplog.at_level(logging.ERROR, logger="academy.assessment.services.quizzes"):
        user = db.session.get(User, person.id)
        assert user is not None
        with pytest.raises(quizzes.PaperUnavailable):
            quizzes.start_or_resume(user, quiz, broken)
    assert any(r.exc_info for r in caplog.records if "exam/cert-sample" in r.getMessage())
