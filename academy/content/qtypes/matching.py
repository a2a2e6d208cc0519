"""Matching: ``- left => right`` pairs and ``- => right`` distractors; the right sides are shuffled."""

from __future__ import annotations

import re
from typing import Any

from academy.content.problems import ContentError
from academy.content.qtypes.base import MultiplePolicy, Shape, Source, index, position
from academy.content.qtypes.choice import form_text
from academy.content.question import QType, Question

PAIR = re.compile(r"^[-*]\s+(.+?)\s*=>\s*(.+)$")
DISTRACTOR = re.compile(r"^[-*]\s+=>\s*(.+)$")  # a right-hand side that matches no left


def parse(src: Source) -> tuple[str, dict[str, object]]:
    content = src.content
    pairs = [(k, PAIR.match(t.strip())) for k, t in enumerate(content)
             if PAIR.match(t.strip()) and not DISTRACTOR.match(t.strip())]
    extra = [(k, DISTRACTOR.match(t.strip())) for k, t in enumerate(content) if DISTRACTOR.match(t.strip())]
    if len(pairs) < 2:
        raise ContentError(src.first, "a matching question needs at least two '- left => right' lines")
    stem_end = min(k for k, _ in pairs + extra)
    paired = tuple(m.group(2).strip() for _, m in pairs if m)
    spare = tuple(m.group(1).strip() for _, m in extra if m)
    # Two lefts may share a right (Moodle allows it); a distractor must match nothing.
    if len(set(spare)) != len(spare) or set(spare) & set(paired):
        raise ContentError(src.at((extra or pairs)[0][0]), "a distractor '- => …' repeats a right-hand side")
    fields: dict[str, object] = {"options": tuple(m.group(1).strip() for _, m in pairs if m), "matches": paired + spare}
    stem = src.stem(stem_end)
    src.refuse_answer(QType.MATCHING)
    return stem, fields


def valid(value: Any, shape: Shape) -> bool:
    """Per left row, the displayed position of its right side, or nothing yet."""
    return (isinstance(value, list) and len(value) == shape.parts
            and all(v is None or position(v, shape.size) for v in value))


def from_form(name: str, shape: Shape, form: Any) -> Any:
    picks = [form.get(f"{name}-{i}", "").strip() for i in range(shape.parts)]
    if not any(picks):
        return None
    return [form_text(p) if p else None for p in picks]


def grade(q: Question, answer: Any, policy: MultiplePolicy) -> float:
    if not isinstance(answer, list | tuple) or not q.matches:
        return 0.0
    pairs = len(q.options)  # right-hand sides past the pairs are distractors
    places = [index(given, len(q.matches)) for given in answer[:pairs]]
    # Two rows may share a right-hand text: the text is what counts, not where it stands.
    right = sum(1 for i, place in enumerate(places) if place is not None and q.matches[place] == q.matches[i])
    return right / pairs if pairs else 0.0
