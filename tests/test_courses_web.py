"""The learner's path: catalog, course page, reading, finishing, dashboard."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import select

from academy.database import db
from academy.learning.services import progress
from academy.models import Enrollment, Lesson, LessonProgress, TrainingCredit, User

from .conftest import log_in, passed_final_exam


def test_catalog_groups_courses_by_tier_with_progress(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    page = client.get("/courses").get_data(as_text=True)
    page = page[page.index('<section class="tier"'):]  # after the filter form, which names every tier
    assert page.index("全员通识") < page.index("示例课程") < page.index("专业人员") < page.index("第二门课程")
    assert "未开始" in page
    assert 'aria-valuenow="0"' in page


def test_opening_a_lesson_enrols_and_marking_done_completes_the_course(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    log_in(client, user)
    passed_final_exam(synced, user)
    first = client.get("/courses/sample-course/what-is-quality")
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "<table>" in html
    assert 'href="/courses/sample-course/pdca"' in html
    assert 'rel="next"' in html
    assert "toc" in html
    with synced.app_context():
        assert db.session.execute(select(Enrollment)).scalar_one().user_id == user.id
    done = client.post("/courses/sample-course/what-is-quality/done")
    assert done.status_code == 303
    assert done.location == "/quiz/check/sample-course/what-is-quality"  # its check, never tried, is offered first
    assert "50%" in client.get("/courses").get_data(as_text=True)
    last = client.post("/courses/sample-course/pdca/done", follow_redirects=True)
    assert "课程已完成，已计入 2 学时。" in last.get_data(as_text=True)
    with synced.app_context():
        credit = db.session.execute(select(TrainingCredit)).scalar_one()
        assert credit.hours == 2
    board = client.get("/me").get_data(as_text=True)
    assert "本年度学时" in board
    assert ">2<" in board


def test_marking_done_twice_credits_hours_once(synced: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    passed_final_exam(synced, user)
    with synced.app_context():
        learner = db.session.get(User, user.id)
        lessons = db.session.execute(select(Lesson).where(Lesson.slug.in_(["what-is-quality", "pdca"]))).scalars().all()
        results = [progress.complete_lesson(learner, lesson) for lesson in lessons for _ in range(2)]  # type: ignore[arg-type]
        assert results.count(True) == 1
        assert len(db.session.execute(select(TrainingCredit)).scalars().all()) == 1


def test_resume_goes_to_the_first_unfinished_lesson(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    assert client.get("/courses/sample-course/resume").location == "/courses/sample-course/what-is-quality"
    client.post("/courses/sample-course/what-is-quality/done")
    assert client.get("/courses/sample-course/resume").location == "/courses/sample-course/pdca"
    page = client.get("/courses/sample-course").get_data(as_text=True)
    assert "继续学习：PDCA循环" in page
    assert "✓" in page


def test_unknown_course_or_lesson_is_the_404_page(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    for path in ("/courses/nope", "/courses/sample-course/nope", "/courses/nope/pdca"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "页面不存在" in response.get_data(as_text=True)
    assert client.post("/courses/sample-course/nope/done").status_code == 404


def test_learning_pages_refuse_anonymous_visitors(synced: Flask, client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/courses/sample-course/pdca", "/courses/sample-course/resume"):
        assert client.get(path).status_code == 302
    assert client.post("/courses/sample-course/pdca/done").status_code == 302


def test_hours_this_year_count_only_this_year(synced: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    with synced.app_context():
        learner = db.session.get(User, user.id)
        assert learner is not None
        course_id = db.session.execute(select(Lesson.course_id)).scalars().first()
        db.session.add(TrainingCredit(user_id=learner.id, course_id=course_id, hours=3,
                                      earned_at=datetime(2025, 12, 31, 17, tzinfo=UTC)))  # 2026-01-01 01:00 in Shanghai
        db.session.commit()
        assert progress.dashboard(learner, now=datetime(2026, 6, 1, tzinfo=UTC)).hours_this_year == 3
        assert progress.dashboard(learner, now=datetime(2027, 1, 2, tzinfo=UTC)).hours_this_year == 0


def test_dashboard_lists_recent_activity(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    client.get("/courses/sample-course/pdca")
    board = client.get("/me").get_data(as_text=True)
    assert "PDCA循环" in board
    assert "学习中" in board
    with synced.app_context():
        assert db.session.execute(select(LessonProgress)).scalar_one().completed_at is None


def test_catalog_page_uses_a_fixed_number_of_queries(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    log_in(client, make_user())
    client.get("/courses")
    with synced.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get("/courses")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # the person with their session and roles (one statement), content version, progress, enrolments,
    # final attempts, assignments, certificates, unread notices: the courses themselves come from the
    # cache of the published content
    assert len(statements) <= 8, statements


def test_lessons_alone_do_not_complete_a_course_with_a_final_exam(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    client.post("/courses/sample-course/what-is-quality/done")
    last = client.post("/courses/sample-course/pdca/done", follow_redirects=True)
    assert "课程已完成" not in last.get_data(as_text=True)
    with synced.app_context():
        assert db.session.execute(select(TrainingCredit)).scalar_one_or_none() is None
