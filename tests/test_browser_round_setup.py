"""An online round set up and run in headless Chromium without any syntax: the host picks a bank,
previews its questions (no keys), adds and removes award rows, meets an error on the close field
first, then creates the round; players sit it and see their rank and percentile; the board marks
the viewer's row and medals the top three; the host watches participation, extends and closes.

Every page is checked at 360 px for sideways scrolling, learner pages with axe-core; with
QS_SHOTS=<folder> each page is also saved at 360×740 and 1366×768."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from academy.assessment.services import quizzes
from academy.database import db
from academy.models import Attempt, Competition, Role, User, UserRole
from academy.people.services import org

from .conftest import _HASH, LiveServer, browser_log_in
from .support.axe import violations
from .support.quiz_browser import _answer

pytestmark = pytest.mark.slow

SHOTS = Path(os.environ["QS_SHOTS"]) if os.environ.get("QS_SHOTS") else None
SIZES = ((360, 740), (1366, 768))
LEARNERS = (("31000001", "王小明", "甲公司", 3), ("31000002", "李四海", "乙公司", 1), ("31000003", "赵五", "乙公司", 0))


def _check(page, name: str, *, learner: bool = False) -> None:  # type: ignore[no-untyped-def]
    """No sideways scrolling on a phone; no axe violation on a learner's page; the pictures if asked."""
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 1, f"{name} scrolls sideways by {wide} px at {width} px"
        if SHOTS is not None:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{name}-{width}x{height}.png"), full_page=True)
    if learner:
        assert violations(page) == [], name
    page.set_viewport_size({"width": 1366, "height": 768})


def _local(app: Flask, delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).astimezone(ZoneInfo(app.config["DISPLAY_TIMEZONE"])).strftime("%Y-%m-%dT%H:%M")


def test_a_round_set_up_by_form_sat_ranked_and_closed(live_app: Flask, live_server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    with live_app.app_context():
        group = org.create_unit("集团")
        units = {name: org.create_unit(name, parent=group) for name in ("甲公司", "乙公司")}
        host = User(employee_no="C0001", name="竞赛主持", password_hash=_HASH, org_unit_id=units["甲公司"].id)
        host.roles.append(UserRole(role=Role.HOST))
        db.session.add(host)
        db.session.add_all(User(employee_no=number, name=name, password_hash=_HASH, org_unit_id=units[unit].id)
                           for number, name, unit, _ in LEARNERS)
        db.session.commit()
    contexts = []

    def new_page():  # type: ignore[no-untyped-def]
        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
        contexts.append(context)
        return context.new_page()

    try:
        hosting = new_page()
        browser_log_in(hosting, live_server, "C0001")
        hosting.goto(f"{live_server.url}/competitions/new")
        hosting.fill("input[name=title]", "质量月线上预赛")
        hosting.fill("textarea[name=rules]", "独立完成，不得查阅资料。")
        hosting.fill("input[name=opens_at]", _local(live_app, timedelta(hours=-1)))
        hosting.fill("input[name=closes_at]", _local(live_app, timedelta(hours=-2)))  # before it opens

        # the picker: choose a bank, see how many questions the ticks leave, preview them without keys
        row = hosting.locator(".draw-row").first
        row.locator("select[name=draw-0-bank]").select_option("sample-course")
        row.locator(".available").filter(has_text="道").wait_for()
        for kind in ("single", "truefalse", "multiple"):
            row.locator(f"input[name=draw-0-types][value={kind}]").check()
        row.locator("[data-preview]").click()
        row.locator(".preview .picked").wait_for()
        shown = row.locator(".preview fieldset[data-question]").count()
        assert shown >= 3
        assert row.locator(".preview .key, .preview .explanation").count() == 0
        total = int(row.locator(".preview .picked").get_attribute("data-total") or 0)
        assert total == shown
        assert str(total) in row.locator(".available").inner_text()
        row.locator("input[name=draw-0-count]").fill("3")
        _check(hosting, "round-setup-picker")

        # the awards editor: one empty row to start, rows added and removed without any syntax
        awards = hosting.locator("#awards")
        assert awards.locator("[data-row]").count() == 1
        awards.locator("input[name=awards-0-name]").fill("一等奖")
        awards.locator("input[name=awards-0-value]").fill("1")
        awards.locator("[data-add]").click()
        awards.locator("input[name=awards-1-name]").fill("优胜奖")
        awards.locator("select[name=awards-1-rule]").select_option("top_percent")
        awards.locator("input[name=awards-1-value]").fill("50")
        awards.locator("[data-add]").click()
        awards.locator("input[name=awards-2-name]").fill("纪念奖")
        assert awards.locator("[data-row]").count() == 3
        awards.locator("[data-row]").nth(2).locator("[data-remove]").click()
        assert awards.locator("[data-row]").count() == 2

        hosting.click("#create-round")
        hosting.wait_for_selector(".flash-error")
        close_error = hosting.locator("#closes_at ~ .error")
        assert close_error.inner_text() == "截止时间须晚于开始时间。"
        assert hosting.locator("#draw .error").count() == 0
        assert hosting.locator("select[name=draw-0-bank]").input_value() == "sample-course"
        assert hosting.locator("input[name=awards-1-name]").input_value() == "优胜奖"
        assert hosting.locator("#awards [data-row]").count() == 3  # the two awards and one empty row
        _check(hosting, "round-setup-error")
        with live_app.app_context():
            assert db.session.execute(select(Competition)).first() is None

        hosting.fill("input[name=closes_at]", _local(live_app, timedelta(hours=2)))
        hosting.click("#create-round")
        hosting.wait_for_url(re.compile(r".*/competitions/[\w-]+$"))
        slug = hosting.url.rsplit("/", 1)[1]
        with live_app.app_context():
            c = db.session.execute(select(Competition)).scalar_one()
            assert c.awards == [{"name": "一等奖", "top": 1}, {"name": "优胜奖", "top_percent": 50}]
            assert c.draw == [{"bank": "sample-course", "count": 3, "types": ["single", "multiple", "truefalse"]}]

        assert hosting.locator("#manage").count() == 1
        _check(hosting, "round-page-host")
        hosting.goto(f"{live_server.url}/competitions/questions?bank=sample-course")
        _check(hosting, "round-question-picker")

        # the players
        results: dict[str, object] = {}
        for number, name, _unit, right in LEARNERS:
            page = new_page()
            browser_log_in(page, live_server, number)
            page.goto(f"{live_server.url}/competitions/{slug}")
            page.click("#enter")
            page.wait_for_url(re.compile(r".*/attempts/\d+$"))
            attempt_id = int(page.url.rsplit("/", 1)[1])
            with live_app.app_context():
                attempt = db.session.get(Attempt, attempt_id)
                assert attempt is not None
                items = [(i.question, i.order) for i in quizzes.paper_of(attempt).items]
            for q, order in items[:right]:
                _answer(page, q, order)
            page.click("#submit-paper")
            page.click("#submit-dialog [data-dialog-submit]")  # the confirmation lists what is unanswered
            page.wait_for_selector(".result")
            results[name] = page
        best, middle, last = (results[name] for _, name, _, _ in LEARNERS)
        last.reload()  # the ranks now that everyone has sat
        text = last.locator(".result").inner_text()
        assert "排行榜第 3 名（共 3 人）" in text
        assert "超过了 0% 的其他参赛者" in text
        assert "已通过" not in text
        assert "未通过" not in text
        _check(last, "round-result", learner=True)
        best.reload()  # type: ignore[attr-defined]
        assert "超过了 100% 的其他参赛者" in best.locator(".result").inner_text()  # type: ignore[attr-defined]

        last.click("#to-board")
        last.wait_for_selector("#people")
        mine = last.locator("#people tr.mine")
        assert mine.count() == 1
        assert "赵五" in mine.inner_text()
        assert last.locator("#people svg.medal").count() == 3
        assert last.locator("#people tbody tr").first.locator("svg.medal").get_attribute("aria-label") == "金牌"
        _check(last, "round-board", learner=True)
        middle.goto(f"{live_server.url}/quiz/competition/{slug}")  # type: ignore[attr-defined]
        assert "及格线" not in middle.content()  # type: ignore[attr-defined]
        _check(middle, "round-quiz-page", learner=True)

        # the host's page: participation by unit (it refreshes itself), extend, close now, awards
        live_app.config["ROUND_HOST_REFRESH_SECONDS"] = 1
        hosting.goto(f"{live_server.url}/competitions/{slug}/host")
        assert hosting.locator("#entered-total").inner_text() == "3"
        with live_app.app_context():  # one more sitting arrives while the host watches
            late = db.session.execute(select(User).where(User.employee_no == "C0001")).scalar_one()
            now = datetime.now(UTC)
            db.session.add(Attempt(user_id=late.id, quiz_key=f"competition/{slug}", number=1, paper=[],
                                   started_at=now - timedelta(minutes=3), submitted_at=now, score=0, max_score=3))
            db.session.commit()
        hosting.locator("#entered-total").filter(has_text="4").wait_for(timeout=10000)
        rows = {r.split("\t")[0]: r.split("\t") for r in hosting.locator("#by-unit tbody tr").all_inner_texts()}
        assert rows["甲公司"][1:3] == ["2", "2"]  # 王小明 and the host
        assert rows["乙公司"][1:3] == ["2", "2"]
        _check(hosting, "round-host")
        hosting.fill("#extend-form input[name=closes_at]", _local(live_app, timedelta(days=1)))
        hosting.click("#extend")
        hosting.wait_for_selector(".flash-success")
        assert "截止时间已改为" in hosting.locator(".flash-success").inner_text()
        hosting.once("dialog", lambda dialog: dialog.accept())
        hosting.click("#close-now")
        hosting.wait_for_selector("#issue-awards")
        assert "本轮答题已结束" in hosting.locator(".flash-success").inner_text()
        assert hosting.locator("#close-now").count() == 0
        _check(hosting, "round-host-closed")
        hosting.click("#issue-awards")
        hosting.wait_for_selector("#awards")
        assert hosting.locator("#awards tbody tr").count() == 2  # 一等奖 for the first, 优胜奖 for the best half
        with live_app.app_context():
            assert db.session.execute(select(Competition)).scalar_one().closes_at <= datetime.now(UTC)
    finally:
        for context in contexts:
            context.close()
