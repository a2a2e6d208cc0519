"""A quiz key is parsed in one place; its stored form round-trips and bad URLs are refused."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from academy.content.quizzes import Kind, QuizKey


@pytest.mark.parametrize(("text", "kind", "ref", "course", "lesson"), [
    ("check/sample-course/intro", Kind.CHECK, "sample-course/intro", "sample-course", "intro"),
    ("final/sample-course", Kind.FINAL, "sample-course", "sample-course", None),
    ("exam/practitioner-cert", Kind.EXAM, "practitioner-cert", None, None),
    ("competition/quality-month", Kind.COMPETITION, "quality-month", None, None),
])
def test_stored_form_round_trips(text: str, kind: Kind, ref: str, course: str | None, lesson: str | None) -> None:
    key = QuizKey.parse(text)
    assert key is not None
    assert (key.kind, key.ref, key.course, key.lesson) == (kind, ref, course, lesson)
    assert str(key) == text
    assert text.startswith(QuizKey.prefix(kind))


def test_constructors_give_the_stored_form() -> None:
    assert str(QuizKey.check("c", "l")) == "check/c/l"
    assert str(QuizKey.final("c")) == "final/c"
    assert str(QuizKey.exam("e")) == "exam/e"
    assert str(QuizKey.competition("s")) == "competition/s"


@pytest.mark.parametrize("text", ["", "final", "final/", "bogus/x", "/x"])
def test_malformed_keys_are_none(text: str) -> None:
    assert QuizKey.parse(text) is None


def test_unknown_kind_in_a_url_is_not_found(client: FlaskClient, make_user) -> None:  # type: ignore[no-untyped-def]
    from .conftest import log_in
    log_in(client, make_user())
    assert client.get("/quiz/bogus/anything").status_code == 404
