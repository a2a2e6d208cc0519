"""Results a learner can act on, lesson checks that are never skipped silently, and the typed
certificate check: the pages over HTTP."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.content.catalog import parse_course
from academy.content.problems import ContentError
from academy.content.quizbank import QType, Question
from academy.database import db
from academy.grading import to_display
from academy.models import Certificate, User

from .conftest import _HASH, FIXTURES, log_in, make_app
from .support.quiz import EXAM, FINAL, answer_all, paper, right_fields, start


@pytest.fixture
def learner(synced: Flask, client: FlaskClient, make_user) -> User:  # type: ignore[no-untyped-def]
    user = make_user(name="张三明", employee_no="20241234")
    log_in(client, user)
    return user


def wrong_fields(q: Question, order: tuple[int, ...]) -> dict[str, Any]:
    """An answer to every question, none of them right."""
    name = f"q-{q.id}"
    if q.type is QType.SINGLE:
        wrong = next(i for i in range(len(q.options)) if i not in q.correct)
        return {name: str(to_display(q, wrong, order))}
    if q.type is QType.MULTIPLE:
        wrong = next(i for i in range(len(q.options)) if i not in q.correct)
        return {name: [str(to_display(q, [wrong], order)[0])]}
    if q.type is QType.TRUEFALSE:
        return {name: "false" if q.truth else "true"}
    if q.type is QType.FILL:
        return {f"{name}-{n}": "不知道" for n in range(len(q.blanks))}
    if q.type is QType.NUMERIC:
        return {name: "99999"}
    if q.type is QType.ORDERING:
        backwards = list(reversed(range(len(q.options))))
        shown = to_display(q, backwards, order)
        return {f"{name}-{k}": str(shown.index(k) + 1) for k in range(len(order))}
    shifted = [(i + 1) % len(q.matches) for i in range(len(q.options))]
    return {f"{name}-{i}": str(p) for i, p in enumerate(to_display(q, shifted, order))}


def sit(client: FlaskClient, app: Flask, url: str, *, right: bool) -> int:
    attempt_id = start(client, url)
    for q, order in paper(app, attempt_id):
        fields = right_fields(q, order) if right else wrong_fields(q, order)
        response = client.post(f"/attempts/{attempt_id}/answers/{q.id}", data=fields)
        assert response.status_code == 200, response.get_data(as_text=True)
    assert client.post(f"/attempts/{attempt_id}/submit").status_code == 303
    return attempt_id


def test_a_failed_final_marks_each_own_answer_wrong_hides_the_keys_and_offers_a_retake(synced: Flask, client: FlaskClient, learner: User) -> None:
    attempt_id = sit(client, synced, FINAL, right=False)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "未通过" in page
    assert "合格线" in page
    assert "60%" in page
    assert page.count("✗ 答错") == len(paper(synced, attempt_id))  # in words, not by colour alone
    assert "你的答案" in page
    assert 'class="key-block"' not in page
    assert 'class="explanation' not in page
    assert "通过考试或用完作答次数后才显示正确答案和解析" in page
    assert not any(q.explanation.split("。")[0] in page for q, _ in paper(synced, attempt_id))
    assert "已用 1 次，还剩 1 次" in page
    assert "再考一次（还剩 1 次）" in page
    assert 'href="/courses/sample-course"' in page
    assert "返回课程" in page


def test_the_keys_of_a_final_show_once_no_attempt_is_left(synced: Flask, client: FlaskClient, learner: User) -> None:
    first = sit(client, synced, FINAL, right=False)
    second = sit(client, synced, FINAL, right=False)
    for attempt_id in (first, second):
        page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
        assert 'class="key-block"' in page
        assert any(q.explanation.split("。")[0] in page for q, _ in paper(synced, attempt_id))
        assert "已用 2 次，还剩 0 次" in page
        assert "再考一次" not in page


def test_the_keys_of_a_final_show_once_passed(synced: Flask, client: FlaskClient, learner: User) -> None:
    failed = sit(client, synced, FINAL, right=False)
    passed = sit(client, synced, FINAL, right=True)
    page = client.get(f"/attempts/{passed}").get_data(as_text=True)
    assert "✓" in page
    assert "已通过" in page
    assert page.count("✓ 答对") == len(paper(synced, passed))
    assert 'class="key-block"' in page
    assert 'class="key-block"' in client.get(f"/attempts/{failed}").get_data(as_text=True)  # the earlier one too, now


def test_no_key_shows_beside_an_attempt_in_progress(synced: Flask, client: FlaskClient, learner: User) -> None:
    failed = sit(client, synced, FINAL, right=False)
    start(client, FINAL)  # the last attempt, open
    page = client.get(f"/attempts/{failed}").get_data(as_text=True)
    assert 'class="key-block"' not in page
    assert "继续作答" in page


def _courses_with(tmp_path: Path, review: str) -> Path:
    root = tmp_path / "courses"
    shutil.copytree(FIXTURES / "courses", root)
    course = root / "all-staff" / "sample-course" / "course.md"
    course.write_text(course.read_text(encoding="utf-8").replace("  attempts: 2\n", f"  attempts: 2\n  review: {review}\n"),
                      encoding="utf-8")
    return root


def test_course_md_may_show_the_keys_after_every_attempt(tmp_path: Path, make_user) -> None:  # type: ignore[no-untyped-def]
    from academy.content.library import load_library
    from academy.learning.services import content_sync

    app = make_app(COURSES_ROOT=_courses_with(tmp_path, "answers"))
    with app.app_context():
        content_sync.sync(load_library(app.config["COURSES_ROOT"], app.config["QUIZ_ROOT"]))
        user = User(employee_no="20249999", name="李四", password_hash=_HASH)
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
    client = app.test_client()
    log_in(client, user)
    attempt_id = sit(client, app, FINAL, right=False)
    assert 'class="key-block"' in client.get(f"/attempts/{attempt_id}").get_data(as_text=True)


def test_content_check_refuses_an_unknown_review_word(tmp_path: Path) -> None:
    root = _courses_with(tmp_path, "sometimes")
    folder = root / "all-staff" / "sample-course"
    with pytest.raises(ContentError, match=r"final_exam\.review"):
        parse_course((folder / "course.md").read_text(encoding="utf-8"), folder, root)
    fine = _courses_with(tmp_path / "ok", "score")
    folder = fine / "all-staff" / "sample-course"
    course = parse_course((folder / "course.md").read_text(encoding="utf-8"), folder, fine)
    assert course.final_exam is not None
    assert course.final_exam.review == "score"


def test_a_certification_result_links_its_certificate_and_my_certificates(synced: Flask, client: FlaskClient, learner: User) -> None:
    attempt_id = sit(client, synced, EXAM, right=True)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    with synced.app_context():
        serial = db.session.execute(select(Certificate.serial)).scalar_one()
    assert f'href="/certificates/{serial}"' in page
    assert "查看证书" in page
    assert 'href="/me/certificates"' in page


def test_a_failed_exam_with_a_cooldown_says_when_the_next_attempt_may_start(synced: Flask, client: FlaskClient, learner: User) -> None:
    attempt_id = sit(client, synced, EXAM, right=False)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "可以开始下一次作答" in page or "之后开始下一次" in page
    assert "再考一次" not in page
    assert "已用 1 次，还剩 1 次" in page


def test_another_learners_result_is_a_friendly_404(synced: Flask, client: FlaskClient, learner: User, make_user) -> None:  # type: ignore[no-untyped-def]
    attempt_id = sit(client, synced, FINAL, right=False)
    stranger = synced.test_client()
    log_in(stranger, make_user(name="王五"))
    response = stranger.get(f"/attempts/{attempt_id}")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "<html" in body
    assert "页面不存在" in body
    assert "张三明" not in body


# --- lesson checks --------------------------------------------------------------------------

def test_finishing_a_lesson_whose_check_was_never_tried_says_so_and_offers_it(synced: Flask, client: FlaskClient, learner: User) -> None:
    done = client.post("/courses/sample-course/what-is-quality/done")
    assert done.status_code == 303
    assert done.location.endswith("/quiz/check/sample-course/what-is-quality")
    page = client.get(done.location).get_data(as_text=True)
    assert "本节有课后练习，你还没有做过" in page
    assert "开始作答" in page
    assert 'href="/courses/sample-course/pdca"' in page
    assert "跳过练习，学习下一节" in page


def test_finishing_a_lesson_whose_check_was_tried_goes_on(synced: Flask, client: FlaskClient, learner: User) -> None:
    answer_all(client, synced, start(client, "/quiz/check/sample-course/what-is-quality"))
    done = client.post("/courses/sample-course/what-is-quality/done")
    assert done.location.endswith("/courses/sample-course/pdca")


def test_the_last_lessons_check_offers_the_way_back_to_the_course(synced: Flask, client: FlaskClient, learner: User) -> None:
    done = client.post("/courses/sample-course/pdca/done")
    page = client.get(done.location).get_data(as_text=True)
    assert 'href="/courses/sample-course"' in page
    assert "跳过练习，返回课程" in page


# --- the typed certificate check --------------------------------------------------------------

def _serial(app: Flask, client: FlaskClient) -> str:
    sit(client, app, EXAM, right=True)
    with app.app_context():
        return db.session.execute(select(Certificate.serial)).scalar_one()


def test_a_typed_serial_finds_the_certificate_however_it_is_typed(synced: Flask, client: FlaskClient, learner: User) -> None:
    serial = _serial(synced, client)
    anonymous = synced.test_client()
    box = anonymous.get("/verify")
    assert box.status_code == 200
    assert 'name="serial"' in box.get_data(as_text=True)
    assert "证书编号" in box.get_data(as_text=True)
    typed = " " + serial.lower().replace("-", " ") + " "
    found = anonymous.get("/verify", query_string={"serial": typed})
    assert found.status_code == 303
    assert found.location.endswith(f"/verify/{serial}")
    page = anonymous.get(found.location).get_data(as_text=True)
    assert "真实有效" in page
    assert "张*明" in page
    assert "20241234" not in page


def test_unknown_and_malformed_serials_get_one_answer_and_many_misses_pause_the_address(synced: Flask, client: FlaskClient, learner: User) -> None:
    serial = _serial(synced, client)
    anonymous = synced.test_client()
    near = "QS-" + serial[3:-1] + ("Z" if serial[-1] != "Z" else "Y")
    for typed in ("QS-AAAA-BBBB-CCCC-DDDD", "<script>x</script>", near):
        response = anonymous.get("/verify", query_string={"serial": typed}, follow_redirects=True)
        assert response.status_code == 404
        body = response.get_data(as_text=True)
        assert "查无编号为" in body
        assert 'name="serial"' in body
        assert "<script>x" not in body
    limit = synced.config["VERIFY_MAX_MISSES"]
    for n in range(limit - 3):
        assert anonymous.get(f"/verify/QS-AAAA-BBBB-CCCC-{n:04d}").status_code == 404
    paused = anonymous.get(f"/verify/{serial}")  # even a genuine number: the pause tells nothing
    assert paused.status_code == 429
    assert "分钟后再试" in paused.get_data(as_text=True)
    assert "真实有效" not in paused.get_data(as_text=True)
