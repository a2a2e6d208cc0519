"""Publishing content: versions, last good versions, retirement, the status page."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from academy.content.library import load_library
from academy.database import db
from academy.learning.services import content_sync, progress
from academy.models import AuditLog, ContentProblem, Course, Lesson, LessonProgress, Role

from .conftest import log_in, make_app


def _sync(app: Flask) -> content_sync.SyncReport:
    return content_sync.sync(load_library(app.config["COURSES_ROOT"], app.config["QUIZ_ROOT"]))


def _lesson(slug: str) -> Lesson:
    return db.session.execute(select(Lesson).where(Lesson.slug == slug)).scalar_one()


def test_sync_publishes_courses_and_is_idempotent(content_copy: Path) -> None:
    app = make_app(COURSES_ROOT=content_copy / "courses", QUIZ_ROOT=content_copy / "quiz")
    with app.app_context():
        first = _sync(app)
        assert sorted(first.created) == ["quiz/exams/cert-sample.md", "quiz/sample-course.md", "sample-course",
                                         "sample-course/pdca", "sample-course/what-is-quality",
                                         "second-course", "second-course/control-charts"]
        second = _sync(app)
        assert (second.created, second.updated, second.retired, second.unchanged) == ([], [], [], 2)
        assert db.session.execute(select(AuditLog).where(AuditLog.action == "content_sync")).scalars().all()


def test_edit_changes_version_and_keeps_progress(content_copy: Path) -> None:
    app = make_app(COURSES_ROOT=content_copy / "courses", QUIZ_ROOT=content_copy / "quiz")
    with app.app_context():
        _sync(app)
    learner = _make_learner(app)
    with app.app_context():
        lesson = _lesson("pdca")
        old_version = lesson.version
        progress.complete_lesson(db.session.merge(learner), lesson)
    path = content_copy / "courses/all-staff/sample-course/02-pdca.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n新增一段。\n", encoding="utf-8")
    with app.app_context():
        report = _sync(app)
        assert report.updated == ["sample-course/pdca"]
        lesson = _lesson("pdca")
        assert lesson.version != old_version
        assert "新增一段" in lesson.source
        done = db.session.execute(select(LessonProgress).where(LessonProgress.lesson_id == lesson.id)).scalar_one()
        assert done.completed_at is not None


def test_broken_file_keeps_last_good_version_and_is_listed(content_copy: Path) -> None:
    app = make_app(COURSES_ROOT=content_copy / "courses", QUIZ_ROOT=content_copy / "quiz")
    with app.app_context():
        _sync(app)
        good = _lesson("pdca").source
    path = content_copy / "courses/all-staff/sample-course/02-pdca.md"
    path.write_text("---\ntitle: [broken\n---\n全新内容\n", encoding="utf-8")
    with app.app_context():
        report = _sync(app)
        assert report.problems == 1
        lesson = _lesson("pdca")
        assert lesson.source == good
        assert not lesson.retired
        problem = db.session.execute(select(ContentProblem)).scalar_one()
        assert problem.path.endswith("02-pdca.md")
        assert problem.line == 2
    client = app.test_client()
    author = _make_learner(app, roles=(Role.AUTHOR,))
    log_in(client, author)
    page = client.get("/admin/content").get_data(as_text=True)
    assert "02-pdca.md" in page
    assert "malformed front matter" in page
    learner_page = client.get("/courses/sample-course/pdca")
    assert learner_page.status_code == 200
    assert "四个阶段" in learner_page.get_data(as_text=True)


def test_removed_lesson_is_retired_not_deleted(content_copy: Path) -> None:
    app = make_app(COURSES_ROOT=content_copy / "courses", QUIZ_ROOT=content_copy / "quiz")
    with app.app_context():
        _sync(app)
    (content_copy / "courses/practitioner/second-course/01-control-charts.md").unlink()
    with app.app_context():
        report = _sync(app)
        assert report.retired == ["second-course/control-charts"]
        assert _lesson("control-charts").retired
    client = app.test_client()
    log_in(client, _make_learner(app))
    assert client.get("/courses/second-course/control-charts").status_code == 404
    shutil.rmtree(content_copy / "courses/practitioner/second-course")
    with app.app_context():
        _sync(app)
        assert db.session.execute(select(Course).where(Course.slug == "second-course")).scalar_one().retired
    assert client.get("/courses/second-course").status_code == 404


def test_sync_from_the_status_page_needs_author(synced: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    client = synced.test_client()
    log_in(client, make_user())
    assert client.get("/admin/content").status_code == 403
    assert client.post("/admin/content/sync").status_code == 403
    log_in(client, make_user(roles=(Role.AUTHOR,)))
    response = client.post("/admin/content/sync")
    assert response.status_code == 303
    assert "同步完成：新增 0，更新 0，下线 0，问题 0。" in client.get("/admin/content").get_data(as_text=True)


def _make_learner(app: Flask, roles: tuple[Role, ...] = ()):  # type: ignore[no-untyped-def]
    from academy.models import User, UserRole

    with app.app_context():
        count = len(db.session.execute(select(User)).scalars().all())
        user = User(employee_no=f"S{count + 1:04d}", name="李四", password_hash="")  # no password: these users never log in by form
        for role in roles:
            user.roles.append(UserRole(role=role))
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
    return user
