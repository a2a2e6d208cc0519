"""Rule presets of a live final: each formula as a table, and a whole team final (preset a)
scored through the service, with judges, an early buzz, stakes in standing order and a 加赛."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from academy import scoring
from academy.competitions.services import live, live_judges
from academy.competitions.services.live import Item, LiveError, Settings
from academy.content.quizbank import load_banks
from academy.database import db
from academy.models import AuditLog, LiveEvent, LivePlayer, QState, Role, RoundKind, User
from academy.scoring import PRESETS, Rules, TeamScore

from .conftest import FIXTURES
from .support.db import fetch

T0 = datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
TEAM = PRESETS["team_final"]
SPEED = PRESETS["speed"]


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# --- (b) speed game: points = round((1 − (t/T)/2) × P), full in the first 0.5 s, streak +100 up to +500

@pytest.mark.parametrize(("elapsed", "streak", "double", "points"), [
    (0.0, 1, False, 1000),      # at once
    (0.5, 1, False, 1000),      # still inside the full-points half second
    (0.6, 1, False, 985),       # round((1 − 0.6/20/2) × 1000) = 985
    (10.0, 1, False, 750),      # half-way: three quarters
    (20.0, 1, False, 500),      # the last moment: half
    (25.0, 1, False, 500),      # clipped to T
    (10.0, 2, False, 850),      # second in a row: +100
    (10.0, 6, False, 1250),     # sixth in a row: +500, the cap
    (10.0, 9, False, 1250),     # still +500
    (10.0, 1, True, 1500),      # double points: P = 2000
    (0.2, 3, True, 2200),       # double, at once, third in a row
])
def test_speed_preset_scores_by_its_formula(elapsed: float, streak: int, double: bool, points: int) -> None:
    p = 2 * SPEED.points if double else None
    assert scoring.everyone_points(SPEED, True, elapsed, 20, streak, p) == points
    assert scoring.everyone_points(SPEED, False, elapsed, 20, streak, p) == 0


@pytest.mark.parametrize(("members", "how", "total"), [
    ([1000, 750, 0], TeamScore.SUM, 1750),
    ([1000, 750, 0], TeamScore.AVERAGE, 583),   # round(1750 / 3)
    ([], TeamScore.AVERAGE, 0),
])
def test_speed_team_score_is_the_sum_or_the_average(members: list[int], how: TeamScore, total: int) -> None:
    assert scoring.team_total(Rules(team_score=how), members) == total


# --- (a) team final: base 100; 必答 +10 (or the round's points), no deduction; 抢答 ±10; early −10; stakes

@pytest.mark.parametrize(("kind", "correct", "round_points", "points"), [
    ("team", True, None, 10), ("team", False, None, 0), ("team", True, 20, 20), ("team", True, 30, 30),
    ("team", False, 30, 0), ("buzz", True, None, 10), ("buzz", False, None, -10), ("buzz", True, 20, 20),
])
def test_team_final_rounds_score_by_the_preset(kind: str, correct: bool, round_points: int | None, points: int) -> None:
    score = scoring.team_question_points if kind == "team" else scoring.buzz_points
    assert score(TEAM, correct, round_points) == points


@pytest.mark.parametrize(("preset", "stake", "valid"), [
    ("team_final", 10, True), ("team_final", 30, True), ("team_final", 50, True), ("team_final", 20, False),
    ("team_final", 70, False), ("team_final_high", 20, True), ("team_final_high", 60, True),
    ("team_final_high", 50, False), ("team_final", True, False), ("team_final", "30", False),
])
def test_stakes_must_be_one_of_the_tiers(preset: str, stake: object, valid: bool) -> None:
    assert scoring.valid_stake(PRESETS[preset], stake) is valid


def test_a_stake_is_won_or_lost_and_a_team_total_starts_from_the_base() -> None:
    assert scoring.stake_points(30, True) == 30
    assert scoring.stake_points(50, False) == -50
    # base 100, members 10 + 0, own: stake +30, early buzz −10, correction +5
    assert scoring.team_total(TEAM, [10, 0], 30 - 10 + 5) == 135


def test_stakes_go_in_order_of_standing_and_ties_need_a_tiebreak() -> None:
    assert scoring.stake_order([(1, 110, "乙"), (2, 140, "甲"), (3, 110, "丙")]) == [2, 3, 1]  # ties by name
    assert scoring.tied_for_places([(1, 140), (2, 140), (3, 100)]) == [1, 2]
    assert scoring.tied_for_places([(1, 150), (2, 140), (3, 100)]) == []
    assert scoring.tied_for_places([(1, 150), (2, 140), (3, 100), (4, 100)]) == [3, 4]  # third place shared
    assert scoring.tied_for_places([(1, 150), (2, 140), (3, 130), (4, 90), (5, 90)]) == []  # no podium place shared


@pytest.mark.parametrize(("text", "tiers"), [
    ("10/30/50", (10, 30, 50)), ("20，40，60", (20, 40, 60)), ("10 20", (10, 20)),
    ("30/10", ()), ("abc", ()), ("0/10", ()), ("", ()),
])
def test_stake_tiers_as_the_host_types_them(text: str, tiers: tuple[int, ...]) -> None:
    assert scoring.parse_tiers(text) == tiers


def test_rules_survive_the_database_as_json() -> None:
    assert Rules.from_json(TEAM.as_json()) == TEAM
    assert Rules.from_json(SPEED.as_json()) == SPEED


# --- a whole team final through the service ----------------------------------------------------------

@pytest.fixture
def final(app: Flask, make_user, make_tree):  # type: ignore[no-untyped-def]
    units = make_tree("华东公司/质量部", "西南公司")
    host = make_user("H001", name="主持人", roles=(Role.HOST,))
    judge = make_user("J001", name="评委甲", unit=units["质量部"])  # inside 华东公司: never marks 红队
    people = [make_user(n, name=name, unit=units[u]) for n, name, u in
              [("A001", "红一", "华东公司"), ("A002", "红二", "华东公司"), ("B001", "蓝一", "西南公司"), ("B002", "蓝二", "西南公司")]]
    banks, _ = load_banks(FIXTURES / "quiz")
    q = {x.id: x for bank in banks.values() for x in bank.questions}
    items = [
        Item(q["sample-001"], RoundKind.TEAM, 20, team="红队"),                 # 必答 +10
        Item(q["sample-005"], RoundKind.TEAM, 20, team="蓝队", points=20),      # 必答 worth 20, spoken
        Item(q["sample-002"], RoundKind.BUZZ, 20),                              # 抢答 with an early buzz
        Item(q["sample-003"], RoundKind.RISK, 30),                              # 风险题
        Item(q["sample-001"], RoundKind.BUZZ, 20, tiebreak=True),               # 加赛 (played: a tie)
        Item(q["sample-002"], RoundKind.BUZZ, 20, tiebreak=True),               # 加赛 (skipped: no tie left)
    ]
    with app.app_context():
        event = live.create_event(fetch(User, host.id), "质量知识决赛", items, teams=["红队", "蓝队"],
                                  settings=Settings(rules=TEAM), now=T0)
        red, blue = event.teams[0].id, event.teams[1].id
        live_judges.add_judge(event, fetch(User, host.id), fetch(User, judge.id), now=T0)
        for person, team in zip(people, [red, red, blue, blue], strict=True):
            live.join(event, fetch(User, person.id), team_id=team, now=T0)
        return event.code, host, judge, people


def _load(code: str) -> LiveEvent:
    return db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()


def _player(event: LiveEvent, number: str) -> LivePlayer:
    return next(p for p in db.session.execute(select(LivePlayer).where(LivePlayer.event_id == event.id)).scalars()
                if p.user.employee_no == number)


def _shown(event: LiveEvent, who: LivePlayer, stored: int | list[int]) -> int | list[int]:
    assert event.current is not None
    order = live.player_order(event, who, event.current)
    return [order.index(p) for p in stored] if isinstance(stored, list) else order.index(stored)


def _teams(event: LiveEvent) -> dict[str, int]:
    return {s.name: s.points for s in live.team_standings(event)}


def test_a_team_final_scores_by_preset_a(final, app: Flask) -> None:  # type: ignore[no-untyped-def]
    code, host_user, judge_user, _people = final
    with app.app_context():
        event = _load(code)
        host, judge = db.session.get(User, host_user.id), db.session.get(User, judge_user.id)
        assert host is not None
        assert judge is not None
        a1, a2, b1, b2 = (_player(event, n) for n in ("A001", "A002", "B001", "B002"))
        red, blue = event.teams
        assert _teams(event) == {"红队": 100, "蓝队": 100}

        # 必答, 红队 answers on the phone: +10
        live.next_question(event, host, now=at(0))
        live.open_answers(event, host, now=at(1))
        assert event.current is not None
        live.answer(event, a1, _shown(event, a1, event.current.key["correct"][0]), now=at(3))
        live.reveal(event, host, now=at(10))
        assert _teams(event) == {"红队": 110, "蓝队": 100}

        # 必答 worth 20, 蓝队 answers aloud, the judge marks it right
        live.next_question(event, host, now=at(20))
        live.open_answers(event, host, now=at(21))
        live_judges.mark(event, judge, blue, True, now=at(25))
        live.reveal(event, host, now=at(30))
        assert _teams(event) == {"红队": 110, "蓝队": 120}

        # 抢答: 蓝一 buzzes before 开始 (−10, 蓝队 out of this question), 红二 answers wrong (−10), 红一 right (+10)
        live.next_question(event, host, now=at(40))
        with pytest.raises(LiveError, match="early_buzz"):
            live.buzz(event, b1, now=at(41))
        live.open_answers(event, host, now=at(42))
        with pytest.raises(LiveError, match="team_void"):
            live.buzz(event, b2, now=at(43))
        live.buzz(event, a2, now=at(43))
        live.buzz(event, a1, now=at(44))
        assert event.current is not None
        truth = event.current.key["correct"][0]
        live.answer(event, a2, 1 - truth, now=at(45))
        live.answer(event, a1, truth, now=at(46))
        assert event.current.state == QState.CLOSED
        live.reveal(event, host, now=at(47))
        assert _teams(event) == {"红队": 110, "蓝队": 110}

        # 风险题: tied 110/110, 红队 picks first (by name); tiers only; both stake 30 and answer right
        live.next_question(event, host, now=at(50))
        with pytest.raises(LiveError, match="stake_turn"):
            live.stake(event, b1, 30, now=at(51))
        with pytest.raises(LiveError, match="stake_tier"):
            live.stake(event, a1, 70, now=at(51))
        live.stake(event, a1, 30, now=at(52))
        live.stake(event, b1, 30, now=at(53))
        live.show(event, host, now=at(54))
        live.open_answers(event, host, now=at(55))
        assert event.current is not None
        keys = list(event.current.key["correct"])
        live.answer(event, a2, _shown(event, a2, keys), now=at(60))
        live.answer(event, b2, _shown(event, b2, keys), now=at(61))
        live.reveal(event, host, now=at(85))
        assert _teams(event) == {"红队": 140, "蓝队": 140}

        # 加赛: the tie is played off; 蓝一 buzzes and answers aloud, the judge marks it right
        question = live.next_question(event, host, now=at(90))
        assert question.tiebreak
        assert sorted(question.in_play or []) == sorted([red.id, blue.id])
        live.open_answers(event, host, now=at(91))
        live.buzz(event, b1, now=at(92))
        live_judges.mark(event, judge, blue, True, now=at(95))
        live.reveal(event, host, now=at(96))

        # the host corrects 红队 with a reason; without one it is refused
        with pytest.raises(LiveError, match="reason_required"):
            live_judges.correct_score(event, host, 5, "  ", team=red, now=at(97))
        live_judges.correct_score(event, host, 5, "复核录像：第一题答案完整", team=red, now=at(98))

        # no tie is left: the second 加赛 is not played
        with pytest.raises(LiveError, match="no_more_questions"):
            live.next_question(event, host, now=at(99))
        live.finish(event, host, now=at(100))

        # red: 100 + 10 − 10 + 10 + 30 + 5; blue: 100 + 20 − 10 + 30 + 10
        assert _teams(event) == {"红队": 145, "蓝队": 150}
        actions = [a for (a,) in db.session.execute(select(AuditLog.action).where(AuditLog.action.like("live.%")))]
        assert {"live.early_buzz", "live.judged", "live.correction", "live.refused"} <= set(actions)
        reasons = [e.detail["reason"] for e in db.session.execute(
            select(AuditLog).where(AuditLog.action == "live.refused")).scalars()]
        assert sorted(reasons) == ["reason_required", "stake_tier", "stake_turn", "team_void"]


def test_a_dispute_changes_a_verdict_only_with_a_reason(final, app: Flask) -> None:  # type: ignore[no-untyped-def]
    code, host_user, judge_user, _people = final
    with app.app_context():
        event = _load(code)
        host, judge = db.session.get(User, host_user.id), db.session.get(User, judge_user.id)
        assert host is not None
        assert judge is not None
        a1 = _player(event, "A001")
        red, blue = event.teams
        live.next_question(event, host, now=at(0))
        live.open_answers(event, host, now=at(1))
        assert event.current is not None
        wrong = (event.current.key["correct"][0] + 1) % len(event.current.options)
        live.answer(event, a1, _shown(event, a1, wrong), now=at(3))
        live.reveal(event, host, now=at(10))
        assert _teams(event)["红队"] == 100
        with pytest.raises(LiveError, match="reason_required"):
            live_judges.mark(event, host, red, True, now=at(11))
        assert _teams(event)["红队"] == 100  # nothing half-applied
        live_judges.mark(event, host, red, True, reason="选项表述有歧义，评委组复议认可", now=at(12))
        assert _teams(event)["红队"] == 110
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "live.dispute")).scalar_one()
        assert entry.detail["reason"].startswith("选项表述")
        assert entry.detail["before"] == [False, 0]
        # 蓝队 has no answer on 红队's 必答 question: nothing to dispute, and it is not theirs to answer
        with pytest.raises(LiveError, match="not_your_team"):
            live_judges.mark(event, judge, blue, True, now=at(13))


def test_the_speed_preset_averages_teams(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    host = make_user("H002", name="主持人", roles=(Role.HOST,))
    people = [make_user(f"S00{i}", name=f"选手{i}") for i in range(1, 4)]
    banks, _ = load_banks(FIXTURES / "quiz")
    q = {x.id: x for bank in banks.values() for x in bank.questions}
    with app.app_context():
        event = live.create_event(fetch(User, host.id), "速答", [Item(q["sample-001"], seconds=20, double=True)],
                                  teams=["一队"], settings=Settings(rules=SPEED), now=T0)
        h = fetch(User, host.id)
        for person in people:
            live.join(event, fetch(User, person.id), team_id=event.teams[0].id, now=T0)
        players = [live.player_for(event, fetch(User, p.id)) for p in people]
        live.next_question(event, h, now=at(0))
        live.open_answers(event, h, now=at(1))
        assert event.current is not None
        right = event.current.key["correct"][0]
        for player, t in zip(players, (1.3, 11, 3), strict=True):
            assert player is not None
            answer = _shown(event, player, right if t != 3 else (right + 1) % 3)
            live.answer(event, player, answer, now=at(t))
        live.close(event, h, now=at(21))
        # double points: P = 2000; 0.3 s → 2000, 10 s → 1500, wrong → 0; team = average
        assert sorted(s.points for s in live.player_standings(event)) == [0, 1500, 2000]
        assert _teams(event) == {"一队": round(3500 / 3)}
