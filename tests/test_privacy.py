"""Personal information: the notice at first sign-in, a person's own record, leavers anonymised."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from academy.assessment.services import certificates
from academy.database import db
from academy.models import Attempt, AuditLog, Certificate, User
from academy.people.services import accounts, privacy

from .conftest import PASSWORD, log_in, make_app, passed_final_exam


def sign_in(client: FlaskClient, user: User):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"identifier": user.employee_no, "password": PASSWORD})


@pytest.fixture
def app() -> Flask:
    return make_app(PRIVACY_NOTICE_VERSION=1)


def test_the_notice_comes_first_at_the_first_sign_in_and_only_then(app: Flask, make_user: Callable[..., User]) -> None:
    user = make_user("L1")
    client = app.test_client()
    sign_in(client, user)
    held = client.get("/me")
    assert held.status_code == 303
    assert "/privacy/read" in held.headers["Location"]
    page = client.get(held.headers["Location"])
    assert "个人信息保护告知" in page.get_data(as_text=True)
    assert "离开考试页面" in page.get_data(as_text=True)  # exam integrity signals are named
    done = client.post("/privacy/read?next=/me")
    assert done.headers["Location"] == "/me"
    assert client.get("/me").status_code == 200
    again = app.test_client()
    sign_in(again, user)
    assert again.get("/me").status_code == 200
    with app.app_context():
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "privacy_notice_read")).scalar_one()
        assert (entry.actor_id, entry.detail["version"]) == (user.id, 1)


def test_a_new_version_of_the_notice_is_shown_again(make_user: Callable[..., User]) -> None:
    app = make_app(PRIVACY_NOTICE_VERSION=2)
    with app.app_context():
        user = accounts.create_user("L2", "李四", password=PASSWORD)
        user.privacy_notice_version = 1
        db.session.commit()
        number = user.employee_no
    client = app.test_client()
    client.post("/login", data={"identifier": number, "password": PASSWORD})
    assert "/privacy/read" in client.get("/courses").headers["Location"]


def test_the_notice_is_public_and_the_record_is_not(client: FlaskClient) -> None:
    assert client.get("/privacy").status_code == 200
    assert client.get("/me/record.json").status_code == 302
    assert client.get("/me/record.pdf").status_code == 302


def test_a_person_downloads_their_own_record_as_json_and_it_is_audited(synced: Flask, make_user: Callable[..., User]) -> None:
    user = make_user("L1", name="王芳")
    passed_final_exam(synced, user)
    other = make_user("L2", name="周杰")
    passed_final_exam(synced, other)
    client = synced.test_client()
    log_in(client, user)
    response = client.get("/me/record.json")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["person"]["name"] == "王芳"
    assert [a["quiz"] for a in data["exam_attempts"]] == ["final/sample-course"]  # only their own
    assert "周杰" not in response.get_data(as_text=True)
    with synced.app_context():
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "personal_data_exported")).scalar_one()
        assert (entry.actor_id, entry.detail["format"]) == (user.id, "json")


def test_the_pdf_record_reads_back_in_chinese(synced: Flask, make_user: Callable[..., User], tmp_path) -> None:  # type: ignore[no-untyped-def]
    user = make_user("L1", name="王芳")
    client = synced.test_client()
    log_in(client, user)
    response = client.get("/me/record.pdf")
    assert response.mimetype == "application/pdf"
    (tmp_path / "record.pdf").write_bytes(response.get_data())
    text = subprocess.run(["pdftotext", str(tmp_path / "record.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "我的培训与个人信息记录" in text
    assert "王芳" in text


def test_deactivation_starts_the_leavers_clock_on_every_path(app: Flask, make_user: Callable[..., User]) -> None:
    user = make_user("L1")
    with app.app_context():
        row = db.session.get(User, user.id)
        assert row is not None
        accounts.set_active(row, False)
        assert row.deactivated_at is not None
        accounts.set_active(row, True)
        assert row.deactivated_at is None


def test_leavers_are_anonymised_after_the_period_and_their_counts_and_certificates_remain(
        synced: Flask, make_user: Callable[..., User]) -> None:
    old, recent, working = make_user("L1", name="王芳", email="wang@example.com"), make_user("L2"), make_user("L3")
    passed_final_exam(synced, old)
    now = datetime.now(UTC)
    with synced.app_context():
        attempt = db.session.execute(select(Attempt).where(Attempt.user_id == old.id)).scalar_one()
        cert = certificates.issue(attempt, "cert-sample", now)
        db.session.commit()
        serial = cert.serial
        for user_id, ago in ((old.id, 4 * 365), (recent.id, 30)):
            row = db.session.get(User, user_id)
            assert row is not None
            row.active = False
            row.deactivated_at = now - timedelta(days=ago)
        db.session.commit()
        assert privacy.anonymise_leavers(3 * 365, now=now) == 1
        gone = db.session.get(User, old.id)
        assert gone is not None
        assert (gone.name, gone.email, gone.phone) == ("已注销人员", None, None)
        assert gone.employee_no != "L1"
        assert db.session.get(User, recent.id).name == "张三明"  # type: ignore[union-attr]
        assert db.session.get(User, working.id).anonymised_at is None  # type: ignore[union-attr]
        assert db.session.execute(select(func.count()).select_from(Attempt)).scalar_one() == 1  # counts stay
        assert db.session.execute(select(Certificate)).scalar_one().holder_name == "王芳"  # as printed
        assert db.session.execute(select(AuditLog).where(AuditLog.action == "personal_data_anonymised")).scalar_one()
        assert privacy.anonymise_leavers(3 * 365, now=now) == 0  # once
    assert synced.test_client().get(f"/verify/{serial}").status_code == 200


def test_the_anonymise_command_previews_and_runs(app: Flask, make_user: Callable[..., User]) -> None:
    user = make_user("L1")
    with app.app_context():
        row = db.session.get(User, user.id)
        assert row is not None
        row.active = False
        row.deactivated_at = datetime.now(UTC) - timedelta(days=10)
        db.session.commit()
    runner = app.test_cli_runner()
    assert "1 leavers" in runner.invoke(args=["privacy", "anonymise", "--days", "7", "--dry-run"]).output
    assert "anonymised 0" in runner.invoke(args=["privacy", "anonymise"]).output  # the default period is years
    assert "anonymised 1" in runner.invoke(args=["privacy", "anonymise", "--days", "7"]).output
