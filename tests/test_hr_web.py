"""HR pages, exports and API: the numbers, and the scope (another subsidiary's data is 404)."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from academy.database import db
from academy.learning.services import progress
from academy.models import Assignment, Course, OrgUnit, Role, TargetKind, User
from academy.people.services import assignments

from .conftest import confirm_assignment, log_in, passed_final_exam

LONG_AGO = date(2020, 1, 31)


@dataclass
class World:
    group: OrgUnit
    east: OrgUnit
    quality: OrgUnit
    tech: OrgUnit
    west: OrgUnit
    hr_east: User
    hr_west: User
    admin: User
    done: User
    started: User
    idle: User
    westerner: User
    learner: User


def _course(slug: str) -> Course:
    return db.session.execute(select(Course).where(Course.slug == slug)).scalar_one()


@pytest.fixture
def world(synced: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> World:
    units = make_tree("华东公司/质量部", "华东公司/技术中心", "西南公司")
    group, east, west = units["group"], units["华东公司"], units["西南公司"]
    quality, tech = units["质量部"], units["技术中心"]
    w = World(group, east, quality, tech, west,
              hr_east=make_user("H1", roles=(Role.HR,), scope=east, unit=east),
              hr_west=make_user("H2", roles=(Role.HR,), scope=west, unit=west),
              admin=make_user("A1", roles=(Role.ADMIN,)),
              done=make_user("Q1", name="王芳", unit=quality), started=make_user("Q2", name="李强", unit=quality),
              idle=make_user("T1", name="赵敏", unit=tech), westerner=make_user("W1", name="周杰", unit=west),
              learner=make_user("L1", unit=tech))
    with synced.app_context():
        sample = _course("sample-course")
        assignments.create_assignment(title="全员", courses=[sample], target_kind=TargetKind.UNIT,
                                      unit=db.session.get(OrgUnit, group.id), due_on=LONG_AGO)
        done, started = db.session.get(User, w.done.id), db.session.get(User, w.started.id)
        passed_final_exam(synced, w.done)
        for lesson in sample.live_lessons:
            progress.complete_lesson(done, lesson)  # type: ignore[arg-type]
        progress.open_lesson(started, sample.live_lessons[0])  # type: ignore[arg-type]
    return w


def test_completion_report_counts_by_unit(client: FlaskClient, world: World) -> None:
    log_in(client, world.hr_east)
    data = client.get(f"/hr/api/report?unit={world.east.id}").get_json()
    rows = {r["name"]: r for r in data["rows"]}
    total = rows["华东公司"]
    # the HR user H1 sits in 华东公司 too: 5 people, all assigned
    assert (total["headcount"], total["assigned"], total["started"], total["completed"], total["overdue"]) == (5, 5, 2, 1, 4)
    assert rows["质量部"]["completion_rate"] == 0.5
    assert rows["质量部"]["hours_per_head"] == 1.0  # 2 hours over 2 people, this year
    assert set(rows) == {"华东公司", "质量部", "技术中心"}


def test_report_page_drills_down_and_filters(client: FlaskClient, world: World) -> None:
    log_in(client, world.admin)
    page = client.get("/hr/report").get_data(as_text=True)
    assert "集团" in page
    assert f"unit={world.east.id}" in page
    drilled = client.get(f"/hr/report?unit={world.east.id}&tier=practitioner").get_data(as_text=True)
    assert "质量部" in drilled
    assert "0.0%" in drilled
    svg = client.get(f"/hr/report/chart.svg?unit={world.east.id}")
    assert svg.mimetype == "image/svg+xml"
    assert svg.get_data(as_text=True).count('class="bar"') == 2


def test_overdue_list_and_training_file(client: FlaskClient, world: World) -> None:
    log_in(client, world.hr_east)
    page = client.get("/hr/overdue").get_data(as_text=True)
    assert "李强" in page
    assert "赵敏" in page
    assert "王芳" not in page
    assert "周杰" not in page
    assert "集团/华东公司/质量部" in page
    record = client.get(f"/hr/people/{world.done.id}").get_data(as_text=True)
    assert "王芳" in record
    assert "示例课程" in record
    assert "年 2 学时" in record  # hours as people write them, per year
    assert "2.0" not in record


def test_learner_dashboard_shows_assignments_with_overdue_marks(client: FlaskClient, world: World) -> None:
    log_in(client, world.started)
    page = client.get("/me").get_data(as_text=True)
    assert "示例课程" in page
    assert "2020-01-31" in page
    assert 'class="overdue"' in page


def test_csv_export_has_a_bom_and_chinese_headers(client: FlaskClient, world: World) -> None:
    log_in(client, world.hr_east)
    body = client.get("/hr/overdue.csv").get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["工号", "姓名", "所在单位", "课程", "截止日期", "逾期天数"]
    assert sorted(r[0] for r in rows[1:]) == ["H1", "L1", "Q2", "T1"]


def test_xlsx_export_has_frozen_header_dates_and_widths(client: FlaskClient, world: World, tmp_path: Path) -> None:
    log_in(client, world.hr_east)
    response = client.get("/hr/overdue.xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    path = tmp_path / "overdue.xlsx"
    path.write_bytes(response.get_data())
    sheet = load_workbook(path).active
    assert sheet is not None
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "工号"
    assert sheet["A1"].font.b
    assert sheet.column_dimensions["C"].width == 36
    assert sheet["E2"].value.date() == LONG_AGO
    assert sheet["E2"].number_format == "yyyy-mm-dd"


def test_libreoffice_opens_the_xlsx_export(client: FlaskClient, world: World, tmp_path: Path) -> None:
    log_in(client, world.hr_east)
    (tmp_path / "report.xlsx").write_bytes(client.get(f"/hr/report.xlsx?unit={world.east.id}").get_data())
    expected = list(csv.reader(io.StringIO(client.get(f"/hr/report.csv?unit={world.east.id}").get_data().decode("utf-8-sig"))))
    subprocess.run(["libreoffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(tmp_path / "report.xlsx")],
                   check=True, capture_output=True, timeout=120)
    converted = list(csv.reader((tmp_path / "report.csv").read_text(encoding="utf-8").splitlines()))
    assert converted[0] == expected[0]
    assert [r[:6] for r in converted[1:]] == [r[:6] for r in expected[1:]]
    assert [r[6] for r in converted[1:]] == [f"{100 * float(r[6]):.1f}%" for r in expected[1:]]


# --- scope: every route, another subsidiary's unit or person is 404 ------------------------

def _foreign_urls(w: World) -> list[str]:
    u = w.west.id
    return [f"/hr/report?unit={u}", f"/hr/report/chart.svg?unit={u}", f"/hr/report.xlsx?unit={u}",
            f"/hr/report.csv?unit={u}", f"/hr/api/report?unit={u}", f"/hr/overdue?unit={u}",
            f"/hr/overdue.xlsx?unit={u}", f"/hr/overdue.csv?unit={u}", f"/hr/people/{w.westerner.id}",
            f"/hr/report?unit={w.group.id}", f"/hr/api/report?unit={w.group.id}", "/hr/people/99999"]


def test_hr_of_one_subsidiary_gets_404_for_another(client: FlaskClient, world: World) -> None:
    log_in(client, world.hr_east)
    for url in _foreign_urls(world):
        assert client.get(url).status_code == 404, url


def test_admin_sees_every_unit_and_person(client: FlaskClient, world: World) -> None:
    log_in(client, world.admin)
    for url in _foreign_urls(world)[:-1]:
        assert client.get(url).status_code == 200, url


def test_hr_default_pages_stay_in_scope(client: FlaskClient, world: World) -> None:
    log_in(client, world.hr_west)
    data = client.get("/hr/api/report").get_json()
    assert data["unit"]["name"] == "西南公司"
    assert "周杰" in client.get("/hr/overdue").get_data(as_text=True)
    assert "李强" not in client.get("/hr/overdue.csv").get_data().decode("utf-8-sig")
    assert client.get(f"/hr/people/{world.done.id}").status_code == 404


@pytest.mark.parametrize("url", ["/hr/report", "/hr/overdue", "/hr/import", "/hr/assignments", "/hr/api/report", "/hr/report.xlsx"])
def test_learners_cannot_reach_hr_pages(client: FlaskClient, make_user: Callable[..., User], url: str) -> None:
    assert client.get(url).status_code == 302  # to the login page
    log_in(client, make_user("L9"))
    assert client.get(url).status_code == 403


def test_hr_without_a_scope_sees_nothing(client: FlaskClient, world: World, make_user: Callable[..., User]) -> None:
    log_in(client, make_user("H9", roles=(Role.HR,)))
    assert client.get("/hr/report").status_code == 404
    assert client.get(f"/hr/report?unit={world.east.id}").status_code == 404


# --- assignments and import pages ---------------------------------------------------------

def test_hr_assigns_a_learning_path_to_their_subsidiary(client: FlaskClient, world: World) -> None:
    log_in(client, world.hr_east)
    assert "华东公司/质量部" in client.get("/hr/assignments").get_data(as_text=True)
    response = confirm_assignment(client, {
        "title": "骨干路径", "what": "tier:practitioner", "target_kind": "unit", "unit": world.east.id,
        "include_subtree": "y", "due_on": "2030-06-30", "mandatory": "y"})
    assert response.status_code == 303
    page = client.get("/hr/assignments").get_data(as_text=True)
    assert "骨干路径" in page
    assert "2030-06-30" in page
    log_in(client, world.idle)
    assert "第二门课程" in client.get("/me").get_data(as_text=True)


def test_hr_cannot_assign_to_another_subsidiary(client: FlaskClient, world: World) -> None:
    log_in(client, world.hr_east)
    response = confirm_assignment(client, {
        "what": "course:sample-course", "target_kind": "unit", "unit": world.west.id, "mandatory": "y"})
    assert response.status_code == 422
    named = confirm_assignment(client, {
        "what": "course:sample-course", "target_kind": "people", "unit": world.east.id, "people": "W1"})
    assert named.status_code == 422  # refused on the people field, as an unknown number would be
    assert "W1" in named.get_data(as_text=True).split('name="people"')[1]
    log_in(client, world.hr_west)
    assert "周杰" in client.get("/hr/overdue").get_data(as_text=True)
    assert "骨干" not in client.get("/hr/assignments").get_data(as_text=True)
    assert "上级下达 · 只读" in client.get("/hr/assignments").get_data(as_text=True)  # made at group level: read-only


def test_unknown_employee_numbers_are_named_not_dropped(client: FlaskClient, world: World, synced: Flask) -> None:
    log_in(client, world.hr_east)
    response = client.post("/hr/assignments", data={
        "title": "点名学习", "what": "course:sample-course", "target_kind": "people", "unit": world.east.id,
        "people": "Q1, X404，Q2\nX405", "mandatory": "y", "step": "preview"})
    assert response.status_code == 422
    assert "在您管辖的人员中找不到：X404、X405。" in response.get_data(as_text=True)
    with synced.app_context():
        assert db.session.execute(select(Assignment).where(Assignment.title == "点名学习")).first() is None
    known = confirm_assignment(client, {
        "title": "点名学习", "what": "course:sample-course", "target_kind": "people", "unit": world.east.id,
        "people": "Q1, Q2", "mandatory": "y"})
    assert known.status_code == 303


def test_import_page_previews_then_applies(client: FlaskClient, world: World, synced: Flask, tmp_path: Path) -> None:
    log_in(client, world.hr_east)
    data = "工号,姓名,组织路径,岗位,邮箱,手机,状态\r\nQ3,孙丽,集团/华东公司/质量部/检验班,检验员,,,在职\r\nQ2,李强,集团/华东公司/质量部,,,,离职\r\n"
    preview = client.post("/hr/import", data={"file": (io.BytesIO(data.encode("gbk")), "people.csv")},
                          content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "集团/华东公司/质量部/检验班" in page
    assert "离职（停用账号）" in page  # the action in words, not its code
    assert ">deactivate<" not in page
    with synced.app_context():
        assert db.session.execute(select(User).where(User.employee_no == "Q3")).scalar_one_or_none() is None
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    log_in(client, world.hr_west)
    assert client.post("/hr/import/apply", data={"token": token}).status_code == 404  # not the uploader's file
    log_in(client, world.hr_east)
    assert client.post("/hr/import/apply", data={"token": token}).status_code == 303
    assert client.post("/hr/import/apply", data={"token": token}).status_code == 404  # the upload is gone once applied
    with synced.app_context():
        newcomer = db.session.execute(select(User).where(User.employee_no == "Q3")).scalar_one()
        assert db.session.get(User, world.started.id).active is False  # type: ignore[union-attr]
    log_in(client, world.hr_east)
    assert newcomer.name in client.get(f"/hr/people/{newcomer.id}").get_data(as_text=True)
    assert "示例课程" in client.get(f"/hr/people/{newcomer.id}").get_data(as_text=True)  # the group assignment


def test_import_page_shows_rejected_rows_and_no_apply_button(client: FlaskClient, world: World) -> None:
    log_in(client, world.hr_west)
    data = "工号,姓名,组织路径,邮箱\nW2,钱七,集团/华东公司/质量部,\nW3,吴八,集团/西南公司,bad@\n"
    page = client.post("/hr/import", data={"file": (io.BytesIO(data.encode()), "p.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "不在您的管理范围内" in page
    assert "邮箱格式不正确" in page
    assert "/hr/import/apply" not in page


# --- exam scores, certificates, date range and position -----------------------------------

def _certificate(app: Flask, user: User, *, days: int, tier: str = "all-staff") -> None:
    from datetime import UTC, datetime, timedelta

    from academy.assessment.services.certificates import new_serial
    from academy.models import Certificate

    with app.app_context():
        now = datetime.now(UTC)
        db.session.add(Certificate(serial=new_serial(), user_id=user.id, exam_id=f"cert-{tier}", title="证书", tier=tier,
                                   holder_name=user.name, employee_no=user.employee_no, issued_at=now - timedelta(days=300),
                                   valid_until=now + timedelta(days=days)))
        db.session.commit()


def test_report_shows_exam_scores_and_certificates(client: FlaskClient, world: World, synced: Flask) -> None:
    _certificate(synced, world.done, days=30)
    _certificate(synced, world.idle, days=400)
    _certificate(synced, world.westerner, days=10)
    _certificate(synced, world.started, days=-5)  # expired: not held
    log_in(client, world.hr_east)
    rows = {r["name"]: r for r in client.get(f"/hr/api/report?unit={world.east.id}").get_json()["rows"]}
    assert rows["质量部"]["exam_score"] == 100.0
    assert rows["技术中心"]["exam_score"] is None
    assert (rows["华东公司"]["certificates"], rows["华东公司"]["expiring"]) == (2, 1)
    assert (rows["技术中心"]["certificates"], rows["技术中心"]["expiring"]) == (1, 0)
    page = client.get(f"/hr/report?unit={world.east.id}").get_data(as_text=True)
    assert "100.0" in page
    csv_rows = list(csv.reader(io.StringIO(client.get(f"/hr/report.csv?unit={world.east.id}").get_data().decode("utf-8-sig"))))
    assert csv_rows[0][7:10] == ["考试平均分", "持有证书", "90天内到期"]


def test_report_filters_by_position_and_due_dates(client: FlaskClient, world: World, synced: Flask) -> None:
    with synced.app_context():
        db.session.get(User, world.done.id).position = "质量工程师"  # type: ignore[union-attr]
        db.session.commit()
    log_in(client, world.hr_east)
    total = client.get(f"/hr/api/report?unit={world.east.id}&position=质量工程师").get_json()["rows"][0]
    assert (total["headcount"], total["assigned"], total["completed"], total["overdue"]) == (1, 1, 1, 0)
    within = client.get(f"/hr/api/report?unit={world.east.id}&from=2020-01-01&to=2020-12-31").get_json()["rows"][0]
    assert within["assigned"] == 5
    after = client.get(f"/hr/api/report?unit={world.east.id}&from=2021-01-01").get_json()["rows"][0]
    assert (after["assigned"], after["headcount"]) == (0, 5)
    assert client.get(f"/hr/api/report?unit={world.east.id}&from=yesterday").status_code == 400
    assert client.get(f"/hr/api/report?unit={world.west.id}&position=质量工程师").status_code == 404


def test_trend_chart_counts_completions_per_week(client: FlaskClient, world: World) -> None:
    log_in(client, world.hr_east)
    svg = client.get(f"/hr/report/trend.svg?unit={world.east.id}")
    assert svg.mimetype == "image/svg+xml"
    body = svg.get_data(as_text=True)
    assert body.count('class="point"') == 12
    assert body.rstrip().endswith("</svg>")
    last = body.split('class="point"')[-1]
    assert ": 1</title>" in last  # 王芳 completed the course this week


def test_tier_coverage_chart_stacks_tiers_per_unit(client: FlaskClient, world: World) -> None:
    log_in(client, world.hr_east)
    body = client.get(f"/hr/report/coverage.svg?unit={world.east.id}").get_data(as_text=True)
    assert body.count('class="segment"') == 1  # 质量部: half its people covered the all-staff tier
    assert "50%" in body
    assert "技术中心" in body


def test_chart_routes_keep_the_subtree_scope(client: FlaskClient, world: World) -> None:
    log_in(client, world.hr_east)
    for chart in ("trend", "coverage"):
        assert client.get(f"/hr/report/{chart}.svg?unit={world.west.id}").status_code == 404


# --- leadership summary ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "key", "previous"), [
    ("2026", "2026", "2025"), ("2026-Q3", "2026-Q3", "2026-Q2"), ("2026-q1", "2026-Q1", "2025-Q4")])
def test_periods_parse_and_step_back(text: str, key: str, previous: str) -> None:
    from academy.people.services.reports import Period

    period = Period.parse(text)
    assert period.key == key
    assert period.previous().key == previous


@pytest.mark.parametrize("text", ["26", "2026-Q5", "2026Q1", "Q1-2026", "2026-"])
def test_bad_periods_are_refused(text: str) -> None:
    from academy.people.services.reports import Period

    with pytest.raises(ValueError, match="not a period"):
        Period.parse(text)


def test_quarter_bounds_are_local_and_end_exclusive() -> None:
    from zoneinfo import ZoneInfo

    from academy.people.services.reports import Period

    start, end = Period(2026, 4).bounds(ZoneInfo("Asia/Shanghai"))
    assert (start.isoformat(), end.isoformat()) == ("2026-10-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00")


def test_leadership_summary_against_the_previous_period(client: FlaskClient, world: World, synced: Flask) -> None:
    from datetime import datetime

    from academy.people.services.reports import Period

    _certificate(synced, world.done, days=30)
    this_year = Period.current_quarter(datetime.now().date()).key.split("-")[0]  # noqa: DTZ005 - the year is enough
    log_in(client, world.hr_east)
    page = client.get(f"/hr/summary?unit={world.east.id}&period={this_year}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "20.0%" in text  # 1 of 5 people covered the all-staff course
    assert "+20.0 个百分点" in text  # a change of a rate, in percentage points
    assert "竞赛参与人数" in text  # no competition yet: zero, not a blank
    response = client.get(f"/hr/summary.xlsx?unit={world.east.id}&period={this_year}")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == ["指标", "本期", "上期", "变化"]
    values = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=2)}
    assert values["人数"] == 5
    assert values["培训人数：全员通识"] == 1
    assert values["持有有效证书人数"] == 1
    assert values["全员培训覆盖率（%）"] == 20.0


def test_leadership_summary_keeps_the_scope(client: FlaskClient, world: World) -> None:
    log_in(client, world.hr_east)
    assert client.get(f"/hr/summary?unit={world.west.id}").status_code == 404
    assert client.get(f"/hr/summary.xlsx?unit={world.west.id}").status_code == 404
    assert client.get(f"/hr/summary?unit={world.east.id}&period=2026-Q9").status_code == 400
    log_in(client, world.learner)
    assert client.get("/hr/summary").status_code == 403
