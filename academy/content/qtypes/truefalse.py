"""True or false: ``answer: 对`` or ``answer: 错`` in the head."""

from __future__ import annotations

from typing import Any

from academy.content.problems import ContentError
from academy.content.qtypes.base import MultiplePolicy, NotAnAnswer, Shape, Source
from academy.content.question import Question

TRUE_WORDS = {"对", "正确", "是", "true", "t", "yes"}
FALSE_WORDS = {"错", "错误", "否", "false", "f", "no"}


def parse(src: Source) -> tuple[str, dict[str, object]]:
    stem = src.stem(len(src.content))
    answer_line, answer = src.one("answer")
    word = answer.strip().lower()
    if word not in TRUE_WORDS | FALSE_WORDS:
        raise ContentError(src.first + answer_line, f"a true/false answer is 对 or 错, not '{answer}'")
    return stem, {"truth": word in TRUE_WORDS}


def valid(value: Any, shape: Shape) -> bool:
    return isinstance(value, bool)


def from_form(name: str, shape: Shape, form: Any) -> Any:
    value = form.get(name, "").strip()
    if not value:
        return None
    if value not in ("true", "false"):
        raise NotAnAnswer(value)
    return value == "true"


def grade(q: Question, answer: Any, policy: MultiplePolicy) -> float:
    if isinstance(answer, str):
        answer = {"true": True, "false": False}.get(answer.strip().lower())
    return 1.0 if isinstance(answer, bool) and answer is q.truth else 0.0
