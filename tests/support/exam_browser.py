"""A paper with all seven question types, and a learner answering it in the browser by touch or
by keyboard alone."""

from __future__ import annotations

from typing import Any

from flask import Flask

from academy.assessment.services import quizzes
from academy.content.exams import DrawRule
from academy.content.quizbank import QType, Question
from academy.content.quizzes import exam as exam_quiz
from academy.content.quizzes import load_sources
from academy.database import db
from academy.grading import to_display
from academy.models import Attempt, User

Paper = list[tuple[Question, tuple[int, ...]]]


def every_type_attempt(app: Flask, employee_no: str) -> tuple[int, Paper]:
    """An open attempt at the certification exam drawn with one question of each of the seven types."""
    sources = load_sources(app.config["QUIZ_ROOT"])
    quiz = exam_quiz(sources.exams["cert-sample"])
    quiz = type(quiz)(**{**quiz.__dict__, "draw": (DrawRule(bank="sample-course", count=7),)})
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.employee_no == employee_no)).scalar_one()
        attempt = quizzes.start_or_resume(user, quiz, sources)
        items = [(i.question, i.order) for i in quizzes.paper_of(attempt).items]
        assert {q.type for q, _ in items} == set(QType)
        return attempt.id, items


def paper_of(app: Flask, attempt_id: int) -> Paper:
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        return [(i.question, i.order) for i in quizzes.paper_of(attempt).items]


def current_order(page: Any, q: Question, order: tuple[int, ...]) -> list[int]:
    """The options of an ordering question as its list shows them now (canonical option numbers)."""
    shown = page.eval_on_selector_all(f'fieldset[data-question="{q.id}"] .order-list li', "(items) => items.map((li) => +li.dataset.item)")
    return [order[k] for k in shown]


def order_by_touch(page: Any, q: Question, order: tuple[int, ...], wanted: list[int] | None = None) -> bool:
    """Put an ordering question's items in ``wanted`` (default: the right order) with the up buttons.
    False if the saved order was that already (nothing sent)."""
    wanted = wanted if wanted is not None else list(range(len(q.options)))
    box = page.locator(f'fieldset[data-question="{q.id}"]')
    sent = False
    for place, option in enumerate(wanted):
        k = order.index(option)
        while current_order(page, q, order).index(option) > place:
            box.locator(f'li[data-item="{k}"] button.up').click()
            sent = True
    if box.locator("button.keep-order").is_visible():
        box.locator("button.keep-order").click()
        sent = True
    return sent


def answer_by_touch(page: Any, q: Question, order: tuple[int, ...], *, right: bool = True) -> None:
    box = page.locator(f'fieldset[data-question="{q.id}"]')
    name = f"q-{q.id}"
    if q.type is QType.SINGLE:
        pick = q.correct[0] if right else next(i for i in range(len(q.options)) if i not in q.correct)
        box.locator(f'input[name="{name}"][value="{to_display(q, pick, order)}"]').check()
    elif q.type is QType.MULTIPLE:
        picks = list(q.correct) if right else [next(i for i in range(len(q.options)) if i not in q.correct)]
        for position in to_display(q, picks, order):
            box.locator(f'input[name="{name}"][value="{position}"]').check()
    elif q.type is QType.TRUEFALSE:
        box.locator(f'input[name="{name}"][value="{"true" if q.truth == right else "false"}"]').check()
    elif q.type is QType.FILL:
        for n, variants in enumerate(q.blanks):
            box.locator(f'input[name="{name}-{n}"]').fill(variants[0] if right else "不知道")
    elif q.type is QType.NUMERIC:
        box.locator(f'input[name="{name}"]').fill(str(((q.low or 0) + (q.high or 0)) / 2) if right else "99999")
    elif q.type is QType.ORDERING:
        if not order_by_touch(page, q, order, None if right else list(reversed(range(len(q.options))))):
            return
    else:
        rights = list(range(len(q.options)))
        picks = rights if right else [(i + 1) % len(q.matches) for i in range(len(q.options))]
        for i, position in enumerate(to_display(q, picks, order)):
            box.locator(f'select[name="{name}-{i}"]').select_option(str(position))
    box.locator(".save-state").filter(has_text="✓").wait_for(timeout=5000)
