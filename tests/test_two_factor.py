"""Two-step sign-in for privileged roles: enrolment, codes, recovery codes, limits and resets."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.database import db
from academy.models import AuditLog, LoginSession, Role, TwoFactor, User
from academy.people.services import twofactor

from .conftest import PASSWORD, make_app

KEY = "a-test-application-key"
KEY_OF_TEST_APP = "test-secret"


@pytest.fixture
def app() -> Flask:
    return make_app(TWO_FACTOR_ROLES=("admin", "hr"))


def sign_in(client: FlaskClient, user: User):  # type: ignore[no-untyped-def]
    return client.post("/login", data={"identifier": user.employee_no, "password": PASSWORD})


def enrol(client: FlaskClient) -> tuple[str, list[str]]:
    """Go through the setup page as a person with an authenticator app would; (secret, recovery codes)."""
    page = client.get("/account/2fa/setup")
    assert page.status_code == 200
    with client.session_transaction() as session:
        secret = session["mfa_setup"]
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in page.get_data(as_text=True)
    done = client.post("/account/2fa/setup", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    assert done.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def test_an_admin_must_enrol_before_reaching_any_admin_page(app: Flask, make_user: Callable[..., User]) -> None:
    admin = make_user("A1", roles=(Role.ADMIN,))
    client = app.test_client()
    response = sign_in(client, admin)
    assert response.status_code == 303
    assert "/account/2fa/setup" in client.get(response.headers["Location"]).headers["Location"]
    refused = client.get("/admin/users")
    assert refused.status_code == 303
    assert "/account/2fa/setup" in refused.headers["Location"]
    enrol(client)
    assert client.get("/admin/users").status_code == 200
    with app.app_context():
        assert db.session.execute(select(AuditLog).where(AuditLog.action == "2fa_enrolled")).scalar_one()


def test_a_wrong_code_at_enrolment_is_shown_on_the_field(app: Flask, make_user: Callable[..., User]) -> None:
    client = app.test_client()
    sign_in(client, make_user("H1", roles=(Role.HR,)))
    client.get("/account/2fa/setup")
    response = client.post("/account/2fa/setup", data={"code": "000000"})
    assert response.status_code == 422
    assert 'class="field has-error"' in response.get_data(as_text=True)
    assert "验证码不正确" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(select(TwoFactor)).first() is None


def test_the_next_sign_in_asks_for_the_current_code_and_a_code_works_once(app: Flask,
                                                                          make_user: Callable[..., User]) -> None:
    admin = make_user("A1", roles=(Role.ADMIN,))
    first = app.test_client()
    sign_in(first, admin)
    secret, _codes = enrol(first)
    second = app.test_client()
    sign_in(second, admin)
    assert "/account/2fa/verify" in second.get("/admin/users").headers["Location"]
    assert second.post("/account/2fa/verify", data={"code": "123456"}).status_code == 422
    used_at_enrolment = pyotp.TOTP(secret).now()
    again = second.post("/account/2fa/verify", data={"code": used_at_enrolment})
    assert again.status_code == 422  # the code that enrolled the app was spent then
    with app.app_context():
        row = db.session.get(TwoFactor, admin.id)
        assert row is not None
        assert secret not in row.secret  # kept encrypted
        row.last_step -= 1  # as if the enrolment had been half a minute earlier
        db.session.commit()
    ok = second.post("/account/2fa/verify?next=/admin/users", data={"code": pyotp.TOTP(secret).now()})
    assert ok.status_code == 303
    assert ok.headers["Location"] == "/admin/users"
    assert second.get("/admin/users").status_code == 200


def test_codes_one_step_off_are_accepted_and_two_steps_off_are_not(app: Flask, make_user: Callable[..., User]) -> None:
    user = make_user("H1", roles=(Role.HR,))
    secret = twofactor.new_secret()
    now = datetime(2026, 12, 4, 12, 0, 15, tzinfo=UTC)
    totp = pyotp.TOTP(secret)
    with app.app_context():
        row = db.session.get(User, user.id)
        twofactor.enrol(row, secret, totp.at(now), app_secret=KEY, now=now)
        later = now + timedelta(minutes=5)
        assert twofactor.verify(row, totp.at(later - timedelta(seconds=30)), app_secret=KEY, now=later) == "totp"
        with pytest.raises(twofactor.WrongCode):
            twofactor.verify(row, totp.at(later - timedelta(seconds=60)), app_secret=KEY, now=later + timedelta(seconds=1))


def test_a_recovery_code_works_once(app: Flask, make_user: Callable[..., User]) -> None:
    admin = make_user("A1", roles=(Role.ADMIN,))
    first = app.test_client()
    sign_in(first, admin)
    _secret, codes = enrol(first)
    second = app.test_client()
    sign_in(second, admin)
    assert second.post("/account/2fa/verify", data={"code": codes[0].upper()}).status_code == 303
    third = app.test_client()
    sign_in(third, admin)
    assert third.post("/account/2fa/verify", data={"code": codes[0]}).status_code == 422
    with app.app_context():
        assert twofactor.codes_left(db.session.get(User, admin.id)) == 9  # type: ignore[arg-type]


def test_five_wrong_codes_pause_the_second_step(app: Flask, make_user: Callable[..., User]) -> None:
    admin = make_user("A1", roles=(Role.ADMIN,))
    first = app.test_client()
    sign_in(first, admin)
    secret, _codes = enrol(first)
    client = app.test_client()
    sign_in(client, admin)
    for _ in range(5):
        assert client.post("/account/2fa/verify", data={"code": "000000"}).status_code == 422
    paused = client.post("/account/2fa/verify", data={"code": pyotp.TOTP(secret).now()})
    assert paused.status_code == 429
    assert "分钟后再试" in paused.get_data(as_text=True)


def test_learners_are_not_asked_unless_they_switched_it_on(app: Flask, make_user: Callable[..., User]) -> None:
    client = app.test_client()
    sign_in(client, make_user("L1"))
    assert client.get("/me").status_code == 200


def test_an_admin_resets_a_lost_authenticator_and_the_persons_sessions_end(app: Flask,
                                                                           make_user: Callable[..., User]) -> None:
    hr = make_user("H1", roles=(Role.HR,))
    admin = make_user("A1", roles=(Role.ADMIN,))
    hr_client, admin_client = app.test_client(), app.test_client()
    sign_in(hr_client, hr)
    enrol(hr_client)
    sign_in(admin_client, admin)
    enrol(admin_client)
    assert admin_client.post(f"/admin/users/{hr.id}/two-factor/reset").status_code == 303
    with app.app_context():
        assert db.session.get(TwoFactor, hr.id) is None
        assert db.session.execute(select(LoginSession).where(LoginSession.user_id == hr.id,
                                                             LoginSession.ended_at.is_(None))).first() is None
        assert db.session.execute(select(AuditLog).where(AuditLog.action == "2fa_reset")).scalar_one().actor_id == admin.id
    assert hr_client.get("/me").status_code == 302  # signed out: back to the login page
    sign_in(hr_client, hr)
    assert "/account/2fa/setup" in hr_client.get("/me").headers["Location"]  # enrols anew


def test_only_an_admin_may_reset_someone_elses_authenticator(app: Flask, make_user: Callable[..., User]) -> None:
    hr = make_user("H1", roles=(Role.HR,))
    other = make_user("H2", roles=(Role.HR,))
    client = app.test_client()
    sign_in(client, other)
    enrol(client)
    assert client.post(f"/admin/users/{hr.id}/two-factor/reset").status_code in (403, 404)


def test_the_second_step_needs_the_csrf_token() -> None:
    app = make_app(TWO_FACTOR_ROLES=("admin",), WTF_CSRF_ENABLED=True)
    secret = twofactor.new_secret()
    with app.app_context():
        user = User(employee_no="A9", name="管理员", password_hash="")
        db.session.add(user)
        db.session.commit()
        user_id = user.id
        twofactor.enrol(user, secret, pyotp.TOTP(secret).now(), app_secret=KEY_OF_TEST_APP)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
    assert client.post("/account/2fa/verify", data={"code": pyotp.TOTP(secret).now()}).status_code == 400
