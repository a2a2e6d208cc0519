"""Friendly error pages in the user's language; an unexpected error never shows a traceback."""

from __future__ import annotations

from flask import Flask

from .conftest import log_in


def test_unexpected_error_is_the_friendly_500_page(app: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("database on fire")

    log_in(client, make_user())
    response = client.get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "系统出现了问题" in body
    assert "database on fire" not in body
    assert "Traceback" not in body


def test_forbidden_page_explains_in_chinese(client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    response = client.get("/admin/content")
    assert response.status_code == 403
    assert "您没有访问此页面的权限" in response.get_data(as_text=True)


def test_health_endpoint_is_public_and_plain(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    headers = client.get("/login").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
