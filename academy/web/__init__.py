"""Blueprints: HTTP in, HTTP out; the work happens in services."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request, url_for


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for outside the page (a certificate's verify link, a QR code): built on the
    configured ``PUBLIC_URL``, never on the Host header a client sent."""
    base = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    if not base:
        return url_for(endpoint, _external=True, **values)  # a laptop without a configured address
    return base + url_for(endpoint, **values)


def client_ip() -> str:
    return request.remote_addr or ""


def safe_next(target: str | None, default: str) -> str:
    """Only same-site relative paths, so a login link cannot send people elsewhere."""
    if not target or len(target) > 2000 or "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return default  # a line break would split the Location header; a backslash reads as "//" in browsers
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


# Reachable while a session still owes a step of signing in (the second factor, the privacy notice).
OPEN_WHILE_SIGNING_IN = frozenset({"auth.logout", "auth.logout_everywhere", "auth.language", "static"})


def return_path() -> str | None:
    """Where a GET should come back to after a step in between; a POST starts again from home."""
    return request.full_path.rstrip("?") if request.method == "GET" else None
