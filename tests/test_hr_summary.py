"""Leadership summary: competition participation and competitions held, per subtree and period."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from academy.assessment.services import quizzes
from academy.competitions.services import competitions, live
from academy.competitions.services.live import Item
from academy.content.quizbank import load_banks
from academy.content.quizzes import load_sources
from academy.database import db
from academy.models import OrgUnit, Role, User
from academy.people.services import reports

from .conftest import FIXTURES, log_in
from .support.db import fetch

ZONE = ZoneInfo("Asia/Shanghai")
DRAW = [{"bank": "sample-course", "count": 3, "types": ["single", "truefalse", "multiple"]}]


@dataclass
class Org:
    group: OrgUnit
    east: OrgUnit
    quality: OrgUnit
    west: OrgUnit
    hr_east: User
    hr_west: User
    host: User
    learner: User
    wang: User
    li: User
    zhao: User
    zhou: User


@pytest.fixture
def org(synced: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> Org:
    units = make_tree("华东公司/质量部", "西南公司")
    group, east, west, quality = units["group"], units["华东公司"], units["西南公司"], units["质量部"]
    return Org(group, east, quality, west,
               hr_east=make_user("H1", roles=(Role.HR,), scope=east, unit=east),
               hr_west=make_user("H2", roles=(Role.HR,), scope=west, unit=west),
               host=make_user("C1", roles=(Role.HOST,)), learner=make_user("L1", unit=quality),
               wang=make_user("Q1", name="王芳", unit=quality), li=make_user("Q2", name="李强", unit=quality),
               zhao=make_user("E1", name="赵敏", unit=east), zhou=make_user("W1", name="周杰", unit=west))


def _round(app: Flask, org: Org, opens: datetime, units: list[OrgUnit]) -> str:
    with app.app_context():
        c = competitions.create(fetch(User, org.host.id), title="质量月知识竞赛", rules="", opens_at=opens,
                                closes_at=opens + timedelta(days=10), draw=DRAW, time_limit=30, sittings=2,
                                unit_ids=[u.id for u in units])
        return c.slug


def _sit(app: Flask, slug: str, user: User, at: datetime, *, submit: bool = True) -> None:
    """Sit a round through the quiz engine: a drawn paper, submitted (graded) or left open."""
    with app.app_context():
        c = competitions.by_slug(slug)
        assert c is not None
        person = db.session.get(User, user.id)
        assert person is not None
        attempt = quizzes.start_or_resume(person, competitions.quiz_def(c), load_sources(app.config["QUIZ_ROOT"]), now=at)
        if submit:
            quizzes.submit(attempt, now=at + timedelta(minutes=5))


def _final(app: Flask, org: Org, at: datetime, players: list[User]) -> None:
    banks, _ = load_banks(FIXTURES / "quiz")
    question = next(q for bank in banks.values() for q in bank.questions if q.id == "sample-001")
    with app.app_context():
        event = live.create_event(fetch(User, org.host.id), "决赛", [Item(question)], now=at)
        for player in players:
            live.join(event, db.session.get(User, player.id), now=at)  # type: ignore[arg-type]


@pytest.fixture
def season(synced: Flask, org: Org) -> Org:
    """2026-Q2: one round for the whole group. 2026-Q3: a round for 华东公司, one for 西南公司, a live final."""
    spring = _round(synced, org, datetime(2026, 5, 4, tzinfo=UTC), [])
    _sit(synced, spring, org.wang, datetime(2026, 5, 5, tzinfo=UTC))
    _sit(synced, spring, org.zhou, datetime(2026, 5, 5, tzinfo=UTC))
    east = _round(synced, org, datetime(2026, 8, 3, tzinfo=UTC), [org.east])
    _sit(synced, east, org.wang, datetime(2026, 8, 4, tzinfo=UTC))
    _sit(synced, east, org.li, datetime(2026, 8, 4, tzinfo=UTC))
    _sit(synced, east, org.wang, datetime(2026, 8, 5, tzinfo=UTC))  # a second sitting: still one person
    _sit(synced, east, org.zhao, datetime(2026, 8, 5, tzinfo=UTC), submit=False)  # never submitted: not counted
    west = _round(synced, org, datetime(2026, 8, 3, tzinfo=UTC), [org.west])
    _sit(synced, west, org.zhou, datetime(2026, 8, 4, tzinfo=UTC))
    _final(synced, org, datetime(2026, 9, 20, tzinfo=UTC), [org.li, org.learner])  # 李强 also sat a round
    return org


def _summary(app: Flask, unit: OrgUnit, period: str) -> reports.LeadershipSummary:
    with app.app_context():
        row = db.session.get(OrgUnit, unit.id)
        assert row is not None
        return reports.leadership_summary(row, reports.Period.parse(period), zone=ZONE,
                                          now=datetime(2026, 11, 25, tzinfo=UTC))


def test_participants_are_counted_once_per_person_across_rounds_and_finals(synced: Flask, season: Org) -> None:
    summary = _summary(synced, season.east, "2026-Q3")
    # 华东公司: H1, 王芳, 李强, 赵敏, L1; 王芳 and 李强 sat the round, 李强 and L1 joined the final
    assert summary.current.headcount == 5
    assert summary.current.competition_participants == 3
    assert summary.current.competition_participation == pytest.approx(0.6)
    assert summary.previous.competition_participants == 1  # 王芳 in the group-wide spring round


def test_competitions_held_count_rounds_open_to_the_unit_and_finals_it_played(synced: Flask, season: Org) -> None:
    east = _summary(synced, season.east, "2026-Q3")
    assert (east.current.competitions_held, east.previous.competitions_held) == (2, 1)  # its round + the final
    quality = _summary(synced, season.quality, "2026-Q3")
    assert quality.current.competitions_held == 2  # a round open to 华东公司 is open to its departments
    west = _summary(synced, season.west, "2026-Q3")
    assert (west.current.competitions_held, west.current.competition_participants) == (1, 1)
    group = _summary(synced, season.group, "2026-Q3")
    assert (group.current.competitions_held, group.current.competition_participants) == (3, 4)


def test_a_year_covers_its_quarters(synced: Flask, season: Org) -> None:
    summary = _summary(synced, season.east, "2026")
    assert (summary.current.competition_participants, summary.current.competitions_held) == (3, 3)
    assert (summary.previous.competition_participants, summary.previous.competitions_held) == (0, 0)


def test_the_summary_page_shows_participation_and_its_trend(client: FlaskClient, season: Org) -> None:
    log_in(client, season.hr_east)
    text = client.get(f"/hr/summary?unit={season.east.id}&period=2026-Q3").get_data(as_text=True)
    assert "竞赛参与率（%）" in text
    assert "60.0%" in text  # 3 of 5
    assert "+40.0 个百分点" in text  # 1 of 5 in Q2: a change of a rate is in percentage points
    assert "2026 年第 3 季度" in text
    assert "—" not in text


def test_hr_of_one_subsidiary_never_sees_anothers_competition_figures(client: FlaskClient, season: Org) -> None:
    log_in(client, season.hr_east)
    assert client.get(f"/hr/summary?unit={season.west.id}&period=2026-Q3").status_code == 404
    assert client.get(f"/hr/summary.xlsx?unit={season.west.id}&period=2026-Q3").status_code == 404
    assert client.get(f"/hr/summary?unit={season.group.id}&period=2026-Q3").status_code == 404
    log_in(client, season.hr_west)
    text = client.get("/hr/summary?period=2026-Q3").get_data(as_text=True)
    assert "西南公司" in text
    assert "50.0%" in text  # 周杰 of H2 and 周杰
    assert "60.0%" not in text


# --- the PDF ---------------------------------------------------------------------------------

def _pdf_text(data: bytes, tmp_path: Path) -> tuple[str, int]:
    """The PDF's text as poppler reads it, and its page count."""
    path = tmp_path / "summary.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert "A4" in info
    return text, pages


def test_the_summary_pdf_is_one_a4_page_in_chinese_with_the_figures(client: FlaskClient, season: Org,
                                                                   tmp_path: Path) -> None:
    log_in(client, season.hr_east)
    response = client.get(f"/hr/summary.pdf?unit={season.east.id}&period=2026-Q3")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text, pages = _pdf_text(response.get_data(), tmp_path)
    assert pages == 1
    assert "领导汇总" in text
    assert "集团/华东公司" in text
    assert "2026 年第 3 季度" in text
    assert "2026 年第 2 季度" in text
    lines = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.split()}
    assert lines["人数"] == ["5", "5", "+0"]
    assert lines["竞赛参与人数"] == ["3", "1", "+2"]
    assert lines["竞赛参与率（%）"] == ["60.0%", "20.0%", "+40.0", "个百分点"]
    assert lines["举办竞赛场次"] == ["2", "1", "+1"]


def test_the_summary_pdf_is_refused_to_learners_and_other_subsidiaries(client: FlaskClient, season: Org) -> None:
    log_in(client, season.hr_west)
    assert client.get(f"/hr/summary.pdf?unit={season.east.id}&period=2026-Q3").status_code == 404
    assert client.get(f"/hr/summary.pdf?unit={season.west.id}&period=2026-Q3").status_code == 200
    log_in(client, season.learner)
    assert client.get(f"/hr/summary.pdf?unit={season.quality.id}&period=2026-Q3").status_code == 403
    assert client.get("/hr/summary.pdf").status_code == 403


def test_a_bad_period_gets_a_clear_refusal_not_a_pdf(client: FlaskClient, season: Org) -> None:
    log_in(client, season.hr_east)
    assert client.get(f"/hr/summary.pdf?unit={season.east.id}&period=2026-Q7").status_code == 400
