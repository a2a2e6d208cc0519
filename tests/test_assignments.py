"""Assignments resolve to learners; newcomers to an assigned unit get them automatically."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from academy.database import db
from academy.models import (
    Assignment,
    AssignmentTarget,
    Course,
    OrgUnit,
    TargetKind,
    User,
)
from academy.people.services import accounts, assignments


def course(slug: str) -> Course:
    return db.session.execute(select(Course).where(Course.slug == slug)).scalar_one()


def targets(assignment_id: int) -> set[str]:
    return set(db.session.execute(
        select(User.employee_no).join(AssignmentTarget, AssignmentTarget.user_id == User.id)
        .where(AssignmentTarget.assignment_id == assignment_id)).scalars())


@pytest.fixture
def tree(synced: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> dict[str, OrgUnit]:
    units = make_tree("华东公司/质量部", "西南公司")
    group, east, quality, west = units["group"], units["华东公司"], units["质量部"], units["西南公司"]
    make_user("E1", unit=east)
    make_user("Q1", unit=quality)
    make_user("W1", unit=west)
    make_user("X1", unit=quality, active=False)
    return {"group": group, "east": east, "quality": quality, "west": west}


def test_unit_assignment_with_subtree_reaches_active_people_below(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        east = db.session.get(OrgUnit, tree["east"].id)
        a = assignments.create_assignment(title="", courses=[course("sample-course"), course("second-course")],
                                          target_kind=TargetKind.UNIT, unit=east, due_on=date(2026, 12, 31))
        assert a.is_path
        assert a.title == "示例课程"
        assert targets(a.id) == {"E1", "Q1"}
        only = assignments.create_assignment(title="x", courses=[course("sample-course")], target_kind=TargetKind.UNIT,
                                             unit=east, include_subtree=False)
        assert targets(only.id) == {"E1"}


def test_position_and_named_people(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        group = db.session.get(OrgUnit, tree["group"].id)
        w1 = db.session.execute(select(User).where(User.employee_no == "W1")).scalar_one()
        w1.position = "检验员"
        db.session.commit()
        by_position = assignments.create_assignment(title="p", courses=[course("sample-course")],
                                                    target_kind=TargetKind.POSITION, unit=group, position="检验员")
        named = assignments.create_assignment(title="n", courses=[course("sample-course")],
                                              target_kind=TargetKind.PEOPLE, unit=group, people=[w1])
        assert targets(by_position.id) == {"W1"}
        assert targets(named.id) == {"W1"}


def test_new_and_moved_people_follow_the_units_assignments(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        east = db.session.get(OrgUnit, tree["east"].id)
        quality = db.session.get(OrgUnit, tree["quality"].id)
        west = db.session.get(OrgUnit, tree["west"].id)
        a = assignments.create_assignment(title="a", courses=[course("sample-course")], target_kind=TargetKind.UNIT, unit=east)
        newcomer = accounts.create_user("N1", "新人", org_unit=quality)
        assert "N1" in targets(a.id)
        newcomer.org_unit_id = west.id  # type: ignore[union-attr]
        db.session.flush()
        assignments.refresh_user(newcomer)
        db.session.commit()
        assert "N1" not in targets(a.id)


@pytest.mark.parametrize(("kwargs", "reason"), [
    ({"courses": []}, "courses"), ({"unit": None}, "unit"),
    ({"target_kind": TargetKind.POSITION}, "position"), ({"target_kind": TargetKind.PEOPLE}, "people"),
])
def test_invalid_assignments_are_refused(synced: Flask, tree: dict[str, OrgUnit], kwargs: dict[str, object], reason: str) -> None:
    with synced.app_context():
        args: dict[str, object] = {"title": "t", "courses": [course("sample-course")], "target_kind": TargetKind.UNIT,
                                   "unit": db.session.get(OrgUnit, tree["east"].id)}
        args.update(kwargs)
        with pytest.raises(assignments.AssignmentInvalid) as error:
            assignments.create_assignment(**args)  # type: ignore[arg-type]
        assert error.value.reason == reason
        assert db.session.execute(select(Assignment)).first() is None


def test_a_reactivated_account_gets_the_units_assignments(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        quality = db.session.get(OrgUnit, tree["quality"].id)
        a = assignments.create_assignment(title="a", courses=[course("sample-course")], target_kind=TargetKind.UNIT, unit=quality)
        assert targets(a.id) == {"Q1"}
        returning = db.session.execute(select(User).where(User.employee_no == "X1")).scalar_one()
        accounts.set_active(returning, True)
        assert targets(a.id) == {"Q1", "X1"}
