"""Chinese by default, English per user, every string translated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from flask import Flask
from sqlalchemy import select

from academy.config import ROOT
from academy.database import db
from academy.models import User

from .conftest import log_in


def test_chinese_is_the_default(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "工号或邮箱" in page


def test_a_user_can_switch_to_english_and_it_sticks(app: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    log_in(client, user)
    assert "我的学习" in client.get("/me").get_data(as_text=True)
    response = client.post("/language", data={"lang": "en", "next": "/me"})
    assert response.status_code == 303
    assert response.location == "/me"
    page = client.get("/me").get_data(as_text=True)
    assert "My learning" in page
    assert "我的学习" not in page
    with app.app_context():
        assert db.session.execute(select(User.locale).where(User.id == user.id)).scalar_one() == "en"
    other = app.test_client()
    log_in(other, user)  # a new browser: the choice is the user's, not the session's
    assert "My learning" in other.get("/me").get_data(as_text=True)


def test_unknown_language_is_ignored(client) -> None:  # type: ignore[no-untyped-def]
    client.post("/language", data={"lang": "fr"})
    assert "工号或邮箱" in client.get("/login").get_data(as_text=True)


def test_error_pages_speak_the_users_language(client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    assert "页面不存在" in client.get("/nowhere").get_data(as_text=True)
    client.post("/language", data={"lang": "en"})
    assert "Page not found" in client.get("/nowhere").get_data(as_text=True)


def test_every_message_has_a_chinese_translation(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with (ROOT / "translations/zh/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = {m.id: m.string for m in read_po(handle) if m.id and not m.fuzzy}
    missing = sorted(str(m) for m in wanted if not catalog.get(m))
    assert missing == []
