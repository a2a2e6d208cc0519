"""People import from messy CSV and XLSX files, written by the tests themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from openpyxl import Workbook
from sqlalchemy import func, select

from academy.database import db
from academy.models import OrgUnit, User
from academy.people.services import people_import
from academy.people.services.people_import import ImportReport, clean, decode, parse_rows

from .support.people import HEADER, csv_bytes, people

ROWS = [
    ["100001", "王芳", "集团/华东公司/质量部", "质量工程师", "wang.fang@example.com", "13800138000", "在职"],
    ["100002", "李强", "集团/华东公司/质量部/检验班", "检验员", "", "13900139000", "在职"],
    ["200001", "赵敏", "集团/西南公司/研发中心", "设计工程师", "zhao.min@example.com", "", "在职"],
]




def xlsx_bytes(rows: list[list[object]], tmp_path: Path) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "people.xlsx"
    book.save(path)
    return path.read_bytes()




def unit_names(app: Flask) -> set[str]:
    with app.app_context():
        return {u.name for u in db.session.execute(select(OrgUnit)).scalars()}


@pytest.mark.parametrize(("raw", "expected"), [
    ("１０００１", "10001"), ("　王　芳 ", "王 芳"), ("ａｂｃ＠ｅｘａｍｐｌｅ．ｃｏｍ", "abc@example.com"),
    (13800138000.0, "13800138000"), (None, ""), ("集团／华东公司", "集团/华东公司"),
])
def test_cells_are_nfkc_normalised_and_trimmed(raw: object, expected: str) -> None:
    assert clean(raw) == expected


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030"])
def test_encodings_are_detected(encoding: str) -> None:
    assert decode(csv_bytes(ROWS, encoding)).startswith("工号,姓名")
    assert decode(csv_bytes(ROWS, "utf-8", bom=True)).startswith("工号,")


def test_rows_are_validated_with_row_column_and_reason() -> None:
    report = ImportReport()
    table = [HEADER, ["100001", "王芳", "集团/华东公司", "", "not-an-email", "12345", "在职"],
             ["", "李强", "集团", "", "", "", "退休"]]
    assert parse_rows(table, report) == []
    found = {(r.row, r.column, r.reason) for r in report.rejected}
    assert found == {(2, "邮箱", "invalid_email"), (2, "手机", "invalid_mobile"),
                     (3, "工号", "required"), (3, "状态", "bad_status")}
    assert people_import.describe(report.rejected[-1]) == "must be 在职 or 离职"


def test_duplicate_rows_collapse_and_conflicting_ones_are_rejected() -> None:
    report = ImportReport()
    same = ["100001", "王芳", "集团/华东公司", "", "", "", ""]
    table = [HEADER, same, list(same), ["１００００１", "王芳 ", "集团/华东公司", "", "", "", ""],
             ["100001", "王芳芳", "集团/华东公司", "", "", "", ""]]
    rows = parse_rows(table, report)
    assert [r.employee_no for r in rows] == ["100001"]
    assert report.duplicates == 2
    assert [(r.row, r.column, r.other) for r in report.rejected] == [(5, "工号", "2")]
    assert people_import.describe(report.rejected[0]) == "differs from row 2"


def test_missing_column_is_reported_on_the_header_row() -> None:
    report = ImportReport()
    parse_rows([["工号", "姓名"], ["1", "王芳"]], report)
    assert [(r.row, r.column, r.reason) for r in report.rejected] == [(1, "组织路径", "missing_column")]


def test_gbk_file_with_full_width_digits_creates_people_and_units(app: Flask) -> None:
    rows = [["１０００１", "王芳　", "集团/华东公司/质量部", "质量工程师", "", "１３８ ０013 8000", ""]]
    with app.app_context():
        report = people_import.import_people(csv_bytes(rows, "gbk"), "people.csv")
    assert report.applied
    assert len(report.of("create")) == 1
    assert report.new_units == ["集团", "集团/华东公司", "集团/华东公司/质量部"]
    person = people(app)["10001"]
    assert (person.name, person.phone, person.org_unit.name) == ("王芳", "13800138000", "质量部")  # type: ignore[union-attr]


def test_importing_the_same_file_twice_changes_nothing(app: Flask, tmp_path: Path) -> None:
    data = csv_bytes(ROWS, bom=True)
    with app.app_context():
        first = people_import.import_people(data, "people.csv")
        second = people_import.import_people(data, "people.csv")
    assert first.applied
    assert len(first.of("create")) == 3
    assert not second.applied
    assert not second.has_changes
    assert len(second.of("unchanged")) == 3


def test_xlsx_is_read_with_numbers_as_text(app: Flask, tmp_path: Path) -> None:
    data = xlsx_bytes([[100001, "王芳", "集团/华东公司/质量部", "质量工程师", "", 13800138000, "在职"]], tmp_path)
    with app.app_context():
        report = people_import.import_people(data, "people.xlsx")
    assert report.applied
    assert people(app)["100001"].phone == "13800138000"


def test_a_bad_email_rejects_the_file_and_applies_nothing(app: Flask) -> None:
    rows = [*ROWS, ["100009", "钱七", "集团/华东公司", "", "qian@@example", "", ""]]
    with app.app_context():
        report = people_import.import_people(csv_bytes(rows), "people.csv")
    assert not report.applied
    assert [(r.row, r.column) for r in report.rejected] == [(5, "邮箱")]
    assert people(app) == {}
    assert unit_names(app) == set()


def test_moves_updates_and_leavers(app: Flask) -> None:
    with app.app_context():
        people_import.import_people(csv_bytes(ROWS), "people.csv")
        changed = [["100001", "王芳", "集团/西南公司/研发中心", "质量工程师", "wang.fang@example.com", "13800138000", "在职"],
                   ["100002", "李强", "集团/华东公司/质量部/检验班", "检验员", "", "13900139000", "离职"]]
        report = people_import.import_people(csv_bytes(changed), "people.csv")
    assert report.applied
    move = report.of("update")[0]
    assert (move.employee_no, move.fields, move.moved_from) == ("100001", ("组织路径",), "集团/华东公司/质量部")
    assert [c.employee_no for c in report.of("deactivate")] == ["100002"]
    found = people(app)
    assert found["100001"].org_unit.name == "研发中心"  # type: ignore[union-attr]
    assert found["100002"].active is False  # deactivated, never deleted


def test_full_import_deactivates_people_missing_from_covered_units(app: Flask) -> None:
    with app.app_context():
        people_import.import_people(csv_bytes(ROWS), "people.csv")
        report = people_import.import_people(csv_bytes([ROWS[0], ROWS[2]]), "people.csv", full=False)
        assert not report.has_changes
        report = people_import.import_people(csv_bytes([ROWS[0], ROWS[2]]), "people.csv", full=True)
    # 李强 sits in 检验班, a unit the shorter file does not cover: he stays
    assert report.of("deactivate") == []
    with app.app_context():
        report = people_import.import_people(csv_bytes([ROWS[0]]), "people.csv", full=True, dry_run=True)
        assert [c.employee_no for c in report.of("deactivate")] == []
        db.session.rollback()
        both = [ROWS[0], ["100003", "孙丽", "集团/华东公司/质量部", "", "", "", ""]]
        people_import.import_people(csv_bytes(both), "people.csv")
        report = people_import.import_people(csv_bytes([ROWS[0]]), "people.csv", full=True)
    assert [c.employee_no for c in report.of("deactivate")] == ["100003"]
    assert people(app)["100003"].active is False


def test_dry_run_writes_nothing(app: Flask) -> None:
    with app.app_context():
        report = people_import.import_people(csv_bytes(ROWS), "people.csv", dry_run=True)
        assert len(report.of("create")) == 3
        assert not report.applied
        assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == 0


def test_hr_import_rejects_rows_outside_the_scope(app: Flask) -> None:
    with app.app_context():
        people_import.import_people(csv_bytes(ROWS), "people.csv")
        east = db.session.execute(select(OrgUnit).where(OrgUnit.name == "华东公司")).scalar_one()
        rows = [["100004", "周杰", "集团/西南公司/研发中心", "", "", "", ""]]
        report = people_import.import_people(csv_bytes(rows), "people.csv", scope=[east.path])
    assert not report.applied
    assert [(r.row, r.column, r.reason) for r in report.rejected] == [(2, "组织路径", "out_of_scope")]


def test_cli_import_prints_a_json_summary(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(ROWS, "gb18030"))
    result = app.test_cli_runner().invoke(args=["users", "import", str(path), "--json", "--dry-run"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert (summary["created"], summary["applied"]) == (3, False)
    result = app.test_cli_runner().invoke(args=["users", "import", str(path)])
    assert "created 3" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["x y", "王", "集团", "", "", "", ""]]))
    result = app.test_cli_runner().invoke(args=["users", "import", str(bad)])
    assert result.exit_code == 1
    assert "row     2 工号: invalid" in result.output
