"""The outside probe's findings, each as a check that failed before its fix."""

from __future__ import annotations

import http.cookiejar
import io
import json
import shutil
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from academy.competitions.services import competitions
from academy.content.library import load_library
from academy.content.render import render
from academy.database import db, utcnow
from academy.learning.services import content_sync
from academy.models import AuditLog, Course, OrgUnit, Role, TargetKind, User
from academy.people.services import assignments, exports, people_import

from .conftest import FIXTURES, PASSWORD, LiveServer, log_in, make_app
from .support.db import fetch
from .support.people import csv_bytes

SCRIPT_RULES = '<script>alert("x")</script><img src=x onerror=alert(1)> [点我](javascript:alert(1))'


# --- stored XSS: text a host types is text --------------------------------------------------

def test_round_rules_are_shown_as_text_not_html(synced: Flask, make_user: Callable[..., User]) -> None:
    host, learner = make_user("H1", roles=(Role.HOST,)), make_user("L1")
    now = datetime.now(UTC)
    with synced.app_context():
        c = competitions.create(fetch(User, host.id), title="预赛", rules=SCRIPT_RULES + "\n第二行",
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


def test_content_check_reports_markup_the_pages_would_drop_with_its_line(content_copy: Path) -> None:
    lesson = content_copy / "courses/all-staff/sample-course/02-pdca.md"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text + "\n<img src=\"a.png\" onerror=\"alert(1)\">\n\n[点](javascript:alert(1))\n", encoding="utf-8")
    bank = content_copy / "quiz/sample-course.md"
    bank.write_text(bank.read_text(encoding="utf-8").replace("质量是什么满足要求的程度？",
                                                              "质量是什么<script>x()</script>满足要求的程度？"), encoding="utf-8")
    problems = [str(p) for p in load_library(content_copy / "courses", content_copy / "quiz").problems]
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
        assert response.url.endswith(("/me", "/hr")), response.url  # each role lands on its own home
    return opener


def test_hr_csv_export_downloads_over_http_with_a_formula_name_made_inert(served: tuple[Flask, LiveServer]) -> None:
    app, server = served
    from academy.people.services import accounts, org

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


# --- the people import: bounded, strict about what it stores, silent about other subsidiaries ----

def _read(data: bytes, filename: str = "people.csv") -> tuple[people_import.ImportReport, list[people_import.Row]]:
    report = people_import.ImportReport()
    return report, people_import.parse_rows(people_import.read_table(data, filename), report)


def test_a_nul_in_a_name_and_an_overlong_unit_are_refused_with_row_and_column() -> None:
    report, rows = _read(csv_bytes([["100001", "王\x00芳", "集团/质量部", "", "", "", "在职"],
                                    ["100002", "李强", "集团/" + "部" * 150, "", "", "", "在职"],
                                    ["100003", "赵敏", "集团/" + "部" * 5000, "", "", "", "在职"]]))
    assert rows == []
    found = {(r.row, r.column, r.reason) for r in report.rejected}
    assert found == {(2, "姓名", "control_character"), (3, "组织路径", "too_long"), (4, "组织路径", "too_long")}


def test_a_bom_then_a_bad_byte_is_a_clear_error_with_its_row() -> None:
    data = b"\xef\xbb\xbf" + "工号,姓名,组织路径\r\n100001,王芳,集团\r\n".encode() + b"100002,\xff\xfe,\xc0\r\n"
    with pytest.raises(people_import.ImportFileError) as caught:
        _read(data)
    assert (caught.value.reason, caught.value.row) == ("encoding", 3)


def test_too_many_rows_are_refused_before_any_query(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(people_import, "MAX_ROWS", 5)
    rows = [[f"1000{i:02d}", "王芳", "集团", "", "", "", "在职"] for i in range(6)]
    with pytest.raises(people_import.ImportFileError) as caught:
        _read(csv_bytes(rows))
    assert caught.value.reason == "too_many_rows"


def test_an_xlsx_that_expands_too_far_is_refused_unopened(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["工号", "姓名", "组织路径"])
    for i in range(2000):
        sheet.append([f"1{i:05d}", "王芳" * 20, "集团/华东公司/质量部"])
    book.save(tmp_path / "big.xlsx")
    data = (tmp_path / "big.xlsx").read_bytes()
    monkeypatch.setattr(people_import, "MAX_UNPACKED", len(data) * 2)  # compresses well: expands past twice its size
    with pytest.raises(people_import.ImportFileError) as caught:
        _read(data, "big.xlsx")
    assert caught.value.reason == "too_large"


def test_many_rows_are_planned_in_slices_below_the_variable_limit(app: Flask) -> None:
    import sqlite3

    from sqlalchemy import event

    rows = [[f"3{i:05d}", "王芳", "集团/华东公司", "", f"p{i}@example.com", "", "在职"] for i in range(2500)]
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # SQLite as many builds have it: 999 bound variables. One IN list of every row was the probe's 500
            @event.listens_for(db.engine, "connect")
            def small_limit(connection: sqlite3.Connection, _record: object) -> None:
                connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)

            db.session.remove()
            db.engine.dispose()
            db.create_all()
        report = people_import.import_people(csv_bytes(rows), "people.csv", dry_run=True)
    assert report.rejected == []
    assert len(report.changes) == 2500


def test_the_preview_does_not_name_another_subsidiarys_employee(app: Flask) -> None:
    from academy.people.services import accounts, org

    with app.app_context():
        group = org.create_unit("集团")
        east, west = org.create_unit("华东公司", parent=group), org.create_unit("西南公司", parent=group)
        accounts.create_user("H2001", "周杰", email="taken@example.com", org_unit=west)
        accounts.create_user("E1", "王芳", email="mine@example.com", org_unit=east)
        data = csv_bytes([["E2", "李强", "集团/华东公司", "", "taken@example.com", "", "在职"],
                          ["E3", "赵敏", "集团/华东公司", "", "mine@example.com", "", "在职"]])
        report = people_import.import_people(data, "people.csv", dry_run=True, scope=[east.path])
    outside, inside = sorted(report.rejected, key=lambda r: r.row)
    assert (outside.reason, outside.other) == ("email_taken_elsewhere", "")
    assert (inside.reason, inside.other) == ("email_taken", "E1")
    assert "H2001" not in people_import.describe(outside)


# --- regrades and filters stay within the HR user's subsidiary --------------------------------

def test_hr_regrade_touches_only_their_subsidiarys_attempts(synced: Flask, make_unit: Callable[..., OrgUnit],
                                                             make_user: Callable[..., User]) -> None:
    from academy.models import Attempt

    group = make_unit("集团")
    east, west = make_unit("华东公司", group), make_unit("西南公司", group)
    hr = make_user("H1", roles=(Role.HR,), scope=east, unit=east)
    mine, theirs = make_user("E1", unit=east), make_user("W1", unit=west)
    key = "final/sample-course"
    with synced.app_context():
        for person in (mine, theirs):
            db.session.add(Attempt(user_id=person.id, quiz_key=key, number=1, paper=[], started_at=utcnow(),
                                   submitted_at=utcnow(), score=0, max_score=3))
        db.session.commit()
    client = synced.test_client()
    log_in(client, hr)
    assert client.post("/quiz-admin/regrade/final/sample-course").status_code == 303
    with synced.app_context():
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "quiz_regrade")).scalar_one()
        assert entry.detail["attempts"] == 1
        assert entry.detail["scope"] == [db.session.get(OrgUnit, east.id).path]  # type: ignore[union-attr]


def test_the_position_filter_lists_only_positions_in_scope(synced: Flask, make_unit: Callable[..., OrgUnit],
                                                            make_user: Callable[..., User]) -> None:
    group = make_unit("集团")
    east, west = make_unit("华东公司", group), make_unit("西南公司", group)
    hr = make_user("H1", roles=(Role.HR,), scope=east, unit=east)
    with synced.app_context():
        for number, unit, position in (("E1", east, "检验员"), ("W1", west, "焊工")):
            person = db.session.execute(select(User).where(User.employee_no == number)).scalar_one_or_none()
            if person is None:
                from academy.people.services import accounts

                accounts.create_user(number, "某人", org_unit=db.session.get(OrgUnit, unit.id), position=position)
    client = synced.test_client()
    log_in(client, hr)
    page = client.get("/hr/report").get_data(as_text=True)
    assert "<option>检验员</option>" in page
    assert "焊工" not in page


# --- small inputs that used to give a 500 ----------------------------------------------------

def test_a_huge_live_numeric_answer_is_invalid_not_a_crash() -> None:
    from academy.grading import parse_number
    from academy.scoring import valid_answer

    assert parse_number(10**400) is None
    assert not valid_answer("numeric", 0, 10**400)


@pytest.mark.parametrize("target", ["/me\r\nSet-Cookie: x=1", "/me%0d%0a", "/\\evil.example", "/me\n"])
def test_login_next_with_line_breaks_or_backslashes_goes_home(client: FlaskClient, make_user: Callable[..., User],
                                                              target: str) -> None:
    make_user("100123")
    response = client.post("/login", data={"identifier": "100123", "password": PASSWORD, "next": target})
    assert response.status_code == 303
    assert response.location in ("/me", "/me%0d%0a")


def test_certification_exams_hide_the_key_unless_they_say_otherwise(tmp_path: Path) -> None:
    from academy.content.exams import Review, load_exams

    shutil.copytree(FIXTURES / "quiz", tmp_path / "quiz")
    exam = tmp_path / "quiz/exams/cert-sample.md"
    exam.write_text(exam.read_text(encoding="utf-8").replace("review: answers\n", ""), encoding="utf-8")
    exams, problems = load_exams(tmp_path / "quiz")
    assert problems == []
    assert exams["cert-sample"].review is Review.SCORE
    root = Path(__file__).resolve().parent.parent
    shipped, _problems = load_exams(root / "quiz")
    assert {e.review for e in shipped.values()} == {Review.SCORE}


def test_instance_folder_and_sqlite_file_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "instance"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    from academy import create_app

    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'academy.sqlite'}",
                      "COURSES_ROOT": FIXTURES / "courses", "QUIZ_ROOT": FIXTURES / "quiz", "TESTING": True})
    app.instance_path = str(folder)
    from academy import _private_instance

    _private_instance(app)
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    assert folder.stat().st_mode & 0o777 == 0o700
    assert (folder / "academy.sqlite").stat().st_mode & 0o077 == 0


def test_a_failed_login_does_not_store_what_was_typed(app: Flask, client: FlaskClient) -> None:
    client.post("/login", data={"identifier": "my-Secret-Passw0rd", "password": "x"})
    with app.app_context():
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "login_failed")).scalar_one()
    assert "my-Secret-Passw0rd" not in json.dumps(entry.detail, ensure_ascii=False)
    assert "my-secret-passw0rd" not in json.dumps(entry.detail, ensure_ascii=False).lower()
    assert entry.detail["reason"] == "unknown"


def test_the_development_server_does_not_name_its_version(served: tuple[Flask, LiveServer]) -> None:
    _app, server = served
    with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as response:  # noqa: S310 - loopback
        assert response.headers["Server"] == "QS Academy"


def test_admin_search_takes_percent_and_underscore_literally(client: FlaskClient, make_user: Callable[..., User]) -> None:
    admin = make_user("A1", roles=(Role.ADMIN,))
    make_user("E_1", name="王芳")
    make_user("E21", name="李强")
    make_user("E%3", name="赵敏")
    log_in(client, admin)
    underscore = client.get("/admin/users?q=E_").get_data(as_text=True)
    assert "王芳" in underscore
    assert "李强" not in underscore
    percent = client.get("/admin/users?q=%25").get_data(as_text=True)
    assert "赵敏" in percent
    assert "王芳" not in percent


# --- request sizes ---------------------------------------------------------------------------

def test_an_oversized_request_gets_a_clear_413(app: Flask, client: FlaskClient, make_user: Callable[..., User]) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1000
    hr = make_user("H1", roles=(Role.HR,))
    log_in(client, hr)
    response = client.post("/hr/import", data={"file": (io.BytesIO(b"x" * 5000), "people.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "文件或表单内容过大" in response.get_data(as_text=True)


def test_a_large_anonymous_live_answer_is_refused_before_it_is_read(client: FlaskClient) -> None:
    big = client.post("/live/ABCDEF/answer", data=b'{"answer": "' + b"9" * 100_000 + b'"}',
                      content_type="application/json")
    assert big.status_code == 413
    small = client.post("/live/ABCDEF/answer", json={"answer": 1})
    assert small.status_code == 302  # to the login page, body unread


# --- previewed files: in the database, for their uploader, for a limited time ----------------

def test_a_previewed_file_is_kept_in_the_database_for_its_uploader_until_it_expires(app: Flask) -> None:
    from academy.models import ImportUpload
    from academy.services import uploads

    with app.app_context():
        from academy.people.services import accounts

        hr = accounts.create_user("H1", "人事")
        other = accounts.create_user("H2", "人事二")
        token = uploads.keep(hr, b"data", "people.csv")
        assert db.session.execute(select(ImportUpload)).scalar_one().data == b"data"
        assert token not in {row.id for row in db.session.execute(select(ImportUpload)).scalars()}  # only its hash
        assert uploads.take(other, token) is None
        kept = uploads.take(hr, token)
        assert kept is not None
        assert kept.filename == "people.csv"
        later = utcnow() + timedelta(hours=25)
        assert uploads.take(hr, token, now=later) is None
        uploads.keep(other, b"x", "b.csv", now=later)  # keeping a new file clears the expired ones
        assert [r.user_id for r in db.session.execute(select(ImportUpload)).scalars()] == [other.id]


def test_another_instance_applies_a_preview_made_on_the_first(tmp_path: Path) -> None:
    from .conftest import TEST_DATABASE_URL

    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'shared.sqlite'}"
    first, second = make_app(SQLALCHEMY_DATABASE_URI=url), make_app(SQLALCHEMY_DATABASE_URI=url)
    from academy.people.services import accounts, org

    with first.app_context():
        east = org.create_unit("华东公司")
        hr = accounts.create_user("H1", "人事", org_unit=east, roles=((Role.HR, east),))
        db.session.refresh(hr)
        db.session.expunge(hr)
    data = csv_bytes([["E1", "王芳", "华东公司", "", "", "", "在职"]])
    folder = Path(first.instance_path) / "imports"  # where previews were once kept as files
    files_before = set(folder.iterdir()) if folder.exists() else set()
    one, two = first.test_client(), second.test_client()
    log_in(one, hr)
    page = one.post("/hr/import", data={"file": (io.BytesIO(data), "people.csv")},
                    content_type="multipart/form-data").get_data(as_text=True)
    token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    with two.session_transaction() as theirs, one.session_transaction() as mine:
        theirs.update(mine)  # the same browser, its next request served by the other instance
    assert two.post("/hr/import/apply", data={"token": token}).status_code == 303
    with second.app_context():
        assert db.session.execute(select(User).where(User.employee_no == "E1")).scalar_one().name == "王芳"
    assert (set(folder.iterdir()) if folder.exists() else set()) == files_before  # nothing written to disk
