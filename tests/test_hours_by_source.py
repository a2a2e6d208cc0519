"""Training hours by source (online, classroom, external), per year and per tier: the same figures in
the learner's pages, the training file, the report and its exports."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from academy.database import db, utcnow
from academy.learning.services import hours
from academy.models import (
    ClassroomSession,
    Course,
    ExternalKind,
    ExternalRecord,
    ExternalState,
    OrgUnit,
    Role,
    SessionSeat,
    TrainingCredit,
    User,
)
from academy.people.services import reports

from .conftest import log_in
from .support.db import fetch

ZONE = ZoneInfo("Asia/Shanghai")
THIS_YEAR = datetime.now(ZONE).year


@dataclass
class World:
    east: OrgUnit
    learner: User
    other: User
    hr_east: User
    hr_west: User


@pytest.fixture
def world(synced: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> World:
    units = make_tree("华东公司/质量部", "西南公司")
    world = World(units["华东公司"], make_user("E1", name="李明", unit=units["质量部"]),
                  make_user("E2", name="赵强", unit=units["质量部"]),
                  make_user("HR1", roles=(Role.HR,), scope=units["华东公司"], unit=units["华东公司"]),
                  make_user("HR2", roles=(Role.HR,), scope=units["西南公司"], unit=units["西南公司"]))
    now = utcnow()
    last_year = datetime(THIS_YEAR - 1, 6, 1, tzinfo=UTC)
    with synced.app_context():
        sample = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()  # all-staff, 2 h
        second = db.session.execute(select(Course).where(Course.slug == "second-course")).scalar_one()  # practitioner
        db.session.add_all([
            TrainingCredit(user_id=world.learner.id, course_id=sample.id, hours=2, earned_at=now),
            TrainingCredit(user_id=world.learner.id, course_id=second.id, hours=4, earned_at=last_year)])
        linked = ClassroomSession(title="内审实务", unit_id=units["华东公司"].id, starts_at=now - timedelta(hours=3),
                                  ends_at=now, capacity=10, hours=3, course_id=second.id)  # practitioner by its course
        tiered = ClassroomSession(title="领导力工作坊", unit_id=units["华东公司"].id, starts_at=now - timedelta(hours=3),
                                  ends_at=now, capacity=10, hours=1.5, tier="leadership")
        db.session.add_all([linked, tiered])
        db.session.flush()
        db.session.add_all([
            SessionSeat(session_id=linked.id, user_id=world.learner.id, signed_in_at=now - timedelta(hours=2), hours=3),
            SessionSeat(session_id=tiered.id, user_id=world.learner.id, signed_in_at=now - timedelta(hours=2), hours=1.5),
            SessionSeat(session_id=tiered.id, user_id=world.other.id, hours=None)])  # registered, never came
        for state, credited in ((ExternalState.APPROVED, 24.0), (ExternalState.PENDING, None), (ExternalState.REJECTED, None)):
            db.session.add(ExternalRecord(
                user_id=world.learner.id, kind=ExternalKind.INTERNAL_AUDITOR, title="内审员", issuer="认证机构",
                number="", started_on=date(THIS_YEAR, 1, 5), ended_on=date(THIS_YEAR, 1, 9), claimed_hours=24,
                scan_file="x.pdf", scan_type="application/pdf", scan_name="x.pdf", scan_size=10, state=state,
                hours=credited, reason=""))
        db.session.commit()
    return world


def test_a_persons_hours_by_source_year_and_tier(synced: Flask, world: World) -> None:
    with synced.app_context():
        found = hours.of_person(world.learner.id, zone=ZONE)
    assert (found.total.online, found.total.classroom, found.total.external) == (6, 4.5, 24)
    this = found.year(THIS_YEAR)
    assert (this.online, this.classroom, this.external, this.total) == (2, 4.5, 24, 30.5)
    assert found.year(THIS_YEAR - 1).online == 4
    tiers = dict(found.by_tier)
    assert (tiers["practitioner"].online, tiers["practitioner"].classroom) == (4, 3)
    assert tiers["leadership"].classroom == 1.5
    assert tiers[""].external == 24  # external training has no tier
    assert [t for t, _h in found.by_tier][-1] == ""


def test_the_training_file_totals_every_source(synced: Flask, world: World) -> None:
    client = synced.test_client()
    log_in(client, world.hr_east)
    page = client.get(f"/hr/people/{world.learner.id}").get_data(as_text=True)
    summary = page.split('id="file-hours"')[1].split("</p>")[0]
    assert "34.5" in summary  # 6 online + 4.5 classroom + 24 external
    assert "线上 6，面授 4.5，外部 24" in summary
    years = page.split('id="file-hours-years"')[1].split("</table>")[0]
    assert f"<td>{THIS_YEAR}</td>" in years
    assert "30.5" in years
    assert "领导干部" in page.split('id="file-hours-tiers"')[1].split("</table>")[0]
    log_in(client, world.hr_west)
    assert client.get(f"/hr/people/{world.learner.id}").status_code == 404


def test_my_learning_and_my_training_page_show_this_years_split(synced: Flask, world: World) -> None:
    client = synced.test_client()
    log_in(client, world.learner)
    dashboard = client.get("/me").get_data(as_text=True)
    assert 'id="hours-year">30.5<' in dashboard
    assert "线上 2，面授 4.5，外部 24" in dashboard
    mine = client.get("/training").get_data(as_text=True)
    assert 'id="hours-classroom">4.5<' in mine
    assert 'id="hours-external">24<' in mine


def test_the_report_counts_classroom_and_external_hours_per_head(synced: Flask, world: World) -> None:
    with synced.app_context():
        start = datetime(THIS_YEAR, 1, 1, tzinfo=ZONE)
        rows = reports.completion_by_unit(fetch(OrgUnit, world.east.id), today=datetime.now(ZONE).date(),
                                          year_start=start, year_end=start.replace(year=THIS_YEAR + 1))
    total = rows[0]
    assert (total.online_hours, total.classroom_hours, total.external_hours, total.hours) == (2, 4.5, 24, 30.5)
    assert total.per_head("classroom") == 4.5 / total.headcount
    client = synced.test_client()
    log_in(client, world.hr_east)
    page = client.get(f"/hr/report?unit={world.east.id}").get_data(as_text=True)
    tier_table = page.split('id="report-tier-hours"')[1].split("</table>")[0]
    assert "不分层级" in tier_table
    assert "<td class=\"num\">24</td>" in tier_table
    last = client.get(f"/hr/report?unit={world.east.id}&year={THIS_YEAR - 1}").get_data(as_text=True)
    assert "<td class=\"num\">4</td>" in last.split('id="report-tier-hours"')[1].split("</table>")[0]
    assert client.get(f"/hr/report?unit={world.east.id}&year=1999").status_code == 404
    api = client.get(f"/hr/api/report?unit={world.east.id}").get_json()
    assert api["rows"][0]["hours_per_head_by_source"]["external"] == round(24 / total.headcount, 2)


def test_the_exports_carry_hours_by_source_and_by_tier(synced: Flask, world: World) -> None:
    client = synced.test_client()
    log_in(client, world.hr_east)
    sheet = load_workbook(io.BytesIO(client.get(f"/hr/report.xlsx?unit={world.east.id}").data)).active
    header = [c.value for c in sheet[1]]
    assert header[-4:] == ["人均学时", "人均线上学时", "人均面授学时", "人均外部学时"]
    first = [c.value for c in sheet[2]]
    assert first[-1] == round(24 / 3, 1)  # three active people in 华东公司's subtree
    tiers = load_workbook(io.BytesIO(client.get(f"/hr/report/hours.xlsx?unit={world.east.id}").data)).active
    rows = {r[0]: r[1:] for r in tiers.iter_rows(min_row=2, values_only=True)}
    assert rows["专业人员"] == (0, 3, 0, 3)
    assert rows["不分层级"] == (0, 0, 24, 24)
    csv = client.get(f"/hr/report/hours.csv?unit={world.east.id}").get_data(as_text=True)
    assert "领导干部" in csv
    log_in(client, world.hr_west)
    assert client.get(f"/hr/report/hours.xlsx?unit={world.east.id}").status_code == 404
    learner = synced.test_client()
    log_in(learner, world.learner)
    assert learner.get("/hr/report/hours.xlsx").status_code == 403
