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
shuffle cannot change a grade. Malformed answers score zero, they never raise. Each type's
grader is declared with the type in :data:`academy.content.qtypes.REGISTRY`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from academy.content.qtypes import REGISTRY, spec
from academy.content.qtypes.base import MultiplePolicy, index, normalise, parse_number
from academy.content.qtypes.fill import same_text
from academy.content.quizbank import QType, Question

__all__ = ["GradeResult", "ItemResult", "MultiplePolicy", "answered", "from_display", "grade", "grade_item",
           "normalise", "option_count", "parse_number", "same_text", "shuffled_types", "to_display"]


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


def answered(answer: Any) -> bool:
    if answer is None:
        return False
    if isinstance(answer, str):
        return bool(answer.strip())
    if isinstance(answer, list | tuple):
        return any(answered(a) for a in answer)
    return True


def grade_item(q: Question, answer: Any, policy: MultiplePolicy = MultiplePolicy.ALL_OR_NOTHING) -> ItemResult:
    share = spec(q.type).grade(q, answer, policy) if answered(answer) else 0.0
    share = min(1.0, max(0.0, share))
    return ItemResult(question_id=q.id, score=round(share * q.score, 4), max_score=q.score, answered=answered(answer))


def grade(questions: Sequence[Question], answers: Mapping[str, Any],
          policy: MultiplePolicy = MultiplePolicy.ALL_OR_NOTHING) -> GradeResult:
    items = tuple(grade_item(q, answers.get(q.id), policy) for q in questions)
    return GradeResult(score=round(sum(i.score for i in items), 4),
                       max_score=round(sum(i.max_score for i in items), 4), items=items)


def shuffled_types() -> frozenset[QType]:
    """Types whose options are shown in a per-attempt order (matching: the right-hand side)."""
    return frozenset(t for t, s in REGISTRY.items() if s.display != "none")


def option_count(q: Question) -> int:
    return spec(q.type).options(q)


def from_display(q: Question, answer: Any, order: Sequence[int]) -> Any:
    """Map an answer given in displayed positions to the question's own option indices.

    ``order[k]`` is the option shown at position ``k``. The browser only ever sees
    positions, so neither values nor the page order give the key away.
    """
    how = spec(q.type).display
    if how == "none" or not order:
        return answer

    def one(value: Any) -> Any:
        position = index(value, len(order))
        return order[position] if position is not None else None

    if how == "one":
        return one(answer)
    if not isinstance(answer, list | tuple):
        return None
    return [one(v) for v in answer]


def to_display(q: Question, answer: Any, order: Sequence[int]) -> Any:
    """The inverse of :func:`from_display`, to show a saved answer on the page again."""
    how = spec(q.type).display
    if how == "none" or not order:
        return answer
    where = {option: position for position, option in enumerate(order)}

    def one(value: Any) -> Any:
        return where.get(value) if isinstance(value, int) and not isinstance(value, bool) else None

    if how == "one":
        return one(answer)
    if not isinstance(answer, list | tuple):
        return None
    return [one(v) for v in answer]
