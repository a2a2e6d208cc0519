"""Shared helpers moved out of test_browser_exam.py."""

from __future__ import annotations

from academy.content.quizbank import QType, match_keys
from academy.grading import to_display


def _answer(page, q, order) -> None:  # type: ignore[no-untyped-def]
    box = page.locator(f'fieldset[data-question="{q.id}"]')
    name = f"q-{q.id}"
    if q.type is QType.SINGLE:
        box.locator(f'input[name="{name}"][value="{to_display(q, q.correct[0], order)}"]').check()
    elif q.type is QType.MULTIPLE:
        for position in to_display(q, list(q.correct), order):
            box.locator(f'input[name="{name}"][value="{position}"]').check()
    elif q.type is QType.TRUEFALSE:
        box.locator(f'input[name="{name}"][value="{"true" if q.truth else "false"}"]').check()
    elif q.type is QType.FILL:
        for n, variants in enumerate(q.blanks):
            box.locator(f'input[name="{name}-{n}"]').fill(f" {variants[0].upper()} ")
    elif q.type is QType.NUMERIC:
        box.locator(f'input[name="{name}"]').fill(str(((q.low or 0) + (q.high or 0)) / 2))
    elif q.type is QType.ORDERING:
        for k, option in enumerate(order):
            box.locator(f'select[name="{name}-{k}"]').select_option(str(option + 1))
    else:
        for i, position in enumerate(to_display(q, match_keys(q), order)):
            box.locator(f'select[name="{name}-{i}"]').select_option(str(position))
    box.locator(".save-state").filter(has_text="✓").wait_for(timeout=5000)
