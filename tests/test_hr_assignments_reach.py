"""Assignments made above an HR user's subtree: visible read-only, with numbers of the subtree only."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from academy import access
from academy.database import db
from academy.learning.services import progress
from academy.models import Assignment, Course, OrgUnit, Role, TargetKind, User
from academy.people.services import assignment_reach, assignments

from .conftest import confirm_assignment, log_in, passed_final_exam

TODAY = date(2026, 11, 25)


@dataclass
class Org:
    group: OrgUnit
    east: OrgUnit
    quality: OrgUnit
    west: OrgUnit
    hr_east: User
    hr_west: User
    admin: User
    learner: User
    wang: User
    li: User
    zhou: User
    group_wide: int  # assignment ids
    named: int
    east_own: int
    west_own: int


def _course() -> Course:
    return db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()


@pytest.fixture
def org(synced: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> Org:
    units = make_tree("华东公司/质量部", "西南公司")
    group, east, west, quality = units["group"], units["华东公司"], units["西南公司"], units["质量部"]
    hr_east = make_user("H1", roles=(Role.HR,), scope=east, unit=east)
    hr_west = make_user("H2", roles=(Role.HR,), scope=west, unit=west)
    admin, learner = make_user("A1", roles=(Role.ADMIN,)), make_user("L1", unit=west)
    wang, li = make_user("Q1", name="王芳", unit=quality), make_user("Q2", name="李强", unit=quality)
    zhou = make_user("W1", name="周杰", unit=west)
    passed_final_exam(synced, wang)  # with every lesson below, 王芳 completes the course
    with synced.app_context():
        course = _course()

        def make(title: str, unit: OrgUnit, kind: TargetKind = TargetKind.UNIT, people: tuple[User, ...] = ()) -> int:
            return assignments.create_assignment(
                title=title, courses=[course], target_kind=kind, unit=db.session.get(OrgUnit, unit.id),
                people=[db.session.get(User, p.id) for p in people], due_on=date(2026, 6, 30)).id  # type: ignore[misc]

        ids = (make("集团全员必修", group), make("集团点名培训", group, TargetKind.PEOPLE, (li, zhou)),
               make("华东质量部培训", quality), make("西南公司培训", west))
        for lesson in course.live_lessons:
            progress.complete_lesson(db.session.get(User, wang.id), lesson)  # type: ignore[arg-type]
    return Org(group, east, quality, west, hr_east, hr_west, admin, learner, wang, li, zhou, *ids)


def _reach(app: Flask, unit: OrgUnit | None) -> dict[str, tuple[int, int, int]]:
    with app.app_context():
        paths = None if unit is None else [db.session.get(OrgUnit, unit.id).path]  # type: ignore[union-attr]
        return {r.assignment.title: (r.people, r.completed, r.overdue)
                for r in assignment_reach.reaching(paths, today=TODAY)}


def test_hr_sees_group_assignments_with_the_numbers_of_their_subtree(synced: Flask, org: Org) -> None:
    # 华东公司: H1, 王芳 (done), 李强; the group-wide assignment reaches all three
    assert _reach(synced, org.east) == {
        "集团全员必修": (3, 1, 2), "集团点名培训": (1, 0, 1), "华东质量部培训": (2, 1, 1)}
    assert _reach(synced, org.west) == {
        "集团全员必修": (3, 0, 3), "集团点名培训": (1, 0, 1), "西南公司培训": (3, 0, 3)}


def test_admins_see_every_assignment_with_every_number(synced: Flask, org: Org) -> None:
    assert _reach(synced, None)["集团全员必修"] == (6, 1, 5)  # everyone with a unit (A1 has none)


def test_the_assignments_page_marks_group_assignments_read_only(client: FlaskClient, org: Org) -> None:
    log_in(client, org.hr_east)
    page = client.get("/hr/assignments")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    rows = {m.group(1).strip(): m.group(0) for m in re.finditer(r"<tr[^>]*><td>(?:<a [^>]*>)?([^<]+).*?</tr>", text, re.S)}
    assert set(rows) == {"集团全员必修", "集团点名培训", "华东质量部培训"}  # never 西南公司's own
    assert "上级下达 · 只读" in rows["集团全员必修"]
    assert "上级下达 · 只读" in rows["集团点名培训"]
    assert "只读" not in rows["华东质量部培训"]
    numbers = re.findall(r'<td class="num">(\d+)</td>', rows["集团全员必修"])
    assert numbers == ["3", "1", "2"]


def test_editing_a_group_assignment_is_refused(synced: Flask, client: FlaskClient, org: Org) -> None:
    with synced.test_request_context():
        hr = db.session.get(User, org.hr_east.id)
        assert hr is not None
        assert access.assignment_for_hr(hr, org.east_own).id == org.east_own
        for above in (org.group_wide, org.named, org.west_own):
            with pytest.raises(NotFound):
                access.assignment_for_hr(hr, above)
        assert not access.can_edit_assignment(hr, db.session.get(Assignment, org.group_wide))  # type: ignore[arg-type]
    log_in(client, org.hr_east)
    response = confirm_assignment(client, {  # nor can a group-level one be made from here
        "title": "集团新任务", "what": "course:sample-course", "target_kind": "unit", "unit": str(org.group.id),
        "include_subtree": "y", "due_on": "2026-12-31", "mandatory": "y"})
    assert response.status_code == 422  # the group is not among the units offered
    with synced.app_context():
        assert db.session.execute(select(func.count()).select_from(Assignment)).scalar_one() == 4


def test_learners_cannot_see_the_assignments_page(client: FlaskClient, org: Org) -> None:
    log_in(client, org.learner)
    assert client.get("/hr/assignments").status_code == 403
