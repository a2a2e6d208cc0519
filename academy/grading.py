"""Grading: pure functions from a frozen paper item and a learner's answer to points.

No database, no request. An answer is what the browser sent, kept as plain JSON:

==========  =========================================  ===================================
type        answer                                     keyed by
==========  =========================================  ===================================
single      option index (int)                          ``Question.correct`` or ``.weights``
multiple    list of option indices                      ``Question.correct`` or ``.weights``
truefalse   bool                                        ``Question.truth``
fill        list of strings, one per blank              ``Question.blanks`` (variants)
numeric     string or number                            ``Question.low``..``Question.high``
ordering    list of option indices, in chosen order     ``Question.options`` order (0, 1, 2…)
matching    list: right-side index chosen per left row  ``Question.matches`` aligned (same text)
==========  =========================================  ===================================

Indices always refer to the question's own option order, never to the shuffled order
the learner saw: the paper stores the permutation and the page maps it back, so a
shuffle cannot change a grade. Malformed answers score zero, they never raise.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .content.quizbank import QType, Question


class MultiplePolicy(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    PARTIAL = "partial"  # share of the keys picked; nothing if any wrong pick


@dataclass(frozen=True)
class ItemResult:
    question_id: str
    score: float
    max_score: float
    answered: bool

    @property
    def correct(self) -> bool:
        return self.max_score > 0 and math.isclose(self.score, self.max_score)


@dataclass(frozen=True)
class GradeResult:
    score: float
    max_score: float
    items: tuple[ItemResult, ...]

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    def passed(self, pass_mark: float) -> bool:
        return self.percent + 1e-9 >= pass_mark


def normalise(text: str) -> str:
    """Full-width → half-width (NFKC), surrounding spaces dropped, Latin case folded."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _index(value: Any, size: int) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, int) and 0 <= value < size:
        return value
    return None


def _indices(value: Any, size: int) -> list[int] | None:
    if not isinstance(value, list | tuple):
        return None
    result = [_index(v, size) for v in value]
    if any(v is None for v in result):
        return None
    return [v for v in result if v is not None]


def _single(q: Question, answer: Any, policy: MultiplePolicy) -> float:
    picked = _index(answer, len(q.options))
    if picked is not None and q.weights:
        return q.weights[picked]
    return 1.0 if picked in q.correct else 0.0


def _multiple(q: Question, answer: Any, policy: MultiplePolicy) -> float:
    picked = _indices(answer, len(q.options))
    if not picked:
        return 0.0
    chosen, keys = set(picked), set(q.correct)
    if q.weights:  # the author set a credit per option: add them up, whatever the quiz's policy
        return sum(q.weights[n] for n in chosen)
    if chosen - keys:
        return 0.0
    if policy is MultiplePolicy.ALL_OR_NOTHING:
        return 1.0 if chosen == keys else 0.0
    return len(chosen) / len(keys)


def _truefalse(q: Question, answer: Any, policy: MultiplePolicy) -> float:
    if isinstance(answer, str):
        answer = {"true": True, "false": False}.get(answer.strip().lower())
    return 1.0 if isinstance(answer, bool) and answer is q.truth else 0.0


def same_text(variant: str, given: str) -> bool:
    """A fill-in variant against a learner's text, Moodle's short-answer way.

    ``*`` stands for any run of characters (``**`` is one star), ``\\*`` for a star itself.
    """
    variant, given = normalise(variant), normalise(given)
    if "*" not in variant:
        return variant == given
    bits = [re.escape(bit.replace("\\*", "*")) for bit in re.split(r"(?<!\\)\*+", variant)]
    return re.fullmatch(".*".join(bits), given, re.S) is not None


def _fill(q: Question, answer: Any, policy: MultiplePolicy) -> float:
    if isinstance(answer, str) and len(q.blanks) == 1:
        answer = [answer]
    if not isinstance(answer, list | tuple) or not q.blanks:
        return 0.0
    right = 0.0
    for n, (variants, given) in enumerate(zip(q.blanks, answer, strict=False)):
        if not isinstance(given, str):
            continue
        weights = q.blank_weights[n] if q.blank_weights else (1.0,) * len(variants)
        right += max((w for v, w in zip(variants, weights, strict=True) if same_text(v, given)), default=0.0)
    return right / len(q.blanks)


def parse_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer such as 10**400 has no float
            return None
    elif isinstance(value, str):
        text = normalise(value).replace(",", "")  # NFKC already turned full-width commas into ","
        if not text or len(text) > 40:
            return None
        try:
            number = float(text)
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _numeric(q: Question, answer: Any, policy: MultiplePolicy) -> float:
    number = parse_number(answer)
    if number is None or q.low is None or q.high is None:
        return 0.0
    slack = 1e-9 * max(1.0, abs(q.low), abs(q.high))
    if q.low - slack <= number <= q.high + slack:
        return 1.0
    near = [share for share, low, high in q.partial_ranges
            if low - 1e-9 * max(1.0, abs(low), abs(high)) <= number <= high + 1e-9 * max(1.0, abs(low), abs(high))]
    return max(near, default=0.0)


def _ordering(q: Question, answer: Any, policy: MultiplePolicy) -> float:
    order = _indices(answer, len(q.options))
    return 1.0 if order == list(range(len(q.options))) else 0.0


def _matching(q: Question, answer: Any, policy: MultiplePolicy) -> float:
    if not isinstance(answer, list | tuple) or not q.matches:
        return 0.0
    pairs = len(q.options)  # right-hand sides past the pairs are distractors
    places = [_index(given, len(q.matches)) for given in answer[:pairs]]
    # Two rows may share a right-hand text: the text is what counts, not where it stands.
    right = sum(1 for i, place in enumerate(places) if place is not None and q.matches[place] == q.matches[i])
    return right / pairs if pairs else 0.0


GRADERS: dict[QType, Callable[[Question, Any, MultiplePolicy], float]] = {
    QType.SINGLE: _single,
    QType.MULTIPLE: _multiple,
    QType.TRUEFALSE: _truefalse,
    QType.FILL: _fill,
    QType.NUMERIC: _numeric,
    QType.ORDERING: _ordering,
    QType.MATCHING: _matching,
}


def answered(answer: Any) -> bool:
    if answer is None:
        return False
    if isinstance(answer, str):
        return bool(answer.strip())
    if isinstance(answer, list | tuple):
        return any(answered(a) for a in answer)
    return True


def grade_item(q: Question, answer: Any, policy: MultiplePolicy = MultiplePolicy.ALL_OR_NOTHING) -> ItemResult:
    share = GRADERS[q.type](q, answer, policy) if answered(answer) else 0.0
    share = min(1.0, max(0.0, share))
    return ItemResult(question_id=q.id, score=round(share * q.score, 4), max_score=q.score, answered=answered(answer))


def grade(questions: Sequence[Question], answers: Mapping[str, Any],
          policy: MultiplePolicy = MultiplePolicy.ALL_OR_NOTHING) -> GradeResult:
    items = tuple(grade_item(q, answers.get(q.id), policy) for q in questions)
    return GradeResult(score=round(sum(i.score for i in items), 4),
                       max_score=round(sum(i.max_score for i in items), 4), items=items)


def shuffled_types() -> frozenset[QType]:
    """Types whose options are shown in a per-attempt order (matching: the right-hand side)."""
    return frozenset({QType.SINGLE, QType.MULTIPLE, QType.ORDERING, QType.MATCHING})


def option_count(q: Question) -> int:
    return len(q.matches) if q.type is QType.MATCHING else len(q.options)


def from_display(q: Question, answer: Any, order: Sequence[int]) -> Any:
    """Map an answer given in displayed positions to the question's own option indices.

    ``order[k]`` is the option shown at position ``k``. The browser only ever sees
    positions, so neither values nor the page order give the key away.
    """
    if q.type not in shuffled_types() or not order:
        return answer

    def one(value: Any) -> Any:
        position = _index(value, len(order))
        return order[position] if position is not None else None

    if q.type is QType.SINGLE:
        return one(answer)
    if not isinstance(answer, list | tuple):
        return None
    return [one(v) for v in answer]


def to_display(q: Question, answer: Any, order: Sequence[int]) -> Any:
    """The inverse of :func:`from_display`, to show a saved answer on the page again."""
    if q.type not in shuffled_types() or not order:
        return answer
    where = {option: position for position, option in enumerate(order)}

    def one(value: Any) -> Any:
        return where.get(value) if isinstance(value, int) and not isinstance(value, bool) else None

    if q.type is QType.SINGLE:
        return one(answer)
    if not isinstance(answer, list | tuple):
        return None
    return [one(v) for v in answer]
