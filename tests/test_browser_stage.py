"""The big screen fits a projector frame in every state, at 1024×768, 1366×768 and 1920×1080:
a lobby of 200 names, a long stem with six long options, the reveal with its explanation,
the leaderboard, the podium and the finish. Long content is scaled down, never cut or scrolled."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from academy.competitions.services import live
from academy.competitions.services.live import Item
from academy.content.quizbank import load_banks
from academy.database import db, utcnow
from academy.models import LiveEvent, LivePlayer, Role, RoundKind, Stage, User, UserRole

from .conftest import _HASH, FIXTURES, LiveServer, browser_log_in

SIZES = [(1024, 768), (1366, 768), (1920, 1080)]
STEM = ("在某中央企业的质量管理体系内部审核中，审核组发现一条生产线的首件检验记录连续三个月由同一名检验员签字，"
        "而该检验员同时负责这条生产线的工艺调整；现场抽查时又发现两份记录的检验时间早于设备开机时间。"
        "按照质量管理体系标准关于监视和测量资源、人员能力与职责分离的要求，审核组最应当首先采取的做法是哪一项？")
OPTIONS = [f"选项内容{n}：" + "要求相关部门立即对这条生产线过去三个月的全部产品进行追溯复检，并在审核报告中记录为严重不符合项" for n in range(6)]
EXPLANATION = ("首件检验的作用在于确认工艺调整后的产品符合要求，签字人与调整人是同一人时失去了独立确认的意义；"
               "记录时间早于开机时间说明记录可能是事后补写的。审核组应当先收集客观证据、确认事实，"
               "再依据标准条款判定不符合的性质，而不是直接要求全部复检或直接定为严重不符合。") * 2

OVERFLOW = """() => {
  const w = innerWidth, h = innerHeight, bad = [];
  const page = document.documentElement;
  if (page.scrollHeight > h || page.scrollWidth > w) { bad.push(`page ${page.scrollWidth}x${page.scrollHeight}`); }
  const stage = document.getElementById("stage");
  if (stage.scrollHeight > stage.clientHeight + 1 || stage.scrollWidth > stage.clientWidth + 1) {
    bad.push(`stage ${stage.scrollWidth}x${stage.scrollHeight} in ${stage.clientWidth}x${stage.clientHeight}`);
  }
  for (const node of document.body.querySelectorAll("*")) {
    const r = node.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) { continue; }
    if (r.bottom > h + 1 || r.right > w + 1 || r.top < -1 || r.left < -1) {
      bad.push(`${node.tagName}.${node.className} ${Math.round(r.right)}x${Math.round(r.bottom)}`);
    }
  }
  return bad;
}"""


def _event(app: Flask) -> str:
    banks, _ = load_banks(FIXTURES / "quiz")
    question = next(q for bank in banks.values() for q in bank.questions if q.id == "sample-001")
    with app.app_context():
        host = User(employee_no="H001", name="主持人", password_hash=_HASH)
        host.roles.append(UserRole(role=Role.HOST))
        db.session.add(host)
        db.session.commit()
        event = live.create_event(host, "2026年度集团全面质量管理知识竞赛决赛", [Item(question, RoundKind.EVERYONE, 30)],
                                  teams=["装备制造事业部代表队", "能源化工事业部代表队", "建设工程事业部代表队"])
        current = event.questions[0]
        current.stem, current.options, current.key, current.explanation = STEM, OPTIONS, {"correct": [2]}, EXPLANATION
        for n in range(200):
            user = User(employee_no=f"P{n:04d}", name=f"欧阳明{n:03d}" if n % 3 else f"李{n:03d}", password_hash=_HASH)
            db.session.add(user)
            db.session.flush()
            db.session.add(LivePlayer(event_id=event.id, user_id=user.id, team_id=event.teams[n % 3].id,
                                      device=f"d{n}", joined_at=utcnow()))
        db.session.commit()
        return event.code


def _act(app: Flask, code: str, action: str) -> None:
    with app.app_context():
        event = db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()
        host = db.session.get(User, event.host_id)
        assert host is not None
        if action == "leaderboard":
            live.set_stage(event, host, Stage.LEADERBOARD)
        elif action == "podium":
            live.set_stage(event, host, Stage.PODIUM)
        else:
            getattr(live, action)(event, host)


STATES = [("lobby", []), ("question", ["next_question", "open_answers"]), ("revealed", ["reveal"]),
          ("leaderboard", ["leaderboard"]), ("podium", ["podium"]), ("finished", ["finish"])]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_screen_state_fits_the_projector(size: tuple[int, int], live_app: Flask, live_server: LiveServer,
                                               browser: Any) -> None:
    code = _event(live_app)
    context = browser.new_context(locale="zh-CN", viewport={"width": size[0], "height": size[1]})
    screen = context.new_page()
    browser_log_in(screen, live_server, "H001")
    for state, actions in STATES:
        for action in actions:
            _act(live_app, code, action)
        screen.goto(f"{live_server.url}/live/{code}/screen")
        marker = "question" if state == "revealed" else state
        screen.wait_for_selector(f"#stage[data-stage='{marker}']")
        if state == "lobby":
            screen.locator("#names li").nth(199).wait_for()  # a locator, not a script: the page's policy refuses eval
            assert screen.locator("#names li").count() == 200
        if state == "revealed":
            screen.wait_for_selector(".explanation")
            assert "首件检验的作用" in screen.locator(".explanation").inner_text()
        if os.environ.get("STAGE_SHOTS"):  # pictures for docs/competitions.md
            screen.screenshot(path=str(Path(os.environ["STAGE_SHOTS"]) / f"stage-{state}-{size[0]}x{size[1]}.png"))
        assert screen.evaluate(OVERFLOW) == [], f"{state} at {size}"
        assert screen.locator(".screen-foot .code").is_visible()
        smallest = screen.evaluate("parseFloat(getComputedStyle(document.getElementById('stage')).fontSize)")
        assert smallest >= 9, f"{state} at {size} scaled to {smallest}px"
        if state == "question":
            assert screen.locator(".options li").count() == 6
        if state in ("podium", "finished"):
            assert screen.locator(".podium .place").count() == 3
        if state == "finished":
            assert "第 1 题" not in screen.locator("header").inner_text()
            assert "比赛结束" in screen.locator("header").inner_text()
    context.close()


def test_host_console_keys_press_only_the_enabled_step(live_app: Flask, live_server: LiveServer, browser: Any) -> None:
    code = _event(live_app)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    console = context.new_page()
    browser_log_in(console, live_server, "H001")
    console.goto(f"{live_server.url}/live/{code}/host")
    assert console.locator("button.suggested").get_attribute("data-action") == "next"
    console.keyboard.press("c")  # close is not a valid step in the lobby: nothing happens
    console.keyboard.press("n")
    console.wait_for_selector("#qstate[data-state='shown']")
    console.wait_for_load_state("load")  # the keys work once the console's script has run
    console.keyboard.press("o")
    console.wait_for_selector("#qstate[data-state='open']")
    assert console.locator("button.suggested").get_attribute("data-action") == "close"
    assert console.locator("button[data-action=next]").is_disabled()
    console.wait_for_selector("#countdown:not(:empty)")
    assert "首件检验的作用" in console.locator(".host-explanation").inner_text()
    if os.environ.get("STAGE_SHOTS"):
        console.screenshot(path=str(Path(os.environ["STAGE_SHOTS"]) / "host-open-1366x768.png"), full_page=True)
    context.close()


TEAM_STATES = ["staking", "early-buzz", "buzz-open", "tiebreak"]


def _team_final(app: Flask) -> str:
    """A team final (preset a) of three long-named teams and 60 players: a 风险题, a 抢答 and a 加赛,
    the long stem and six long options on each."""
    from academy.scoring import PRESETS

    banks, _ = load_banks(FIXTURES / "quiz")
    question = next(q for bank in banks.values() for q in bank.questions if q.id == "sample-001")
    with app.app_context():
        host = User(employee_no="H001", name="主持人", password_hash=_HASH)
        host.roles.append(UserRole(role=Role.HOST))
        db.session.add(host)
        db.session.commit()
        items = [Item(question, RoundKind.RISK, 30), Item(question, RoundKind.BUZZ, 30),
                 Item(question, RoundKind.BUZZ, 30, tiebreak=True)]
        event = live.create_event(host, "2026年度集团全面质量管理知识竞赛决赛", items,
                                  teams=["装备制造事业部代表队", "能源化工事业部代表队", "建设工程事业部代表队"],
                                  settings=live.Settings(rules=PRESETS["team_final"]))
        for current in event.questions:
            current.stem, current.options, current.key, current.explanation = STEM, OPTIONS, {"correct": [2]}, EXPLANATION
        for n in range(60):
            user = User(employee_no=f"P{n:04d}", name=f"欧阳明{n:03d}", password_hash=_HASH)
            db.session.add(user)
            db.session.flush()
            db.session.add(LivePlayer(event_id=event.id, user_id=user.id, team_id=event.teams[n % 3].id,
                                      device=f"d{n}", joined_at=utcnow()))
        db.session.commit()
        return event.code


def _team_step(app: Flask, code: str, state: str) -> None:
    """Drive the final to ``state`` through the service, as the host and the phones would."""
    with app.app_context():
        event = db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()
        host = db.session.get(User, event.host_id)
        assert host is not None
        players = list(db.session.execute(select(LivePlayer).where(LivePlayer.event_id == event.id)
                                          .order_by(LivePlayer.id)).scalars())
        first, second, third = players[0], players[1], players[2]  # one of each team
        by_team = {p.team_id: p for p in (first, second, third)}

        def stake_next() -> None:  # teams pick in order of standing (tied: by name)
            assert event.current is not None
            turn = live.stake_turn(event, event.current)
            live.stake(event, by_team[turn], 10)

        if state == "staking":
            live.next_question(event, host)
            stake_next()
        elif state == "early-buzz":
            stake_next()
            stake_next()
            live.show(event, host)
            live.open_answers(event, host)
            live.reveal(event, host)  # nobody answered: every team loses its 10, still tied
            live.next_question(event, host)
            with contextlib.suppress(live.LiveError):
                live.buzz(event, second)  # before 开始: −10, out of this question
        elif state == "buzz-open":
            live.open_answers(event, host)
            live.buzz(event, first)
            live.buzz(event, third)
        elif state == "tiebreak":
            live.reveal(event, host)
            live.next_question(event, host)  # two teams tied at 90: the 加赛 is played
            live.open_answers(event, host)
            live.buzz(event, first)


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_team_final_states_fit_the_projector(size: tuple[int, int], live_app: Flask, live_server: LiveServer,
                                             browser: Any) -> None:
    code = _team_final(live_app)
    context = browser.new_context(locale="zh-CN", viewport={"width": size[0], "height": size[1]})
    screen = context.new_page()
    browser_log_in(screen, live_server, "H001")
    marks = {"staking": ".stake-turn", "early-buzz": ".fouls", "buzz-open": ".buzzers", "tiebreak": ".in-play"}
    for state in TEAM_STATES:
        _team_step(live_app, code, state)
        screen.goto(f"{live_server.url}/live/{code}/screen")
        screen.wait_for_selector(marks[state])
        if os.environ.get("STAGE_SHOTS"):
            screen.screenshot(path=str(Path(os.environ["STAGE_SHOTS"]) / f"stage-{state}-{size[0]}x{size[1]}.png"))
        assert screen.evaluate(OVERFLOW) == [], f"{state} at {size}"
        smallest = screen.evaluate("parseFloat(getComputedStyle(document.getElementById('stage')).fontSize)")
        assert smallest >= 9, f"{state} at {size} scaled to {smallest}px"
    context.close()
