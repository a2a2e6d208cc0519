"""A number: ``answer: 12.5`` (with ``tolerance:``) or ``answer: 12..13``, checked by ``compute:``."""

from __future__ import annotations

from typing import Any

from academy.content.arithmetic import evaluate
from academy.content.problems import ContentError
from academy.content.qtypes.base import (
    MAX_NUMBER,
    RANGE,
    WEIGHTED,
    MultiplePolicy,
    Shape,
    Source,
    number,
    parse_number,
    percent,
)
from academy.content.question import Question


def _partial_range(text: str, line: int) -> tuple[float, float, float]:
    """``[50%] 1820..1824`` or ``[50%] 1821``: a near miss that earns part of the score."""
    found = WEIGHTED.match(text.strip())
    if not found:
        raise ContentError(line, f"a further numeric answer is written '[50%] low..high', not '{text.strip()}'")
    share = percent(found.group(1), line)
    if not 0 < share < 1:
        raise ContentError(line, "a further numeric answer earns more than 0% and less than 100%")
    span = RANGE.match(found.group(2))
    low, high = (float(span.group(1)), float(span.group(2))) if span else (number(found.group(2), line, "answer"),) * 2
    if low > high:
        raise ContentError(line, "range answer must be low..high")
    return share, low, high


def parse(src: Source) -> tuple[str, dict[str, object]]:
    stem = src.stem(len(src.content))
    fields: dict[str, object] = {}
    answer_line, answer = src.one("answer")
    answer, *others = answer.split("|")
    if others:
        fields["partial_ranges"] = tuple(_partial_range(text, src.first + answer_line) for text in others)
    found = RANGE.match(answer)
    if found:
        low, high = float(found.group(1)), float(found.group(2))
        if low > high:
            raise ContentError(src.first + answer_line, "range answer must be low..high")
    else:
        value = number(answer, src.first + answer_line, "answer")
        tol = number(src.one("tolerance")[1], src.first, "tolerance") if "tolerance" in src.head else 0.0
        if tol < 0:
            raise ContentError(src.first, "'tolerance:' must not be negative")
        low, high = value - tol, value + tol
    compute_line, compute = src.one("compute")
    try:
        computed = evaluate(compute)
    except (ValueError, ZeroDivisionError, OverflowError) as exc:
        raise ContentError(src.first + compute_line, f"'compute:' cannot be evaluated: {exc}") from None
    if not (low - 1e-9 <= computed <= high + 1e-9):
        raise ContentError(src.first + compute_line,
                           f"'compute:' gives {computed:.6g}, outside the accepted answer {low:.6g}..{high:.6g}")
    fields.update(low=low, high=high, compute=compute)
    return stem, fields


def valid(value: Any, shape: Shape) -> bool:
    """Text as typed: a half-typed number may be saved, and is graded as it stands."""
    return isinstance(value, str) and len(value) <= MAX_NUMBER


def from_form(name: str, shape: Shape, form: Any) -> Any:
    return form.get(name, "").strip() or None


def grade(q: Question, answer: Any, policy: MultiplePolicy) -> float:
    found = parse_number(answer)
    if found is None or q.low is None or q.high is None:
        return 0.0
    slack = 1e-9 * max(1.0, abs(q.low), abs(q.high))
    if q.low - slack <= found <= q.high + slack:
        return 1.0
    near = [share for share, low, high in q.partial_ranges
            if low - 1e-9 * max(1.0, abs(low), abs(high)) <= found <= high + 1e-9 * max(1.0, abs(low), abs(high))]
    return max(near, default=0.0)
