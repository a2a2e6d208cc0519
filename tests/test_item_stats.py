"""Item statistics: pure computation, then the page and who may see it."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from academy.assessment.services.item_stats import Sitting, compute
from academy.content.quizbank import QType

from .conftest import log_in
from .support.grading import MULTI, SINGLE, TF_TRUE
from .support.quiz import EXAM, answer_all, start


def sitting(percent: float, single: float, tf: float, single_answer: int | None = None) -> Sitting:
    return Sitting(percent=percent, passed=percent >= 60,
                   scores={SINGLE.id: (single, 1.0), TF_TRUE.id: (tf, 1.0)},
                   answers={SINGLE.id: single_answer, TF_TRUE.id: bool(tf)})


def test_facility_discrimination_flags_and_histogram() -> None:
    # TF is answered right only by the weakest learners: negative discrimination.
    sittings = [sitting(95, 1, 0, 2), sitting(90, 1, 0, 2), sitting(80, 1, 0, 2), sitting(70, 1, 0, 2),
                sitting(40, 1, 1, 2), sitting(30, 1, 1, 2), sitting(20, 1, 1, 2), sitting(5, 1, 1, 0)]
    stats = compute([SINGLE, TF_TRUE], sittings)
    single, tf = stats.items
    assert single.attempts == 8
    assert single.facility == 1.0
    assert "too_easy" in single.flags
    assert single.discrimination == pytest.approx(0.0)
    assert tf.facility == pytest.approx(0.5)
    assert tf.discrimination == pytest.approx(-1.0)
    assert tf.flags == ["negative_discrimination"]
    assert dict(single.options)["✓ c"] == 7
    assert dict(single.options)["a"] == 1
    assert stats.histogram == [1, 0, 1, 1, 1, 0, 0, 1, 1, 2]
    assert stats.pass_rate == pytest.approx(0.5)


def test_hard_question_is_flagged_and_empty_quiz_has_no_rates() -> None:
    stats = compute([MULTI], [Sitting(10, False, {MULTI.id: (0.0, 1.0)}, {MULTI.id: [1]})] * 6)
    assert stats.items[0].flags == ["too_hard"]
    assert MULTI.type is QType.MULTIPLE
    empty = compute([MULTI], [])
    assert empty.pass_rate is None
    assert empty.items[0].facility is None


def test_stats_page_for_authors_and_refused_to_learners(synced: Flask, client: FlaskClient, make_user) -> None:  # type: ignore[no-untyped-def]
    from academy.models import Role

    for _ in range(3):
        learner = synced.test_client()
        log_in(learner, make_user())
        attempt_id = start(learner, EXAM)
        answer_all(learner, synced, attempt_id)
        learner.post(f"/attempts/{attempt_id}/submit")
    assert learner.get("/quiz-admin/stats/exam/cert-sample").status_code == 403
    log_in(client, make_user(roles=(Role.AUTHOR,)))
    page = client.get("/quiz-admin/stats/exam/cert-sample")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "试题分析" in html
    assert "已评分作答 3 次" in html
    assert "通过率 100%" in html
    assert "<svg" in html
    assert "得分 %" in html
    assert "过易" in html
    hr = synced.test_client()
    log_in(hr, make_user(roles=(Role.HR,)))
    assert "已评分作答 0 次" in hr.get("/quiz-admin/stats/exam/cert-sample").get_data(as_text=True)
