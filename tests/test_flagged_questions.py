"""Authors find the questions their statistics flag across every bank, and every bank and exam
leads to its statistics."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from academy.models import Role, User

from .conftest import log_in
from .support.quiz import EXAM, answer_all, start


def _sat(synced: Flask, make_user: Callable[..., User], times: int) -> None:
    for _ in range(times):
        learner = synced.test_client()
        log_in(learner, make_user())
        attempt_id = start(learner, EXAM)
        answer_all(learner, synced, attempt_id)
        assert learner.post(f"/attempts/{attempt_id}/submit").status_code in (200, 303)


def test_flagged_questions_across_banks_reachable_from_the_content_page(synced: Flask, client: FlaskClient,
                                                                        make_user: Callable[..., User]) -> None:
    synced.config["ITEM_FLAG_MIN_ATTEMPTS"] = 1  # the exam draws 4 of the bank's questions at random
    _sat(synced, make_user, 5)  # everyone right: every question drawn is "too easy"
    log_in(client, make_user("AU", roles=(Role.AUTHOR,)))
    content = client.get("/admin/content").get_data(as_text=True)
    assert 'href="/quiz-admin/flagged"' in content
    assert 'href="/quiz-admin/banks/sample-course"' in content  # every bank leads to its statistics
    assert 'href="/quiz-admin/stats/exam/cert-sample"' in content  # every exam too
    page = client.get("/quiz-admin/flagged")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    rows = text.split('class="table flagged"')[1].split("</table>")[0]
    drawn = rows.count("<tr>") - 1  # the header
    assert 4 <= drawn <= 8  # each question the five papers drew, once
    assert "过易" in rows
    assert "示例题库" in rows
    assert 'href="/quiz-admin/stats/exam/cert-sample"' in rows
    bank = client.get("/quiz-admin/banks/sample-course").get_data(as_text=True)
    assert "示例认证考试" in bank
    assert ">5<" in bank  # graded attempts
    assert bank.split('class="table flagged"')[1].count("过易") == drawn


def test_too_few_attempts_flag_nothing(synced: Flask, client: FlaskClient, make_user: Callable[..., User]) -> None:
    _sat(synced, make_user, 2)  # at most two answers per question, fewer than the five needed
    log_in(client, make_user("AU", roles=(Role.AUTHOR,)))
    assert "没有被标记的题目" in client.get("/quiz-admin/flagged").get_data(as_text=True)


def test_the_pages_are_for_authors(synced: Flask, client: FlaskClient, make_user: Callable[..., User]) -> None:
    log_in(client, make_user(roles=(Role.HR,)))
    assert client.get("/quiz-admin/flagged").status_code == 403
    assert client.get("/quiz-admin/banks/sample-course").status_code == 403
    log_in(client, make_user())
    assert client.get("/quiz-admin/flagged").status_code == 403
    log_in(client, make_user(roles=(Role.AUTHOR,)))
    assert client.get("/quiz-admin/banks/no-such-bank").status_code == 404
