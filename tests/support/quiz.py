"""Shared helpers moved out of test_quizzes_web.py."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from academy.assessment.services import quizzes
from academy.content.quizbank import QType, Question, match_keys
from academy.database import db
from academy.grading import to_display
from academy.models import Attempt

EXAM = "/quiz/exam/cert-sample"


FINAL = "/quiz/final/sample-course"


def start(client: FlaskClient, url: str) -> int:
    response = client.post(url)
    assert response.status_code == 303, response.get_data(as_text=True)
    match = re.search(r"/attempts/(\d+)$", response.location)
    assert match, response.location
    return int(match.group(1))


def paper(app: Flask, attempt_id: int) -> list[tuple[Question, tuple[int, ...]]]:
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        return [(i.question, i.order) for i in quizzes.paper_of(attempt).items]


def right_fields(q: Question, order: tuple[int, ...]) -> dict[str, Any]:
    """The form fields a learner who knows every answer would send, in displayed positions."""
    name = f"q-{q.id}"
    if q.type is QType.SINGLE:
        return {name: str(to_display(q, q.correct[0], order))}
    if q.type is QType.MULTIPLE:
        return {name: [str(p) for p in to_display(q, list(q.correct), order)]}
    if q.type is QType.TRUEFALSE:
        return {name: "true" if q.truth else "false"}
    if q.type is QType.FILL:
        return {f"{name}-{n}": v[0] for n, v in enumerate(q.blanks)}
    if q.type is QType.NUMERIC:
        return {name: str(((q.low or 0) + (q.high or 0)) / 2)}
    if q.type is QType.ORDERING:
        return {f"{name}-{k}": str(option + 1) for k, option in enumerate(order)}
    shown = to_display(q, match_keys(q), order)
    return {f"{name}-{i}": str(p) for i, p in enumerate(shown)}


def typed_wrong(q: Question, order: tuple[int, ...]) -> dict[str, Any]:
    """Right choices by position, but typed answers that contain no key text."""
    if q.type is QType.FILL:
        return {f"q-{q.id}-{n}": "不知道" for n in range(len(q.blanks))}
    if q.type is QType.NUMERIC:
        return {f"q-{q.id}": "7"}
    return right_fields(q, order)


def answer_all(client: FlaskClient, app: Flask, attempt_id: int, *, right: bool = True) -> list[Any]:
    bodies = []
    for q, order in paper(app, attempt_id):
        fields = right_fields(q, order) if right else typed_wrong(q, order)
        response = client.post(f"/attempts/{attempt_id}/answers/{q.id}", data=fields)
        assert response.status_code == 200, response.get_data(as_text=True)
        bodies.append(response.get_data(as_text=True))
    return bodies
