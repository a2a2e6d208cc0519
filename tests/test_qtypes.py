"""The question-type registry: every type has a complete entry, and the per-answer save, the
plain form and the live final check an answer's shape alike."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from academy import scoring
from academy.assessment.services import quizzes
from academy.content import importers, qtypes
from academy.content.quizbank import QType, Question
from academy.forms import BadInput, answer_from_form

from .support.grading import make

MACROS = Path(__file__).resolve().parent.parent / "templates" / "quizzes" / "_qtypes.html"

QUESTIONS = {
    QType.SINGLE: (make(QType.SINGLE, options=("a", "b", "c", "d"), correct=(2,)), 4),
    QType.MULTIPLE: (make(QType.MULTIPLE, options=("a", "b", "c", "d"), correct=(0, 2)), 4),
    QType.TRUEFALSE: (make(QType.TRUEFALSE, truth=True), 0),
    QType.FILL: (make(QType.FILL, stem="____ and ____", blanks=(("a",), ("b",))), 0),
    QType.NUMERIC: (make(QType.NUMERIC, low=1.0, high=2.0), 0),
    QType.ORDERING: (make(QType.ORDERING, options=("a", "b", "c")), 3),
    QType.MATCHING: (make(QType.MATCHING, options=("l1", "l2"), matches=("r1", "r2", "r3")), 3),
}

# answers in displayed positions, as the page's script sends them: (type, answer, fits)
TABLE: list[tuple[QType, Any, bool]] = [
    (QType.SINGLE, 0, True), (QType.SINGLE, 3, True), (QType.SINGLE, 4, False), (QType.SINGLE, -1, False),
    (QType.MULTIPLE, [0, 3], True), (QType.MULTIPLE, [1], True), (QType.MULTIPLE, [0, 9], False),
    (QType.MULTIPLE, [1, 1], False),
    (QType.TRUEFALSE, True, True), (QType.TRUEFALSE, False, True), (QType.TRUEFALSE, "maybe", False),
    (QType.FILL, ["a", "b"], True), (QType.FILL, ["", "x"], True), (QType.FILL, ["a", "x" * 201], False),
    (QType.NUMERIC, "12.5", True), (QType.NUMERIC, "-3", True), (QType.NUMERIC, "1" * 41, False),
    (QType.ORDERING, [2, 0, 1], True), (QType.ORDERING, [0, 1, 2], True), (QType.ORDERING, [0, 0, 1], False),
    (QType.MATCHING, [2, None], True), (QType.MATCHING, [0, 1], True), (QType.MATCHING, [0, 3], False),
]


def _fields(q: Question, size: int, answer: Any) -> MultiDict[str, str]:
    """The form fields a learner fills in to give ``answer`` (the macro's names)."""
    name = f"q-{q.id}"
    if q.type is QType.MULTIPLE:
        return MultiDict([(name, str(v)) for v in answer])
    if q.type is QType.TRUEFALSE:
        return MultiDict({name: {True: "true", False: "false"}.get(answer, str(answer))})
    if q.type is QType.FILL:
        return MultiDict({f"{name}-{n}": text for n, text in enumerate(answer)})
    if q.type is QType.ORDERING:
        return MultiDict({f"{name}-{k}": str(answer.index(k) + 1) if k in answer else "" for k in range(size)})
    if q.type is QType.MATCHING:
        return MultiDict({f"{name}-{i}": "" if v is None else str(v) for i, v in enumerate(answer)})
    return MultiDict({name: str(answer)})


def _on_a_phone(qtype: QType, answer: Any) -> Any:
    """The same answer as a live final's phone sends it (对 and 错 are positions 0 and 1)."""
    return {True: 0, False: 1}.get(answer, answer) if qtype is QType.TRUEFALSE and isinstance(answer, bool) else answer


@pytest.mark.parametrize("qtype", list(QType))
def test_every_question_type_has_a_complete_registry_entry(qtype: QType) -> None:
    spec = qtypes.REGISTRY[qtype]
    for part in ("parse", "valid", "from_form", "grade", "options", "parts"):
        assert callable(getattr(spec, part)), part
    assert re.search(r"\{%\s*macro " + re.escape(spec.macro) + r"\(", MACROS.read_text(encoding="utf-8"))
    assert spec.display in ("one", "each", "none")
    assert spec.imports <= set(qtypes.FORMATS)
    assert spec.exports <= set(qtypes.FORMATS)
    assert spec.imports or spec.exports  # a type no file can carry is unfinished


@pytest.mark.parametrize(("qtype", "answer", "fits"), TABLE)
def test_the_save_the_plain_form_and_the_live_final_agree_on_an_answers_shape(
        qtype: QType, answer: Any, fits: bool) -> None:
    q, size = QUESTIONS[qtype]
    assert quizzes._valid(q, answer, size) is fits
    try:
        from_form = answer_from_form(q, size, _fields(q, size, answer))
    except BadInput:
        assert not fits
    else:
        assert fits
        assert from_form == (sorted(answer) if qtype is QType.MULTIPLE else answer)
    if qtype.value in scoring.LIVE_TYPES:
        count = 2 if qtype is QType.TRUEFALSE else size
        assert scoring.valid_answer(qtype.value, count, _on_a_phone(qtype, answer)) is fits


def test_the_table_covers_a_good_and_a_bad_answer_of_every_type() -> None:
    for qtype in QType:
        assert {fits for t, _, fits in TABLE if t is qtype} == {True, False}, qtype


@pytest.mark.parametrize(("qtype", "given"), [
    ("single", "2"), ("multiple", ["0", 3]), ("truefalse", "1"), ("numeric", 12), ("numeric", " １２.5 "),
])
def test_a_phone_may_send_positions_as_text_and_numbers_as_numbers(qtype: str, given: Any) -> None:
    assert scoring.valid_answer(qtype, 4 if qtype != "truefalse" else 2, given)


@pytest.mark.parametrize(("qtype", "given"), [
    ("multiple", []), ("single", None), ("numeric", "about 12"), ("truefalse", True), ("fill", ["a"]),
])
def test_a_live_answer_is_final_so_it_is_never_empty_and_a_number_must_read_as_one(qtype: str, given: Any) -> None:
    assert not scoring.valid_answer(qtype, 4, given)


def test_the_spreadsheet_reads_the_types_the_registry_gives_it_words_for() -> None:
    assert set(importers.TYPE_WORDS) == qtypes.imported("xlsx") == qtypes.imported("csv")
    assert all(words for words in importers.TYPE_WORDS.values())


def test_the_readers_give_only_types_the_registry_lets_their_format_carry() -> None:
    text = "Which?\nA. one\nB. two\nANSWER: A\n"
    assert [d.type for d in importers.read(text, "aiken").drafts] == [QType.SINGLE]
    assert qtypes.imported("aiken") == {QType.SINGLE}
    gift = "::q1::Order them {\n=a -> 1\n=b -> 2\n}\n"
    result = importers.read(gift, "gift")
    assert [d.type for d in result.drafts] == [QType.MATCHING]
    assert QType.ORDERING not in qtypes.imported("gift")
