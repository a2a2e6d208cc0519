"""flask content check|sync|stats|coverage, flask users create-admin, flask seed demo."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from academy.database import db
from academy.models import Course, OrgUnit, QuizSource, Role, User

from .conftest import make_app


def test_content_check_passes_on_good_content(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "2 courses, 1 banks, 1 exams, 0 problems" in result.output


def test_content_check_prints_path_line_and_fails(content_copy: Path) -> None:
    (content_copy / "courses/all-staff/sample-course/course.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    app = make_app(COURSES_ROOT=content_copy / "courses", QUIZ_ROOT=content_copy / "quiz")
    result = app.test_cli_runner().invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "courses/all-staff/sample-course/course.md:1: missing 'tier'" in result.output


def test_content_sync_stats_and_coverage(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0
    assert "created 7" in result.output  # two courses, three lessons, the bank and the exam
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Course)).scalar_one() == 2
        assert db.session.execute(select(QuizSource.path).order_by(QuizSource.path)).scalars().all() == [
            "quiz/exams/cert-sample.md", "quiz/sample-course.md"]
    stats = json.loads(runner.invoke(args=["content", "stats", "--json"]).output)
    assert [(row["slug"], row["tier"], len(row["lessons"]), row["questions"]) for row in stats] == [
        ("sample-course", "all-staff", 2, 7), ("second-course", "practitioner", 1, 0)]
    coverage = runner.invoke(args=["content", "coverage"]).output.splitlines()
    assert coverage[0] == "一   sample-course"
    assert "十七  -- not covered --" in coverage


def test_create_admin(app: Flask) -> None:
    runner = app.test_cli_runner()
    args = ["users", "create-admin", "--employee-no", "A9", "--name", "管理员", "--password", "long-enough-pass"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.execute(select(User).where(User.employee_no == "A9")).scalar_one()
        assert user.has_role(Role.ADMIN)
    assert runner.invoke(args=args).exit_code != 0  # the number is taken
    short = runner.invoke(args=["users", "create-admin", "--employee-no", "A10", "--name", "x", "--password", "short"])
    assert short.exit_code != 0
    assert "at least 10 characters" in short.output
    common = runner.invoke(args=["users", "create-admin", "--employee-no", "A11", "--name", "x", "--password", "password123"])
    assert common.exit_code != 0
    assert "refused (common)" in common.output


def test_seed_demo_is_deterministic_and_runs_once(app: Flask) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["content", "sync"])
    result = runner.invoke(args=["seed", "demo", "--employees", "24"])
    assert result.exit_code == 0, result.output
    assert "A0001" in result.output
    assert "QsDemo-2026" in result.output
    assert "admin A0001 · author Z0001 · host C0001 · hr H1001 · hr H2001 · hr H3001 · learner 100001–100024" in result.output
    with app.app_context():
        names = [u.name for u in db.session.execute(select(User).order_by(User.id)).scalars()]
        assert len(names) == 3 + 3 + 24
        units = db.session.execute(select(OrgUnit)).scalars().all()
        assert len(units) == 1 + 3 + 12
        hr = db.session.execute(select(User).where(User.employee_no == "H1001")).scalar_one()
        assert hr.roles[0].role == Role.HR
        assert hr.roles[0].scope_unit is not None
        assert hr.roles[0].scope_unit.name == "华东轨道交通装备公司"
    again = make_app()
    again.test_cli_runner().invoke(args=["content", "sync"])
    again.test_cli_runner().invoke(args=["seed", "demo", "--employees", "24"])
    with again.app_context():
        assert [u.name for u in db.session.execute(select(User).order_by(User.id)).scalars()] == names
    present = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert present.exit_code == 0
    assert "learner 100001–100024" in present.output  # read from the database, not retyped
    assert runner.invoke(args=["seed", "demo"]).exit_code != 0
