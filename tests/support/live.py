"""Shared helpers moved out of test_live_realtime.py."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.competitions.services import live
from academy.database import db
from academy.models import LiveEvent, LivePlayer, Role

from ..conftest import log_in, publish

ORDER = "sample-001 everyone 20\nsample-003 everyone 20\nsample-002 buzz"


def host_event(app: Flask, make_user) -> tuple[FlaskClient, str]:  # type: ignore[no-untyped-def]
    publish(app)  # the running order names questions of the published banks
    client = app.test_client()
    log_in(client, make_user("H001", name="主持人", roles=(Role.HOST,)))
    response = client.post("/live/new", data={"title": "决赛", "running_order": ORDER, "base_points": 1000,
                                              "streak_bonus": 0, "buzz_penalty": 0})
    assert response.status_code == 303
    return client, response.headers["Location"].split("/")[-2]


def join(app: Flask, make_user, code: str, number: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    client = app.test_client()
    log_in(client, make_user(number, name=f"选手{number}"))
    assert client.post(f"/live/{code}/join", data={"code": code}).status_code == 303
    return client


def current(app: Flask, code: str) -> tuple[list[int], int, int]:
    """The open question's key (event order), its id, and its option count."""
    with app.app_context():
        event = db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()
        q = event.current
        assert q is not None
        return list(q.key["correct"]), q.id, len(q.options)


def order_of(app: Flask, code: str, number: str) -> list[int]:
    with app.app_context():
        event = db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()
        player = next(p for p in db.session.execute(select(LivePlayer).where(LivePlayer.event_id == event.id)).scalars()
                      if p.user.employee_no == number)
        assert event.current is not None
        return live.player_order(event, player, event.current)


def make_user_for(app: Flask):  # type: ignore[no-untyped-def]
    from academy.models import User, UserRole

    def make(number: str, *, name: str = "某人", roles: tuple[Role, ...] = ()) -> User:
        with app.app_context():
            user = db.session.execute(select(User).where(User.employee_no == number)).scalar_one_or_none()
            if user is None:
                user = User(employee_no=number, name=name, email=f"{number.lower()}@example.com")
                user.roles.extend(UserRole(role=r) for r in roles)
                db.session.add(user)
                db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        return user
    return make


def phone_join(browser, server, number: str, code: str, team: str,  # type: ignore[no-untyped-def]
               size: tuple[int, int] = (360, 740)):
    """A phone in its own browser context: signs in, types the code, picks the team, joins."""
    from ..conftest import browser_log_in

    context = browser.new_context(locale="zh-CN", viewport={"width": size[0], "height": size[1]}, is_mobile=True)
    phone = context.new_page()
    browser_log_in(phone, server, number)
    phone.goto(f"{server.url}/live/")
    phone.fill("input[name=code]", code.lower())
    phone.click("form.card button")
    phone.select_option("select[name=team]", label=team)
    phone.click("#join")
    phone.wait_for_selector("#me:has-text('0')")
    return phone


def ready(phone, position: int, state: str = "open") -> None:  # type: ignore[no-untyped-def]
    """Wait until the phone shows this question in this state."""
    phone.wait_for_selector(f"#stage[data-position='{position}'][data-state='{state}']")


def choose(phone, option: int) -> None:  # type: ignore[no-untyped-def]
    """Tap an option by its place in the event's order (each phone shows its own order)."""
    phone.locator(f".options li[role=button][data-option='{option}']").click()
