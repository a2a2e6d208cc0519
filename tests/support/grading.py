"""Shared helpers moved out of test_grading.py."""

from __future__ import annotations

from typing import Any

from academy.content.quizbank import Difficulty, QType, Question


def make(qtype: QType, **fields: Any) -> Question:
    base: dict[str, Any] = {"id": f"t-{qtype}", "bank": "t", "type": qtype, "difficulty": Difficulty.EASY,
                            "lesson": "l", "tags": ("x",), "stem": "?", "explanation": "because", "line": 1,
                            "version": "v"}
    return Question(**{**base, **fields})


SINGLE = make(QType.SINGLE, options=("a", "b", "c", "d"), correct=(2,))


MULTI = make(QType.MULTIPLE, options=("a", "b", "c", "d", "e"), correct=(0, 2, 3))


TF_TRUE = make(QType.TRUEFALSE, truth=True)
