"""Single and multiple choice: ``- [x]`` / ``- [ ]`` options, keys or credits per option."""

from __future__ import annotations

import re
from typing import Any

from academy.content.problems import ContentError
from academy.content.qtypes.base import MultiplePolicy, NotAnAnswer, Shape, Source, index, indices, percent, position
from academy.content.question import QType, Question

OPTION = re.compile(r"^[-*]\s+\[([ xX]|-?\d+(?:\.\d+)?%)\]\s+(.+)$")


def _keys(qtype: QType, marks: list[str], line: int) -> dict[str, object]:
    """Keys and, when an option carries a percentage, the credit of every option.

    ``[x]`` is full credit and ``[ ]`` none. A single-choice question has exactly one ``[x]``;
    further options may earn part of the score (``[50%]``), a penalty (``[-25%]``) or, written
    ``[100%]``, the full score too. A multiple-choice question with percentages is graded by
    adding the credit of the options picked (``[x]`` is then not used): the positive ones add up
    to 100%.
    """
    weighted = any(m.endswith("%") for m in marks)
    if qtype is QType.SINGLE:
        crosses = marks.count("x")
        if crosses != 1:
            raise ContentError(line, f"a single-choice question needs exactly one '- [x]' key, found {crosses}")
        weights = tuple(1.0 if m == "x" else percent(m, line) if m.endswith("%") else 0.0 for m in marks)
        correct = tuple(n for n, w in enumerate(weights) if w >= 1)
        return {"correct": correct, "weights": weights if weighted else ()}
    if not weighted:
        correct = tuple(n for n, m in enumerate(marks) if m == "x")
        if len(correct) < 2:
            raise ContentError(line, "a multiple-choice question needs at least two '- [x]' keys")
        return {"correct": correct}
    if "x" in marks:
        raise ContentError(line, "a multiple-choice question with percentages marks every key with its share, not '[x]'")
    weights = tuple(percent(m, line) if m.endswith("%") else 0.0 for m in marks)
    total = sum(w for w in weights if w > 0)
    if abs(total - 1) > 0.005:
        raise ContentError(line, f"the positive shares of a multiple-choice question add up to {total * 100:g}%, not 100%")
    return {"correct": tuple(n for n, w in enumerate(weights) if w > 0), "weights": weights}


def _parse(qtype: QType, src: Source) -> tuple[str, dict[str, object]]:
    options = [(k, OPTION.match(t.strip())) for k, t in enumerate(src.content) if OPTION.match(t.strip())]
    if len(options) < 2:
        raise ContentError(src.first, "a choice question needs at least two '- [ ]' options")
    texts = [m.group(2).strip() for _, m in options if m]
    if len(set(texts)) != len(texts):
        raise ContentError(src.at(options[0][0]), "two options have the same text")
    marks = [m.group(1).lower() for _, m in options if m]
    fields = {**_keys(qtype, marks, src.at(options[0][0])), "options": tuple(texts)}
    stem = src.stem(options[0][0])
    src.refuse_answer(qtype)
    return stem, fields


def parse_single(src: Source) -> tuple[str, dict[str, object]]:
    return _parse(QType.SINGLE, src)


def parse_multiple(src: Source) -> tuple[str, dict[str, object]]:
    return _parse(QType.MULTIPLE, src)


def valid_single(value: Any, shape: Shape) -> bool:
    """A displayed position."""
    return position(value, shape.size)


def valid_multiple(value: Any, shape: Shape) -> bool:
    """Displayed positions, each at most once."""
    return (isinstance(value, list) and len(value) <= shape.size
            and all(position(v, shape.size) for v in value) and len(set(value)) == len(value))


def form_text(text: str) -> int:
    """A position as a form sends it; its range is the shape check's business."""
    if not text.isdigit():
        raise NotAnAnswer(text)
    try:
        return int(text)
    except ValueError:  # digits int() does not read, such as "²"
        raise NotAnAnswer(text) from None


def form_single(name: str, shape: Shape, form: Any) -> Any:
    value = form.get(name, "").strip()
    return form_text(value) if value else None


def form_multiple(name: str, shape: Shape, form: Any) -> Any:
    return sorted(form_text(v.strip()) for v in form.getlist(name) if v.strip()) or None


def grade_single(q: Question, answer: Any, policy: MultiplePolicy) -> float:
    picked = index(answer, len(q.options))
    if picked is not None and q.weights:
        return q.weights[picked]
    return 1.0 if picked in q.correct else 0.0


def grade_multiple(q: Question, answer: Any, policy: MultiplePolicy) -> float:
    picked = indices(answer, len(q.options))
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
