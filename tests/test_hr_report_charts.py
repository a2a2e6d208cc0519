"""The report's charts (drawn on the server, with their scale, dates and legend), one definition per
metric on every page, month periods in the leadership summary, and its PDF matching the page."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.database import db
from academy.learning.services import progress
from academy.metrics import METRICS
from academy.models import Course, OrgUnit, Role, TargetKind, User
from academy.people.services import assignments, reports
from academy.people.views.hr import nice_scale

from .conftest import log_in, passed_final_exam

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture
def office(synced: Flask, make_unit: Callable[..., OrgUnit], make_user: Callable[..., User]) -> dict[str, Any]:
    group = make_unit("集团")
    east, west = make_unit("华东公司", group), make_unit("西南公司", group)
    quality, tech = make_unit("质量部", east), make_unit("技术中心", east)
    people = {"hr": make_user("H1", roles=(Role.HR,), scope=east, unit=east),
              "hr_west": make_user("H2", roles=(Role.HR,), scope=west, unit=west),
              "done": make_user("Q1", name="王芳", unit=quality), "idle": make_user("T1", name="赵敏", unit=tech)}
    with synced.app_context():
        sample = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()
        assignments.create_assignment(title="华东必修", courses=[sample], target_kind=TargetKind.UNIT,
                                      unit=db.session.get(OrgUnit, east.id), due_on=date(2020, 1, 31))
        passed_final_exam(synced, people["done"])
        for lesson in sample.live_lessons:
            progress.complete_lesson(db.session.get(User, people["done"].id), lesson)  # type: ignore[arg-type]
    return {"east": east, "west": west, "quality": quality, **people}


def test_the_report_draws_its_charts_in_the_page_with_scale_dates_and_legend(client: FlaskClient,
                                                                             office: dict[str, Any]) -> None:
    log_in(client, office["hr"])
    page = client.get(f"/hr/report?unit={office['east'].id}").get_data(as_text=True)
    assert '<img class="chart"' not in page  # no fixed-size pictures any more
    units = page.split('id="chart-units"')[1].split("</figure>")[0]
    assert 'viewBox="0 0 640' in units
    assert "80% 及以上" in units  # the legend explains the colours
    assert "100%（1/1）" in units  # 质量部: 王芳 done
    assert f'href="/hr/report/people?unit={office["quality"].id}"' in units  # a bar drills down
    trend = page.split('id="chart-trend"')[1].split("</figure>")[0]
    monday = TODAY - timedelta(days=TODAY.weekday())
    assert monday.strftime("%m-%d") in trend  # the last week's real date on the axis
    assert str((monday - timedelta(weeks=11)).year) in trend  # and the year where the axis starts
    assert f"<td>{monday.isoformat()}</td><td class=\"num\">1</td>" in trend  # the figures behind it
    assert "各周完成的课程数" in trend  # the legend names the series
    coverage = page.split('id="chart-coverage"')[1].split("</figure>")[0]
    assert "全员通识" in coverage


def test_one_definition_per_metric_the_same_on_every_page(client: FlaskClient, office: dict[str, Any]) -> None:
    log_in(client, office["hr"])
    home = client.get("/hr").get_data(as_text=True)
    report = client.get(f"/hr/report?unit={office['east'].id}").get_data(as_text=True)
    summary = client.get(f"/hr/summary?unit={office['east'].id}").get_data(as_text=True)
    with client.application.test_request_context("/"):
        overdue = str(METRICS["overdue"].how)
        coverage = str(METRICS["coverage"].how)
        completion = str(METRICS["completion_rate"].how)
    assert overdue in home
    assert overdue in report.split('id="definitions"')[1]
    assert coverage in home
    assert coverage in summary.split('id="definitions"')[1]
    assert completion in report
    for key in ("headcount", "completion_rate", "completions_week", "tier_coverage"):
        assert f'id="def-{key}"' in report
        assert f'href="#def-{key}"' in report  # each header or chart links to its definition


@pytest.mark.parametrize(("text", "key", "previous"), [
    ("2026", "2026", "2025"), ("2026-Q1", "2026-Q1", "2025-Q4"), ("2026-07", "2026-07", "2026-06"),
    ("2026-01", "2026-01", "2025-12")])
def test_periods_parse_and_step_back(text: str, key: str, previous: str) -> None:
    period = reports.Period.parse(text)
    assert period.key == key
    assert period.previous().key == previous


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-Q5", "26", "2026-7", "yesterday"])
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a period"):
        reports.Period.parse(text)


def test_a_month_has_its_own_bounds() -> None:
    zone = ZoneInfo("Asia/Shanghai")
    assert reports.Period.parse("2026-02").bounds(zone) == (datetime(2026, 2, 1, tzinfo=zone),
                                                            datetime(2026, 3, 1, tzinfo=zone))
    assert reports.Period.parse("2026-12").bounds(zone)[1] == datetime(2027, 1, 1, tzinfo=zone)


def test_the_summary_offers_months_up_to_this_one(client: FlaskClient, office: dict[str, Any]) -> None:
    log_in(client, office["hr"])
    page = client.get(f"/hr/summary?unit={office['east'].id}").get_data(as_text=True)
    picker = page.split('name="period"')[1].split("</select>")[0]
    assert f'value="{TODAY.year}-{TODAY.month:02d}"' in picker
    assert f'<optgroup label="{TODAY.year} 年">' in picker
    if TODAY.month < 12:
        assert f'value="{TODAY.year}-{TODAY.month + 1:02d}"' not in picker  # no month still to come
    month = client.get(f"/hr/summary?unit={office['east'].id}&period=2026-07").get_data(as_text=True)
    assert "2026 年 7 月，与2026 年 6 月对比。" in month
    assert client.get(f"/hr/summary?unit={office['east'].id}&period=2026-13").status_code == 400
    log_in(client, office["hr_west"])
    assert client.get(f"/hr/summary?unit={office['east'].id}&period=2026-07").status_code == 404


def test_the_summary_pdf_has_what_the_page_has(client: FlaskClient, office: dict[str, Any], tmp_path: Path) -> None:
    log_in(client, office["hr"])
    query = f"unit={office['east'].id}&period={TODAY.year}-{TODAY.month:02d}"
    page = client.get(f"/hr/summary?{query}").get_data(as_text=True)
    response = client.get(f"/hr/summary.pdf?{query}")
    assert response.status_code == 200
    path = tmp_path / "summary.pdf"
    path.write_bytes(response.get_data())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    table = page.split('class="table summary"')[1].split("</table>")[0]
    labels = re.findall(r'class="def-link"[^>]*>([^<]+)</a>', table)
    assert len(labels) == 12
    for label in labels:
        assert re.sub(r"\s+", "", label).replace("&#39;", "'") in flat
    period = page.split('class="summary-period">')[1].split("<")[0]
    assert re.sub(r"\s+", "", period) in flat
    assert "截至本期末的12周" in flat  # the small trend, as on the page
    assert "各项指标的计算方法" in flat
    with client.application.test_request_context("/"):
        assert re.sub(r"\s+", "", str(METRICS["holders"].how)) in flat
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    assert re.search(r"Pages:\s+1\n", info)


def test_a_unit_name_with_markup_is_text_in_the_pdf_and_the_charts(client: FlaskClient, office: dict[str, Any],
                                                                   synced: Flask, tmp_path: Path) -> None:
    with synced.app_context():
        unit = db.session.get(OrgUnit, office["quality"].id)
        assert unit is not None
        unit.name = "<b>质量</b>&部"
        db.session.commit()
    log_in(client, office["hr"])
    svg = client.get(f"/hr/report/chart.svg?unit={office['east'].id}").get_data(as_text=True)
    assert "&lt;b&gt;质量&lt;/b&gt;&amp;部" in svg
    assert "<b>" not in svg
    pdf = client.get(f"/hr/summary.pdf?unit={office['quality'].id}&period=2026").get_data()
    (tmp_path / "s.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "s.pdf"), "-"], capture_output=True, check=True, text=True).stdout
    assert "<b>质量</b>&部" in text


@pytest.mark.parametrize(("largest", "top", "ticks"), [(1, 1, [0, 1]), (4, 4, [0, 1, 2, 3, 4]), (5, 6, [0, 2, 4, 6]),
                                                      (37, 40, [0, 10, 20, 30, 40]), (120, 150, [0, 50, 100, 150])])
def test_the_count_axis_has_whole_round_steps(largest: int, top: int, ticks: list[int]) -> None:
    assert nice_scale(largest) == (top, ticks)
