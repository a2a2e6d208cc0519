"""Taking quizzes over HTTP: start, save each answer, resume, submit once, deadlines, review, leaks."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.assessment.services import quizzes
from academy.content.quizbank import QType, Question
from academy.content.quizzes import load_sources
from academy.database import db, utcnow
from academy.models import Attempt, AuditLog, Role, TrainingCredit, User

from .conftest import FIXTURES, log_in, publish
from .support.quiz import EXAM, FINAL, answer_all, paper, right_fields, start

CHECK = "/quiz/check/sample-course/pdca"


def bank_questions() -> dict[str, Question]:
    return {q.id: q for q in load_sources(FIXTURES / "quiz").banks["sample-course"].questions}












@pytest.fixture
def learner(synced: Flask, client: FlaskClient, make_user) -> User:  # type: ignore[no-untyped-def]
    user = make_user(name="张三明", employee_no="20241234")
    log_in(client, user)
    return user


def test_exam_page_shows_settings_and_starting_draws_a_paper(synced: Flask, client: FlaskClient, learner: User) -> None:
    page = client.get(EXAM).get_data(as_text=True)
    assert "示例认证考试" in page
    assert "20 分钟" in page
    attempt_id = start(client, EXAM)
    take = client.get(f"/attempts/{attempt_id}")
    assert take.status_code == 200
    assert take.get_data(as_text=True).count('class="question card"') == 4


def test_every_question_type_saved_through_the_page_grades_full_marks(synced: Flask, client: FlaskClient, learner: User) -> None:
    with synced.app_context():
        user = db.session.get(User, learner.id)
        quiz = quizzes_quiz("check/sample-course/pdca")
        assert user is not None
    attempt_id = start(client, CHECK)
    answer_all(client, synced, attempt_id)
    client.post(f"/attempts/{attempt_id}/submit")
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        assert attempt.score == attempt.max_score
        assert attempt.passed
    assert quiz.kind == "check"


def quizzes_quiz(key: str):  # type: ignore[no-untyped-def]
    from academy import access
    quiz = access.quiz_by_key(key)
    assert quiz is not None
    return quiz


def test_all_seven_types_on_one_paper_get_full_marks(synced: Flask, client: FlaskClient, learner: User) -> None:
    from academy.content.exams import DrawRule
    from academy.content.quizzes import exam as exam_quiz

    sources = load_sources(FIXTURES / "quiz")
    quiz = exam_quiz(sources.exams["cert-sample"])
    quiz = type(quiz)(**{**quiz.__dict__, "draw": (DrawRule(bank="sample-course", count=7),), "key": "exam/cert-sample"})
    with synced.app_context():
        user = db.session.get(User, learner.id)
        assert user is not None
        attempt_id = quizzes.start_or_resume(user, quiz, sources).id
    assert {q.type for q, _ in paper(synced, attempt_id)} == set(QType)
    answer_all(client, synced, attempt_id)
    client.post(f"/attempts/{attempt_id}/submit")
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        assert attempt.score == 7
        assert attempt.passed


def test_starting_twice_resumes_the_same_attempt_with_its_answers(synced: Flask, client: FlaskClient, learner: User) -> None:
    first = start(client, EXAM)
    q, order = paper(synced, first)[0]
    client.post(f"/attempts/{first}/answers/{q.id}", data=right_fields(q, order))
    other_device = synced.test_client()
    log_in(other_device, learner)
    assert start(other_device, EXAM) == first
    with synced.app_context():
        attempt = db.session.get(Attempt, first)
        assert attempt is not None
        assert q.id in attempt.answer_map()


def test_double_submit_grades_once(synced: Flask, client: FlaskClient, learner: User) -> None:
    attempt_id = start(client, EXAM)
    answer_all(client, synced, attempt_id)
    assert client.post(f"/attempts/{attempt_id}/submit").status_code == 303
    with synced.app_context():
        first = db.session.get(Attempt, attempt_id)
        assert first is not None
        submitted = first.submitted_at
    assert client.post(f"/attempts/{attempt_id}/submit").status_code == 303
    with synced.app_context():
        again = db.session.get(Attempt, attempt_id)
        assert again is not None
        assert again.submitted_at == submitted
        assert len(db.session.execute(select(Attempt)).scalars().all()) == 1


def test_answers_after_submit_are_refused(synced: Flask, client: FlaskClient, learner: User) -> None:
    attempt_id = start(client, EXAM)
    q, order = paper(synced, attempt_id)[0]
    client.post(f"/attempts/{attempt_id}/submit")
    late = client.post(f"/attempts/{attempt_id}/answers/{q.id}", data=right_fields(q, order))
    assert late.status_code == 409


def test_bad_answer_gets_a_422_in_chinese(synced: Flask, client: FlaskClient, learner: User) -> None:
    attempt_id = start(client, EXAM)
    q, _ = paper(synced, attempt_id)[0]
    bad = client.post(f"/attempts/{attempt_id}/answers/{q.id}", data={f"q-{q.id}": "99", f"q-{q.id}-0": "x"})
    if q.type in (QType.FILL, QType.NUMERIC, QType.TRUEFALSE):
        bad = client.post(f"/attempts/{attempt_id}/answers/{q.id}", data={f"q-{q.id}": "y" * 300, f"q-{q.id}-0": "y" * 300})
    assert bad.status_code == 422
    assert "答案" in bad.get_json()["error"]
    unknown = client.post(f"/attempts/{attempt_id}/answers/not-a-question", data={})
    assert unknown.status_code == 422
    form = client.post(f"/attempts/{attempt_id}", data={f"q-{q.id}": "9" * 50, f"q-{q.id}-0": "y" * 300, "action": "submit"})
    assert form.status_code == 422
    assert "答案" in form.get_data(as_text=True)


def test_deadline_is_enforced_by_the_server_on_the_next_read(synced: Flask, client: FlaskClient, learner: User) -> None:
    attempt_id = start(client, EXAM)
    answer_all(client, synced, attempt_id)
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        attempt.deadline = utcnow() - timedelta(seconds=1)
        db.session.commit()
    q, order = paper(synced, attempt_id)[0]
    assert client.post(f"/attempts/{attempt_id}/answers/{q.id}", data=right_fields(q, order)).status_code == 409
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "时间已到" in page
    with synced.app_context():
        graded = db.session.get(Attempt, attempt_id)
        assert graded is not None
        assert graded.expired
        assert graded.score == graded.max_score


def test_close_expired_grades_abandoned_attempts(synced: Flask, client: FlaskClient, learner: User) -> None:
    attempt_id = start(client, EXAM)
    answer_all(client, synced, attempt_id)
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        deadline = attempt.deadline
        assert deadline is not None
        assert quizzes.close_expired(now=deadline - timedelta(seconds=1)) == 0
        assert quizzes.close_expired(now=deadline + timedelta(seconds=1)) == 1
        db.session.refresh(attempt)
        assert attempt.submitted_at == deadline
        assert attempt.passed
    result = synced.test_cli_runner().invoke(args=["quiz", "close-expired"])
    assert "0" in result.output


def test_attempt_limit_and_cooldown(synced: Flask, client: FlaskClient, learner: User) -> None:
    first = start(client, EXAM)
    client.post(f"/attempts/{first}/submit")
    refused = client.post(EXAM, follow_redirects=True).get_data(as_text=True)
    assert "之后开始下一次作答" in refused
    with synced.app_context():
        attempt = db.session.get(Attempt, first)
        assert attempt is not None
        attempt.submitted_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    second = start(client, EXAM)
    assert second != first
    client.post(f"/attempts/{second}/submit")
    with synced.app_context():
        attempt = db.session.get(Attempt, second)
        assert attempt is not None
        attempt.submitted_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    assert "次数已用完" in client.post(EXAM, follow_redirects=True).get_data(as_text=True)


def test_lesson_check_is_unlimited_and_shows_answers(synced: Flask, client: FlaskClient, learner: User) -> None:
    for _ in range(4):
        attempt_id = start(client, CHECK)
        client.post(f"/attempts/{attempt_id}/submit")
    result = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "答案与解析" in result
    questions = {q.id for q, _ in paper(synced, attempt_id)}
    assert all(bank_questions()[qid].lesson == "pdca" for qid in questions)


def collect_and_check_no_leak(client: FlaskClient, synced: Flask, url: str) -> tuple[int, list[str]]:
    bodies = [client.get(url).get_data(as_text=True)]
    attempt_id = start(client, url)
    bodies.append(client.get(f"/attempts/{attempt_id}").get_data(as_text=True))
    bodies += answer_all(client, synced, attempt_id, right=False)
    bodies.append(client.get(f"/attempts/{attempt_id}").get_data(as_text=True))
    bodies.append(client.post(f"/attempts/{attempt_id}", data={"action": "save"}, follow_redirects=True).get_data(as_text=True))
    everything = "\n".join(bodies)
    items = paper(synced, attempt_id)
    shown = "\n".join(t for q, _ in items for t in (q.stem, *q.options, *q.matches))  # meant to be seen
    for q, _ in items:
        assert q.explanation not in everything, q.id
        assert "解析" not in everything
        if q.type is QType.FILL:
            for variants in q.blanks:
                assert not any(v in everything for v in variants if v not in shown), q.id
        if q.type is QType.NUMERIC:
            assert "1.33" not in everything
            assert "1.32" not in everything
        if q.type is QType.TRUEFALSE:
            assert f'value="{"true" if q.truth else "false"}" checked' not in bodies[1]
    assert "correct" not in everything.lower().replace("x-csrftoken", "")
    return attempt_id, bodies


def test_answer_keys_and_explanations_never_reach_the_browser_before_grading(synced: Flask, client: FlaskClient, learner: User) -> None:
    attempt_id, _ = collect_and_check_no_leak(client, synced, EXAM)
    client.post(f"/attempts/{attempt_id}/submit")
    after = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert any(q.explanation.split("。")[0] in after for q, _ in paper(synced, attempt_id))


def test_review_score_only_never_shows_answers(synced: Flask, client: FlaskClient, learner: User, monkeypatch: pytest.MonkeyPatch) -> None:
    from academy.content.exams import Review
    real = quizzes.may_review_answers
    monkeypatch.setattr(quizzes, "may_review_answers",
                        lambda a, q, now: real(a, type(q)(**{**q.__dict__, "review": Review.SCORE}), now))
    attempt_id = start(client, EXAM)
    answer_all(client, synced, attempt_id)
    client.post(f"/attempts/{attempt_id}/submit")
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "100%" in page
    assert not any(q.explanation in page for q, _ in paper(synced, attempt_id))


def test_review_after_close_waits_for_the_window(synced: Flask) -> None:
    from academy.content.exams import Review
    from academy.content.quizzes import exam as exam_quiz

    quiz = exam_quiz(load_sources(FIXTURES / "quiz").exams["cert-sample"])
    now = utcnow()
    closing = type(quiz)(**{**quiz.__dict__, "review": Review.AFTER_CLOSE, "closes_at": now + timedelta(hours=1)})
    graded = Attempt(submitted_at=now)
    assert not quizzes.may_review_answers(graded, closing, now)
    assert quizzes.may_review_answers(graded, closing, now + timedelta(hours=2))
    assert not quizzes.may_review_answers(Attempt(submitted_at=None), closing, now + timedelta(hours=2))
    answers = type(quiz)(**{**quiz.__dict__, "review": Review.ANSWERS})
    assert quizzes.may_review_answers(graded, answers, now)
    score = type(quiz)(**{**quiz.__dict__, "review": Review.SCORE})
    assert not quizzes.may_review_answers(graded, score, now + timedelta(days=999))


def test_availability_window_refuses_a_start_outside_it(synced: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    from academy.content.quizzes import exam as exam_quiz

    sources = load_sources(FIXTURES / "quiz")
    quiz = exam_quiz(sources.exams["cert-sample"])
    now = utcnow()
    later = type(quiz)(**{**quiz.__dict__, "opens_at": now + timedelta(days=1)})
    user = make_user()
    with synced.app_context():
        learner = db.session.get(User, user.id)
        assert learner is not None
        with pytest.raises(quizzes.NotOpen):
            quizzes.start_or_resume(learner, later, sources, now=now)
        closing = type(quiz)(**{**quiz.__dict__, "closes_at": now + timedelta(minutes=5)})
        attempt = quizzes.start_or_resume(learner, closing, sources, now=now)
        assert attempt.deadline == now + timedelta(minutes=5)  # the window ends before the time limit


def test_someone_elses_attempt_is_404_and_hr_outside_scope_too(synced: Flask, client: FlaskClient, learner: User, make_user, make_unit) -> None:  # type: ignore[no-untyped-def]
    attempt_id = start(client, EXAM)
    q, order = paper(synced, attempt_id)[0]
    stranger = synced.test_client()
    log_in(stranger, make_user())
    assert stranger.get(f"/attempts/{attempt_id}").status_code == 404
    assert stranger.post(f"/attempts/{attempt_id}/answers/{q.id}", data=right_fields(q, order)).status_code == 404
    assert stranger.post(f"/attempts/{attempt_id}/submit").status_code == 404
    assert stranger.post(f"/attempts/{attempt_id}", data={"action": "submit"}).status_code == 404
    hr = synced.test_client()
    log_in(hr, make_user(roles=(Role.HR,), scope=make_unit("别的公司")))
    assert hr.get(f"/attempts/{attempt_id}").status_code == 404
    admin = synced.test_client()
    log_in(admin, make_user(roles=(Role.ADMIN,)))
    assert admin.get(f"/attempts/{attempt_id}").status_code == 200
    assert admin.post(f"/attempts/{attempt_id}/submit").status_code == 404  # viewing is not answering


def test_unknown_quiz_is_404_and_anonymous_is_sent_to_login(synced: Flask, client: FlaskClient) -> None:
    assert client.get(EXAM).status_code == 302
    log_in(client, User(id=0))  # type: ignore[call-arg]
    anon = synced.test_client()
    assert anon.post(EXAM).status_code in (302, 401)


def test_unknown_quiz_is_404(synced: Flask, client: FlaskClient, learner: User) -> None:
    assert client.get("/quiz/exam/nope").status_code == 404
    assert client.get("/quiz/check/sample-course/nope").status_code == 404
    assert client.get("/quiz/final/second-course").status_code == 404
    assert client.post("/quiz/exam/nope").status_code == 404


def test_final_exam_completes_the_course_and_credits_hours(synced: Flask, client: FlaskClient, learner: User) -> None:
    client.post("/courses/sample-course/what-is-quality/done")
    client.post("/courses/sample-course/pdca/done")
    with synced.app_context():
        assert db.session.execute(select(TrainingCredit)).scalar_one_or_none() is None
    attempt_id = start(client, FINAL)
    answer_all(client, synced, attempt_id)
    client.post(f"/attempts/{attempt_id}/submit")
    with synced.app_context():
        credit = db.session.execute(select(TrainingCredit)).scalar_one()
        assert credit.hours == 2


def test_regrade_after_a_key_correction_is_audited_and_for_authors_only(synced: Flask, client: FlaskClient, learner: User, make_user, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    attempt_id = start(client, EXAM)
    answer_all(client, synced, attempt_id)
    client.post(f"/attempts/{attempt_id}/submit")
    assert client.post("/quiz-admin/regrade/exam/cert-sample").status_code == 403
    quiz_root = tmp_path / "quiz"
    shutil.copytree(FIXTURES / "quiz", quiz_root)
    bank = quiz_root / "sample-course.md"
    bank.write_text(bank.read_text(encoding="utf-8").replace("- [ ] 价格\n- [x] 一组固有特性", "- [x] 价格\n- [ ] 一组固有特性")
                    .replace("answer: 错", "answer: 对").replace("answer: 计划 | 策划 | Plan", "answer: 实施")
                    .replace("answer: 1.33", "answer: 2.5").replace("compute: (10.6 - 9.4) / (6 * 0.15)", "compute: 2.5"),
                    encoding="utf-8")
    synced.config["QUIZ_ROOT"] = quiz_root
    publish(synced)  # the corrected keys reach the server the way every bank edit does
    author = synced.test_client()
    log_in(author, make_user(roles=(Role.AUTHOR,)))
    assert author.post("/quiz-admin/regrade/exam/cert-sample").status_code == 303
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        assert attempt.regraded_at is not None  # 4 of the 7 keys changed: any 4-question paper has one
        assert attempt.score is not None
        assert attempt.max_score is not None
        assert attempt.score < attempt.max_score
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "quiz_regrade")).scalar_one()
        assert entry.detail["quiz"] == "exam/cert-sample"


def test_saving_an_answer_needs_the_csrf_token(make_user) -> None:  # type: ignore[no-untyped-def]
    from academy.content.library import load_library
    from academy.learning.services import content_sync

    from .conftest import make_app

    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        content_sync.sync(load_library(app.config["COURSES_ROOT"], app.config["QUIZ_ROOT"]))
        user = User(employee_no="E1", name="张三明", password_hash="")
        db.session.add(user)
        db.session.commit()
        client = app.test_client()
        log_in(client, user)
    assert client.post(EXAM).status_code == 400  # no token: refused
    page = client.get(EXAM).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    started = client.post(EXAM, data={"csrf_token": token.group(1)})
    assert started.status_code == 303
    attempt_id = int(started.location.rsplit("/", 1)[1])
    q, order = paper(app, attempt_id)[0]
    assert client.post(f"/attempts/{attempt_id}/answers/{q.id}", data=right_fields(q, order)).status_code == 400
    saved = client.post(f"/attempts/{attempt_id}/answers/{q.id}", data=right_fields(q, order),
                        headers={"X-CSRFToken": token.group(1)})
    assert saved.status_code == 200
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_every_real_exam_and_final_exam_can_be_drawn_and_shown(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    """The shipped quiz/ and courses/: every paper draws, renders and grades with nothing answered."""
    import random

    from academy.config import ROOT
    from academy.content.library import load_library
    from academy.content.quizzes import draw, exam, final_exam, lesson_check
    from academy.grading import grade

    library = load_library(ROOT / "courses", ROOT / "quiz")
    quizzes_to_try = [exam(e) for e in library.exams.values()]
    for course in library.courses:
        if course.final_exam and course.bank:
            quizzes_to_try.append(final_exam(course.slug, course.title, course.title_en, course.bank,
                                             course.final_exam.__dict__))
        if course.lesson_check and course.bank:
            quizzes_to_try += [lesson_check(course.slug, x.slug, x.title, course.bank, course.lesson_check.questions)
                               for x in course.lessons]
    assert len(quizzes_to_try) > 20
    with app.test_request_context():
        from flask import render_template_string
        for quiz in quizzes_to_try:
            items = draw(quiz, library.banks, random.Random(1))  # noqa: S311 - a reproducible paper, not a secret
            assert len(items) == sum(r.count for r in quiz.draw), quiz.key
            assert grade([i.question for i in items], {}).score == 0
            html = render_template_string(
                '{% from "quizzes/_question.html" import question with context %}'
                "{% for i in items %}{{ question(i.question, i.order, none, loop.index) }}{% endfor %}",
                items=items, type_name=str)
            assert html.count("<fieldset") == len(items)
            assert not any(i.question.explanation in html for i in items)


def test_plain_form_without_javascript_saves_every_answer_and_submits(synced: Flask, client: FlaskClient, learner: User) -> None:
    attempt_id = start(client, EXAM)
    fields: dict[str, Any] = {"action": "save"}
    for q, order in paper(synced, attempt_id):
        fields.update(right_fields(q, order))
    saved = client.post(f"/attempts/{attempt_id}", data=fields, follow_redirects=True)
    assert "你的答案已保存" in saved.get_data(as_text=True)
    fields["action"] = "submit"
    assert client.post(f"/attempts/{attempt_id}", data=fields).status_code == 303
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        assert attempt.score == attempt.max_score


def test_a_submit_racing_another_grades_once(synced: Flask, client: FlaskClient, learner: User) -> None:
    attempt_id = start(client, EXAM)
    answer_all(client, synced, attempt_id)
    with synced.app_context():
        stale = db.session.get(Attempt, attempt_id)  # loaded before the other request graded it
        assert stale is not None
        assert stale.is_open
        with synced.app_context():  # the other request, in its own session
            other = db.session.get(Attempt, attempt_id)
            assert other is not None
            quizzes.submit(other, now=utcnow())
            first = (other.submitted_at, other.score)
        quizzes.submit(stale, now=utcnow() + timedelta(seconds=5))
        assert (stale.submitted_at, stale.score) == first
        from academy.models import Certificate
        assert len(db.session.execute(select(Certificate)).scalars().all()) == 1


def test_saving_faster_than_the_limit_is_refused_with_a_message_and_keeps_the_last_saved_answer(
        synced: Flask, client: FlaskClient, learner: User, make_user) -> None:  # type: ignore[no-untyped-def]
    synced.config["LIVE_RATE_LIMITS"] = {**synced.config["LIVE_RATE_LIMITS"], "quiz_save": (3, 60)}
    attempt_id = start(client, CHECK)
    q, order = paper(synced, attempt_id)[0]
    url = f"/attempts/{attempt_id}/answers/{q.id}"
    for _ in range(3):
        assert client.post(url, data=right_fields(q, order)).status_code == 200
    refused = client.post(url, data={})  # would clear the answer, were it accepted
    assert refused.status_code == 429
    body = refused.get_json()
    assert body["saved"] is False
    assert body["retry"] is True
    assert body["error"] == "操作太频繁：请稍等几秒再试。"
    with synced.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        assert attempt.answer_map()[q.id] is not None  # the refused request changed nothing
    # another learner's paper has its own count
    other_client = synced.test_client()
    log_in(other_client, make_user(name="李四", employee_no="20245678"))
    other = start(other_client, CHECK)
    q2, order2 = paper(synced, other)[0]
    assert other_client.post(f"/attempts/{other}/answers/{q2.id}", data=right_fields(q2, order2)).status_code == 200


def test_starting_papers_faster_than_the_limit_is_refused_with_a_message(synced: Flask, client: FlaskClient,
                                                                         learner: User) -> None:
    synced.config["LIVE_RATE_LIMITS"] = {**synced.config["LIVE_RATE_LIMITS"], "quiz_start": (2, 60)}
    start(client, CHECK)
    start(client, CHECK)  # resumes the open attempt: still counted
    refused = client.post(CHECK, follow_redirects=True)
    assert refused.status_code == 200
    assert "操作太频繁：请稍等几秒再试。" in refused.get_data(as_text=True)
