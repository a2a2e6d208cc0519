"""Blueprints: HTTP in, HTTP out; the work happens in services."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


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
