"""A live final set up in headless Chromium without typed syntax: questions picked from the banks
into rows, a team question without its team refused on the team field, then created. Checked at
360 px for sideways scrolling; with QS_SHOTS=<folder> the pages are saved at 360×740 and 1366×768."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from academy.database import db
from academy.models import LiveEvent, Role, User, UserRole

from .conftest import _HASH, LiveServer, browser_log_in

pytestmark = pytest.mark.slow

SHOTS = Path(os.environ["QS_SHOTS"]) if os.environ.get("QS_SHOTS") else None


def _check(page, name: str) -> None:  # type: ignore[no-untyped-def]
    for width, height in ((360, 740), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 1, f"{name} scrolls sideways by {wide} px at {width} px"
        if SHOTS is not None:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def test_a_final_set_up_by_picking_questions(live_app: Flask, live_server: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    with live_app.app_context():
        host = User(employee_no="C0001", name="竞赛主持", password_hash=_HASH)
        host.roles.append(UserRole(role=Role.HOST))
        db.session.add(host)
        db.session.commit()
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_log_in(page, live_server, "C0001")
    page.goto(f"{live_server.url}/live/new")
    page.fill("input[name=title]", "质量知识决赛")
    page.fill("textarea[name=teams]", "红队\n蓝队")
    rows = page.locator("#rounds [data-row]")
    assert rows.count() == 1

    first = rows.nth(0)
    first.locator("[data-preview]").click()
    first.locator(".picker-bar select[data-filter=bank]").select_option("sample-course")
    first.locator(".picker-list [data-pick=sample-001]").wait_for()
    assert first.locator(".picker-list [data-pick=sample-004]").count() == 0  # fill in the blanks: not for phones
    assert first.locator(".picker-list .key, .picker-list .explanation").count() == 0
    _check(page, "live-setup-picker")
    first.locator(".picker-list [data-pick=sample-001]").click()
    assert first.locator("input[name=rounds-0-question]").input_value() == "sample-001"
    assert first.locator(".preview").is_hidden()
    assert "质量" in first.locator(".picked-stem").inner_text()

    page.click("#rounds [data-add]")
    second = rows.nth(1)
    second.locator("select[name=rounds-1-kind]").select_option("team")
    second.locator("input[name=rounds-1-question]").fill("sample-002")
    second.locator("input[name=rounds-1-seconds]").fill("30")
    page.click("#create-final")
    page.wait_for_selector(".flash-error")
    assert page.locator("#rounds-1-team ~ .error").inner_text() == "请填写回答这道必答题的队伍。"
    assert page.locator("#rounds-0-question ~ .error").count() == 0
    _check(page, "live-setup-error")
    with live_app.app_context():
        assert db.session.execute(select(LiveEvent)).first() is None

    page.fill("input[name=rounds-1-team]", "红队")
    page.click("#create-final")
    page.wait_for_url(re.compile(r".*/live/\w+/host$"))
    with live_app.app_context():
        event = db.session.execute(select(LiveEvent)).scalar_one()
        assert [(q.question_id, q.kind, q.seconds) for q in event.questions] == [
            ("sample-001", "everyone", 20), ("sample-002", "team", 30)]
        assert event.questions[1].team is not None
        assert event.questions[1].team.name == "红队"
