"""A course whose classroom part must be attended (``classroom: required`` in course.md): the lessons
alone do not complete it, signing in at a linked session does, and every place that shows the next
step sends the learner to the sessions."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.content.catalog import parse_course
from academy.content.frontmatter import ContentError
from academy.database import db, utcnow
from academy.learning.services import classroom, next_step, progress
from academy.learning.services.classroom import SessionDraft
from academy.models import ClassroomSession, Course, Enrollment, OrgUnit, Role, TrainingCredit, User

from .conftest import FIXTURES, log_in
from .support.classroom import require_classroom
from .support.db import fetch

SLUG = "second-course"  # no final exam: the classroom session is the last requirement


def _course_md(tmp_path: Path, line: str) -> tuple[str, Path]:
    folder = tmp_path / "practitioner" / SLUG
    shutil.copytree(FIXTURES / "courses" / "practitioner" / SLUG, folder)
    text = (folder / "course.md").read_text(encoding="utf-8").replace("measures: [二]\n", f"measures: [二]\n{line}\n")
    (folder / "course.md").write_text(text, encoding="utf-8")
    return text, folder


def test_course_md_says_the_classroom_part_is_required(tmp_path: Path) -> None:
    text, folder = _course_md(tmp_path, "classroom: required")
    assert parse_course(text, folder, tmp_path).classroom
    plain = (FIXTURES / "courses" / "practitioner" / SLUG / "course.md").read_text(encoding="utf-8")
    assert not parse_course(plain, folder, tmp_path).classroom


def test_any_other_value_is_refused_with_its_line(tmp_path: Path) -> None:
    text, folder = _course_md(tmp_path, "classroom: maybe")
    with pytest.raises(ContentError) as refused:
        parse_course(text, folder, tmp_path)
    assert refused.value.line == text.splitlines().index("classroom: maybe") + 1
    assert "required" in str(refused.value)


@pytest.fixture
def classroom_course(synced: Flask) -> Flask:
    """The fixture course published as if its course.md said ``classroom: required``."""
    with synced.app_context():
        require_classroom(SLUG)
    return synced


@pytest.fixture
def people(make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> dict[str, User]:
    units = make_tree("华东公司")
    unit = units["华东公司"]
    return {"hr": make_user("H1", roles=(Role.HR,), scope=unit, unit=unit), "learner": make_user("L1", unit=unit)}


def _linked_session(hr: User, course_id: int, unit_id: int) -> ClassroomSession:
    start = utcnow().replace(microsecond=0) - timedelta(minutes=10)
    return classroom.create_session(SessionDraft(
        title="控制图现场演练", unit_id=unit_id, starts_at=start, ends_at=start + timedelta(hours=2), capacity=20,
        hours=2, course_id=course_id), actor=hr)


def _read_every_lesson(user: User, course: Course) -> None:
    for lesson in course.live_lessons:
        progress.complete_lesson(user, lesson)


def test_lessons_alone_leave_the_classroom_step_and_signing_in_completes(
        classroom_course: Flask, people: dict[str, User]) -> None:
    with classroom_course.app_context():
        learner, hr = fetch(User, people["learner"].id), fetch(User, people["hr"].id)
        course = db.session.execute(select(Course).where(Course.slug == SLUG)).scalar_one()
        _read_every_lesson(learner, course)
        assert db.session.execute(select(Enrollment.completed_at).where(
            Enrollment.user_id == learner.id)).scalar_one() is None
        assert next_step.next_step(learner, course).step is next_step.Step.CLASSROOM

        session = _linked_session(hr, course.id, learner.org_unit_id or 0)
        now = utcnow()
        classroom.sign_in(session.id, learner, classroom.current_code(session, now) or "", now)
        assert db.session.execute(select(Enrollment.completed_at).where(
            Enrollment.user_id == learner.id)).scalar_one() is not None
        assert db.session.execute(select(TrainingCredit.hours).where(
            TrainingCredit.user_id == learner.id, TrainingCredit.course_id == course.id)).scalar_one() == course.hours
        assert next_step.next_step(learner, course).step is next_step.Step.DONE


def test_a_session_of_another_course_does_not_count(classroom_course: Flask, people: dict[str, User]) -> None:
    with classroom_course.app_context():
        learner, hr = fetch(User, people["learner"].id), fetch(User, people["hr"].id)
        course = db.session.execute(select(Course).where(Course.slug == SLUG)).scalar_one()
        other = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()
        _read_every_lesson(learner, course)
        session = _linked_session(hr, other.id, learner.org_unit_id or 0)
        classroom.mark_attended(session.id, learner, actor=hr, attended=True)
        assert not progress.course_requirements_met(learner, course)
        assert next_step.next_step(learner, course).step is next_step.Step.CLASSROOM


def test_attending_first_then_reading_completes_at_the_last_lesson(
        classroom_course: Flask, people: dict[str, User]) -> None:
    with classroom_course.app_context():
        learner, hr = fetch(User, people["learner"].id), fetch(User, people["hr"].id)
        course = db.session.execute(select(Course).where(Course.slug == SLUG)).scalar_one()
        session = _linked_session(hr, course.id, learner.org_unit_id or 0)
        classroom.mark_attended(session.id, learner, actor=hr, attended=True)  # by hand, audited
        assert db.session.execute(select(Enrollment.completed_at).where(
            Enrollment.user_id == learner.id)).scalar_one() is None  # lessons still to read
        _read_every_lesson(learner, course)
        assert next_step.next_step(learner, course).step is next_step.Step.DONE


def test_the_course_page_and_the_training_page_send_the_learner_to_the_sessions(
        classroom_course: Flask, client: FlaskClient, people: dict[str, User]) -> None:
    with classroom_course.app_context():
        learner, hr = fetch(User, people["learner"].id), fetch(User, people["hr"].id)
        course = db.session.execute(select(Course).where(Course.slug == SLUG)).scalar_one()
        _read_every_lesson(learner, course)
        session = _linked_session(hr, course.id, learner.org_unit_id or 0)
        classroom.mark_attended(session.id, learner, actor=hr, attended=False)  # a seat, not yet present
    log_in(client, people["learner"])
    page = client.get(f"/courses/{SLUG}").get_data(as_text=True)
    assert "参加面授课" in page
    assert f'href="/training?course={SLUG}"' in page
    assert "在本课程的任一场面授课签到后，课程即完成" in page
    assert client.get(f"/courses/{SLUG}/resume").headers["Location"].endswith(f"/training?course={SLUG}")
    mine = client.get(f"/training?course={SLUG}").get_data(as_text=True)
    assert "课程《第二门课程》需在任一场面授课签到后才算完成" in mine
    assert "本课程的面授课" in mine  # the linked session is marked
    assert "课程《" not in client.get("/training?course=no-such-course").get_data(as_text=True)


def test_the_training_page_is_refused_without_a_login(client: FlaskClient, classroom_course: Flask) -> None:
    answer = client.get(f"/training?course={SLUG}")
    assert answer.status_code in (302, 303)
    assert "/login" in answer.headers["Location"]


def test_an_assigned_course_is_done_in_the_hr_report_once_attended(
        classroom_course: Flask, people: dict[str, User]) -> None:
    from datetime import date

    from academy.models import LearnerCourseStatus, TargetKind
    from academy.people.services import assignments

    from .support.status import assert_same_as_rebuild

    with classroom_course.app_context():
        learner, hr = fetch(User, people["learner"].id), fetch(User, people["hr"].id)
        course = db.session.execute(select(Course).where(Course.slug == SLUG)).scalar_one()
        unit = db.session.get(OrgUnit, learner.org_unit_id)
        assignments.create_assignment(title="控制图必修", courses=[course], target_kind=TargetKind.UNIT, unit=unit,
                                      due_on=date(2030, 6, 30))
        _read_every_lesson(learner, course)

        def done() -> bool:
            return db.session.execute(select(LearnerCourseStatus.completed_at).where(
                LearnerCourseStatus.user_id == learner.id, LearnerCourseStatus.course_id == course.id)
            ).scalar_one() is not None

        assert not done()  # every lesson read, the classroom part still open: not done in HR's figures
        session = _linked_session(hr, course.id, learner.org_unit_id or 0)
        classroom.mark_attended(session.id, learner, actor=hr, attended=True)
        assert done()
        assert_same_as_rebuild()
