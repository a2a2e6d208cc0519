"""One content plane: banks and exams reach learners through content sync, from the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from academy.assessment.services import quizzes
from academy.database import db
from academy.models import ContentProblem, QuizSource, Role

from .conftest import TEST_DATABASE_URL, log_in, make_app


@pytest.fixture
def app(content_copy: Path) -> Flask:
    """(Replaces conftest's app, so ``make_user`` writes here.) Serving the copy, nothing published yet."""
    return _author_app(content_copy)


def _author_app(tree: Path, **config: object) -> Flask:
    return make_app(COURSES_ROOT=tree / "courses", QUIZ_ROOT=tree / "quiz", **config)


def _stem(app: Flask, qid: str) -> str:
    with app.app_context():
        found = quizzes.sources().question(qid)
        assert found is not None
        return found.stem


def test_every_instance_serves_what_was_published_not_its_own_disk(content_copy: Path, tmp_path: Path) -> None:
    shared = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'shared.db'}"
    author_side = _author_app(content_copy, SQLALCHEMY_DATABASE_URI=shared)
    (tmp_path / "bare").mkdir()
    other = make_app(SQLALCHEMY_DATABASE_URI=shared, QUIZ_ROOT=tmp_path / "bare")  # a server with no quiz/ files
    runner = author_side.test_cli_runner()
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    with other.app_context():
        served = quizzes.sources()
        assert len(served.banks["sample-course"].questions) == 7
        assert served.exams["cert-sample"].title == "示例认证考试"
    bank = content_copy / "quiz" / "sample-course.md"
    bank.write_text(bank.read_text(encoding="utf-8").replace("质量是什么满足要求的程度？", "质量是哪种特性满足要求的程度？"),
                    encoding="utf-8")
    assert _stem(author_side, "sample-001") == "质量是什么满足要求的程度？"  # edited on disk, not yet published
    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    assert _stem(author_side, "sample-001") == _stem(other, "sample-001") == "质量是哪种特性满足要求的程度？"


def test_a_broken_bank_keeps_its_last_good_version(app: Flask, content_copy: Path, make_user) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    runner.invoke(args=["content", "sync"])
    with app.app_context():
        good_version = db.session.execute(select(QuizSource.version).where(QuizSource.name == "sample-course")).scalar_one()
    bank = content_copy / "quiz" / "sample-course.md"
    good = bank.read_text(encoding="utf-8")
    bank.write_text(good.replace("质量是什么满足要求的程度？", "改过的题干？").replace("lesson: pdca", "lesson: no-such-lesson"),
                    encoding="utf-8")
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 0
    assert "quiz/sample-course.md: not published, learners keep its last good version" in result.output
    assert _stem(app, "sample-001") == "质量是什么满足要求的程度？"
    with app.app_context():
        assert [q.id for q in quizzes.sources().banks["sample-course"].questions] == [f"sample-00{n}" for n in range(1, 8)]
        problems = db.session.execute(select(ContentProblem.path, ContentProblem.message)).all()
        assert any(path == "quiz/sample-course.md" and "no-such-lesson" in message for path, message in problems)
    author = app.test_client()
    log_in(author, make_user("AU", roles=(Role.AUTHOR,)))
    banks = author.get("/admin/content").get_data(as_text=True).split('class="table banks"')[1].split("</table>")[0]
    row = banks.split("quiz/sample-course.md")[1].split("</tr>")[0]
    assert f"<code>{good_version[:8]}</code>" in row  # the version learners still get
    held_back = sum(path == "quiz/sample-course.md" for path, _message in problems)
    assert f'class="chip overdue">{held_back}<' in row  # beside the problems that held the new one back
    bank.write_text(good.replace("质量是什么满足要求的程度？", "改过的题干？"), encoding="utf-8")
    fixed = runner.invoke(args=["content", "sync"])
    assert "not published" not in fixed.output
    assert "updated 1," in fixed.output
    assert _stem(app, "sample-001") == "改过的题干？"


def test_a_removed_exam_is_retired_and_a_new_one_published(app: Flask, content_copy: Path) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["content", "sync"])
    exams = content_copy / "quiz" / "exams"
    (exams / "cert-sample.md").rename(exams / "cert-renamed.md")
    renamed = exams / "cert-renamed.md"
    renamed.write_text(renamed.read_text(encoding="utf-8").replace("id: cert-sample", "id: cert-renamed"), encoding="utf-8")
    assert "created 1, updated 0, retired 1" in runner.invoke(args=["content", "sync"]).output
    with app.app_context():
        assert sorted(quizzes.sources().exams) == ["cert-renamed"]
        rows = db.session.execute(select(QuizSource.name, QuizSource.retired).where(QuizSource.kind == "exam")
                                  .order_by(QuizSource.name)).all()
        assert [tuple(r) for r in rows] == [("cert-renamed", False), ("cert-sample", True)]  # kept for the record


def test_an_exam_is_taken_from_the_published_version(app: Flask, content_copy: Path, make_user) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    log_in(client, make_user())
    assert client.post("/quiz/exam/cert-sample", follow_redirects=True).status_code == 404  # nothing published yet
    app.test_cli_runner().invoke(args=["content", "sync"])
    exam = content_copy / "quiz" / "exams" / "cert-sample.md"
    exam.write_text(exam.read_text(encoding="utf-8").replace("title: 示例认证考试", "title: 未发布的标题"), encoding="utf-8")
    page = client.post("/quiz/exam/cert-sample", follow_redirects=True)
    assert page.status_code == 200
    assert "示例认证考试" in page.get_data(as_text=True)
    assert "未发布的标题" not in page.get_data(as_text=True)
