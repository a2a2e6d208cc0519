"""A question as a bank file declares it: its type, difficulty and the keys of that type.

Kept apart from the parser so that the question types (:mod:`.qtypes`) can use it without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class QType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUEFALSE = "truefalse"
    FILL = "fill"
    NUMERIC = "numeric"
    ORDERING = "ordering"
    MATCHING = "matching"


class Difficulty(StrEnum):
    EASY = "易"
    MEDIUM = "中"
    HARD = "难"


@dataclass(frozen=True)
class Question:
    id: str
    bank: str
    type: QType
    difficulty: Difficulty
    lesson: str
    tags: tuple[str, ...]
    stem: str
    explanation: str
    line: int
    version: str
    score: float = 1.0
    options: tuple[str, ...] = ()  # choices; ordering items in the right order; matching left sides
    correct: tuple[int, ...] = ()  # indices of the right choices
    truth: bool | None = None
    blanks: tuple[tuple[str, ...], ...] = ()  # accepted variants per blank
    low: float | None = None
    high: float | None = None
    compute: str = ""
    matches: tuple[str, ...] = ()  # matching right sides, aligned with ``options``; distractors follow
    weights: tuple[float, ...] = ()  # choices: credit per option (1.0 = full, negative = penalty); () = keys only
    blank_weights: tuple[tuple[float, ...], ...] = ()  # fill: credit per variant, aligned with ``blanks``
    partial_ranges: tuple[tuple[float, float, float], ...] = ()  # numeric: (credit, low, high) near misses
