"""Integrity signals: departures from a certification exam's page, recorded once each, rate-limited,
never blocking, announced before the start and shown to HR on the attempt."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from academy.database import db
from academy.models import AwayEvent, OrgUnit, Role, User

from .conftest import log_in, make_app
from .support.quiz import EXAM, FINAL, start


@pytest.fixture
def people(synced: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> dict:  # type: ignore[type-arg]
    units = make_tree("华东公司", "西南公司")
    return {"hr": make_user("H001", roles=(Role.HR,), scope=units["华东公司"], unit=units["华东公司"]),
            "other_hr": make_user("H002", roles=(Role.HR,), scope=units["西南公司"], unit=units["西南公司"]),
            "learner": make_user("L001", name="赵学员", unit=units["华东公司"]),
            "other": make_user("L002", unit=units["华东公司"])}


def test_the_exam_page_tells_the_learner_before_the_start(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    log_in(client, people["learner"])
    assert "个人信息告知" in client.get(EXAM).get_data(as_text=True)
    assert "个人信息告知" not in client.get(FINAL).get_data(as_text=True)
    attempt_id = start(client, EXAM)
    take = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "data-away-url" in take
    assert "integrity.js" in take


def test_each_departure_is_stored_once_and_hr_sees_the_count(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    log_in(client, people["learner"])
    attempt_id = start(client, EXAM)
    url = f"/attempts/{attempt_id}/away"
    assert client.post(url, data={"seq": "0", "kind": "hidden"}).get_json() == {"recorded": True}
    assert client.post(url, data={"seq": "0", "kind": "hidden"}).get_json() == {"recorded": False}
    assert client.post(url, data={"seq": "0", "kind": "hidden", "away_seconds": "42"}).get_json() == {"recorded": True}
    assert client.post(url, data={"seq": "0", "kind": "hidden", "away_seconds": "42"}).get_json() == {"recorded": False}
    assert client.post(url, data={"seq": "1", "kind": "blur"}).status_code == 200
    assert client.post(url, data={"seq": "2", "kind": "camera"}).status_code == 400
    assert client.post(url, data={"kind": "blur"}).status_code == 400
    with synced.app_context():
        assert db.session.scalar(select(func.count()).select_from(AwayEvent)) == 2
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert 'data-away-next="2"' in page  # a reloaded page goes on counting
    client.post(f"/attempts/{attempt_id}/submit")

    hr = synced.test_client()
    log_in(hr, people["hr"])
    result = hr.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "离开考试页面" in result
    assert "2 次" in result
    assert "42 秒后返回" in result
    after = client.post(url, data={"seq": "5", "kind": "blur"})
    assert after.get_json() == {"recorded": False}  # a page left open after the end records nothing


def test_refused_for_others_and_for_exams_without_a_certificate(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    log_in(client, people["learner"])
    attempt_id = start(client, EXAM)
    final_id = start(client, FINAL)
    assert client.post(f"/attempts/{final_id}/away", data={"seq": "0", "kind": "blur"}).status_code == 404
    other = synced.test_client()
    log_in(other, people["other"])
    assert other.post(f"/attempts/{attempt_id}/away", data={"seq": "0", "kind": "blur"}).status_code == 404
    other_hr = synced.test_client()
    log_in(other_hr, people["other_hr"])
    assert other_hr.get(f"/attempts/{attempt_id}").status_code == 404
    assert other_hr.post(f"/attempts/{attempt_id}/away", data={"seq": "0", "kind": "blur"}).status_code == 404


def test_a_runaway_page_is_rate_limited(synced: Flask, client: FlaskClient, people) -> None:  # type: ignore[no-untyped-def]
    log_in(client, people["learner"])
    attempt_id = start(client, EXAM)
    codes = [client.post(f"/attempts/{attempt_id}/away", data={"seq": str(n), "kind": "blur"}).status_code
             for n in range(32)]
    assert codes.count(200) == 30
    assert codes[-1] == 429


def test_a_report_without_the_csrf_token_is_refused() -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    from academy.content.library import load_library
    from academy.learning.services import content_sync

    with app.app_context():
        content_sync.sync(load_library(app.config["COURSES_ROOT"], app.config["QUIZ_ROOT"]))
        unit = OrgUnit(name="华东公司", path="")
        db.session.add(unit)
        db.session.flush()
        unit.path = f"/{unit.id}/"
        user = User(employee_no="L009", name="孙学员", org_unit_id=unit.id, password_hash="")
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
    client = app.test_client()
    log_in(client, user)
    assert client.post("/attempts/1/away", data={"seq": "0", "kind": "blur"}).status_code == 400
