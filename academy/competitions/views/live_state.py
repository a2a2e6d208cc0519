"""The JSON the live pages poll, and the ETags that let an unchanged poll cost a 304.

No answer key leaves the server before its question is revealed: ``_question`` adds the
key, the explanation and the distribution only in the ``revealed`` state.

Options, key, distribution and a player's own answer are in the event's order (the big
screen's); each phone reorders them with its ``order`` (``services.live.player_order``).
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from academy import scoring
from academy.competitions.services import live
from academy.content.render import render_inline
from academy.models import (
    EventStatus,
    LiveEvent,
    LivePlayer,
    LiveQuestion,
    QState,
    RoundKind,
)
from academy.realtime import sse

BOARD_SIZE = 10
LOBBY_NAMES = 300  # the lobby names who is in; past this the count says the rest
_CACHE_SIZE = 256
_shared: dict[tuple[Any, ...], Any] = {}


def _memo(key: tuple[Any, ...], build: Any) -> Any:
    """What every poller of one event version sees is built once per process.

    The key holds ``LiveEvent.version``, which every change to shared state bumps in
    the database, so a new version is a new entry and nothing is ever invalidated;
    another instance simply builds its own copy.
    """
    found = _shared.get(key)
    if found is None:
        if len(_shared) >= _CACHE_SIZE:
            with contextlib.suppress(StopIteration, KeyError):  # threads may evict at once
                _shared.pop(next(iter(_shared)))
        found = _shared[key] = build()
    return found


def _ms(value: datetime | None) -> int | None:
    return int(value.timestamp() * 1000) if value else None


def _question(event: LiveEvent, q: LiveQuestion) -> dict[str, Any]:
    return dict(_memo(("question", event.code, event.version, q.id), lambda: _build_question(event, q)))


def _build_question(event: LiveEvent, q: LiveQuestion) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": q.id, "position": q.position, "total": len(event.questions), "kind": q.kind, "qtype": q.qtype,
        "state": q.state, "seconds": q.seconds, "team": q.team.name if q.team else None,
        "opened_at": _ms(q.opened_at), "deadline": _ms(q.deadline),
    }
    if q.state in (QState.PENDING, QState.STAKING):
        return data  # a risk question stays hidden while teams stake
    data["stem"] = str(render_inline(q.stem))
    data["options"] = [str(render_inline(o)) for o in q.options]
    if q.in_play is not None:
        data["in_play"] = [t.name for t in event.teams if t.id in q.in_play]
    if q.kind == RoundKind.BUZZ:
        data["fouls"] = early_buzzers(q)
        data["foul_points"] = live.rules_of(event).early_penalty
        queue = live.buzz_queue(q)
        turn = live.buzz_turn(q) if q.state == QState.OPEN else None
        data["buzzers"] = [name for b, name in queue if not b.early][:8]
        data["turn"] = next((name for b, name in queue if turn is not None and b.id == turn.id), None)
    if q.state == QState.REVEALED:
        data["key"] = q.key
        data["explanation"] = str(render_inline(q.explanation))
        data["distribution"] = live.distribution(q)
    return data


def _player_standings(event: LiveEvent) -> list[live.Standing]:
    return list(_memo(("players", event.code, event.version), lambda: live.player_standings(event)))


def _standings(event: LiveEvent) -> dict[str, Any]:
    players = _player_standings(event)
    return {"players": [s.__dict__ for s in players[:BOARD_SIZE]],
            "teams": [s.__dict__ for s in live.team_standings(event)]}


def screen_etag(event: LiveEvent) -> str:
    count = live.answer_count(event.current) if event.current is not None else 0
    return f"s{event.id}-{event.version}-{count}"


def screen_state(event: LiveEvent) -> dict[str, Any]:
    """For the big screen and the host console."""
    q = event.current
    data: dict[str, Any] = {
        "status": event.status, "stage": event.stage, "title": event.title, "code": event.code,
        "version": event.version, "players": live.player_count(event), "question": None,
        "board": _standings(event),
    }
    if event.status == EventStatus.LOBBY:
        data["names"] = _memo(("names", event.code, event.version), lambda: _lobby_names(event))
    if q is not None:
        data["question"] = _question(event, q)
        data["answered"] = live.answer_count(q)
        if q.kind == RoundKind.RISK:
            names = {t.id: t.name for t in event.teams}
            data["stakes"] = {names.get(team, "?"): value for team, value in live.stakes(q).items()}
            if q.state == QState.STAKING and live.rules_of(event).format == scoring.Format.TEAM_FINAL:
                turn = live.stake_turn(event, q)
                data["stake_turn"] = names.get(turn) if turn is not None else None
    return data


def early_buzzers(q: LiveQuestion) -> list[str]:
    """Who buzzed before 开始 on this question: their team's name, or their own without a team."""
    teams = {t.id: t.name for t in q.event.teams}
    return [teams.get(team, name) if team else name for name, team in live.early_buzzers(q)]


def console_state(event: LiveEvent) -> dict[str, Any]:
    """For the host and the judges only: each team's verdict on the question on stage, and,
    once answering has closed, how the answers spread over the options."""
    q = event.current
    standings = {s.id: s.points for s in live.team_standings(event)}
    verdicts = live.latest_team_answers(q) if q is not None else {}
    teams = [{"id": t.id, "name": t.name, "points": standings.get(t.id, 0), "answer": verdicts.get(t.id)}
             for t in event.teams]
    data: dict[str, Any] = {"teams": teams, "rules": live.rules_of(event), "distribution": None,
                            "players": [], "judgeable": q is not None and q.kind != RoundKind.EVERYONE
                            and q.state in (QState.OPEN, QState.CLOSED, QState.REVEALED)}
    if q is not None and q.state in (QState.CLOSED, QState.REVEALED):
        counts = live.distribution(q)
        data["distribution"] = {"counts": counts, "total": sum(counts),
                                "numeric": q.qtype == "numeric"}
    if q is not None and q.kind == RoundKind.BUZZ:
        data["fouls"] = early_buzzers(q)
        turn = live.buzz_turn(q) if q.state == QState.OPEN else None
        answering = live.player(turn.player_id) if turn is not None else None
        data["turn_team"] = answering.team_id if answering is not None else None
    data["players"] = [(p.id, p.user.name) for p in live.players(event, limit=500)]
    return data


def _lobby_names(event: LiveEvent) -> list[str]:
    return live.player_names(event, limit=LOBBY_NAMES)


def shared_state(event: LiveEvent) -> dict[str, Any]:
    """What every phone sees alike, pushed on the players' stream; the rest comes from ``/me``."""
    q = event.current
    return {"status": event.status, "stage": event.stage, "title": event.title, "version": event.version,
            "question": _question(event, q) if q is not None else None}


def notice(code: str, audience: str) -> str | None:
    """The text a stream sends when Redis says an event changed: built once per process and notice."""
    if audience == "screen":
        return sse({"changed": True})  # the screen fetches /state itself, throttled
    event = live.by_code(code)
    if event is None:
        return None
    return sse(shared_state(event))


def orders(event: LiveEvent, player: LivePlayer) -> dict[int, list[int]]:
    """The player's option order of every choice question, given with the page."""
    return {q.id: live.player_order(event, player, q) for q in event.questions if q.qtype in ("single", "multiple")}


def player_etag(event: LiveEvent, player: LivePlayer) -> str:
    mine = live.own_answer(event.current, player) if event.current is not None else None
    return f"p{event.id}-{event.version}-{player.id}-{mine.id if mine else 0}"


def player_state(event: LiveEvent, player: LivePlayer) -> dict[str, Any]:
    """For one player's phone: the question, what they may do now, their own result."""
    q = event.current
    standings = {s.id: s for s in _player_standings(event)}
    me = standings.get(player.id)
    data: dict[str, Any] = {
        "status": event.status, "stage": event.stage, "title": event.title, "version": event.version,
        "me": {"name": player.user.name, "team": player.team.name if player.team else None,
               "points": me.points if me else 0, "rank": me.rank if me else None, "of": len(standings)},
        "question": None,
    }
    if event.status == EventStatus.FINISHED and player.team_id is not None:
        teams = list(_memo(("teams", event.code, event.version), lambda: live.team_standings(event)))  # the team's place
        ours = next((s for s in teams if s.id == player.team_id), None)
        if ours is not None:
            data["me"]["team_result"] = {"team": ours.name, "rank": ours.rank, "of": len(teams), "points": ours.points}
    if q is None:
        return data
    data["question"] = _question(event, q)
    mine = live.own_answer(q, player)
    may_answer = q.kind == RoundKind.EVERYONE or (
        q.kind == RoundKind.TEAM and player.team_id == q.team_id) or (
        q.kind == RoundKind.RISK and player.team_id is not None)
    you: dict[str, Any] = {"answered": mine is not None, "answer": mine.answer if mine else None,
                           "order": live.player_order(event, player, q)}
    rules = live.rules_of(event)
    if q.kind == RoundKind.BUZZ and q.state == QState.SHOWN and rules.early_penalty > 0:
        # the buzzer is live before 开始: pressing it early costs the team, as in the hall
        you["void"] = live.team_void(q, player)
        you["early_armed"] = not you["void"] and (q.in_play is None or player.team_id in q.in_play)
    if q.kind == RoundKind.BUZZ and q.state == QState.OPEN:
        turn = live.buzz_turn(q)
        queue = live.buzz_queue(q)
        you["buzzed"] = any(b.player_id == player.id for b, _n in queue)
        you["void"] = live.team_void(q, player)
        if q.in_play is not None and player.team_id not in q.in_play:
            you["buzzed"] = True  # a tie-break for other teams: no buzzer here
        you["my_turn"] = turn is not None and turn.player_id == player.id and mine is None
        may_answer = you["my_turn"]
    if q.kind == RoundKind.RISK:
        stake = live.stakes(q).get(player.team_id or 0)
        you["stake"] = stake
        you["may_stake"] = q.state == QState.STAKING and player.team_id is not None and stake is None
        you["stake_options"] = scoring.stake_choices(rules)
        if q.state == QState.STAKING and rules.format == scoring.Format.TEAM_FINAL:
            picking = live.stake_turn(event, q)
            you["stake_turn"] = picking == player.team_id
            you["stake_turn_team"] = next((t.name for t in event.teams if t.id == picking), None)
    if q.kind in (RoundKind.TEAM, RoundKind.RISK) and mine is None and player.team_id is not None:
        you["team_answered"] = live.team_answered(q, player.team_id)
    you["may_answer"] = may_answer and mine is None and not you.get("team_answered")
    if q.state == QState.REVEALED and mine is not None:
        you["correct"] = mine.correct
        you["points"] = mine.points
    data["you"] = you
    return data
