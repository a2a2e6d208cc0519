"""What every question type shares: the question's lines being parsed, reading a learner's answer,
and the answer's shape (``Shape``)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from academy.content.problems import ContentError

WEIGHTED = re.compile(r"^\[(-?\d+(?:\.\d+)?)%\]\s*(.+)$")  # a fill variant worth part of the blank
RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)\s*$")
MAX_TEXT = 200  # characters per typed fill-in answer
MAX_NUMBER = 40  # characters of a typed number


class MultiplePolicy(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    PARTIAL = "partial"  # share of the keys picked; nothing if any wrong pick


class NotAnAnswer(ValueError):
    """Form fields that cannot be an answer to this question."""


Head = dict[str, list[tuple[int, str]]]


@dataclass(frozen=True)
class Source:
    """One question's lines as its type's parser sees them: the head keys, the body before
    ``解析：`` and where they stand in the file."""

    head: Head
    content: list[str]
    first: int  # the heading's line number (1-based); head lines follow it
    body_at: int  # index of the first body line among the question's lines

    def at(self, k: int) -> int:
        """The file line (1-based) of ``content[k]``."""
        return self.first + self.body_at + k + 1

    def one(self, key: str) -> tuple[int, str]:
        """A head key given once: its line within the question and its text."""
        return one(self.head, key, self.first)

    def stem(self, end: int) -> str:
        stem = "\n".join(self.content[:end]).strip()
        if not stem:
            raise ContentError(self.first, "missing question text (stem)")
        return stem

    def refuse_answer(self, qtype: str) -> None:
        if "answer" in self.head:
            raise ContentError(self.first + self.head["answer"][0][0] + 1,
                               f"'answer:' is not used by {qtype} questions (mark the key in the options)")


def one(head: Head, key: str, line: int) -> tuple[int, str]:
    values = head.get(key)
    if not values or not values[0][1]:
        raise ContentError(line, f"missing '{key}:'")
    if len(values) > 1:
        raise ContentError(values[1][0] + 1, f"'{key}:' given twice")
    return values[0][0] + 1, values[0][1]


def number(text: str, line: int, key: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ContentError(line, f"'{key}:' must be a number, not '{text}'") from None


def percent(mark: str, line: int) -> float:
    value = float(mark.rstrip("%")) / 100
    if not -1 <= value <= 1:
        raise ContentError(line, f"an option's credit must lie between -100% and 100%, not {mark}")
    return value


@dataclass(frozen=True)
class Shape:
    """What an answer's shape depends on: the options shown (``size``) and, for fill-in and
    matching, how many parts (blanks, left rows) the answer has."""

    size: int
    parts: int = 0


Check = Callable[[Any, Shape], bool]


def position(value: Any, size: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < size


def form_position(text: str, size: int) -> int:
    if not text.strip().isdigit() or not 0 <= int(text) < size:
        raise NotAnAnswer(text)
    return int(text)


# -- reading a learner's answer: lenient, malformed answers score zero ------------------------------

def normalise(text: str) -> str:
    """Full-width → half-width (NFKC), surrounding spaces dropped, Latin case folded."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def index(value: Any, size: int) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, int) and 0 <= value < size:
        return value
    return None


def indices(value: Any, size: int) -> list[int] | None:
    if not isinstance(value, list | tuple):
        return None
    result = [index(v, size) for v in value]
    if any(v is None for v in result):
        return None
    return [v for v in result if v is not None]


def parse_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            found = float(value)
        except OverflowError:  # an integer such as 10**400 has no float
            return None
    elif isinstance(value, str):
        text = normalise(value).replace(",", "")  # NFKC already turned full-width commas into ","
        if not text or len(text) > MAX_NUMBER:
            return None
        try:
            found = float(text)
        except ValueError:
            return None
    else:
        return None
    return found if math.isfinite(found) else None
