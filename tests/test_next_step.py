"""One next action per course: catalog card, course page, 我的学习 and /resume agree."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from academy.database import db
from academy.models import Attempt

from .conftest import log_in


def _attempt(app: Flask, user_id: int, number: int, *, passed: bool) -> None:
    with app.app_context():
        db.session.add(Attempt(user_id=user_id, quiz_key="final/sample-course", number=number, paper=[],
                               passed=passed, score=3 if passed else 1, max_score=3,
                               submitted_at=datetime.now(UTC)))
        db.session.commit()


def _read_every_lesson(client) -> None:  # type: ignore[no-untyped-def]
    for lesson in ("what-is-quality", "pdca"):
        client.get(f"/courses/sample-course/{lesson}")
        client.post(f"/courses/sample-course/{lesson}/done")


def test_a_new_learner_is_sent_to_the_first_lesson(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    assert client.get("/courses/sample-course/resume").location == "/courses/sample-course/what-is-quality"
    page = client.get("/courses/sample-course").get_data(as_text=True)
    assert "开始学习" in page
    assert "开始学习 →" in client.get("/courses").get_data(as_text=True)


def test_after_the_last_lesson_every_page_leads_to_the_final_exam(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    client.get("/courses/sample-course/what-is-quality")
    assert "继续学习：什么是质量 →" in client.get("/me").get_data(as_text=True)
    _read_every_lesson(client)
    assert client.get("/courses/sample-course/resume").location == "/quiz/final/sample-course"
    course = client.get("/courses/sample-course").get_data(as_text=True)
    assert 'href="/quiz/final/sample-course">参加结业考试</a>' in course
    assert "所有课时已学完，通过结业考试后课程即告完成。" in course
    assert "参加结业考试 →" in client.get("/courses").get_data(as_text=True)
    assert "参加结业考试 →" in client.get("/me").get_data(as_text=True)


def test_a_failed_final_offers_a_retake_with_the_attempts_left(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    log_in(client, user)
    _read_every_lesson(client)
    _attempt(synced, user.id, 1, passed=False)
    course = client.get("/courses/sample-course").get_data(as_text=True)
    assert "再考一次（还剩 1 次）" in course
    assert "已考 1 次。" in course
    assert "目前最高得分 33%。" in course
    assert "再考一次（还剩 1 次） →" in client.get("/me").get_data(as_text=True)
    _attempt(synced, user.id, 2, passed=False)
    assert "考试次数已用完，查看成绩" in client.get("/courses/sample-course").get_data(as_text=True)


def test_a_passed_final_completes_the_course_and_resume_shows_it(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    log_in(client, user)
    client.get("/courses/sample-course/what-is-quality")
    client.post("/courses/sample-course/what-is-quality/done")
    _attempt(synced, user.id, 1, passed=True)
    client.post("/courses/sample-course/pdca/done")
    assert client.get("/courses/sample-course/resume").location == "/courses/sample-course"
    course = client.get("/courses/sample-course").get_data(as_text=True)
    assert "已计入 2 学时。" in course
    assert "复习课程" in course


def test_prerequisites_are_shown_by_title(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    with synced.app_context():
        from sqlalchemy import select

        from academy.models import Course
        second = db.session.execute(select(Course).where(Course.slug != "sample-course")).scalars().first()
        assert second is not None
        first = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()
        second.meta = {**(second.meta or {}), "prerequisites": ["sample-course", "no-such-course"]}
        db.session.commit()
        slug, title = second.slug, first.title
    page = client.get(f"/courses/{slug}").get_data(as_text=True)
    assert f'<a href="/courses/sample-course">{title}</a>' in page
    assert "no-such-course" not in page
