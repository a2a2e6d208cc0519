"""What every reader of a foreign question format produces: drafts, rejections, warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from academy.content.quizbank import QType

# The grades Moodle's question import accepts (as fractions), positive and negative.
MOODLE_GRADES = (1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
                 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0)


def fraction_ok(value: float) -> bool:
    return any(abs(abs(value) - grade) < 1e-5 for grade in MOODLE_GRADES)


def number_text(value: float) -> str:
    """The shortest decimal that reads back as the same float, without an exponent."""
    text = format(Decimal(repr(float(value))), "f")
    return text[:-2] if text.endswith(".0") else text


@dataclass
class Draft:
    """One question ready to be written as Markdown."""

    type: QType
    stem: str
    line: int
    options: list[str] = field(default_factory=list)
    correct: list[int] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)  # per option; [] = keys only
    truth: bool | None = None
    blanks: list[list[str]] = field(default_factory=list)
    blank_weights: list[list[float]] = field(default_factory=list)
    low: float | None = None
    high: float | None = None
    partial_ranges: list[tuple[float, float, float]] = field(default_factory=list)  # numeric: (credit, low, high)
    value: float | None = None  # numeric given as value ± tolerance
    tolerance: float | None = None
    compute: str = ""
    matches: list[str] = field(default_factory=list)
    distractors: list[str] = field(default_factory=list)
    explanation: str = ""
    difficulty: str = ""
    lesson: str = ""
    tags: list[str] = field(default_factory=list)
    tag_names: dict[str, str] = field(default_factory=dict)
    title: str = ""
    title_is_id: bool = False  # our own export: the title is the question's id, kept on import
    score: float = 1.0
    column: str = ""  # spreadsheets: where the question's row starts being wrong


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str
    column: str = ""  # spreadsheets: the column letter


@dataclass
class Imported:
    drafts: list[Draft] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[Rejected] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)  # images to write beside the bank
