"""Sign-in through a real OpenID Connect provider (panva's oidc-provider on Node.js, started for the
session on a free port): authorization code with PKCE, nonce and state, signed ID tokens, logout."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.database import db
from academy.models import AuditLog, User
from academy.people.services import accounts

from .conftest import make_app

PROVIDER = Path(__file__).parent / "oidc"
CALLBACK = "http://localhost/login/oidc/callback"  # the test client's host
AFTER_LOGOUT = "http://localhost/login"


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[str]:
    if not (PROVIDER / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError("run `npm ci --prefix tests/oidc` first (make test does)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    process = subprocess.Popen(["node", str(PROVIDER / "provider.mjs"), str(port), CALLBACK, AFTER_LOGOUT],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=PROVIDER)
    try:
        for _ in range(400):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.025)
        else:
            raise RuntimeError("the OIDC provider did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def sso_app(oidc_provider: str) -> Flask:
    app = make_app(LOGIN_METHODS=("local", "oidc"), OIDC_DISCOVERY_URL=f"{oidc_provider}/.well-known/openid-configuration",
                   OIDC_CLIENT_ID="qs-academy", OIDC_CLIENT_SECRET="qs-academy-test-secret")  # noqa: S106 - test-only credential
    with app.app_context():
        accounts.create_user("200001", "王芳（导入）")  # imported by HR, never had a password
        accounts.create_user("200002", "李强", password="Local-Pass-2026")  # keeps a local password  # noqa: S106 - test-only credential
    return app


def _form(html: str) -> tuple[str, dict[str, str]]:
    action = unescape(re.search(r'<form[^>]*action="([^"]+)"', html).group(1))  # type: ignore[union-attr]
    fields = {m.group(1): unescape(m.group(2)) for m in re.finditer(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html)}
    return action, fields


def sign_in_at_provider(authorize_url: str, account: str) -> str:
    """Go through the provider's login and consent pages as a browser would; return where it sends us back."""
    with requests.Session() as browser:
        response = browser.get(authorize_url, allow_redirects=False)
        for _ in range(12):
            if response.is_redirect:
                target = urljoin(response.url, response.headers["Location"])
                if target.startswith("http://localhost/"):
                    return target
                response = browser.get(target, allow_redirects=False)
                continue
            action, fields = _form(response.text)
            if fields.get("prompt") == "login":
                fields.update(login=account, password="any")  # the provider's development login takes any password  # noqa: S106 - test-only credential
            response = browser.post(action, data=fields, allow_redirects=False)
    raise AssertionError("the provider never sent the browser back")


def start(client: FlaskClient) -> str:
    response = client.get("/login/oidc")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]  # PKCE
    assert query["nonce"][0]
    assert query["state"][0]
    return response.headers["Location"]


def back(client: FlaskClient, redirect: str):  # type: ignore[no-untyped-def]
    parts = urlsplit(redirect)
    return client.get(f"{parts.path}?{parts.query}")


def test_a_person_signs_in_through_the_platform_and_the_imported_account_is_linked(sso_app: Flask) -> None:
    client = sso_app.test_client()
    response = back(client, sign_in_at_provider(start(client), "wang.fang"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/me")
    assert client.get("/me").status_code == 200
    with sso_app.app_context():
        wang = db.session.execute(select(User).where(User.employee_no == "200001")).scalar_one()
        assert (wang.identity_source, wang.name, wang.email) == ("oidc", "王芳", "wang.fang@qs.test")
        assert wang.external_id is not None
        assert wang.external_id.endswith("|wang.fang")
        login = db.session.execute(select(AuditLog).where(AuditLog.action == "login")).scalar_one()
        assert login.detail["method"] == "oidc"


def test_a_code_cannot_be_used_twice(sso_app: Flask) -> None:
    first = sso_app.test_client()
    redirect = sign_in_at_provider(start(first), "wang.fang")
    with first.session_transaction() as waiting:  # what a thief would need besides the code: the state
        before_callback = dict(waiting)
    assert back(first, redirect).status_code == 303
    replay = sso_app.test_client()
    with replay.session_transaction() as session:
        session.update(before_callback)
    response = back(replay, redirect)  # the state matches; the provider refuses the spent code
    assert response.headers["Location"].endswith("/login")
    assert replay.get("/me").status_code == 302


def test_a_callback_with_a_forged_state_is_refused(sso_app: Flask) -> None:
    client = sso_app.test_client()
    redirect = sign_in_at_provider(start(client), "wang.fang")
    forged = re.sub(r"state=[^&]+", "state=forged", redirect)
    response = back(client, forged)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/login")
    assert "统一身份登录未能完成" in client.get("/login").get_data(as_text=True)
    assert client.get("/me").status_code == 302


def test_someone_without_an_account_here_is_told_whom_to_ask(sso_app: Flask) -> None:
    client = sso_app.test_client()
    response = back(client, sign_in_at_provider(start(client), "stranger"))
    assert response.headers["Location"].endswith("/login")
    assert "培训管理员" in client.get("/login").get_data(as_text=True)
    with sso_app.app_context():
        assert db.session.execute(select(User).where(User.employee_no == "999999")).first() is None


def test_an_account_with_its_own_password_is_not_taken_over_by_the_platform(sso_app: Flask) -> None:
    client = sso_app.test_client()
    response = back(client, sign_in_at_provider(start(client), "li.qiang"))
    assert response.headers["Location"].endswith("/login")
    with sso_app.app_context():
        li = db.session.execute(select(User).where(User.employee_no == "200002")).scalar_one()
        assert li.identity_source == "local"


def test_logout_also_ends_the_platform_session(sso_app: Flask, oidc_provider: str) -> None:
    client = sso_app.test_client()
    back(client, sign_in_at_provider(start(client), "wang.fang"))
    response = client.post("/logout")
    assert response.status_code == 303
    target = response.headers["Location"]
    assert target.startswith(f"{oidc_provider}/session/end?")
    assert parse_qs(urlsplit(target).query)["post_logout_redirect_uri"] == [AFTER_LOGOUT]
    assert client.get("/me").status_code == 302


def test_the_platform_button_and_routes_exist_only_where_oidc_is_switched_on(sso_app: Flask) -> None:
    assert "使用企业统一身份登录" in sso_app.test_client().get("/login").get_data(as_text=True)
    plain = make_app()
    assert plain.test_client().get("/login/oidc").status_code == 404
    assert "使用企业统一身份登录" not in plain.test_client().get("/login").get_data(as_text=True)
