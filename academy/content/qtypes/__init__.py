"""The question types: each declared once, with everything the product does with it.

An entry says how the type is written in a bank file (``parse``), which answers have its shape
(``valid``: the one check behind the per-answer save, the plain form and the live final), how
the form fields of its template macro become an answer (``from_form``, ``macro`` in
``templates/quizzes/_qtypes.html``), how it is graded (``grade``), how its answer maps between
the shuffled order a learner sees and the question's own (``display``), and which exchange
formats read and write it. ``tests/test_qtypes.py`` fails when a type lacks an entry.

Answers are plain JSON in displayed positions (see :mod:`academy.grading` for the table).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from academy.content.qtypes import choice, fill, matching, numeric, ordering, truefalse
from academy.content.qtypes.base import MultiplePolicy, NotAnAnswer, Shape, Source
from academy.content.question import QType, Question

__all__ = ["FORMATS", "REGISTRY", "MultiplePolicy", "NotAnAnswer", "Shape", "Source", "Spec", "exported",
           "imported", "shape_of", "spec", "valid"]

FORMATS = ("gift", "moodlexml", "aiken", "xlsx", "csv")
SHEETS = frozenset({"xlsx", "csv"})  # the spreadsheet template: one row per question, a type column


@dataclass(frozen=True)
class Spec:
    parse: Callable[[Source], tuple[str, dict[str, object]]]  # stem and the type's own Question fields
    valid: Callable[[Any, Shape], bool]
    from_form: Callable[[str, Shape, Any], Any]  # form fields named ``name``/``name-<n>`` → answer or None
    grade: Callable[[Question, Any, MultiplePolicy], float]  # share of the score, 0..1 (clipped by the caller)
    macro: str  # the macro in templates/quizzes/_qtypes.html that shows it
    display: Literal["one", "each", "none"]  # how a shuffled order maps an answer: one position, each item, not at all
    options: Callable[[Question], int]  # how many things are shuffled (and shown)
    parts: Callable[[Question], int]  # blanks or left rows an answer has a value for; 0 for the others
    imports: frozenset[str]  # exchange formats that read it
    exports: frozenset[str]  # exchange formats that write it
    sheet_words: tuple[str, ...] = ()  # what the spreadsheet's type column may say
    live: bool = False  # may be asked in a live final


def _options(q: Question) -> int:
    return len(q.options)


def _none(q: Question) -> int:
    return 0


REGISTRY: dict[QType, Spec] = {
    QType.SINGLE: Spec(
        parse=choice.parse_single, valid=choice.valid_single, from_form=choice.form_single,
        grade=choice.grade_single, macro="single", display="one", options=_options, parts=_none,
        imports=frozenset({"gift", "moodlexml", "aiken", *SHEETS}), exports=frozenset({"gift", "moodlexml"}),
        sheet_words=("single", "单选", "单选题", "单项选择题"), live=True),
    QType.MULTIPLE: Spec(
        parse=choice.parse_multiple, valid=choice.valid_multiple, from_form=choice.form_multiple,
        grade=choice.grade_multiple, macro="multiple", display="each", options=_options, parts=_none,
        imports=frozenset({"gift", "moodlexml", *SHEETS}), exports=frozenset({"gift", "moodlexml"}),
        sheet_words=("multiple", "多选", "多选题", "多项选择题"), live=True),
    QType.TRUEFALSE: Spec(
        parse=truefalse.parse, valid=truefalse.valid, from_form=truefalse.from_form,
        grade=truefalse.grade, macro="truefalse", display="none", options=_none, parts=_none,
        imports=frozenset({"gift", "moodlexml", *SHEETS}), exports=frozenset({"gift", "moodlexml"}),
        sheet_words=("truefalse", "判断", "判断题"), live=True),
    QType.FILL: Spec(
        parse=fill.parse, valid=fill.valid, from_form=fill.from_form,
        grade=fill.grade, macro="fill", display="none", options=_none, parts=lambda q: len(q.blanks),
        imports=frozenset({"gift", "moodlexml", *SHEETS}),
        exports=frozenset({"gift", "moodlexml"}),  # GIFT: one blank only
        sheet_words=("fill", "填空", "填空题")),
    QType.NUMERIC: Spec(
        parse=numeric.parse, valid=numeric.valid, from_form=numeric.from_form,
        grade=numeric.grade, macro="numeric", display="none", options=_none, parts=_none,
        imports=frozenset({"gift", "moodlexml", *SHEETS}), exports=frozenset({"gift", "moodlexml"}),
        sheet_words=("numeric", "数值", "计算", "计算题"), live=True),
    QType.ORDERING: Spec(
        parse=ordering.parse, valid=ordering.valid, from_form=ordering.from_form,
        grade=ordering.grade, macro="ordering", display="each", options=_options, parts=_none,
        imports=frozenset({"moodlexml"}), exports=frozenset({"moodlexml"})),
    QType.MATCHING: Spec(
        parse=matching.parse, valid=matching.valid, from_form=matching.from_form,
        grade=matching.grade, macro="matching", display="each", options=lambda q: len(q.matches),
        parts=_options, imports=frozenset({"gift", "moodlexml"}), exports=frozenset({"gift", "moodlexml"})),
}


def spec(qtype: QType | str) -> Spec:
    return REGISTRY[QType(qtype)]


def shape_of(q: Question, size: int) -> Shape:
    """``size``: the options the learner was shown (the paper's order for the question)."""
    return Shape(size=size, parts=spec(q.type).parts(q))


def valid(qtype: QType | str, value: Any, shape: Shape) -> bool:
    """The shape check of an answer in displayed positions; ``None`` (no answer yet) always fits."""
    return value is None or spec(qtype).valid(value, shape)


def imported(fmt: str) -> frozenset[QType]:
    return frozenset(t for t, s in REGISTRY.items() if fmt in s.imports)


def exported(fmt: str) -> frozenset[QType]:
    return frozenset(t for t, s in REGISTRY.items() if fmt in s.exports)
