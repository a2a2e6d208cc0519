"""The report's status tables follow every change in the same transaction, and equal a rebuild."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.database import db
from academy.learning.services import progress
from academy.models import AuditLog, LearnerCourseStatus, LearnerStatus, OrgUnit, TargetKind, User
from academy.people.services import accounts, assignments, people_import, reports

from .conftest import log_in
from .support.db import fetch
from .support.quiz import FINAL, answer_all, start
from .support.status import _course, _user, assert_same_as_rebuild, items, snapshot

DUE = date(2026, 12, 31)
TODAY = date(2026, 11, 25)
YEAR = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))








def summary(number: str) -> tuple[Any, ...] | None:
    row = db.session.execute(select(LearnerStatus).join(User, User.id == LearnerStatus.user_id)
                             .where(User.employee_no == number)).scalar_one_or_none()
    return None if row is None else (row.unit_id, row.active, row.items, row.started, row.completed, row.next_due)






@pytest.fixture
def tree(synced: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> dict[str, OrgUnit]:
    units = make_tree("华东公司/质量部", "西南公司")
    group, east, quality, west = units["group"], units["华东公司"], units["质量部"], units["西南公司"]
    make_user("Q1", unit=quality)
    make_user("Q2", unit=quality)
    make_user("W1", unit=west)
    return {"group": group, "east": east, "quality": quality, "west": west}


def _assign_east(courses: tuple[str, ...] = ("sample-course", "second-course")) -> None:
    east = db.session.execute(select(OrgUnit).where(OrgUnit.name == "华东公司")).scalar_one()
    assignments.create_assignment(title="east", courses=[_course(c) for c in courses], target_kind=TargetKind.UNIT,
                                  unit=east, due_on=DUE)


def test_a_new_assignment_brings_what_people_already_did(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        lesson = _course("second-course").live_lessons[0]
        progress.complete_lesson(_user("Q1"), lesson)  # before the assignment exists
        _assign_east()
        assert items("Q1") == {"sample-course": (tree["quality"].id, True, False, False, None),
                               "second-course": (tree["quality"].id, True, True, True, None)}
        assert summary("Q1") == (tree["quality"].id, True, 2, 1, 1, DUE)
        assert items("W1") == {}
        assert summary("W1") is None
        assert_same_as_rebuild()


def test_opening_and_finishing_lessons_start_and_complete_the_item(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        _assign_east(("second-course",))
        lesson = _course("second-course").live_lessons[0]
        progress.open_lesson(_user("Q2"), lesson)
        assert items("Q2")["second-course"][2:4] == (True, False)
        assert summary("Q2") == (tree["quality"].id, True, 1, 1, 0, DUE)
        progress.complete_lesson(_user("Q2"), lesson)
        assert items("Q2")["second-course"][2:4] == (True, True)
        assert summary("Q2") == (tree["quality"].id, True, 1, 1, 1, None)  # nothing left to be late with
        assert_same_as_rebuild()


def test_a_final_exam_records_its_best_score_and_completes_the_course(synced: Flask, tree: dict[str, OrgUnit],
                                                                      client: FlaskClient) -> None:
    with synced.app_context():
        _assign_east(("sample-course",))
        learner = _user("Q1")
    log_in(client, learner)
    for lesson in ("what-is-quality", "pdca"):
        client.post(f"/courses/sample-course/{lesson}/done")
    with synced.app_context():
        assert items("Q1")["sample-course"][3:] == (False, None)  # lessons done, final exam not yet
    failed = start(client, FINAL)
    client.post(f"/attempts/{failed}/submit")  # nothing answered: 0 %
    with synced.app_context():
        assert items("Q1")["sample-course"][3:] == (False, 0.0)
    passed = start(client, FINAL)
    answer_all(client, synced, passed)
    client.post(f"/attempts/{passed}/submit")
    with synced.app_context():
        assert items("Q1")["sample-course"][3:] == (True, 100.0)
        rows = reports.completion_by_unit(fetch(OrgUnit, tree["quality"].id), today=TODAY,
                                          year_start=YEAR[0], year_end=YEAR[1])
        assert (rows[0].assigned, rows[0].completed, rows[0].exam_score) == (2, 1, 100.0)  # Q2 took no exam: not in the mean
        assert_same_as_rebuild()


def test_a_moved_person_counts_in_the_new_unit_or_loses_the_assignment(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        _assign_east(("second-course",))
        progress.open_lesson(_user("Q1"), _course("second-course").live_lessons[0])
        q1 = _user("Q1")
        q1.org_unit_id = tree["east"].id
        db.session.flush()
        assignments.refresh_user(q1)
        db.session.commit()
        assert items("Q1") == {"second-course": (tree["east"].id, True, True, False, None)}
        q1.org_unit_id = tree["west"].id
        db.session.flush()
        assignments.refresh_user(q1)
        db.session.commit()
        assert items("Q1") == {}
        assert summary("Q1") is None
        assert_same_as_rebuild()


def test_a_deactivated_person_leaves_the_report_and_keeps_the_rows(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        _assign_east(("second-course",))
        accounts.set_active(_user("Q1"), False)
        assert items("Q1")["second-course"][:2] == (tree["quality"].id, False)
        assert summary("Q1") == (tree["quality"].id, False, 1, 0, 0, DUE)
        east = fetch(OrgUnit, tree["east"].id)
        rows = reports.completion_by_unit(east, today=TODAY, year_start=YEAR[0],
                                          year_end=YEAR[1])
        assert rows[0].assigned == 1  # Q2 only
        assert_same_as_rebuild()


def test_people_import_moves_hires_and_deactivates(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        _assign_east(("second-course",))
        data = ("工号,姓名,组织路径,状态\nQ1,张三明,集团/华东公司,在职\nQ2,张三明,集团/华东公司/质量部,离职\n"
                "N1,新人,集团/华东公司/质量部,在职\n").encode()
        report = people_import.import_people(data, "people.csv")
        assert report.applied, report.summary()
        assert items("Q1")["second-course"][:2] == (tree["east"].id, True)
        assert items("Q2")["second-course"][:2] == (tree["quality"].id, False)
        assert items("N1")["second-course"][:2] == (tree["quality"].id, True)
        assert_same_as_rebuild()


def test_a_new_hire_gets_the_units_items(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        _assign_east()
        accounts.create_user("N2", "新人", org_unit=db.session.get(OrgUnit, tree["quality"].id))
        assert set(items("N2")) == {"sample-course", "second-course"}
        assert summary("N2") == (tree["quality"].id, True, 2, 0, 0, DUE)
        assert_same_as_rebuild()


def test_item_filters_and_the_summary_give_the_same_figures(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        _assign_east()
        progress.complete_lesson(_user("Q1"), _course("second-course").live_lessons[0])
        progress.open_lesson(_user("Q2"), _course("sample-course").live_lessons[0])
        group = fetch(OrgUnit, tree["group"].id)

        def figures(filters: reports.Filters) -> list[tuple[Any, ...]]:
            rows = reports.completion_by_unit(group, today=date(2027, 1, 5), year_start=YEAR[0],
                                              year_end=YEAR[1], filters=filters)
            return [(r.unit_id, r.headcount, r.assigned, r.started, r.completed, r.overdue) for r in rows]

        everything = reports.Filters(due_from=date(2000, 1, 1))
        assert everything.narrows_items
        assert figures(reports.Filters()) == figures(everything)
        assert figures(reports.Filters())[0] == (tree["group"].id, 3, 2, 2, 0, 2)


def test_rebuild_command_recomputes_and_is_audited(synced: Flask, tree: dict[str, OrgUnit]) -> None:
    with synced.app_context():
        _assign_east()
        kept = snapshot()
        db.session.execute(LearnerCourseStatus.__table__.delete())
        db.session.execute(LearnerStatus.__table__.delete())
        db.session.commit()
    result = synced.test_cli_runner().invoke(args=["reports", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "4 assigned items" in result.output
    with synced.app_context():
        assert snapshot() == kept
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "report_status_rebuilt")).scalar_one()
        assert entry.detail == {"items": 4, "learners": 2}
