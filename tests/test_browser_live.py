"""A live final in headless Chromium: a host console, a big screen and three phones play one
question of each round kind (everyone, buzz-in, risk, team), and the scores come out right."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from academy.competitions.services import live
from academy.database import db
from academy.models import LiveEvent, Role, User, UserRole

from .conftest import _HASH, LiveServer, browser_log_in

ORDER = "sample-001 everyone 20\nsample-002 buzz 20\nsample-003 risk 20\nsample-005 team:红队 20"


def _people(app: Flask) -> None:
    with app.app_context():
        host = User(employee_no="H001", name="主持人", password_hash=_HASH)
        host.roles.append(UserRole(role=Role.HOST))
        db.session.add(host)
        for number, name in (("P001", "甲"), ("P002", "乙"), ("P003", "丙")):
            db.session.add(User(employee_no=number, name=name, password_hash=_HASH))
        db.session.commit()


def _phone(browser: Any, server: LiveServer, number: str, code: str, team: str) -> Any:
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 800}, is_mobile=True)
    phone = context.new_page()
    browser_log_in(phone, server, number)
    phone.goto(f"{server.url}/live/")
    phone.fill("input[name=code]", code.lower())
    phone.click("form.card button")
    phone.select_option("select[name=team]", label=team)
    phone.click("#join")
    phone.wait_for_selector("#me:has-text('0')")
    return phone


def _key(app: Flask, code: str) -> list[int]:
    with app.app_context():
        event = db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()
        assert event.current is not None
        return list(event.current.key.get("correct", []))


def _ready(phone: Any, position: int, state: str = "open") -> None:
    """Wait until the phone shows this question in this state (it polls once a second)."""
    phone.wait_for_selector(f"#stage[data-position='{position}'][data-state='{state}']")


def _choose(phone: Any, option: int) -> None:
    """Click an option by its place in the event's order; each phone shows its own order."""
    phone.locator(f".options li[role=button][data-option='{option}']").click()


def _host(console: Any, action: str) -> None:
    console.click(f"button[data-action={action}]")
    console.wait_for_load_state()


@pytest.mark.parametrize("pages", ["stream", "poll"])
def test_a_live_final_with_every_round_kind(pages: str, live_app: Flask, live_server: LiveServer, browser: Any,
                                            request: pytest.FixtureRequest) -> None:
    if pages == "stream":  # with Redis the pages follow server-sent events; without, they poll
        live_app.config.update(REDIS_URL=request.getfixturevalue("redis_url"), LIVE_STREAMS=True)
    _people(live_app)
    host_context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    console = host_context.new_page()
    browser_log_in(console, live_server, "H001")
    console.goto(f"{live_server.url}/live/new")
    console.fill("input[name=title]", "质量知识竞赛决赛")
    console.fill("textarea[name=running_order]", ORDER)
    console.fill("textarea[name=teams]", "红队\n蓝队")
    console.fill("input[name=buzz_penalty]", "200")
    console.click("form.card button")
    console.wait_for_url("**/host")
    code = console.locator("h1 code").inner_text()
    screen = host_context.new_page()
    screen.set_viewport_size({"width": 1920, "height": 1080})
    screen.goto(f"{live_server.url}/live/{code}/screen")
    screen.wait_for_selector(".lobby img.qr")
    assert ('"stream": null' in screen.content()) is (pages == "poll")
    assert screen.locator(".lobby .code.big").inner_text() == code

    a = _phone(browser, live_server, "P001", code, "红队")
    b = _phone(browser, live_server, "P002", code, "红队")
    c = _phone(browser, live_server, "P003", code, "蓝队")
    assert c.locator(".topbar .mainnav").is_hidden()  # in the game the phone keeps only a minimal bar
    asked: list[str] = []
    c.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    c.click(".topbar .brand")  # a stray tap: the phone asks, and staying keeps the game
    assert asked == ["确定离开比赛吗？用同一个加入码可以回来。"]
    assert c.url.endswith(f"/live/{code}")
    assert c.evaluate("document.querySelector('.topbar').getBoundingClientRect().height") < 60
    screen.wait_for_selector("#players:has-text('3')")

    # 1. everyone answers: two right, one wrong
    _host(console, "next")
    _host(console, "open")
    right = _key(live_app, code)[0]
    for phone, choice in ((a, right), (b, right), (c, (right + 1) % 3)):
        _ready(phone, 1)
        # each phone has its own order, but an option keeps the big screen's letter
        shown = phone.eval_on_selector_all(".options li", "(items) => items.map((li) => [li.dataset.option, li.querySelector('.letter').textContent])")
        assert all(letter == "ABCDEF"[int(option)] for option, letter in shown)
        _choose(phone, choice)
        phone.wait_for_selector("#note:has-text('答案已收到')")
    screen.wait_for_selector("#players:has-text('已作答 3')")
    _host(console, "reveal")
    screen.wait_for_selector(".options li.right .count")
    a.wait_for_selector("#note:has-text('答对了')")
    c.wait_for_selector("#note:has-text('答错了')")
    assert "本题 0 分" in c.locator("#note").inner_text()
    assert "排名 3 / 3" in c.locator("#note").inner_text()
    assert "本题 +" in a.locator("#note").inner_text()
    if os.environ.get("STAGE_SHOTS"):  # pictures for docs/competitions.md
        c.screenshot(path=str(Path(os.environ["STAGE_SHOTS"]) / "phone-revealed.png"))

    # 2. buzz-in: 丙 buzzes first and answers wrong (−200); the turn passes to 甲, who is right
    _host(console, "next")
    _host(console, "open")
    truth = _key(live_app, code)[0]
    _ready(c, 2)
    _ready(a, 2)
    c.click("#buzz")
    c.wait_for_selector("#note:has-text('轮到你')")
    a.click("#buzz")
    a.wait_for_selector("#note:has-text('已抢答')")
    _choose(c, 1 - truth)
    a.wait_for_selector("#note:has-text('轮到你')")
    _choose(a, truth)
    a.wait_for_selector("#stage[data-state='closed']")  # a right buzz answer ends the question
    screen.wait_for_selector(".buzzers:has-text('丙 → 甲') svg.icon")
    _host(console, "reveal")

    # 3. risk: 红队 stakes 500 before seeing the question and is right; 蓝队 stakes 200 and is wrong
    _host(console, "next")
    _ready(a, 3, "staking")
    _ready(c, 3, "staking")
    a.click("button[data-stake='500']")
    c.click("button[data-stake='200']")
    b.wait_for_selector("text=本队分值： 500")
    console.wait_for_selector("text=蓝队 200")  # both stakes in, and the console has followed them
    _host(console, "show")
    _host(console, "open")
    keys = _key(live_app, code)
    _ready(b, 3)
    _ready(c, 3)
    for position in keys:
        _choose(b, position)
    b.click("#send")
    b.wait_for_selector("#note:has-text('答案已收到')")
    a.wait_for_selector("#note:has-text('你的队伍已作答')")
    wrong = next(i for i in range(3) if i not in keys)
    _choose(c, wrong)
    c.click("#send")
    c.wait_for_selector("#note:has-text('答案已收到')")
    _host(console, "reveal")

    # 4. 红队's own question: 蓝队 may not answer
    _host(console, "next")
    _host(console, "open")
    _ready(a, 4)
    c.wait_for_selector("#note:has-text('其他队伍')")
    a.fill("#numeric", "1.33")
    a.click("#send")
    a.wait_for_selector("#note:has-text('答案已收到')")
    _host(console, "reveal")
    _host(console, "finish")
    screen.wait_for_selector("#stage[data-stage='finished'] .podium .place.p1")
    assert "比赛结束" in screen.locator("header").inner_text()  # no "question 4" left after the finish

    with live_app.app_context():
        event = db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()
        players = {s.name: s.points for s in live.player_standings(event)}
        teams = {s.name: s.points for s in live.team_standings(event)}
    first_a, first_b = players["甲"] - 2000, players["乙"]
    assert 500 <= first_a <= 1000
    assert 500 <= first_b <= 1000
    assert players["丙"] == -200
    assert teams == {"红队": players["甲"] + players["乙"] + 500, "蓝队": -200 - 200}
    a.wait_for_selector(f"#me:has-text('{players['甲']}')")
    a.wait_for_selector("#stage:has-text('排名 1 / 3')")  # each phone ends on its final rank
    assert screen.locator(".board li").first.inner_text().startswith("1. 甲")
    for context in (host_context, a.context, b.context, c.context):
        context.close()
