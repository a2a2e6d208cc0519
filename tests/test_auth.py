"""Logging in and out, lockout, passwords, CSRF, cookies, the audit trail."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from academy.database import db
from academy.models import AuditLog, User

from .conftest import PASSWORD, log_in, make_app

GENERIC = "工号、邮箱或密码不正确。"


def actions(app: Flask) -> list[str]:
    with app.app_context():
        return [a.action for a in db.session.execute(select(AuditLog).order_by(AuditLog.id)).scalars()]


def test_login_by_employee_number_then_by_email(app: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("100123", email="Zhang.San@example.com")
    response = client.post("/login", data={"identifier": "100123", "password": PASSWORD})
    assert response.status_code == 303
    assert response.location == "/me"
    client.post("/logout")
    response = client.post("/login", data={"identifier": "zhang.san@EXAMPLE.com", "password": PASSWORD})
    assert response.status_code == 303
    assert client.get("/me").status_code == 200
    assert actions(app) == ["login", "logout", "login"]
    with app.app_context():
        assert db.session.get(User, user.id).last_login_at is not None  # type: ignore[union-attr]


def test_wrong_password_and_unknown_user_get_the_same_message(app: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("100123")
    wrong = client.post("/login", data={"identifier": "100123", "password": "nope"})
    unknown = client.post("/login", data={"identifier": "999999", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 422
    assert GENERIC in wrong.get_data(as_text=True)
    assert GENERIC in unknown.get_data(as_text=True)
    assert actions(app) == ["login_failed", "login_failed"]


def test_repeated_failures_lock_the_account(app: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("100123")
    for _ in range(3):  # LOGIN_MAX_FAILURES is 3 in tests
        client.post("/login", data={"identifier": "100123", "password": "nope"})
    locked = client.post("/login", data={"identifier": "100123", "password": PASSWORD})
    assert locked.status_code == 422
    assert "账号已暂时锁定，请在 15 分钟后重试" in locked.get_data(as_text=True)
    assert "account_locked" in actions(app)
    app.extensions["rate_counts"].clear()  # the lock runs out
    assert client.post("/login", data={"identifier": "100123", "password": PASSWORD}).status_code == 303
    with app.app_context():
        assert db.session.get(User, user.id).failed_logins == 0  # type: ignore[union-attr]


def test_inactive_account_cannot_log_in_or_keep_a_session(client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("100124", active=False)
    response = client.post("/login", data={"identifier": "100124", "password": PASSWORD})
    assert response.status_code == 422
    assert GENERIC in response.get_data(as_text=True)
    log_in(client, user)
    assert client.get("/me").status_code == 302


def test_pages_need_login(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/courses", "/me", "/courses/sample-course", "/admin/content", "/account/password"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.location.startswith("/login?next="), path


def test_login_redirect_stays_on_site(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("100123")
    for target, expected in (("/courses", "/courses"), ("https://evil.example/", "/me"), ("//evil.example", "/me")):
        client.post("/logout")
        response = client.post("/login", data={"identifier": "100123", "password": PASSWORD, "next": target})
        assert response.location == expected


def test_change_password(app: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("100125")
    log_in(client, user)
    data = {"current": PASSWORD, "new": "a-much-better-pass", "confirm": "a-much-better-pass"}
    assert client.post("/account/password", data={**data, "current": "wrong"}).status_code == 422
    assert client.post("/account/password", data={**data, "new": "short", "confirm": "short"}).status_code == 422
    assert client.post("/account/password", data={**data, "confirm": "different-one"}).status_code == 422
    assert client.post("/account/password", data=data).status_code == 303
    client.post("/logout")
    assert client.post("/login", data={"identifier": "100125", "password": "a-much-better-pass"}).status_code == 303
    assert "password_changed" in actions(app)


def test_logout_is_a_post(client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 303
    assert client.get("/me").status_code == 302


def test_csrf_is_enforced_on_every_post(make_user) -> None:  # type: ignore[no-untyped-def]
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    make_user_in(app, "100126")
    refused = client.post("/login", data={"identifier": "100126", "password": PASSWORD})
    assert refused.status_code == 400
    assert "表单已过期" in refused.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    accepted = client.post("/login", data={"identifier": "100126", "password": PASSWORD, "csrf_token": token.group(1)})
    assert accepted.status_code == 303
    assert client.post("/logout").status_code == 400  # still refused without the token


def test_session_cookie_is_httponly_and_lax(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("100127")
    response = client.post("/login", data={"identifier": "100127", "password": PASSWORD})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    secure = make_app(SESSION_COOKIE_SECURE=True)
    make_user_in(secure, "100128")
    response = secure.test_client().post("/login", data={"identifier": "100128", "password": PASSWORD})
    assert "Secure" in next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))


def make_user_in(app: Flask, number: str) -> None:
    from .conftest import _HASH

    with app.app_context():
        db.session.add(User(employee_no=number, name="王五", password_hash=_HASH))
        db.session.commit()
