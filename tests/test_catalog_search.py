"""The catalog to choose from: substring search over normalised text (SQLite and PostgreSQL),
filters by tier, status and required, badges for required, due and overdue, the tier's exam;
published content cached per content version; a repeated lesson view writes nothing."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import event, select

from academy.content.library import load_library
from academy.content.search import normalise
from academy.database import db
from academy.learning.services import content_sync
from academy.models import Course, Enrollment, OrgUnit, TargetKind, User
from academy.people.services import assignments

from .conftest import log_in
from .support.db import fetch


def _titles(page: str) -> list[str]:
    return [t for t in ("统计过程控制图基础", "第二门课程", "示例课程") if f"<h3>{t}</h3>" in page]


def _sync_with_title(app: Flask, tmp_path: Path, title: str) -> None:
    """The fixture curricula with the second course retitled, published."""
    root = tmp_path / "courses"
    shutil.copytree(app.config["COURSES_ROOT"], root)
    course_md = root / "practitioner" / "second-course" / "course.md"
    course_md.write_text(course_md.read_text(encoding="utf-8").replace("title: 第二门课程", f"title: {title}"), encoding="utf-8")
    with app.app_context():
        content_sync.sync(load_library(root, app.config["QUIZ_ROOT"]))


def test_normalise_folds_width_and_case() -> None:
    assert normalise("  ＰＤＣＡ  循环\n") == "pdca 循环"
    assert normalise("Control Chart") == "control chart"


def test_search_finds_a_word_inside_a_title(app: Flask, client, make_user, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _sync_with_title(app, tmp_path, "统计过程控制图基础")
    log_in(client, make_user())
    page = client.get("/courses?q=控制图").get_data(as_text=True)
    assert _titles(page) == ["统计过程控制图基础"]
    assert _titles(client.get("/courses?q=过程控制").get_data(as_text=True)) == ["统计过程控制图基础"]


def test_search_reads_lesson_headings_and_folds_width(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    assert _titles(client.get("/courses?q=四个阶段").get_data(as_text=True)) == ["示例课程"]  # a lesson's ## heading
    assert _titles(client.get("/courses?q=ＰＤＣＡ").get_data(as_text=True)) == ["示例课程"]  # full-width letters
    assert _titles(client.get("/courses?q=second course").get_data(as_text=True)) == ["第二门课程"]  # English title
    empty = client.get("/courses?q=100%_").get_data(as_text=True)  # LIKE wildcards are literal
    assert _titles(empty) == []
    assert "没有符合条件的课程" in empty


def test_filters_by_tier_and_status(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    assert _titles(client.get("/courses?tier=practitioner").get_data(as_text=True)) == ["第二门课程"]
    client.get("/courses/sample-course/what-is-quality")
    assert _titles(client.get("/courses?status=in_progress").get_data(as_text=True)) == ["示例课程"]
    assert _titles(client.get("/courses?status=not_started").get_data(as_text=True)) == ["第二门课程"]
    assert _titles(client.get("/courses?status=completed").get_data(as_text=True)) == []


def test_required_due_and_overdue_badges(synced: Flask, client, make_user, make_unit) -> None:  # type: ignore[no-untyped-def]
    group = make_unit("集团")
    learner = make_user(unit=group)
    with synced.app_context():
        user = fetch(User, learner.id)
        unit = fetch(OrgUnit, group.id)
        courses = {c.slug: c for c in db.session.execute(select(Course)).scalars()}
        assignments.create_assignment(title="年度必修", courses=[courses["sample-course"]], target_kind=TargetKind.PEOPLE,
                                      unit=unit, people=[user], due_on=datetime.now(ZoneInfo("Asia/Shanghai")).date() - timedelta(days=3))
        assignments.create_assignment(title="推荐", courses=[courses["second-course"]], target_kind=TargetKind.PEOPLE,
                                      unit=unit, people=[user], due_on=datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=30), mandatory=False)
    log_in(client, learner)
    page = client.get("/courses").get_data(as_text=True)
    for badge in ("必修", "逾期", "选修"):
        assert badge in page
    assert _titles(client.get("/courses?required=1").get_data(as_text=True)) == ["示例课程"]


def test_tier_certification_exam_is_shown_with_what_it_asks(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    page = client.get("/courses").get_data(as_text=True)
    for text in ("认证考试：", "示例认证考试", "尚未取得"):
        assert text in page


def test_a_sync_that_changes_content_is_seen_through_the_cache(app: Flask, client, make_user, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _sync_with_title(app, tmp_path, "旧标题课程")
    log_in(client, make_user())
    assert "旧标题课程" in client.get("/courses").get_data(as_text=True)
    _sync_with_title(app, tmp_path / "again", "新标题课程")  # as another server would: only the database changes
    page = client.get("/courses").get_data(as_text=True)
    assert "新标题课程" in page
    assert "旧标题课程" not in page


def _statements(app: Flask, client, path: str) -> list[str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


def test_a_repeated_lesson_view_writes_nothing(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    first = _statements(synced, client, "/courses/sample-course/what-is-quality")
    assert any(s.lstrip().upper().startswith("INSERT") for s in first)
    again = _statements(synced, client, "/courses/sample-course/what-is-quality")
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for s in again), again
    # the person with their session and roles (one statement), content version, lesson progress,
    # enrolment, unread notices
    assert len(again) <= 5, again
    other = _statements(synced, client, "/courses/sample-course/pdca")  # another lesson: the last one read changes
    assert any(s.lstrip().upper().startswith("UPDATE") for s in other)
    with synced.app_context():
        assert db.session.execute(select(Enrollment.last_lesson_id)).scalar_one() is not None


def test_course_page_queries_stay_few(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    client.get("/courses/sample-course")
    statements = _statements(synced, client, "/courses/sample-course")
    # the person with their session and roles (one statement), content version, progress, enrolment,
    # final attempts, unread notices
    assert len(statements) <= 6, statements

