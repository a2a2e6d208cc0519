"""External training and certificates: scans checked by their bytes and kept outside static/, served only
to the owner and their HR as a download; HR approves (hours by the rule for the kind) or rejects with a
reason; HR of another subsidiary gets 404; expiry warnings go out once per threshold."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from academy.config import ROOT
from academy.database import db
from academy.learning.services import external
from academy.models import AuditLog, ExternalRecord, ExternalState, Notice, OrgUnit, Role, User
from academy.people.services import privacy, reminders

from .conftest import log_in
from .support.mail import smtp_inbox

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML = b"<html><script>alert(1)</script></html>"


@dataclass
class Org:
    learner: User
    colleague: User
    hr_east: User
    hr_west: User


@pytest.fixture
def org(app: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> Org:
    units = make_tree("华东公司/质量部", "西南公司")
    return Org(make_user("E1", name="李明", unit=units["质量部"], email="li@example.com"),
               make_user("E2", name="赵强", unit=units["质量部"]),
               make_user("HR1", name="王芳", roles=(Role.HR,), scope=units["华东公司"], unit=units["华东公司"]),
               make_user("HR2", name="周伟", roles=(Role.HR,), scope=units["西南公司"], unit=units["西南公司"]))


def _submit(client: FlaskClient, data: bytes = PDF, name: str = "证书.pdf", **changes: object):  # type: ignore[no-untyped-def]
    form: dict[str, object] = {"kind": "cqe", "title": "注册质量工程师", "issuer": "中国质量协会", "number": "CQE-2026-0018",
                               "started_on": "2026-03-01", "ended_on": "2026-03-20", "expires_on": "2029-03-19",
                               "claimed_hours": "32", "scan": (io.BytesIO(data), name)}
    form.update(changes)
    return client.post("/training/external/new", data=form, content_type="multipart/form-data")


def _only(app: Flask) -> ExternalRecord:
    with app.app_context():
        record = db.session.execute(select(ExternalRecord)).scalar_one()
        db.session.expunge(record)
        return record


def test_a_submitted_scan_is_kept_outside_static_under_a_random_name(app: Flask, org: Org) -> None:
    client = app.test_client()
    log_in(client, org.learner)
    assert client.get("/training/external/new").status_code == 200
    assert _submit(client, PNG, "scan.pdf").status_code == 303  # a PNG called .pdf is a PNG
    record = _only(app)
    assert (record.state, record.scan_type, record.scan_name) == (ExternalState.PENDING, "image/png", "scan.pdf")
    with app.app_context():
        path = external.scan_path(record)
        assert path.read_bytes() == PNG
        assert path.suffix == ".png"
        assert not path.resolve().is_relative_to((ROOT / "static").resolve())
        assert "scan" not in path.stem
        assert db.session.scalar(select(func.count()).select_from(AuditLog)
                                 .where(AuditLog.action == "external.submit")) == 1
    assert "待审核" in client.get("/training").get_data(as_text=True)


@pytest.mark.parametrize(("data", "name", "message"), [
    (HTML, "证书.pdf", "扫描件须为 PDF、PNG 或 JPEG 文件"),
    (b"", "empty.pdf", "文件是空的"),
    (b"%PDF-" + b"0" * (310 * 1024), "big.pdf", "扫描件超过 0.3 MB"),
])
def test_a_bad_scan_is_refused_on_the_field_and_nothing_is_kept(app: Flask, org: Org, data: bytes, name: str,
                                                                message: str) -> None:
    app.config["SCAN_MAX_BYTES"] = 300 * 1024
    client = app.test_client()
    log_in(client, org.learner)
    response = _submit(client, data, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExternalRecord)) == 0
    assert list(Path(app.config["SCAN_FOLDER"]).glob("*")) == []


def test_dates_out_of_order_are_refused(app: Flask, org: Org) -> None:
    client = app.test_client()
    log_in(client, org.learner)
    response = _submit(client, ended_on="2026-02-01")
    assert response.status_code == 422
    assert "结束日期不能早于开始日期" in response.get_data(as_text=True)


def test_the_scan_goes_only_to_the_owner_and_their_hr_as_a_download(app: Flask, org: Org) -> None:
    owner = app.test_client()
    log_in(owner, org.learner)
    _submit(owner)
    record = _only(app)
    url = f"/training/external/{record.id}/scan"
    for person in (org.learner, org.hr_east):
        client = app.test_client()
        log_in(client, person)
        response = client.get(url)
        assert response.status_code == 200
        assert response.data == PDF
        assert response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert client.get(f"/training/external/{record.id}").status_code == 200
    for person in (org.colleague, org.hr_west):
        client = app.test_client()
        log_in(client, person)
        assert client.get(url).status_code == 404
        assert client.get(f"/training/external/{record.id}").status_code == 404
    assert app.test_client().get(url).status_code in (302, 401)  # signed out: to the login page


def test_hr_approves_and_the_hours_follow_the_rule_for_the_kind(app: Flask, org: Org) -> None:
    owner = app.test_client()
    log_in(owner, org.learner)
    _submit(owner)
    _submit(owner, kind="other", title="精益生产研修班", claimed_hours="60", expires_on="")
    hr = app.test_client()
    log_in(hr, org.hr_east)
    review = hr.get("/training/external/review").get_data(as_text=True)
    assert "注册质量工程师" in review
    assert "精益生产研修班" in review
    with app.app_context():
        ids = dict(db.session.execute(select(ExternalRecord.title, ExternalRecord.id)).tuples().all())
    for record_id in ids.values():
        assert hr.post(f"/training/external/{record_id}/decide", data={"decision": "approve"}).status_code == 303
    with app.app_context():
        hours = dict(db.session.execute(select(ExternalRecord.title, ExternalRecord.hours)).tuples().all())
        assert hours == {"注册质量工程师": 40, "精益生产研修班": 40}  # fixed 40 for a CQE; 60 claimed capped at 40
        assert db.session.scalar(select(func.count()).select_from(AuditLog)
                                 .where(AuditLog.action == "external.approve")) == 2
        assert db.session.scalar(select(func.count()).select_from(Notice)
                                 .where(Notice.user_id == org.learner.id, Notice.kind == "external")) == 2
    again = hr.post(f"/training/external/{ids['注册质量工程师']}/decide", data={"decision": "reject", "reason": "重复"},
                    follow_redirects=True)
    assert "此项已审核" in again.get_data(as_text=True)
    file = hr.get(f"/hr/people/{org.learner.id}").get_data(as_text=True)
    assert "CQE-2026-0018" in file.split('id="file-external"')[1]
    assert "外部 80" in file.split('id="file-hours"')[1].split("</p>")[0]


def test_a_rejection_needs_a_reason_and_the_learner_reads_it(app: Flask, org: Org) -> None:
    owner = app.test_client()
    log_in(owner, org.learner)
    _submit(owner)
    record = _only(app)
    hr = app.test_client()
    log_in(hr, org.hr_east)
    response = hr.post(f"/training/external/{record.id}/decide", data={"decision": "reject", "reason": " "})
    assert response.status_code == 422
    assert "请填写驳回原因" in response.get_data(as_text=True)
    assert hr.post(f"/training/external/{record.id}/decide",
                   data={"decision": "reject", "reason": "扫描件不清晰<b>"}).status_code == 303
    page = owner.get("/training").get_data(as_text=True)
    assert "未通过" in page
    assert "扫描件不清晰&lt;b&gt;" in page
    with app.app_context():
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "external.reject")).scalar_one()
        assert entry.detail["reason"] == "扫描件不清晰<b>"
        assert entry.actor_id == org.hr_east.id


def test_only_hr_over_the_person_decides(app: Flask, org: Org, make_user: Callable[..., User]) -> None:
    owner = app.test_client()
    log_in(owner, org.learner)
    _submit(owner)
    record = _only(app)
    url = f"/training/external/{record.id}/decide"
    for person in (org.hr_west, org.colleague, org.learner):
        client = app.test_client()
        log_in(client, person)
        assert client.post(url, data={"decision": "approve"}).status_code == 404
    client = app.test_client()
    log_in(client, org.learner)
    assert client.get("/training/external/review").status_code == 403
    # HR never approves their own outside training
    hr_owner = app.test_client()
    log_in(hr_owner, org.hr_east)
    _submit(hr_owner)
    with app.app_context():
        own = db.session.execute(select(ExternalRecord.id).where(ExternalRecord.user_id == org.hr_east.id)).scalar_one()
    assert hr_owner.post(f"/training/external/{own}/decide", data={"decision": "approve"}).status_code == 404
    assert _only_state(app, record.id) == ExternalState.PENDING


def _only_state(app: Flask, record_id: int) -> str:
    with app.app_context():
        return str(db.session.get(ExternalRecord, record_id).state)  # type: ignore[union-attr]


def test_the_rules_per_kind_are_configurable() -> None:
    rules = {"cqe": {"fixed": 48}, "other": {"cap": 10}, "black-belt": {}}
    assert external.credited_hours("cqe", 3, rules) == 48
    assert external.credited_hours("other", 12.5, rules) == 10
    assert external.credited_hours("metrology", 8, rules) == 8  # no rule of its own: the rule for "other"
    assert external.credited_hours("black-belt", 7, rules) == 7  # an empty rule: the hours claimed


def test_expiry_warnings_go_out_once_per_threshold(app: Flask, org: Org) -> None:
    owner = app.test_client()
    log_in(owner, org.learner)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    _submit(owner, expires_on=(today + timedelta(days=20)).isoformat(), started_on="2020-01-01", ended_on="2020-01-05")
    record = _only(app)
    hr = app.test_client()
    log_in(hr, org.hr_east)
    hr.post(f"/training/external/{record.id}/decide", data={"decision": "approve"})
    zone = ZoneInfo("Asia/Shanghai")
    now = datetime.now(UTC)
    with smtp_inbox(app) as inbox, app.app_context():
        settings = reminders.MailSettings.from_config(app.config)
        sent = reminders.send_all(settings, today=now.astimezone(zone).date(), now=now, zone=zone)
        assert sent.external == 1
        assert reminders.send_all(settings, today=now.astimezone(zone).date(), now=now, zone=zone).external == 0
    assert len(inbox.messages) == 1
    assert "注册质量工程师" in str(inbox.messages[0]["Subject"])
    assert "天后到期" in str(inbox.messages[0]["Subject"])


def test_the_personal_record_lists_outside_training_and_anonymising_a_leaver_deletes_the_scans(
        app: Flask, org: Org) -> None:
    owner = app.test_client()
    log_in(owner, org.learner)
    _submit(owner)
    record = _only(app)
    data = owner.get("/me/record.json").get_json()
    assert data["external_training"][0]["number"] == "CQE-2026-0018"
    assert data["external_training"][0]["state"] == "pending"
    assert data["classroom_sessions"] == []
    pdf = owner.get("/me/record.pdf")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")
    with app.app_context():
        path = external.scan_path(record)
        assert path.is_file()
        person = db.session.get(User, org.learner.id)
        assert person is not None
        person.active = False
        person.deactivated_at = datetime.now(UTC) - timedelta(days=400)
        db.session.commit()
        assert privacy.anonymise_leavers(365) == 1
        assert not path.exists()
        kept = db.session.get(ExternalRecord, record.id)
        assert kept is not None
        assert (kept.number, kept.scan_name, kept.title) == ("", "", "注册质量工程师")
    hr = app.test_client()
    log_in(hr, org.hr_east)
    assert hr.get(f"/training/external/{record.id}/scan").status_code == 404
