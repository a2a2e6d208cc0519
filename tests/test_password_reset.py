"""Password reset: by e-mail through a real SMTP server on loopback, and by an admin."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from academy.database import db
from academy.models import AuditLog, Role, User

from .conftest import PASSWORD, log_in
from .support.mail import Inbox, smtp_inbox

NEW = "Quality-Rules-2026"



@pytest.fixture
def inbox(app: Flask) -> Iterator[Inbox]:
    with smtp_inbox(app, PUBLIC_URL="https://academy.example.com") as box:
        yield box


def _link(message: EmailMessage) -> str:
    body = message.get_content()  # type: ignore[attr-defined]
    found = re.search(r"https://academy\.example\.com(/password/reset/\S+)", body)
    assert found is not None, body
    return found.group(1)


def test_a_reset_link_works_once(app: Flask, client: FlaskClient, inbox: Inbox, make_user: Callable[..., User]) -> None:
    make_user("100123", email="wang@example.com")
    other = app.test_client()
    log_in(other, make_user("100124"))  # someone else's session is not touched
    response = client.post("/password/forgot", data={"identifier": "100123"})
    assert response.status_code == 303
    assert len(inbox.messages) == 1
    assert inbox.messages[0]["To"] == "wang@example.com"
    assert inbox.messages[0]["Subject"] == "重置质量标准化学院的密码"
    link = _link(inbox.messages[0])
    assert client.get(link).status_code == 200
    weak = client.post(link, data={"new": "password12", "confirm": "password12"})
    assert weak.status_code == 422
    assert "过于常见" in weak.get_data(as_text=True)
    assert client.post(link, data={"new": NEW, "confirm": NEW}).status_code == 303
    assert client.post("/login", data={"identifier": "100123", "password": NEW}).status_code == 303
    client.post("/logout")
    again = client.post(link, data={"new": "Another-Choice-99", "confirm": "Another-Choice-99"})
    assert again.status_code == 303
    assert again.location == "/password/forgot"  # used once: refused
    assert other.get("/me").status_code == 200


def test_unknown_names_get_the_same_answer_and_no_mail(app: Flask, client: FlaskClient, inbox: Inbox,
                                                       make_user: Callable[..., User]) -> None:
    make_user("100123", email="wang@example.com")
    known = client.post("/password/forgot", data={"identifier": "100123"}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"identifier": "nobody"}, follow_redirects=True)
    assert _without_csrf_token(known.get_data(as_text=True)) == _without_csrf_token(unknown.get_data(as_text=True))
    assert len(inbox.messages) == 1


def _without_csrf_token(page: str) -> str:
    # The token carries the second it was signed in, so two answers a moment apart differ there only.
    stripped, found = re.subn(r'(name="csrf_token"[^>]*value=")[^"]+"', r'\1"', page)
    assert found == 1
    return stripped


def test_requests_for_one_name_are_limited(app: Flask, client: FlaskClient, inbox: Inbox,
                                           make_user: Callable[..., User]) -> None:
    make_user("100123", email="wang@example.com")
    for _ in range(5):
        client.post("/password/forgot", data={"identifier": "100123"})
    assert len(inbox.messages) == 3  # LOGIN_MAX_FAILURES is 3 in tests


@pytest.mark.parametrize("tamper", ["expired", "forged", "other_salt"])
def test_expired_or_forged_links_are_refused(app: Flask, client: FlaskClient, make_user: Callable[..., User],
                                             tamper: str) -> None:
    user = make_user("100123")
    with app.app_context():
        from academy.people.services import password_reset

        row = db.session.get(User, user.id)
        assert row is not None
        if tamper == "expired":
            app.config["PASSWORD_RESET_MINUTES"] = -1
            token = password_reset.make_token(row)
        elif tamper == "forged":
            token = URLSafeTimedSerializer("not-the-secret", salt=password_reset.SALT).dumps({"u": user.id, "p": ""})
        else:
            token = URLSafeTimedSerializer(app.secret_key, salt="something-else").dumps({"u": user.id})
    assert client.get(f"/password/reset/{token}").location == "/password/forgot"


def test_an_admin_reset_gives_a_temporary_password_once_and_forces_a_change(app: Flask, make_user: Callable[..., User]) -> None:
    person = make_user("100123")
    admin, phone, laptop = app.test_client(), app.test_client(), app.test_client()
    log_in(admin, make_user("A1", roles=(Role.ADMIN,)))
    log_in(phone, person)
    page = admin.post(f"/admin/people/{person.id}/password").get_data(as_text=True)
    temporary = re.search(r'<code class="temporary">([^<]+)</code>', page)
    assert temporary is not None
    assert phone.get("/me").status_code == 302  # their sessions ended
    assert "temporary" not in admin.get(f"/admin/users/{person.id}").get_data(as_text=True)  # shown once
    assert laptop.post("/login", data={"identifier": "100123", "password": temporary.group(1)}).location == "/account/password"
    with app.app_context():
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "password_set")).scalar_one()
        assert entry.detail["temporary"] is True
        assert temporary.group(1) not in str(entry.detail)


def test_hr_resets_learners_in_scope_only(app: Flask, make_unit: Callable[..., Any],
                                          make_user: Callable[..., User]) -> None:
    group = make_unit("集团")
    east, west = make_unit("华东公司", group), make_unit("西南公司", group)
    hr = make_user("H1", roles=(Role.HR,), scope=east, unit=east)
    mine, theirs = make_user("E1", unit=east), make_user("W1", unit=west)
    colleague = make_user("H3", roles=(Role.HR,), scope=east, unit=east)
    boss = make_user("A1", roles=(Role.ADMIN,), unit=east)
    client = app.test_client()
    log_in(client, hr)
    assert "重置密码" in client.get(f"/hr/people/{mine.id}").get_data(as_text=True)
    assert client.post(f"/admin/people/{mine.id}/password").status_code == 200
    for other in (theirs, colleague, boss):  # another subsidiary, or someone with rights HR must not take over
        assert client.post(f"/admin/people/{other.id}/password").status_code == 404
    assert "重置密码" not in client.get(f"/hr/people/{colleague.id}").get_data(as_text=True)


def test_learners_cannot_reset_passwords(client: FlaskClient, make_user: Callable[..., User]) -> None:
    person = make_user("100123")
    log_in(client, make_user("E2"))
    assert client.post(f"/admin/people/{person.id}/password").status_code == 404
    other = client.application.test_client()
    assert other.post("/login", data={"identifier": "100123", "password": PASSWORD}).status_code == 303  # unchanged
