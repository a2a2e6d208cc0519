"""Grading per question type: tables, then properties (hypothesis)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from academy.content.quizbank import QType, Question
from academy.grading import (
    MultiplePolicy,
    from_display,
    grade,
    grade_item,
    normalise,
    option_count,
    to_display,
)

from .support.grading import MULTI, SINGLE, TF_TRUE, make

ALL = MultiplePolicy.ALL_OR_NOTHING
PARTIAL = MultiplePolicy.PARTIAL




TF_FALSE = make(QType.TRUEFALSE, truth=False)
FILL = make(QType.FILL, stem="____ and ____", blanks=(("计划", "策划", "Plan"), ("处置", "Act")))
FILL_ONE = make(QType.FILL, stem="____", blanks=(("ISO 9001",),))
NUMERIC = make(QType.NUMERIC, low=1.32, high=1.34)
RANGE = make(QType.NUMERIC, low=-2.0, high=-1.5)
ORDER = make(QType.ORDERING, options=("w", "x", "y", "z"))
MATCH = make(QType.MATCHING, options=("l1", "l2", "l3", "l4"), matches=("r1", "r2", "r3", "r4"), score=2.0)


@pytest.mark.parametrize(("question", "answer", "policy", "share"), [
    (SINGLE, 2, ALL, 1), (SINGLE, 1, ALL, 0), (SINGLE, "2", ALL, 1), (SINGLE, None, ALL, 0),
    (SINGLE, 9, ALL, 0), (SINGLE, -1, ALL, 0), (SINGLE, True, ALL, 0), (SINGLE, [2], ALL, 0), (SINGLE, "x", ALL, 0),
    (MULTI, [0, 2, 3], ALL, 1), (MULTI, [3, 0, 2], ALL, 1), (MULTI, [0, 2], ALL, 0), (MULTI, [0, 1, 2, 3], ALL, 0),
    (MULTI, [0, 2, 3], PARTIAL, 1), (MULTI, [0, 2], PARTIAL, 2 / 3), (MULTI, [3], PARTIAL, 1 / 3),
    (MULTI, [0, 1], PARTIAL, 0), (MULTI, [0, 2, 3, 4], PARTIAL, 0), (MULTI, [], PARTIAL, 0),
    (MULTI, [0, 0, 2], PARTIAL, 2 / 3), (MULTI, "0,2,3", ALL, 0), (MULTI, [0, 99], PARTIAL, 0),
    (TF_TRUE, True, ALL, 1), (TF_TRUE, False, ALL, 0), (TF_FALSE, False, ALL, 1), (TF_FALSE, "false", ALL, 1),
    (TF_TRUE, "true", ALL, 1), (TF_TRUE, 1, ALL, 0), (TF_TRUE, None, ALL, 0),
    (FILL, ["计划", "处置"], ALL, 1), (FILL, ["  plan ", "ACT"], ALL, 1), (FILL, ["ＰＬＡＮ", "ａｃｔ"], ALL, 1),
    (FILL, ["策划", "改进"], ALL, 0.5), (FILL, ["", "处置"], ALL, 0.5), (FILL, ["处置", "计划"], ALL, 0),
    (FILL, ["计划"], ALL, 0.5), (FILL, "计划", ALL, 0), (FILL, [1, 2], ALL, 0),
    (FILL_ONE, "iso 9001", ALL, 1), (FILL_ONE, ["ＩＳＯ　９００１"], ALL, 1), (FILL_ONE, ["ISO9001"], ALL, 0),
    (NUMERIC, "1.33", ALL, 1), (NUMERIC, 1.32, ALL, 1), (NUMERIC, "1.34", ALL, 1), (NUMERIC, "1.35", ALL, 0),
    (NUMERIC, "１．３３", ALL, 1), (NUMERIC, " 1.33 ", ALL, 1), (NUMERIC, "abc", ALL, 0), (NUMERIC, "nan", ALL, 0),
    (NUMERIC, "inf", ALL, 0), (NUMERIC, True, ALL, 0), (RANGE, "-1.7", ALL, 1), (RANGE, "-1.4", ALL, 0),
    (ORDER, [0, 1, 2, 3], ALL, 1), (ORDER, [1, 0, 2, 3], ALL, 0), (ORDER, [0, 1, 2], ALL, 0), (ORDER, "0123", ALL, 0),
    (MATCH, [0, 1, 2, 3], ALL, 1), (MATCH, [0, 1, 3, 2], ALL, 0.5), (MATCH, [1, 0, 3, 2], ALL, 0),
    (MATCH, [0, None, None, None], ALL, 0.25), (MATCH, {"a": 1}, ALL, 0),
])
def test_each_type_is_graded_by_its_table(question: Question, answer: Any, policy: MultiplePolicy, share: float) -> None:
    result = grade_item(question, answer, policy)
    assert result.score == pytest.approx(share * question.score, abs=1e-3)
    assert result.max_score == question.score


@pytest.mark.parametrize(("given", "expected"), [
    ("  Plan ", "plan"), ("ＡＢＣ", "abc"), ("１２３", "123"), ("　计划　", "计划"), ("Ｃｐｋ", "cpk"),
])
def test_fill_comparison_ignores_width_spaces_and_case(given: str, expected: str) -> None:
    assert normalise(given) == expected


def test_paper_score_sums_items_and_ignores_unknown_answers() -> None:
    result = grade([SINGLE, MULTI, MATCH], {SINGLE.id: 2, MULTI.id: [0, 2], MATCH.id: [0, 1, 2, 3], "other": 1}, PARTIAL)
    assert result.max_score == 4
    assert result.score == pytest.approx(1 + 2 / 3 + 2, abs=1e-3)
    assert [i.answered for i in result.items] == [True, True, True]
    assert result.passed(80)
    assert not result.passed(95)


def test_unanswered_paper_scores_zero() -> None:
    result = grade([SINGLE, FILL, NUMERIC], {})
    assert result.score == 0
    assert result.max_score == 3
    assert not any(i.answered for i in result.items)


QUESTIONS = [SINGLE, MULTI, TF_TRUE, FILL, NUMERIC, ORDER, MATCH]
anything = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 10) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(QUESTIONS), anything, st.sampled_from(list(MultiplePolicy)))
def test_any_answer_scores_within_zero_and_max(question: Question, answer: Any, policy: MultiplePolicy) -> None:
    result = grade_item(question, answer, policy)
    assert 0 <= result.score <= result.max_score


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([SINGLE, MULTI, ORDER, MATCH]), st.randoms(use_true_random=False), st.data())
def test_shuffling_options_never_changes_the_grade(question: Question, rnd: random.Random, data: st.DataObject) -> None:
    size = option_count(question)
    order = list(range(size))
    rnd.shuffle(order)
    indices = st.integers(0, size - 1)
    if question.type is QType.SINGLE:
        canonical: Any = data.draw(indices)
    elif question.type is QType.MULTIPLE:
        canonical = data.draw(st.lists(indices, unique=True, max_size=size))
    else:
        canonical = data.draw(st.permutations(list(range(size))))
    shown = to_display(question, canonical, order)
    for policy in MultiplePolicy:
        assert grade_item(question, from_display(question, shown, order), policy) == grade_item(question, canonical, policy)


@pytest.mark.parametrize("question", [ORDER, MATCH])
def test_display_positions_reveal_nothing_when_answered_as_shown(question: Question) -> None:
    order = [2, 0, 3, 1]
    # Picking the items in the order they were shown is right only by chance, never by design.
    shown_as_is = list(range(4))
    assert from_display(question, shown_as_is, order) == order
    assert grade_item(question, from_display(question, shown_as_is, order)).score < question.score
