"""People import with progress: the streamed check and apply, and the page in headless Chromium."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from academy.database import db
from academy.models import OrgUnit, Role, User, UserRole
from academy.people.services import org, people_import

from .conftest import _HASH, LiveServer, browser_log_in, log_in
from .support.people import csv_bytes


def many(count: int, unit: str = "集团/华东公司/质量部") -> list[list[str]]:
    return [[f"5{i:05d}", f"员工{i}", f"{unit}/班组{i % 7}", "检验员", "", "", "在职"] for i in range(count)]


def lines(response: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines() if line.strip()]


def hr_of_east(app: Flask) -> tuple[User, User]:
    """The group with two subsidiaries and an HR user for each, in this app's database."""
    with app.app_context():
        group = org.create_unit("集团")
        east = org.create_unit("华东公司", parent=group)
        west = org.create_unit("西南公司", parent=group)
        hrs = [User(employee_no=number, name="人事", password_hash=_HASH, org_unit_id=unit.id,
                    roles=[UserRole(role=Role.HR, scope_unit_id=unit.id)]) for number, unit in (("H1", east), ("H2", west))]
        db.session.add_all(hrs)
        db.session.commit()
        for hr in hrs:
            db.session.refresh(hr)
        db.session.expunge_all()
    return hrs[0], hrs[1]


def post_check(client: FlaskClient, data: bytes, **extra: Any) -> Any:
    return client.post("/hr/import/check", data={"file": (io.BytesIO(data), "people.csv"), **extra},
                       content_type="multipart/form-data")


def count_people(app: Flask) -> int:
    with app.app_context():
        return int(db.session.execute(select(func.count()).select_from(User)).scalar_one())


def test_the_check_streams_rows_checked_then_the_preview(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path)
    hr, _ = hr_of_east(app)
    log_in(client, hr)
    response = post_check(client, csv_bytes(many(450)))
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    got = lines(response)
    steps = [(g["stage"], g["done"], g["total"]) for g in got if "stage" in g]
    assert steps == [("check", 0, 450), ("check", 200, 450), ("check", 400, 450), ("check", 450, 450)]
    assert "集团/华东公司/质量部/班组6" in got[-1]["html"]
    assert 'id="import-apply"' in got[-1]["html"]
    assert count_people(app) == 2  # a preview writes nothing
    token = got[-1]["html"].split('name="token" type="hidden" value="')[1].split('"')[0]

    applied = lines(client.post("/hr/import/run", data={"token": token}))
    steps = [(g["stage"], g["done"]) for g in applied if "stage" in g]
    assert steps[0] == ("check", 0)
    assert ("apply", 200) in steps
    assert steps[-1] == ("apply", 450)
    assert applied[-1] == {"message": "导入已生效：新建 450 人，更新 0 人，停用 0 人。", "category": "success"}
    assert count_people(app) == 452
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_cannot_be_read_gets_a_clear_message(app: Flask, client: FlaskClient) -> None:
    hr, _ = hr_of_east(app)
    log_in(client, hr)
    assert lines(post_check(client, b"\xff\xfe\x00garbage\x81")) == [
        {"error": "第 1 行含有既不是 UTF-8 也不是 GB18030 的字节：请重新另存为“CSV UTF-8”或 XLSX 文件。"}]
    missing = client.post("/hr/import/check", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    assert missing.get_json()["error"]


def test_rejected_rows_preview_without_an_apply_button(app: Flask, client: FlaskClient) -> None:
    hr, _ = hr_of_east(app)
    log_in(client, hr)
    got = lines(post_check(client, csv_bytes([*many(3), ["600001", "周杰", "集团/西南公司", "", "", "", ""]])))
    assert "不在您的管理范围内" in got[-1]["html"]
    assert "import-apply" not in got[-1]["html"]


def test_streamed_import_is_refused_outside_hr_and_for_another_users_upload(app: Flask, client: FlaskClient,  # type: ignore[no-untyped-def]
                                                                           make_user, tmp_path: Path) -> None:
    app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path)
    hr, other = hr_of_east(app)
    learner = make_user("L1")
    log_in(client, learner)
    assert post_check(client, csv_bytes(many(3))).status_code == 403
    assert client.post("/hr/import/run", data={"token": "x" * 32}).status_code == 403
    log_in(client, hr)
    token = lines(post_check(client, csv_bytes(many(3))))[-1]["html"].split('name="token" type="hidden" value="')[1].split('"')[0]
    log_in(client, other)
    assert client.post("/hr/import/run", data={"token": token}).status_code == 404
    assert count_people(app) == 3


def test_the_streamed_forms_need_their_csrf_token(tmp_path: Path) -> None:
    from .conftest import make_app

    app = make_app(WTF_CSRF_ENABLED=True, IMPORT_UPLOAD_DIR=str(tmp_path))
    hr, _ = hr_of_east(app)
    client = app.test_client()
    log_in(client, hr)
    assert post_check(client, csv_bytes(many(3))).status_code == 400
    assert client.post("/hr/import/run", data={"token": "x" * 32}).status_code == 400


def test_an_import_abandoned_half_way_applies_nothing(app: Flask) -> None:
    hr_of_east(app)
    with app.app_context():
        steps = people_import.import_steps(csv_bytes(many(700)), "people.csv")
        while next(steps) != ("apply", 400, 700):
            pass
        assert db.session.execute(select(func.count()).select_from(User)).scalar_one() > 2  # flushed, not committed
        steps.close()  # the browser went away
    assert count_people(app) == 2
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(OrgUnit)).scalar_one() == 3


def test_the_upload_page_shows_progress_and_the_preview(live_app: Flask, live_server: LiveServer, page,  # type: ignore[no-untyped-def]
                                                        tmp_path: Path) -> None:
    live_app.config["IMPORT_UPLOAD_DIR"] = str(tmp_path / "uploads")
    hr, _ = hr_of_east(live_app)
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(many(2000), "gbk"))
    browser_log_in(page, live_server, hr.employee_no)
    page.goto(f"{live_server.url}/hr/import")
    page.set_input_files("input[type=file]", str(path))
    page.click("#import-form button")
    page.wait_for_selector("#import-result section.preview", timeout=60_000)
    assert page.url == f"{live_server.url}/hr/import"  # no page load: the preview came through the stream
    assert page.locator(".import-stage").inner_text() == "已检查 2000 / 2000 行"
    assert "集团/华东公司/质量部/班组6" in page.locator("#import-result").inner_text()
    page.click("#import-apply button")
    page.wait_for_selector("#import-result .flash-success", timeout=60_000)
    assert "新建 2000 人" in page.locator("#import-result").inner_text()
    assert page.locator(".import-stage").inner_text() == "已导入 2000 / 2000 行"
    assert count_people(live_app) == 2002
