"""The live-final state machine and scoring, through the service, on the test database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from academy.competitions.services import live
from academy.competitions.services.live import Item, LiveError, Settings
from academy.content.quizbank import load_banks
from academy.database import db
from academy.models import AuditLog, LiveEvent, LivePlayer, QState, Role, RoundKind, User

from .conftest import FIXTURES
from .support.db import fetch

T0 = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def questions() -> dict[str, object]:
    banks, _ = load_banks(FIXTURES / "quiz")
    return {q.id: q for bank in banks.values() for q in bank.questions}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def event_setup(app: Flask, make_user):  # type: ignore[no-untyped-def]
    host = make_user("H001", name="主持人", roles=(Role.HOST,))
    players = [make_user(f"P00{i}", name=name) for i, name in enumerate(["甲", "乙", "丙"], start=1)]
    q = questions()
    items = [
        Item(q["sample-001"], RoundKind.EVERYONE, 20),
        Item(q["sample-002"], RoundKind.BUZZ, 20),
        Item(q["sample-003"], RoundKind.RISK, 20),
        Item(q["sample-005"], RoundKind.TEAM, 20, team="红队"),
    ]
    with app.app_context():
        event = live.create_event(fetch(User, host.id), "决赛", items, teams=["红队", "蓝队"],
                                  settings=Settings(streak_bonus=100, buzz_penalty=200), now=T0)
        code = event.code
        red, blue = event.teams[0].id, event.teams[1].id
        for user, team in zip(players, [red, red, blue], strict=True):
            live.join(event, fetch(User, user.id), team_id=team, now=T0)
    return code, host, players


def load(code: str) -> LiveEvent:
    return db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()


def player(event: LiveEvent, user: User) -> LivePlayer:
    found = live.player_for(event, user)
    assert found is not None
    return found


def key_position(event: LiveEvent) -> int:
    assert event.current is not None
    return int(event.current.key["correct"][0])


def shown(event: LiveEvent, who: LivePlayer, stored: int | list[int]) -> int | list[int]:
    """Where the player sees the options that are at ``stored`` in the event's order."""
    assert event.current is not None
    order = live.player_order(event, who, event.current)
    return [order.index(p) for p in stored] if isinstance(stored, list) else order.index(stored)


def test_join_code_is_random_and_readable(event_setup, app: Flask) -> None:  # type: ignore[no-untyped-def]
    code, *_ = event_setup
    assert len(code) == live.CODE_LENGTH
    assert set(code) <= set(live.CODE_ALPHABET)


def test_a_whole_final_scores_every_round_kind(event_setup, app: Flask) -> None:  # type: ignore[no-untyped-def]
    code, host_user, (a, b, c) = event_setup
    with app.app_context():
        event, host = load(code), fetch(User, host_user.id)
        pa, pb, pc = (player(event, fetch(User, u.id)) for u in (a, b, c))

        # everyone answers, faster is worth more
        live.next_question(event, host, now=at(0))
        live.open_answers(event, host, now=at(1))
        right = key_position(event)
        live.answer(event, pa, shown(event, pa, right), now=at(1))  # at once: 1000
        live.answer(event, pb, shown(event, pb, right), now=at(11))  # half-way: 750
        live.answer(event, pc, shown(event, pc, (right + 1) % 3), now=at(2))  # wrong: 0
        with pytest.raises(LiveError, match="too_late"):
            live.answer(event, pc, shown(event, pc, right), now=at(30))
        live.close(event, host, now=at(21))
        live.reveal(event, host, now=at(22))
        assert {s.name: s.points for s in live.player_standings(event)} == {"甲": 1000, "乙": 750, "丙": 0}

        # buzz-in: the first buzz by server time answers; a wrong answer costs 200 and passes it on
        live.next_question(event, host, now=at(30))
        live.open_answers(event, host, now=at(31))
        live.buzz(event, pc, now=at(32))
        live.buzz(event, pb, now=at(33))
        with pytest.raises(LiveError, match="not_your_turn"):
            live.answer(event, pb, 0, now=at(34))
        truth = key_position(event)
        live.answer(event, pc, 1 - truth, now=at(34))
        live.answer(event, pb, truth, now=at(35))
        assert event.current is not None
        assert event.current.state == QState.CLOSED
        live.reveal(event, host, now=at(36))

        # risk: red stakes 300 and answers right, blue stakes 500 and answers wrong
        live.next_question(event, host, now=at(40))
        live.stake(event, pa, 300, now=at(41))
        with pytest.raises(LiveError, match="team_staked"):
            live.stake(event, pb, 500, now=at(41))
        live.stake(event, pc, 500, now=at(42))
        live.show(event, host, now=at(43))
        live.open_answers(event, host, now=at(44))
        keys = list(event.current.key["correct"]) if event.current else []
        live.answer(event, pb, shown(event, pb, keys), now=at(45))
        with pytest.raises(LiveError, match="team_answered"):
            live.answer(event, pa, shown(event, pa, keys), now=at(46))
        live.answer(event, pc, [0, 1, 2], now=at(46))
        live.reveal(event, host, now=at(60))

        # 必答: only red answers its own question
        live.next_question(event, host, now=at(70))
        live.open_answers(event, host, now=at(71))
        with pytest.raises(LiveError, match="not_your_team"):
            live.answer(event, pc, "1.33", now=at(72))
        live.answer(event, pa, "1.33", now=at(72))
        live.close(event, host, now=at(80))
        live.reveal(event, host, now=at(81))
        live.finish(event, host, now=at(90))

        players = {s.name: s.points for s in live.player_standings(event)}
        teams = {s.name: s.points for s in live.team_standings(event)}
    assert players == {"甲": 2000, "乙": 1750, "丙": -200}
    assert teams == {"红队": 3750 + 300, "蓝队": -200 - 500}


def test_streak_bonus_adds_for_answers_in_a_row(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    host_user, user = make_user("H1", roles=(Role.HOST,)), make_user("P1")
    q = questions()
    with app.app_context():
        event = live.create_event(fetch(User, host_user.id), "x",
                                  [Item(q["sample-001"]), Item(q["sample-002"])], settings=Settings(streak_bonus=100), now=T0)
        host = fetch(User, host_user.id)
        me, _ = live.join(event, fetch(User, user.id), now=T0)
        for start in (0, 30):
            live.next_question(event, host, now=at(start))
            live.open_answers(event, host, now=at(start))
            live.answer(event, me, shown(event, me, key_position(event)), now=at(start))
            live.reveal(event, host, now=at(start + 1))
        assert [s.points for s in live.player_standings(event)] == [1000 + 1000 + 100]


def test_host_actions_follow_the_order_and_are_audited(event_setup, app: Flask) -> None:  # type: ignore[no-untyped-def]
    code, host_user, _ = event_setup
    with app.app_context():
        event, host = load(code), fetch(User, host_user.id)
        with pytest.raises(LiveError, match="wrong_state"):
            live.open_answers(event, host, now=at(0))
        version = event.version
        live.next_question(event, host, now=at(0))
        with pytest.raises(LiveError, match="wrong_state"):
            live.next_question(event, host, now=at(1))
        live.open_answers(event, host, now=at(1))
        assert event.version > version
        actions = db.session.execute(select(AuditLog.action).order_by(AuditLog.id)).scalars().all()
    assert actions[-2:] == ["live.next", "live.open"]


def test_answers_before_opening_are_refused_and_twice_is_once(event_setup, app: Flask) -> None:  # type: ignore[no-untyped-def]
    code, host_user, (a, *_rest) = event_setup
    with app.app_context():
        event, host = load(code), fetch(User, host_user.id)
        pa = player(event, fetch(User, a.id))
        live.next_question(event, host, now=at(0))
        with pytest.raises(LiveError, match="not_open"):
            live.answer(event, pa, 0, now=at(0))
        live.open_answers(event, host, now=at(1))
        live.answer(event, pa, 0, now=at(20.4))  # within the grace for the network
        with pytest.raises(LiveError, match="already_answered"):
            live.answer(event, pa, 1, now=at(3))


def test_joining_again_takes_over_the_device(event_setup, app: Flask) -> None:  # type: ignore[no-untyped-def]
    code, _, (a, *_rest) = event_setup
    with app.app_context():
        event = load(code)
        first = player(event, fetch(User, a.id)).device
        again, device = live.join(event, fetch(User, a.id), now=at(5))
        with pytest.raises(LiveError, match="taken_over"):
            live.check_device(again, first)
        live.check_device(again, device)
        assert db.session.execute(select(AuditLog).where(AuditLog.action == "live.takeover")).first() is not None
