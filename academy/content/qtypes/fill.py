"""Fill in the blanks: ``____`` in the text, one ``answer:`` line of variants per blank."""

from __future__ import annotations

import re
from typing import Any

from academy.content.problems import ContentError
from academy.content.qtypes.base import MAX_TEXT, WEIGHTED, MultiplePolicy, Shape, Source, normalise, percent
from academy.content.question import Question

BLANK = re.compile(r"_{4,}")


def _variants(text: str, line: int) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """``a | b | [50%] c`` → accepted variants and the credit each earns."""
    variants: list[str] = []
    weights: list[float] = []
    for part in (p.strip() for p in text.split("|")):
        if not part:
            continue
        found = WEIGHTED.match(part)
        weight = percent(found.group(1), line) if found else 1.0
        if found and weight <= 0:
            raise ContentError(line, f"a fill-in variant earns more than 0%, not {found.group(1)}%")
        variants.append(found.group(2).strip() if found else part)
        weights.append(weight)
    if variants and max(weights) < 1:
        raise ContentError(line, "every blank needs a variant worth the full score (one without a percentage)")
    return tuple(variants), tuple(weights)


def parse(src: Source) -> tuple[str, dict[str, object]]:
    stem = src.stem(len(src.content))
    answers = src.head.get("answer", [])
    blanks = len(BLANK.findall(stem))
    if blanks == 0:
        raise ContentError(src.first, "a fill-in question needs blanks written as '____' in its text")
    if len(answers) != blanks:
        raise ContentError(src.first, f"{blanks} blank(s) in the text but {len(answers)} 'answer:' line(s)")
    parsed = [_variants(text, src.first + k + 1) for k, text in answers]
    if any(not v for v, _ in parsed):
        raise ContentError(src.first, "an 'answer:' line of a fill-in question is empty")
    fields: dict[str, object] = {"blanks": tuple(v for v, _ in parsed)}
    if any(w != (1.0,) * len(w) for _, w in parsed):
        fields["blank_weights"] = tuple(w for _, w in parsed)
    return stem, fields


def valid(value: Any, shape: Shape) -> bool:
    """One text per blank."""
    return (isinstance(value, list) and len(value) == shape.parts
            and all(isinstance(v, str) and len(v) <= MAX_TEXT for v in value))


def from_form(name: str, shape: Shape, form: Any) -> Any:
    texts = [form.get(f"{name}-{n}", "") for n in range(shape.parts)]
    # an over-long text is kept, even among empty ones, for the shape check to refuse
    return texts if any(t.strip() or len(t) > MAX_TEXT for t in texts) else None


def same_text(variant: str, given: str) -> bool:
    """A fill-in variant against a learner's text, Moodle's short-answer way.

    ``*`` stands for any run of characters (``**`` is one star), ``\\*`` for a star itself.
    """
    variant, given = normalise(variant), normalise(given)
    if "*" not in variant:
        return variant == given
    bits = [re.escape(bit.replace("\\*", "*")) for bit in re.split(r"(?<!\\)\*+", variant)]
    return re.fullmatch(".*".join(bits), given, re.S) is not None


def grade(q: Question, answer: Any, policy: MultiplePolicy) -> float:
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
