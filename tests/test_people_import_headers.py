"""People files as HR systems export them: the usual header names, and bare department names."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.database import db
from academy.models import OrgUnit, Role, User
from academy.people.services.people_import import ImportReport, parse_rows

from .conftest import log_in


def test_the_usual_header_names_are_recognised() -> None:
    report = ImportReport()
    table = [["员工编号", "员工姓名", "所属部门", "职位", "电子邮箱", "手机号", "在职状态"],
             ["100001", "王芳", "集团/华东公司/质量部", "质量工程师", "wf@example.com", "138 0013 8000", "在职"]]
    rows = parse_rows(table, report)
    assert report.rejected == []
    assert [(r.employee_no, r.name, r.unit_path, r.position, r.email, r.phone) for r in rows] == [
        ("100001", "王芳", ("集团", "华东公司", "质量部"), "质量工程师", "wf@example.com", "13800138000")]


def test_a_bare_department_name_goes_under_the_importers_unit() -> None:
    report = ImportReport()
    rows = parse_rows([["工号", "姓名", "部门"], ["1", "王芳", "质量部"], ["2", "李强", "集团/西南公司"]], report,
                      base=("集团", "华东公司"))
    assert [r.unit_path for r in rows] == [("集团", "华东公司", "质量部"), ("集团", "西南公司")]
    kept = parse_rows([["工号", "姓名", "组织路径"], ["1", "王芳", "质量部"]], ImportReport(), base=("集团", "华东公司"))
    assert kept[0].unit_path == ("质量部",)  # 组织路径 always means a path from the root


def test_two_columns_for_one_field_are_refused_naming_both() -> None:
    report = ImportReport()
    assert parse_rows([["工号", "姓名", "部门", "手机", "手机号码"], ["1", "王芳", "质量部", "", ""]], report) == []
    assert [(r.row, r.column, r.reason, r.other) for r in report.rejected] == [(1, "手机", "ambiguous_column", "手机号码")]


def test_the_upload_page_previews_where_bare_departments_go(
        synced: Flask, client: FlaskClient, make_unit: Callable[..., OrgUnit], make_user: Callable[..., User],
        tmp_path: object) -> None:
    synced.config["IMPORT_UPLOAD_DIR"] = str(tmp_path)
    group = make_unit("集团")
    east, west = make_unit("华东公司", group), make_unit("西南公司", group)
    hr_east = make_user("H1", roles=(Role.HR,), scope=east, unit=east)
    make_user("H2", roles=(Role.HR,), scope=west, unit=west)
    log_in(client, hr_east)
    data = "员工编号,姓名,部门,在职状态\r\nQ9,孙丽,检验班,在职\r\n".encode()
    preview = client.post("/hr/import", data={"file": (io.BytesIO(data), "hr-export.csv")},
                          content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "集团/华东公司/检验班" in page
    assert "新增人员" in page
    both = "工号,员工编号,姓名,部门\r\n1,1,王芳,质量部\r\n".encode()
    refused = client.post("/hr/import", data={"file": (io.BytesIO(both), "both.csv")},
                          content_type="multipart/form-data").get_data(as_text=True)
    assert "员工编号" in refused.split("rejected")[1]
    assert "两列表示同一字段" in refused
    with synced.app_context():
        assert db.session.execute(select(User).where(User.employee_no == "Q9")).scalar_one_or_none() is None
