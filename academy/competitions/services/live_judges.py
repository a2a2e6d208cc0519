"""Judges and corrections in a live final: spoken answers marked right or wrong, disputes settled
with a reason, a host's score corrections with a reason. Every step and every refusal is audited.

Who may mark which team is decided in ``access`` (a judge never marks their own unit's team);
this module trusts the route to have asked, and refuses what the rules of the round forbid.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from academy import scoring
from academy.competitions.services.live import _bump, _notify, _refuse, buzz_settled, buzz_turn, rules_of, settle_stakes
from academy.competitions.services.live_answers import LiveError
from academy.database import db, utcnow
from academy.models import (
    LiveAdjustment,
    LiveAnswer,
    LiveEvent,
    LiveJudge,
    LivePlayer,
    LiveQuestion,
    LiveTeam,
    OrgUnit,
    QState,
    RoundKind,
    User,
)
from academy.services import audit

REASON_MAX = 500


def add_judge(event: LiveEvent, host: User, judge: User, *, now: datetime | None = None) -> LiveJudge:
    found = db.session.execute(select(LiveJudge).where(
        LiveJudge.event_id == event.id, LiveJudge.user_id == judge.id)).scalar_one_or_none()
    if found is not None:
        return found
    row = LiveJudge(event_id=event.id, user_id=judge.id)
    db.session.add(row)
    audit.record("live.judge_added", actor=host, now=now, event=event.code, judge=judge.id)
    db.session.commit()
    return row


def remove_judge(event: LiveEvent, host: User, judge_id: int, *, now: datetime | None = None) -> None:
    row = db.session.execute(select(LiveJudge).where(
        LiveJudge.event_id == event.id, LiveJudge.user_id == judge_id)).scalar_one_or_none()
    if row is not None:
        db.session.delete(row)
        audit.record("live.judge_removed", actor=host, now=now, event=event.code, judge=judge_id)
        db.session.commit()


def judges(event: LiveEvent) -> list[LiveJudge]:
    return list(db.session.execute(select(LiveJudge).where(LiveJudge.event_id == event.id)
                                   .order_by(LiveJudge.id)).scalars())


def refuse(event: LiveEvent, actor: User, reason: str, **detail: Any) -> LiveError:
    """A refusal decided outside the service (``access``), kept in the audit log like the others."""
    return _refuse(event, actor.id, reason, **detail)


def _team_row(question: LiveQuestion, team: LiveTeam) -> LiveAnswer | None:
    return db.session.execute(select(LiveAnswer).where(
        LiveAnswer.question_id == question.id, LiveAnswer.team_id == team.id)
        .order_by(LiveAnswer.answered_at.desc(), LiveAnswer.id.desc()).limit(1)).scalar_one_or_none()


def _speaker(team: LiveTeam) -> LivePlayer | None:
    """The player a spoken team answer is recorded under: the team's first to join."""
    return db.session.execute(select(LivePlayer).where(LivePlayer.team_id == team.id)
                              .order_by(LivePlayer.joined_at, LivePlayer.id).limit(1)).scalar_one_or_none()


def _points(event: LiveEvent, question: LiveQuestion, correct: bool) -> int:
    rules = rules_of(event)
    if question.kind == RoundKind.BUZZ:
        return scoring.buzz_points(rules, correct, question.points)
    if question.kind == RoundKind.TEAM:
        return scoring.team_question_points(rules, correct, question.points)
    return 0  # 风险题: the stake carries the points


def mark(event: LiveEvent, actor: User, team: LiveTeam, correct: bool, *, reason: str = "",
         now: datetime | None = None) -> LiveAnswer:
    """Mark a team's spoken answer on the question on stage; changing a verdict is a dispute and needs a reason."""
    when = now or utcnow()
    reason = reason.strip()[:REASON_MAX]
    question = event.current
    detail: dict[str, Any] = {"team": team.id, "correct": correct}
    if question is None or question.kind == RoundKind.EVERYONE or question.state in (
            QState.PENDING, QState.STAKING, QState.SHOWN):
        raise _refuse(event, actor.id, "nothing_to_judge", when, **detail)
    if question.in_play is not None and team.id not in question.in_play:
        raise _refuse(event, actor.id, "not_in_play", when, **detail)
    turn = buzz_turn(question) if question.kind == RoundKind.BUZZ and question.state == QState.OPEN else None
    turn_player = db.session.get(LivePlayer, turn.player_id) if turn is not None else None
    existing = _team_row(question, team)
    if turn_player is not None and turn_player.team_id == team.id:
        existing = None  # this team's buzzer answers now: a new answer, not a dispute
    elif existing is None and question.kind == RoundKind.BUZZ:
        raise _refuse(event, actor.id, "not_your_turn", when, **detail)
    if existing is not None:
        return _dispute(event, actor, question, existing, correct, reason, when)
    if question.kind == RoundKind.TEAM and question.team_id != team.id:
        raise _refuse(event, actor.id, "not_your_team", when, **detail)
    speaker = turn_player if turn_player is not None else _speaker(team)
    if speaker is None:
        raise _refuse(event, actor.id, "no_players", when, **detail)
    row = LiveAnswer(question_id=question.id, player_id=speaker.id, team_id=team.id, answer=None,
                     answered_at=when, correct=correct, points=_points(event, question, correct), judged_by=actor.id)
    db.session.add(row)
    db.session.flush()
    if question.kind == RoundKind.BUZZ:
        buzz_settled(event, question, row, when)
    elif question.kind == RoundKind.RISK and question.state in (QState.CLOSED, QState.REVEALED):
        settle_stakes(question)
    audit.record("live.judged", actor=actor, now=when, event=event.code, position=question.position, **detail)
    _bump(event)
    db.session.commit()
    _notify(event)
    return row


def _dispute(event: LiveEvent, actor: User, question: LiveQuestion, row: LiveAnswer, correct: bool, reason: str,
             when: datetime) -> LiveAnswer:
    if not reason:
        raise _refuse(event, actor.id, "reason_required", when, team=row.team_id, correct=correct)
    before = (row.correct, row.points)
    row.correct = correct
    row.points = _points(event, question, correct) if question.kind != RoundKind.EVERYONE else row.points
    row.judged_by = actor.id
    if question.kind == RoundKind.RISK and question.state in (QState.CLOSED, QState.REVEALED):
        settle_stakes(question)
    audit.record("live.dispute", actor=actor, now=when, event=event.code, position=question.position,
                 team=row.team_id, before=list(before), after=[row.correct, row.points], reason=reason)
    _bump(event)
    db.session.commit()
    _notify(event)
    return row


def correct_score(event: LiveEvent, host: User, points: int, reason: str, *, team: LiveTeam | None = None,
                  player: LivePlayer | None = None, now: datetime | None = None) -> LiveAdjustment:
    """A host's correction of a team's or a player's score; refused without a reason or without points."""
    when = now or utcnow()
    reason = reason.strip()[:REASON_MAX]
    detail: dict[str, Any] = {"team": team.id if team else None, "player": player.id if player else None, "points": points}
    if not reason:
        raise _refuse(event, host.id, "reason_required", when, **detail)
    if not points or (team is None) == (player is None) or abs(points) > 100000:
        raise _refuse(event, host.id, "invalid", when, **detail)
    row = LiveAdjustment(event_id=event.id, team_id=team.id if team else None, player_id=player.id if player else None,
                         question_id=event.current.id if event.current else None, kind="correction", points=points,
                         reason=reason, by_id=host.id, at=when)
    db.session.add(row)
    audit.record("live.correction", actor=host, now=when, event=event.code, reason=reason, **detail)
    _bump(event)
    db.session.commit()
    _notify(event)
    return row


def corrections(event: LiveEvent) -> list[LiveAdjustment]:
    return list(db.session.execute(select(LiveAdjustment).where(LiveAdjustment.event_id == event.id)
                                   .order_by(LiveAdjustment.at, LiveAdjustment.id)).scalars())


__all__ = ["LiveError", "add_judge", "correct_score", "corrections", "judges", "mark", "refuse", "remove_judge"]


def is_judge(event: LiveEvent, user_id: int) -> bool:
    return db.session.execute(select(LiveJudge.id).where(
        LiveJudge.event_id == event.id, LiveJudge.user_id == user_id)).first() is not None


def judged_by(user_id: int) -> list[LiveEvent]:
    """The latest 20 events the person judges."""
    return list(db.session.execute(select(LiveEvent).join(LiveJudge, LiveJudge.event_id == LiveEvent.id)
                                   .where(LiveJudge.user_id == user_id).order_by(LiveEvent.created_at.desc())
                                   .limit(20)).scalars())


def team_unit_paths(team: LiveTeam) -> list[str]:
    """The paths of the team's unit or, for a team named by its players, of their units."""
    if team.org_unit_id is not None:
        unit_ids = {team.org_unit_id}
    else:
        unit_ids = {u for (u,) in db.session.execute(select(User.org_unit_id).join(
            LivePlayer, LivePlayer.user_id == User.id).where(LivePlayer.team_id == team.id)) if u is not None}
    if not unit_ids:
        return []
    return list(db.session.execute(select(OrgUnit.path).where(OrgUnit.id.in_(unit_ids))).scalars())
