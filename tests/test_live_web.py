"""Live-final pages: host console, big-screen state, players' polling and answers."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.database import db
from academy.models import LiveEvent, Role

from .conftest import log_in, make_app

pytestmark = pytest.mark.usefixtures("synced")  # the running orders name questions of the published banks

ORDER = "sample-001 everyone 20\nsample-002 buzz\nsample-003 risk\nsample-005 team:红队"


@pytest.fixture
def hosted(app: Flask, make_user):  # type: ignore[no-untyped-def]
    host = make_user("H001", name="主持人", roles=(Role.HOST,))
    client = app.test_client()
    log_in(client, host)
    response = client.post("/live/new", data={"title": "质量知识决赛", "running_order": ORDER, "teams": "红队\n蓝队",
                                              "base_points": 1000, "streak_bonus": 0, "buzz_penalty": 0, "buzz_pass": "y"})
    assert response.status_code == 303
    code = response.headers["Location"].split("/")[-2]
    return client, code


def join(app: Flask, make_user, code: str, number: str, team: int = 1) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    log_in(client, make_user(number, name=f"选手{number}"))
    assert client.post(f"/live/{code}/join", data={"code": code, "team": team}).status_code == 303
    return client


def test_a_learner_cannot_create_or_host_an_event(hosted, app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    _, code = hosted
    client = app.test_client()
    log_in(client, make_user("L001"))
    assert client.get("/live/new").status_code == 403
    assert client.get(f"/live/{code}/host").status_code == 404
    assert client.get(f"/live/{code}/state").status_code == 404
    assert client.post(f"/live/{code}/host/next").status_code == 404


def test_unknown_questions_in_the_running_order_are_named(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    log_in(client, make_user("H1", roles=(Role.HOST,)))
    response = client.post("/live/new", data={"title": "x", "running_order": "nope-1\nsample-004", "base_points": 1000,
                                              "streak_bonus": 0, "buzz_penalty": 0})
    assert response.status_code == 422
    assert "nope-1" in response.text
    assert "sample-004 (fill)" in response.text


def test_polling_answers_304_until_something_changes(hosted, app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    host, code = hosted
    player = join(app, make_user, code, "P1")
    first = player.get(f"/live/{code}/me")
    assert first.status_code == 200
    assert "X-Server-Time" in first.headers
    etag = first.headers["ETag"]
    assert player.get(f"/live/{code}/me", headers={"If-None-Match": etag}).status_code == 304
    host.post(f"/live/{code}/host/next")
    changed = player.get(f"/live/{code}/me", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.json["question"]["position"] == 1


def test_no_answer_key_leaves_the_server_before_the_reveal(hosted, app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    host, code = hosted
    player = join(app, make_user, code, "P1")
    seen: list[str] = []

    def look() -> None:
        # the host console shows the host the key and 解析 (test below); a player never gets that page
        assert player.get(f"/live/{code}/host").status_code == 404
        seen.extend([player.get(f"/live/{code}/me").text, host.get(f"/live/{code}/state").text,
                     player.get(f"/live/{code}").text])

    for action in ("next", "open"):
        host.post(f"/live/{code}/host/{action}")
        look()
    assert player.post(f"/live/{code}/answer", json={"answer": 0}).status_code == 200
    look()
    host.post(f"/live/{code}/host/close")
    look()
    for text in seen:
        assert '"key"' not in text
        assert '"correct"' not in text
        assert "质量关注固有特性" not in text  # the explanation
    host.post(f"/live/{code}/host/reveal")
    state = player.get(f"/live/{code}/me").json
    assert "correct" in state["question"]["key"]
    assert "质量关注固有特性" in state["question"]["explanation"]
    assert state["you"]["answered"] is True


def test_a_late_answer_is_refused_with_a_clear_message(hosted, app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    host, code = hosted
    player = join(app, make_user, code, "P1")
    host.post(f"/live/{code}/host/next")
    host.post(f"/live/{code}/host/open")
    with app.app_context():
        event = db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()
        question = event.questions[0]
        assert question.opened_at is not None
        question.deadline = question.opened_at - timedelta(seconds=1)  # as if the round had run out
        db.session.commit()
    response = player.post(f"/live/{code}/answer", json={"answer": 0})
    assert response.status_code == 409
    assert response.json["error"] == "too_late"
    assert "截止" in response.json["message"] or "deadline" in response.json["message"]


def test_a_second_device_takes_over(hosted, app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    _, code = hosted
    user = make_user("P9")
    phone, tablet = app.test_client(), app.test_client()
    for device in (phone, tablet):
        log_in(device, user)
        device.post(f"/live/{code}/join", data={"code": code, "team": 1})
    assert tablet.get(f"/live/{code}/me").status_code == 200
    stale = phone.get(f"/live/{code}/me")
    assert stale.status_code == 409
    assert stale.json["error"] == "taken_over"


def test_join_by_code_and_qr_code(hosted, app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    _, code = hosted
    client = app.test_client()
    log_in(client, make_user("P2"))
    assert client.post("/live/join", data={"code": code.lower()}).headers["Location"].endswith(f"/live/{code}")
    wrong = client.post("/live/join", data={"code": "ZZZZZZ"})
    assert wrong.status_code == 404
    page = wrong.get_data(as_text=True)
    assert "没有使用这个加入码的现场决赛" in page  # on the join form, not the 404 page
    assert 'name="code"' in page
    page = client.get(f"/live/{code}")
    assert "红队" in page.text
    svg = client.get(f"/live/{code}/qr.svg")
    assert svg.mimetype == "image/svg+xml"
    assert svg.data.startswith(b"<?xml")


def test_answers_need_the_csrf_token() -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    log_in(client, _user(app))
    assert client.post("/live/ABCDEF/answer", data=json.dumps({"answer": 0}), content_type="application/json").status_code == 400


def _user(app: Flask):  # type: ignore[no-untyped-def]
    from academy.models import User

    with app.app_context():
        user = User(employee_no="C1", name="c", email="c@example.com")
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
    return user


def test_host_console_marks_the_next_step_and_shows_the_key(hosted, app: Flask) -> None:  # type: ignore[no-untyped-def]
    import re

    client, code = hosted

    def buttons() -> tuple[str, list[str]]:
        page = client.get(f"/live/{code}/host").get_data(as_text=True)
        suggested = re.findall(r'class="button suggested" data-action="(\w+)"', page)
        enabled = [name for name, off in re.findall(r'data-action="(\w+)"[^>]*?( disabled)?>', page) if not off]
        return suggested[0] if suggested else "", enabled

    assert buttons() == ("next", ["next", "leaderboard", "podium", "finish"])
    client.post(f"/live/{code}/host/next")
    suggested, enabled = buttons()
    assert suggested == "open"
    assert "close" not in enabled
    page = client.get(f"/live/{code}/host").get_data(as_text=True)
    assert 'class="key"' in page  # the host sees the key before the reveal, on the host's page only
    assert 'data-key="o"' in page
    client.post(f"/live/{code}/host/open")
    assert buttons()[0] == "close"
