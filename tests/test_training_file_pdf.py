"""The training file (培训档案) as a server-made PDF: the printed page's sections, user text as text,
refused outside the HR user's scope, audited as a download."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.assessment.services import certificates
from academy.database import db
from academy.learning.services import progress
from academy.models import Attempt, AuditLog, Course, OrgUnit, Role, TargetKind, User
from academy.people.services import assignments

from .conftest import log_in


@pytest.fixture
def office(synced: Flask, make_unit: Callable[..., OrgUnit], make_user: Callable[..., User]) -> dict[str, Any]:
    group = make_unit("集团")
    east, west = make_unit("华东公司", group), make_unit("西南公司", group)
    quality = make_unit("质量部", east)
    people = {"hr": make_user("H1", roles=(Role.HR,), scope=east, unit=east),
              "hr_west": make_user("H2", roles=(Role.HR,), scope=west, unit=west),
              "learner": make_user("Q1", name="王<i>芳</i>&", unit=quality)}
    with synced.app_context():
        sample = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()
        assignments.create_assignment(title="<script>必修</script>", courses=[sample], target_kind=TargetKind.UNIT,
                                      unit=db.session.get(OrgUnit, east.id))
        progress.complete_lesson(db.session.get(User, people["learner"].id), sample.live_lessons[0])  # type: ignore[arg-type]
        when = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
        attempt = Attempt(user_id=people["learner"].id, quiz_key="exam/cert-sample", paper=[], passed=True, score=9,
                          max_score=10, submitted_at=when,
                          certificate={"title": "示例合格证书", "tier": "all-staff", "valid_years": 2})
        db.session.add(attempt)
        db.session.flush()
        certificates.issue(attempt, "cert-sample", when)
        db.session.commit()
    return people


def _text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "file.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


def test_the_pdf_has_the_pages_sections_with_user_text_as_text(client: FlaskClient, office: dict[str, Any],
                                                               synced: Flask, tmp_path: Path) -> None:
    log_in(client, office["hr"])
    learner = office["learner"].id
    page = client.get(f"/hr/people/{learner}").get_data(as_text=True)
    assert f'href="/hr/people/{learner}/file.pdf"' in page
    response = client.get(f"/hr/people/{learner}/file.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = _text(response.get_data(), tmp_path)
    assert "培训档案：王<i>芳</i>&" in text  # the name as typed, not as markup
    assert "<script>必修</script>" in text
    for heading in re.findall(r"<h2>([^<]+)</h2>", page):
        if heading != "面授培训":  # classroom sessions are added to the file by the blended-training work
            assert heading in text, heading
    assert "示例认证考试" in text
    assert "90" in text
    assert "2028-03-02" in text  # the certificate's expiry
    assert "示例合格证书" in text
    with synced.app_context():
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "data_exported")
                                   .order_by(AuditLog.id.desc())).scalars().first()
        assert entry is not None
        assert entry.detail["person"] == learner


def test_another_subsidiarys_hr_and_learners_are_refused(client: FlaskClient, office: dict[str, Any]) -> None:
    learner = office["learner"].id
    log_in(client, office["hr_west"])
    assert client.get(f"/hr/people/{learner}/file.pdf").status_code == 404
    assert client.get("/hr/people/999999/file.pdf").status_code == 404
    log_in(client, office["learner"])
    assert client.get(f"/hr/people/{learner}/file.pdf").status_code == 403
