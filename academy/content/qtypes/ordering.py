"""Ordering: numbered items written in the right order, shown shuffled."""

from __future__ import annotations

import re
from typing import Any

from academy.content.problems import ContentError
from academy.content.qtypes.base import MultiplePolicy, NotAnAnswer, Shape, Source, indices, position
from academy.content.question import QType, Question

ORDERED = re.compile(r"^\d+[.)]\s+(.+)$")


def parse(src: Source) -> tuple[str, dict[str, object]]:
    items = [(k, ORDERED.match(t.strip())) for k, t in enumerate(src.content) if ORDERED.match(t.strip())]
    if len(items) < 3:
        raise ContentError(src.first, "an ordering question needs at least three numbered items")
    fields: dict[str, object] = {"options": tuple(m.group(1).strip() for _, m in items if m)}
    stem = src.stem(items[0][0])
    src.refuse_answer(QType.ORDERING)
    return stem, fields


def valid(value: Any, shape: Shape) -> bool:
    """Every displayed position once, in the chosen order."""
    return (isinstance(value, list) and all(position(v, shape.size) for v in value)
            and sorted(value) == list(range(shape.size)))


def from_form(name: str, shape: Shape, form: Any) -> Any:
    """One place (1 first) per displayed item → the displayed items in the chosen order."""
    ranks = [form.get(f"{name}-{k}", "").strip() for k in range(shape.size)]
    if not any(ranks):
        return None
    # places that are not each of 1..n once say no order: refused here, as no list can carry them
    if not all(r.isdigit() for r in ranks) or sorted(int(r) for r in ranks) != list(range(1, shape.size + 1)):
        raise NotAnAnswer(name)
    return [k for _, k in sorted((int(r), k) for k, r in enumerate(ranks))]


def grade(q: Question, answer: Any, policy: MultiplePolicy) -> float:
    order = indices(answer, len(q.options))
    return 1.0 if order == list(range(len(q.options))) else 0.0
