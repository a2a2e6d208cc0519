"""Certificates: issued on passing, verified publicly with masked data, printed, revoked, renewed."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.assessment.services.certificates import new_serial
from academy.database import db, utcnow
from academy.masking import mask_employee_no, mask_name
from academy.models import AuditLog, Certificate, Role, User

from .conftest import log_in
from .support.quiz import EXAM, answer_all, start


@pytest.mark.parametrize(("name", "masked"), [
    ("张三明", "张*明"), ("李四", "李*"), ("欧阳娜娜", "欧**娜"), ("王", "王"), ("Ada Lovelace", "A** L*******"),
])
def test_names_are_masked(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_employee_numbers_are_masked() -> None:
    assert mask_employee_no("20241234") == "****1234"
    assert mask_employee_no("123") == "***"


def test_serials_are_random_and_long() -> None:
    serials = {new_serial() for _ in range(200)}
    assert len(serials) == 200
    assert all(re.fullmatch(r"QS(-[A-Z2-9]{4}){4}", s) for s in serials)


def pass_exam(app: Flask, client: FlaskClient) -> Certificate:
    attempt_id = start(client, EXAM)
    answer_all(client, app, attempt_id)
    client.post(f"/attempts/{attempt_id}/submit")
    with app.app_context():
        cert = db.session.execute(select(Certificate).order_by(Certificate.id.desc())).scalars().first()
        assert cert is not None
        db.session.expunge(cert)
        return cert


@pytest.fixture
def holder(synced: Flask, client: FlaskClient, make_user) -> User:  # type: ignore[no-untyped-def]
    user = make_user("20241234", name="张三明")
    log_in(client, user)
    return user


def test_passing_the_certification_exam_issues_a_certificate(synced: Flask, client: FlaskClient, holder: User) -> None:
    cert = pass_exam(synced, client)
    assert cert.holder_name == "张三明"
    assert cert.employee_no == "20241234"
    assert cert.title == "示例合格证书"
    assert cert.tier == "all-staff"
    assert cert.valid_until.year == cert.issued_at.year + 2
    mine = client.get("/me/certificates").get_data(as_text=True)
    assert "我的证书" in mine
    assert cert.serial in mine
    assert "有效" in mine


def test_public_verification_masks_personal_data(synced: Flask, client: FlaskClient, holder: User) -> None:
    cert = pass_exam(synced, client)
    anonymous = synced.test_client()
    page = anonymous.get(f"/verify/{cert.serial}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "张*明" in html
    assert "****1234" in html
    assert "张三明" not in html
    assert "20241234" not in html
    assert "证书真实有效" in html
    missing = anonymous.get("/verify/QS-AAAA-BBBB-CCCC-DDDD")
    assert missing.status_code == 404
    assert "查无编号" in missing.get_data(as_text=True)


def test_printable_page_has_an_inline_qr_code_to_the_verification_page(synced: Flask, client: FlaskClient, holder: User) -> None:
    cert = pass_exam(synced, client)
    html = client.get(f"/certificates/{cert.serial}").get_data(as_text=True)
    assert "<svg" in html
    assert html.count('<rect x="') > 100
    assert f"/verify/{cert.serial}" in html
    assert "<script" not in html.split("<footer")[0].split("<main")[1]


def test_pdf_renders_chinese_text(synced: Flask, client: FlaskClient, holder: User, tmp_path: Path) -> None:
    cert = pass_exam(synced, client)
    response = client.get(f"/certificates/{cert.serial}/pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(response.data)
    assert response.data.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "张三明" in text
        assert "示例合格证书" in text


def test_certificate_pages_are_refused_to_other_people(synced: Flask, client: FlaskClient, holder: User, make_user) -> None:  # type: ignore[no-untyped-def]
    cert = pass_exam(synced, client)
    other = synced.test_client()
    log_in(other, make_user())
    assert other.get(f"/certificates/{cert.serial}").status_code == 404
    assert other.get(f"/certificates/{cert.serial}/pdf").status_code == 404
    assert other.post(f"/certificates/{cert.serial}/revoke", data={"reason": "x"}).status_code == 403
    assert synced.test_client().get("/me/certificates").status_code == 302


def test_admin_revokes_with_a_reason_and_verification_says_so(synced: Flask, client: FlaskClient, holder: User, make_user) -> None:  # type: ignore[no-untyped-def]
    cert = pass_exam(synced, client)
    admin = synced.test_client()
    log_in(admin, make_user(roles=(Role.ADMIN,)))
    empty = admin.post(f"/certificates/{cert.serial}/revoke", data={"reason": ""})
    assert empty.status_code == 422
    assert "请填写撤销证书的原因" in empty.get_data(as_text=True)
    assert admin.post(f"/certificates/{cert.serial}/revoke", data={"reason": "考试作弊"}).status_code == 303
    page = synced.test_client().get(f"/verify/{cert.serial}").get_data(as_text=True)
    assert "已于" in page
    assert "撤销" in page
    assert "考试作弊" in page
    with synced.app_context():
        assert db.session.execute(select(AuditLog).where(AuditLog.action == "certificate_revoke")).scalar_one()


def test_expired_certificate_says_so(synced: Flask, client: FlaskClient, holder: User) -> None:
    cert = pass_exam(synced, client)
    with synced.app_context():
        row = db.session.get(Certificate, cert.id)
        assert row is not None
        row.valid_until = utcnow() - timedelta(days=1)
        db.session.commit()
    assert "已于" in synced.test_client().get(f"/verify/{cert.serial}").get_data(as_text=True)
    assert "已过期" in client.get("/me/certificates").get_data(as_text=True)


def test_passing_again_renews_the_certificate(synced: Flask, client: FlaskClient, holder: User) -> None:
    first = pass_exam(synced, client)
    with synced.app_context():
        from academy.models import Attempt
        for attempt in db.session.execute(select(Attempt)).scalars():
            attempt.submitted_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    second = pass_exam(synced, client)
    assert second.serial != first.serial
    old = synced.test_client().get(f"/verify/{first.serial}").get_data(as_text=True)
    assert "换发新证书" in old
    assert "证书真实有效" in synced.test_client().get(f"/verify/{second.serial}").get_data(as_text=True)
