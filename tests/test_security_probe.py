"""The outside probe's findings, each as a check that failed before its fix."""

from __future__ import annotations

import http.cookiejar
import io
import shutil
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from academy.content.library import load_library
from academy.content.render import render
from academy.database import db
from academy.models import Course, OrgUnit, Role, TargetKind, User
from academy.services import assignments, competitions, content_sync, exports

from .conftest import FIXTURES, PASSWORD, LiveServer, log_in, make_app

SCRIPT_RULES = '<script>alert("x")</script><img src=x onerror=alert(1)> [点我](javascript:alert(1))'


# --- stored XSS: text a host types is text --------------------------------------------------

def test_round_rules_are_shown_as_text_not_html(synced: Flask, make_user: Callable[..., User]) -> None:
    host, learner = make_user("H1", roles=(Role.HOST,)), make_user("L1")
    now = datetime.now(UTC)
    with synced.app_context():
        c = competitions.create(db.session.get(User, host.id), title="预赛", rules=SCRIPT_RULES + "\n第二行",
                                opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1),
                                draw=[{"bank": "sample-course", "count": 2}], time_limit=30, sittings=1)
        slug = c.slug
    client = synced.test_client()
    log_in(client, learner)
    for url in (f"/quiz/competition/{slug}", f"/competitions/{slug}"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page
        assert "<img src=x" not in page
        assert 'href="javascript:' not in page
        assert "&lt;script&gt;" in page  # shown to the reader as the host typed it
    assert 'class="prose plain-text"' in client.get(f"/quiz/competition/{slug}").get_data(as_text=True)


# --- authored content goes through the allow-list -------------------------------------------

@pytest.mark.parametrize(("source", "gone"), [
    ("<script>alert(1)</script>文字", "<script"),
    ('<img src="x" onerror="alert(1)">', "onerror"),
    ("[链接](javascript:alert(1))", "javascript:"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "javascript"),
    ('<svg><foreignObject><iframe src="https://x"></iframe></foreignObject></svg>', "iframe"),
    ('<p style="position:fixed">x</p>', "style="),
])
def test_rendered_markdown_drops_scripts_handlers_and_bad_links(source: str, gone: str) -> None:
    html = str(render(source, "probe").html)
    assert gone not in html.lower()


def test_sanitiser_keeps_what_lessons_use() -> None:
    source = ("| 列 | 值 |\n|:--|--:|\n| a | 1 |\n\n!!! note \"提示\"\n    注意\n\n文字[^1]\n\n[^1]: 脚注\n\n"
              "<svg viewBox=\"0 0 10 10\" role=\"img\" aria-label=\"图\"><defs><marker id=\"a\" markerWidth=\"8\" refX=\"7\">"
              "<path d=\"M0,0 L8,4 z\"/></marker></defs><line x1=\"1\" marker-end=\"url(#a)\"/><text x=\"1\">标准</text></svg>\n\n"
              "[外链](https://www.samr.gov.cn/) H<sub>2</sub>O\n\n## 小节\n")
    html = str(render(source, "keep").html)
    for kept in ('<table>', '<td align="left">', 'class="admonition note"', 'class="footnote-ref"',
                 'viewBox="0 0 10 10"', 'markerWidth="8"', 'marker-end="url(#a)"', "<text", 'href="https://www.samr.gov.cn/"',
                 "<sub>2</sub>", 'id="_1"'):
        assert kept in html, kept


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURES / "courses", tmp_path / "courses")
    shutil.copytree(FIXTURES / "quiz", tmp_path / "quiz")
    return tmp_path


def test_content_check_reports_markup_the_pages_would_drop_with_its_line(tree: Path) -> None:
    lesson = tree / "courses/all-staff/sample-course/02-pdca.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text + "\n<img src=\"a.png\" onerror=\"alert(1)\">\n\n[点](javascript:alert(1))\n", encoding="utf-8")
    bank = tree / "quiz/sample-course.md"
    bank.write_text(bank.read_text(encoding="utf-8").replace("质量是什么满足要求的程度？",
                                                              "质量是什么<script>x()</script>满足要求的程度？"), encoding="utf-8")
    problems = [str(p) for p in load_library(tree / "courses", tree / "quiz").problems]
    last = len(text.splitlines())
    assert f"courses/all-staff/sample-course/02-pdca.md:{last + 2}: onerror= is not allowed in pages and is removed when shown" in problems
    assert f"courses/all-staff/sample-course/02-pdca.md:{last + 4}: javascript: is not allowed in pages and is removed when shown" in problems
    assert "quiz/sample-course.md:10: <script> is not allowed in pages and is removed when shown" in problems
    assert len(problems) == 3


def test_shipped_content_has_nothing_the_sanitiser_drops() -> None:
    root = Path(__file__).resolve().parent.parent
    problems = [str(p) for p in load_library(root / "courses", root / "quiz").problems if "is not allowed" in p.message]
    assert problems == []


# --- spreadsheets: what people typed never becomes a formula --------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","点")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_cells_that_start_like_a_formula_get_an_apostrophe(value: str) -> None:
    columns = [exports.Column("姓名"), exports.Column("天数", kind="number")]
    text = "".join(exports.csv_chunks(columns, [[value, -3]]))
    row = text.splitlines()[1]
    assert row.lstrip('"').startswith("'")
    assert row.endswith(",-3")  # numbers stay numbers


@pytest.mark.parametrize("value", FORMULAS)
def test_xlsx_cells_that_start_like_a_formula_stay_text(value: str) -> None:
    data = exports.write_xlsx("名单", [exports.Column("姓名")], [[value]])
    cell = load_workbook(io.BytesIO(data))["名单"]["A2"]
    assert cell.data_type == "s"
    assert cell.value == value


# --- the HR CSV export over a real HTTP server ----------------------------------------------

@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Flask, LiveServer]]:
    from .conftest import TEST_DATABASE_URL

    app = make_app(SQLALCHEMY_DATABASE_URI=TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'served.sqlite'}")
    with app.app_context():
        content_sync.sync(load_library(app.config["COURSES_ROOT"], app.config["QUIZ_ROOT"]))
    server = LiveServer(app)
    yield app, server
    server.stop()


def opener_logged_in(server: LiveServer, identifier: str, password: str = PASSWORD) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    body = urllib.parse.urlencode({"identifier": identifier, "password": password, "next": ""}).encode()
    with opener.open(f"{server.url}/login", data=body, timeout=10) as response:
        assert response.url.endswith("/me"), response.url
    return opener


def test_hr_csv_export_downloads_over_http_with_a_formula_name_made_inert(
        served: tuple[Flask, LiveServer], make_unit: Callable[..., OrgUnit]) -> None:
    app, server = served
    from academy.services import accounts, org

    with app.app_context():
        east = org.create_unit("华东公司")
        accounts.create_user("H1", "人事", password=PASSWORD, org_unit=east, roles=((Role.HR, east),))
        accounts.create_user("E1", '=HYPERLINK("http://evil.example","点")', org_unit=east)
        sample = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()
        assignments.create_assignment(title="全员", courses=[sample], target_kind=TargetKind.UNIT,
                                      unit=db.session.get(OrgUnit, east.id), due_on=date(2020, 1, 31))
    opener = opener_logged_in(server, "H1")
    with opener.open(f"{server.url}/hr/overdue.csv", timeout=10) as response:
        disposition = response.headers["Content-Disposition"]
        body = response.read().decode("utf-8-sig")
    assert disposition.isascii()
    assert "filename*=UTF-8''%E9%80%BE%E6%9C%9F" in disposition
    assert "'=HYPERLINK" in body
    with opener.open(f"{server.url}/hr/overdue.xlsx", timeout=10) as response:
        sheet = load_workbook(io.BytesIO(response.read())).active
    cell = next(row[1] for row in sheet.iter_rows(min_row=2) if row[0].value == "E1")
    assert cell.value == '=HYPERLINK("http://evil.example","点")'
    assert cell.data_type == "s"
