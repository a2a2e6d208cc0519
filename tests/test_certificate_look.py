"""Certificates that look issued: the issuing organisation (configurable), an optional seal, a
signature line, the score and the date, on the page and in the PDF."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

from academy.assessment.services import certificates
from academy.database import db
from academy.models import Attempt

from .conftest import log_in


def _certificate(app: Flask, user_id: int) -> str:
    with app.app_context():
        attempt = Attempt(user_id=user_id, quiz_key="exam/cert-sample", paper=[], passed=True, score=9, max_score=10,
                          submitted_at=datetime.now(UTC), certificate={"title": "质量管理基础认证", "tier": "all-staff"})
        db.session.add(attempt)
        db.session.flush()
        serial = certificates.issue(attempt, "cert-sample", datetime.now(UTC)).serial
        db.session.commit()
        return serial


def test_certificate_page_names_issuer_signature_line_and_score(app: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    app.config.update(CERTIFICATE_ISSUER="中国示例集团有限公司", CERTIFICATE_SEAL="img/seal.png")
    learner = make_user()
    serial = _certificate(app, learner.id)
    log_in(client, learner)
    page = client.get(f"/certificates/{serial}").get_data(as_text=True)
    for text in ("中国示例集团有限公司", "颁发单位：", 'class="sign-line"', "90%", "/static/img/seal.png", "质量管理基础认证"):
        assert text in page
    log_in(client, make_user())
    assert client.get(f"/certificates/{serial}").status_code == 404


def test_certificate_pdf_has_issuer_score_and_signature(app: Flask, client, make_user, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app.config.update(CERTIFICATE_ISSUER="中国示例集团有限公司", CERTIFICATE_SIGNER="培训中心主任")
    learner = make_user()
    serial = _certificate(app, learner.id)
    log_in(client, learner)
    response = client.get(f"/certificates/{serial}/pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        pdf = tmp_path / "cert.pdf"
        pdf.write_bytes(response.data)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        for words in ("中国示例集团有限公司", "得分", "90%", "颁发单位：中国示例集团有限公司", "培训中心主任"):
            assert words in text


def test_catalog_exam_box_says_until_when_the_learner_is_certified(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    learner = make_user()
    log_in(client, learner)
    assert "尚未取得" in client.get("/courses").get_data(as_text=True)
    _certificate(synced, learner.id)
    page = client.get("/courses").get_data(as_text=True)
    assert "已认证，有效期至" in page
    assert "尚未取得" not in page
