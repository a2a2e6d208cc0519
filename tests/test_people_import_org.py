"""People import against an org tree that changed: a department renamed, ``--full`` over subtrees."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.database import db
from academy.models import AssignmentTarget, AuditLog, Course, OrgUnit, Role, TargetKind, User, UserRole
from academy.people.services import assignments, people_import

from .conftest import log_in
from .support.people import csv_bytes, people

QUALITY = "集团/华东公司/质量部"
RENAMED = "集团/华东公司/质量管理部"
BEFORE = [
    ["100001", "王芳", QUALITY, "质量工程师", "wang.fang@example.com", "13800138000", "在职"],
    ["100002", "孙丽", QUALITY, "质量工程师", "", "", "在职"],
    ["100003", "李强", f"{QUALITY}/检验班", "检验员", "", "13900139000", "在职"],
    ["100004", "赵敏", "集团/华东公司/技术中心", "设计工程师", "", "", "在职"],
    ["200001", "周杰", "集团/西南公司/研发中心", "", "", "", "在职"],
]


def unit(app: Flask, path: str) -> OrgUnit:
    with app.app_context():
        units = {u.id: u for u in db.session.execute(select(OrgUnit)).scalars()}
        for found in units.values():
            names = "/".join(units[int(i)].name for i in found.path.strip("/").split("/") if i)
            if names == path:
                db.session.expunge(found)
                return found
    raise AssertionError(f"no unit {path}")


def load(app: Flask, rows: list[list[str]]) -> None:
    with app.app_context():
        assert people_import.import_people(csv_bytes(rows), "people.csv").applied


@pytest.fixture
def tree(synced: Flask, make_user: Callable[..., User]) -> User:
    """The org as the first file made it, an assignment on 质量部 and an HR user scoped to 华东公司."""
    load(synced, BEFORE)
    with synced.app_context():
        course = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()
        assignments.create_assignment(title="质量部必修", courses=[course], target_kind=TargetKind.UNIT,
                                      unit=db.session.get(OrgUnit, unit(synced, QUALITY).id))
    return make_user("H1", roles=(Role.HR,), scope=unit(synced, "集团/华东公司"), unit=unit(synced, "集团/华东公司"))


def messy(rows: list[list[str]]) -> bytes:
    """GBK, as older Excel saves it, with full-width digits, padded cells and a duplicated row."""
    wide = str.maketrans("0123456789", "０１２３４５６７８９")
    padded = [[cell.translate(wide) + "　" if i == 0 else f" {cell} " for i, cell in enumerate(r)] for r in rows]
    return csv_bytes([*padded, padded[0]], "gbk")


def renamed_file(**overrides: list[str]) -> list[list[str]]:
    rows = {
        "100001": ["100001", "王芳", RENAMED, "质量工程师", "wang.fang@example.com", "13800138000", "在职"],
        "100002": ["100002", "孙丽", RENAMED, "质量工程师", "", "", "在职"],
        "100003": ["100003", "李强", f"{RENAMED}/检验班", "检验员", "", "13900139000", "在职"],
        "100004": BEFORE[3],
        "100009": ["100009", "钱七", RENAMED, "质量工程师", "", "", "在职"],  # a new hire in the renamed department
    }
    rows.update(overrides)
    return [r for r in rows.values() if r]


def test_a_renamed_department_is_proposed_and_applied_as_a_rename(synced: Flask, tree: User) -> None:
    quality = unit(synced, QUALITY)
    with synced.app_context():
        preview = people_import.import_people(messy(renamed_file()), "people.csv", dry_run=True)
        db.session.rollback()
    assert preview.renamed_units == [(QUALITY, RENAMED)]
    assert preview.new_units == []
    assert [c.employee_no for c in preview.of("create")] == ["100009"]
    assert preview.of("update") == []  # nobody moves: their unit gets the new name
    assert preview.duplicates == 1
    with synced.app_context():
        report = people_import.import_people(messy(renamed_file()), "people.csv")
    assert report.applied
    found = people(synced)
    assert found["100001"].org_unit_id == quality.id
    assert found["100009"].org_unit_id == quality.id
    assert found["100003"].org_unit.name == "检验班"  # type: ignore[union-attr]
    assert unit(synced, RENAMED).id == quality.id
    assert unit(synced, f"{RENAMED}/检验班").id == found["100003"].org_unit_id
    with synced.app_context():
        assert db.session.execute(select(OrgUnit).where(OrgUnit.name == "质量部")).first() is None
        targets = set(db.session.execute(select(AssignmentTarget.user_id)).scalars())
        assert {found[n].id for n in ("100001", "100002", "100003", "100009")} <= targets  # the new hire too
        log = db.session.execute(select(AuditLog).where(AuditLog.action == "org_unit_renamed")).scalar_one()
        assert (log.detail["old"], log.detail["new"]) == ("质量部", "质量管理部")
        again = people_import.import_people(messy(renamed_file()), "people.csv")
    assert not again.has_changes  # idempotent: the second run sees the new name


def test_an_hr_scope_on_the_renamed_unit_keeps_working(synced: Flask, tree: User,
                                                       make_user: Callable[..., User]) -> None:
    quality = unit(synced, QUALITY)
    hr = make_user("H9", roles=(Role.HR,), scope=quality, unit=unit(synced, "集团/西南公司"))
    load(synced, renamed_file())
    with synced.app_context():
        role = db.session.execute(select(UserRole).where(UserRole.user_id == hr.id)).scalar_one()
        assert role.scope_unit_id == quality.id
        assert role.scope_unit is not None
        assert role.scope_unit.name == "质量管理部"


def test_a_leaver_does_not_stop_the_rename(synced: Flask, tree: User) -> None:
    rows = renamed_file(**{"100002": ["100002", "孙丽", RENAMED, "", "", "", "离职"]})
    with synced.app_context():
        report = people_import.import_people(csv_bytes(rows), "people.csv")
    assert report.renamed_units == [(QUALITY, RENAMED)]
    assert [c.employee_no for c in report.of("deactivate")] == ["100002"]
    assert people(synced)["100002"].active is False


@pytest.mark.parametrize(("why", "overrides"), [
    ("someone of the department is listed elsewhere",
     {"100002": ["100002", "孙丽", "集团/华东公司/技术中心", "", "", "", "在职"]}),
    ("someone of the department is missing from the file", {"100002": []}),
    ("the sub-unit is renamed too", {"100003": ["100003", "李强", f"{RENAMED}/检测班", "检验员", "", "13900139000", "在职"]}),
])
def test_unclear_cases_stay_a_new_unit_and_moves(synced: Flask, tree: User, why: str,
                                                 overrides: dict[str, list[str]]) -> None:
    with synced.app_context():
        report = people_import.import_people(csv_bytes(renamed_file(**overrides)), "people.csv", dry_run=True)
        db.session.rollback()
    assert report.renamed_units == [], why
    assert RENAMED in report.new_units
    assert "100001" in {c.employee_no for c in report.of("update")}


def test_a_new_name_under_another_parent_is_a_move_not_a_rename(synced: Flask, tree: User) -> None:
    elsewhere = "集团/西南公司/质量管理部"
    rows = [[r[0], r[1], r[2].replace(QUALITY, elsewhere), *r[3:]] for r in BEFORE]
    with synced.app_context():
        report = people_import.import_people(csv_bytes(rows), "people.csv", dry_run=True)
        db.session.rollback()
    assert report.renamed_units == []
    assert elsewhere in report.new_units


def test_two_departments_merged_under_one_new_name_are_not_a_rename(synced: Flask, tree: User) -> None:
    merged = "集团/华东公司/质量技术部"
    rows = [[r[0], r[1], r[2].replace(QUALITY, merged).replace("集团/华东公司/技术中心", merged), *r[3:]] for r in BEFORE]
    with synced.app_context():
        report = people_import.import_people(csv_bytes(rows), "people.csv", dry_run=True)
        db.session.rollback()
    assert report.renamed_units == []
    assert merged in report.new_units


def test_cli_json_lists_the_rename(synced: Flask, tree: User, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(messy(renamed_file()))
    result = synced.test_cli_runner().invoke(args=["users", "import", str(path), "--json", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["renamed_units"] == [{"from": QUALITY, "to": RENAMED}]
    result = synced.test_cli_runner().invoke(args=["users", "import", str(path)])
    assert f"rename     {QUALITY} -> {RENAMED}" in result.output


def test_the_upload_page_previews_the_rename(synced: Flask, client: FlaskClient, tree: User) -> None:
    log_in(client, tree)
    response = client.post("/hr/import", data={"file": (io.BytesIO(messy(renamed_file())), "people.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "重命名的单位" in text
    assert f"{QUALITY} → {RENAMED}" in text


# --- --full over subtrees ----------------------------------------------------------------------

BOSS = ["100010", "陈总", "集团/华东公司", "总经理", "", "", "在职"]


def full_import(app: Flask, rows: list[list[str]], scope: list[str] | None = None) -> people_import.ImportReport:
    with app.app_context():
        return people_import.import_people(csv_bytes(rows), "people.csv", full=True, scope=scope)


def test_a_list_that_reaches_below_a_unit_covers_its_whole_subtree(app: Flask) -> None:
    load(app, [*BEFORE, BOSS])
    report = full_import(app, [BOSS, BEFORE[0]])  # 华东公司 itself and 质量部 below it: the branch's full list
    gone = {(c.employee_no, c.unit_path) for c in report.of("deactivate")}
    assert gone == {("100002", QUALITY), ("100003", f"{QUALITY}/检验班"), ("100004", "集团/华东公司/技术中心")}
    found = people(app)
    assert not found["100004"].active  # 技术中心, dropped from the list, is covered through 华东公司
    assert found["200001"].active  # 西南公司 is not in the file


def test_a_unit_listed_with_its_own_people_only_covers_itself(app: Flask) -> None:
    load(app, [*BEFORE, BOSS])
    report = full_import(app, [BEFORE[0]])
    assert [c.employee_no for c in report.of("deactivate")] == ["100002"]  # 李强 in 检验班 stays
    assert people(app)["100003"].active


def test_full_never_deactivates_outside_the_importers_scope(app: Flask) -> None:
    load(app, [*BEFORE, BOSS])
    east = unit(app, "集团/华东公司")
    # a leaver's row names a unit of another subsidiary: it must not make that unit "covered"
    stranger = ["999999", "路人", "集团/西南公司/研发中心", "", "", "", "离职"]
    report = full_import(app, [BOSS, BEFORE[0], stranger], scope=[east.path])
    assert report.applied
    assert "200001" not in {c.employee_no for c in report.of("deactivate")}
    assert people(app)["200001"].active
    with app.app_context():
        admin = people_import.import_people(csv_bytes([BOSS, BEFORE[0], stranger]), "people.csv", full=True,
                                            dry_run=True)
        db.session.rollback()
    assert "200001" in {c.employee_no for c in admin.of("deactivate")}  # an admin's list covers 研发中心


def test_full_reads_a_renamed_department_under_its_new_name(synced: Flask, tree: User) -> None:
    rows = renamed_file(**{"100009": ["100009", "钱七", f"{RENAMED}/检验班", "", "", "", "在职"]})
    with synced.app_context():
        report = people_import.import_people(csv_bytes(rows), "people.csv", full=True)
    assert report.renamed_units == [(QUALITY, RENAMED)]
    assert report.of("deactivate") == []  # its people are all listed, under the new name
    assert people(synced)["100009"].org_unit_id == unit(synced, f"{RENAMED}/检验班").id
