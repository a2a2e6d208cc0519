"""The training office's desk: landing pages, the HR home, and assignments made and changed safely."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from academy.database import db
from academy.learning.services import progress
from academy.models import Assignment, AuditLog, Course, LearnerCourseStatus, Notice, OrgUnit, Role, TargetKind, User
from academy.people.services import assignments

from .conftest import PASSWORD, confirm_assignment, log_in, passed_final_exam

LONG_AGO = date(2020, 1, 31)


@dataclass
class Desk:
    east: OrgUnit
    quality: OrgUnit
    tech: OrgUnit
    west: OrgUnit
    hr_east: User
    hr_west: User
    author: User
    done: User
    idle: User
    westerner: User


@pytest.fixture
def desk(synced: Flask, make_unit: Callable[..., OrgUnit], make_user: Callable[..., User]) -> Desk:
    group = make_unit("集团")
    east, west = make_unit("华东公司", group), make_unit("西南公司", group)
    quality, tech = make_unit("质量部", east), make_unit("技术中心", east)
    d = Desk(east, quality, tech, west,
             hr_east=make_user("H1", roles=(Role.HR,), scope=east, unit=east),
             hr_west=make_user("H2", roles=(Role.HR,), scope=west, unit=west),
             author=make_user("AU", roles=(Role.AUTHOR,)),
             done=make_user("Q1", name="王芳", unit=quality), idle=make_user("T1", name="赵敏", unit=tech),
             westerner=make_user("W1", name="周杰", unit=west))
    with synced.app_context():
        sample = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()
        assignments.create_assignment(title="华东必修", courses=[sample], target_kind=TargetKind.UNIT,
                                      unit=db.session.get(OrgUnit, east.id), due_on=LONG_AGO)
        passed_final_exam(synced, d.done)
        for lesson in sample.live_lessons:
            progress.complete_lesson(db.session.get(User, d.done.id), lesson)  # type: ignore[arg-type]
    return d


def _count(model: type) -> int:
    return int(db.session.execute(select(func.count()).select_from(model)).scalar_one())


@pytest.mark.parametrize(("who", "lands"), [("H1", "/hr"), ("AU", "/admin/content"), ("Q1", "/me")])
def test_each_role_lands_on_its_own_home(client: FlaskClient, desk: Desk, who: str, lands: str) -> None:
    response = client.post("/login", data={"identifier": who, "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == lands


def test_the_home_shows_the_scope_figures_and_the_unit_furthest_behind(client: FlaskClient, desk: Desk) -> None:
    log_in(client, desk.hr_east)
    page = client.get("/hr")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    overdue = re.search(r'data-metric="overdue">.*?hr-tile-value">(\d+)<', text, re.S)
    assert overdue
    assert overdue.group(1) == "2"
    mandatory = re.search(r'data-metric="mandatory">.*?hr-tile-value">([\d.]+)%<', text, re.S)
    assert mandatory
    assert mandatory.group(1) == "33.3"
    behind = text.split("hr-behind")[1]
    assert behind.index("技术中心") < behind.index("质量部")  # 0% before 100%
    assert "周杰" not in text
    assert "西南公司" not in text


def test_another_subsidiarys_hr_gets_404_for_the_home_of_a_unit_not_theirs(client: FlaskClient, desk: Desk) -> None:
    log_in(client, desk.hr_west)
    assert client.get(f"/hr?unit={desk.east.id}").status_code == 404
    log_in(client, desk.done)
    assert client.get("/hr").status_code == 403


def _form(desk: Desk, **extra: object) -> dict[str, object]:
    return {"what": "course:sample-course", "target_kind": "unit", "unit": desk.quality.id, "include_subtree": "y",
            "due_on": "2030-06-30", "mandatory": "y", "notify": "y", **extra}


def test_the_reach_is_shown_and_nothing_is_saved_until_confirmed(client: FlaskClient, desk: Desk, synced: Flask) -> None:
    log_in(client, desk.hr_east)
    preview = client.post("/hr/assignments", data={**_form(desk), "step": "preview"})
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert "王芳" in text
    assert "赵敏" not in text.split('id="reach"')[1]
    assert re.search(r'name="reach_seen" type="hidden" value="1"', text)
    stale = client.post("/hr/assignments", data={**_form(desk), "step": "save", "reach_seen": "7"})
    assert stale.status_code == 200  # the count changed since it was shown: shown again, not saved
    with synced.app_context():
        assert _count(Assignment) == 1
    saved = confirm_assignment(client, _form(desk, title="质量部专项"))
    assert saved.status_code == 303
    with synced.app_context():
        made = db.session.execute(select(Assignment).where(Assignment.title == "质量部专项")).scalar_one()
        assert saved.headers["Location"].endswith(f"/hr/assignments/{made.id}")
        notices = db.session.execute(select(Notice).where(Notice.kind == "assigned")).scalars().all()
        assert [(n.user_id, n.title) for n in notices] == [(desk.done.id, "新的培训任务：质量部专项")]


def test_an_untouched_form_is_refused_on_the_what_field(client: FlaskClient, desk: Desk, synced: Flask) -> None:
    log_in(client, desk.hr_east)
    response = client.post("/hr/assignments", data={"target_kind": "unit", "unit": desk.east.id, "step": "save"})
    assert response.status_code == 422
    what = response.get_data(as_text=True).split('name="what"')[1].split("</div>")[0]
    assert "请选择要指派的内容" in what
    nobody = client.post("/hr/assignments", data=_form(desk, target_kind="position", position="焊工", step="preview"))
    assert nobody.status_code == 422
    assert "没有任何人" in nobody.get_data(as_text=True).split('name="position"')[1].split("</div>")[0]
    with synced.app_context():
        assert _count(Assignment) == 1


def test_a_duplicate_is_warned_about_before_it_is_made(client: FlaskClient, desk: Desk) -> None:
    log_in(client, desk.hr_east)
    preview = client.post("/hr/assignments", data=_form(desk, unit=desk.east.id, step="preview"))
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "同一内容已指派给这里" in text
    assert "华东必修" in text


def test_the_due_date_moves_keeps_progress_tells_the_people_and_is_audited(
        client: FlaskClient, desk: Desk, synced: Flask) -> None:
    with synced.app_context():
        made = db.session.execute(select(Assignment)).scalar_one()
        done_before = _count(LearnerCourseStatus)
    log_in(client, desk.hr_east)
    assert client.get(f"/hr/assignments/{made.id}").status_code == 200
    response = client.post(f"/hr/assignments/{made.id}/due", data={"due_on": "2031-01-15"})
    assert response.status_code == 303
    with synced.app_context():
        again = db.session.get(Assignment, made.id)
        assert again is not None
        assert again.due_on == date(2031, 1, 15)
        rows = db.session.execute(select(LearnerCourseStatus)).scalars().all()
        assert len(rows) == done_before
        assert {r.due_on for r in rows} == {date(2031, 1, 15)}
        assert sum(r.completed_at is not None for r in rows) == 1  # 王芳's completion stays
        told = db.session.execute(select(Notice.user_id).where(Notice.kind == "due-changed")).scalars().all()
        assert sorted(told) == sorted([desk.done.id, desk.idle.id, desk.hr_east.id])
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "assignment_due_changed")).scalar_one()
        assert entry.actor_id == desk.hr_east.id
    log_in(client, desk.idle)
    assert "2031-01-15" in client.get("/me/notices").get_data(as_text=True)


def test_another_subsidiarys_hr_cannot_see_or_change_the_assignment(client: FlaskClient, desk: Desk, synced: Flask) -> None:
    with synced.app_context():
        made = db.session.execute(select(Assignment)).scalar_one()
    log_in(client, desk.hr_west)
    assert client.get(f"/hr/assignments/{made.id}").status_code == 404
    assert client.post(f"/hr/assignments/{made.id}/due", data={"due_on": "2031-01-15"}).status_code == 404
    log_in(client, desk.done)
    assert client.get(f"/hr/assignments/{made.id}").status_code == 403
    with synced.app_context():
        assert db.session.get(Assignment, made.id).due_on == LONG_AGO  # type: ignore[union-attr]


def test_the_summary_offers_periods_to_pick_and_refuses_another_subsidiary(client: FlaskClient, desk: Desk) -> None:
    log_in(client, desk.hr_east)
    page = client.get("/hr/summary?period=2026-Q3").get_data(as_text=True)
    assert '<select name="period">' in page
    assert '<option value="2026-Q3" selected>2026 年第 3 季度</option>' in page
    log_in(client, desk.hr_west)
    assert client.get(f"/hr/summary.pdf?unit={desk.east.id}&period=2026").status_code == 404


def test_the_training_file_lists_exams_certificates_and_hours_by_year(client: FlaskClient, desk: Desk, synced: Flask) -> None:
    with synced.app_context():
        from academy.assessment.services import certificates
        from academy.models import Attempt

        when = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
        attempt = Attempt(user_id=desk.done.id, quiz_key="exam/cert-sample", paper=[], passed=True, score=9, max_score=10,
                          submitted_at=when, certificate={"title": "示例合格证书", "tier": "all-staff", "valid_years": 2})
        db.session.add(attempt)
        db.session.flush()
        certificates.issue(attempt, "cert-sample", when)
        db.session.commit()
    log_in(client, desk.hr_east)
    page = client.get(f"/hr/people/{desk.done.id}").get_data(as_text=True)
    exams = page.split("考试记录")[1].split("</table>")[0]
    assert "示例认证考试" in exams
    assert ">90<" in exams
    assert "通过" in exams
    certs = page.split('class="table certificates"')[1].split("</table>")[0]
    assert "示例合格证书" in certs
    assert "2028-03-02" in certs  # valid two years
    assert "data-print" in page
    log_in(client, desk.hr_west)
    assert client.get(f"/hr/people/{desk.done.id}").status_code == 404


def test_the_people_of_a_unit_with_their_status_and_filters(client: FlaskClient, desk: Desk) -> None:
    log_in(client, desk.hr_east)
    page = client.get(f"/hr/report/people?unit={desk.east.id}").get_data(as_text=True)
    zhao = page.split(">赵敏</a>")[1].split("</tr>")[0]
    assert 'data-status="overdue"' in zhao
    wang = page.split(">王芳</a>")[1].split("</tr>")[0]
    assert 'data-status="done"' in wang
    overdue_only = client.get(f"/hr/report/people?unit={desk.east.id}&status=overdue").get_data(as_text=True)
    assert "赵敏" in overdue_only
    assert "王芳" not in overdue_only
    assert "王芳" in client.get(f"/hr/report/people?unit={desk.east.id}&q=王").get_data(as_text=True)
    assert client.get(f"/hr/report/people?unit={desk.east.id}&status=bogus").status_code == 400
    assert "周杰" not in page
    log_in(client, desk.hr_west)
    assert client.get(f"/hr/report/people?unit={desk.east.id}").status_code == 404


def test_the_authors_content_page_lists_banks_and_exams_with_their_statistics(client: FlaskClient, desk: Desk) -> None:
    log_in(client, desk.author)
    page = client.get("/admin/content").get_data(as_text=True)
    banks = page.split('class="table banks"')[1].split("</table>")[0]
    assert 'href="/quiz-admin/stats/final/sample-course"' in banks
    exams = page.split('class="table exams"')[1].split("</table>")[0]
    assert "示例认证考试" in exams
    assert 'href="/quiz-admin/stats/exam/cert-sample"' in exams
    assert client.get("/quiz-admin/stats/exam/cert-sample").status_code == 200
    log_in(client, desk.done)
    assert client.get("/admin/content").status_code == 403
