"""People files with headers nobody told us about: HR maps the columns once on the upload page,
the mapping is kept for their next files, and a mapping giving one field to two columns is refused."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.database import db
from academy.models import AuditLog, ImportColumnMap, OrgUnit, Role, User
from academy.people.services import column_map
from academy.people.services.people_import import ImportReport, parse_rows

from .conftest import log_in

ODD = "人员代码,人员名称,科室,岗位\r\nQ9,孙丽,检验班,检验员\r\n".encode()


@pytest.fixture
def offices(synced: Flask, make_unit: Callable[..., OrgUnit], make_user: Callable[..., User]) -> dict[str, Any]:
    group = make_unit("集团")
    east, west = make_unit("华东公司", group), make_unit("西南公司", group)
    return {"hr": make_user("H1", roles=(Role.HR,), scope=east, unit=east),
            "hr_west": make_user("H2", roles=(Role.HR,), scope=west, unit=west), "east": east}


def _upload(client: FlaskClient, data: bytes, name: str = "odd.csv") -> str:
    return client.post("/hr/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data").get_data(as_text=True)


def _token(page: str) -> str:
    found = re.search(r'id="import-columns".*?name="token" value="([^"]+)"', page, re.S)
    assert found, "the mapping form keeps the file"
    return found.group(1)


def test_unknown_headers_are_mapped_once_and_the_mapping_is_kept(client: FlaskClient, offices: dict[str, Any],
                                                                  synced: Flask) -> None:
    log_in(client, offices["hr"])
    page = _upload(client, ODD)
    assert "哪一列是什么" in page
    form = page.split('id="import-columns"')[1]
    assert "人员代码" in form
    assert "孙丽" in form  # the first row, to recognise the column by
    mapped = client.post("/hr/import/columns", data={"token": _token(page), "full": "", "col-0": "工号", "col-1": "姓名",
                                                     "col-2": "组织路径", "col-3": "岗位"})
    assert mapped.status_code == 200
    text = mapped.get_data(as_text=True)
    assert "集团/华东公司/检验班" in text  # a bare name under the importer's unit, as for 部门
    assert 'id="import-apply"' in text
    with synced.app_context():
        kept = db.session.get(ImportColumnMap, offices["hr"].id)
        assert kept is not None
        assert kept.columns["人员代码"] == "工号"
        assert db.session.execute(select(AuditLog.action).where(AuditLog.action == "import_columns_mapped")).scalar_one()
    again = _upload(client, ODD, "next-month.csv")  # the next file: no question asked
    assert 'id="import-columns"' not in again
    assert "集团/华东公司/检验班" in again
    assert "人员代码 → 工号" in again
    log_in(client, offices["hr_west"])  # per user: another HR user is asked again
    assert 'id="import-columns"' in _upload(client, ODD)


def test_a_mapping_giving_one_field_to_two_columns_is_refused_naming_them(client: FlaskClient,
                                                                          offices: dict[str, Any], synced: Flask) -> None:
    log_in(client, offices["hr"])
    page = _upload(client, ODD)
    refused = client.post("/hr/import/columns", data={"token": _token(page), "col-0": "工号", "col-1": "姓名",
                                                      "col-2": "姓名", "col-3": ""})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "人员名称、科室" in text
    assert "组织路径" in text.split('class="problems"')[1].split("</ul>")[0]  # the required field left without a column
    with synced.app_context():
        assert db.session.get(ImportColumnMap, offices["hr"].id) is None


def test_the_kept_file_is_the_uploaders_only(client: FlaskClient, offices: dict[str, Any]) -> None:
    log_in(client, offices["hr"])
    token = _token(_upload(client, ODD))
    log_in(client, offices["hr_west"])
    assert client.post("/hr/import/columns", data={"token": token, "col-0": "工号"}).status_code == 404
    assert client.post("/hr/import/columns", data={"col-0": "工号"}).status_code == 400


def test_forgetting_the_mapping(client: FlaskClient, offices: dict[str, Any], synced: Flask) -> None:
    with synced.app_context():
        hr = db.session.get(User, offices["hr"].id)
        assert hr is not None
        column_map.remember(hr, ["人员代码", "人员名称", "科室"], ["工号", "姓名", "组织路径"])
    log_in(client, offices["hr"])
    assert client.post("/hr/import/columns/forget").status_code == 303
    with synced.app_context():
        assert db.session.get(ImportColumnMap, offices["hr"].id) is None
    log_in(client, offices["hr_west"])
    assert client.get("/hr/import").status_code == 200


def test_a_saved_mapping_can_leave_a_known_column_out_and_ambiguity_is_still_refused() -> None:
    table = [["工号", "姓名", "部门", "手机", "备用手机"], ["1", "王芳", "质量部", "13800138000", "13900139000"]]
    report = ImportReport()
    rows = parse_rows(table, report, columns={"备用手机": ""})
    assert report.rejected == []
    assert rows[0].phone == "13800138000"
    twice = ImportReport()
    assert parse_rows(table, twice, columns={"备用手机": "手机"}) == []
    assert [(r.column, r.reason, r.other) for r in twice.rejected] == [("手机", "ambiguous_column", "备用手机")]


def test_the_check_names_the_columns_at_fault() -> None:
    errors = column_map.check(["a", "b", "c"], ["工号", "工号", ""])
    assert [(e.field, e.columns) for e in errors] == [("工号", ("a", "b")), ("姓名", ()), ("组织路径", ())]
