"""Live finals: the state machine a host drives, and the answers players send.

Each public function is one transaction (one commit). The server's clock decides:
answers are stamped on receipt, refused after the deadline (plus a short grace for the
network, ``GRACE``), and buzz order is receipt order. Every host action is audited and
bumps ``LiveEvent.version``, which the pages poll through an ETag.

After each commit a notice goes to Redis where configured (``realtime.publish``), so
pages learn of the change at once; the database remains the record. With Redis, answers to
"everyone answers" questions are accepted there and written in batches (``intake``); closing
a question writes the rest first, in its own commit, so grading sees every accepted answer.

Each player sees a choice question's options in their own order (``player_order``): the
phone sends positions as it showed them and ``answer`` maps them back to the event's
order, in which answers are stored, graded and counted for the big screen.

Question states: pending → (staking, risk rounds) → shown → open → closed → revealed.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from academy import realtime, scoring
from academy.assessment.services.quizzes import question_from_json
from academy.competitions.services import intake
from academy.competitions.services.live_answers import GRACE, LiveError, display_order, stored_answer
from academy.content.quizbank import QType, Question
from academy.database import db, utcnow
from academy.grading import MultiplePolicy, from_display, grade_item
from academy.models import (
    EventStatus,
    LiveAdjustment,
    LiveAnswer,
    LiveBuzz,
    LiveEvent,
    LivePlayer,
    LiveQuestion,
    LiveStake,
    LiveTeam,
    OrgUnit,
    QState,
    RoundKind,
    Stage,
    User,
)
from academy.services import audit

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud from a stage
CODE_LENGTH = 6
TRUE_FALSE_OPTIONS = ("对", "错")
_random = secrets.SystemRandom()


@dataclass(frozen=True)
class Item:
    question: Question
    kind: RoundKind = RoundKind.EVERYONE
    seconds: int = 20
    team: str = ""  # 必答: the team's name
    points: int | None = None  # the round's own points (必答 10/20/30)
    double: bool = False  # 双倍: twice the round's points
    tiebreak: bool = False  # 加赛: played only while teams are tied for a place


@dataclass(frozen=True)
class Settings:
    base_points: int = 1000
    streak_bonus: int = 0
    buzz_penalty: int = 0
    buzz_pass: bool = True
    teams_from_units: bool = False
    rules: scoring.Rules | None = None  # a preset (scoring.PRESETS), else the four numbers above


def rules_of(event: LiveEvent) -> scoring.Rules:
    """The event's scoring rules; events made before presets keep their four numbers."""
    if event.rules:
        return scoring.Rules.from_json(event.rules)
    return scoring.legacy_rules(event.base_points, event.streak_bonus, event.buzz_penalty, event.buzz_pass)


def _refuse(event: LiveEvent, actor_id: int | None, reason: str, now: datetime | None = None, **detail: Any) -> LiveError:
    """Undo whatever this call began, keep the refusal in the audit log, and return the error to raise."""
    code = event.code
    db.session.rollback()
    actor = db.session.get(User, actor_id) if actor_id else None
    audit.record("live.refused", actor=actor, now=now, event=code, reason=reason, **detail)
    db.session.commit()
    return LiveError(reason)


def _round_points(rules: scoring.Rules, item: Item) -> int | None:
    if not item.double:
        return item.points
    plain = rules.points if item.kind == RoundKind.EVERYONE else rules.right_points
    return 2 * (item.points or plain)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _snapshot(question: Question) -> tuple[list[str], dict[str, Any], list[int]]:
    """Options in a random display order, the key in those positions (for the reveal) and the order."""
    if question.type is QType.NUMERIC:
        return [], {"low": question.low, "high": question.high}, []
    if question.type is QType.TRUEFALSE:
        return list(TRUE_FALSE_OPTIONS), {"correct": [0 if question.truth else 1]}, []
    order = list(range(len(question.options)))
    _random.shuffle(order)
    return [question.options[i] for i in order], {"correct": sorted(order.index(i) for i in question.correct)}, order


def is_correct(question: LiveQuestion, given: Any) -> bool:
    """Graded by the quiz engine's grader, on the question as frozen when the event was made."""
    q = question_from_json(question.source)
    if q.type is QType.TRUEFALSE:  # shown as 对 (position 0) and 错 (position 1)
        position = given if isinstance(given, int) and not isinstance(given, bool) else None
        answer: Any = {0: True, 1: False}.get(position) if position is not None else None
    else:
        answer = from_display(q, given, question.order)
    return grade_item(q, answer, MultiplePolicy.ALL_OR_NOTHING).correct


def create_event(host: User, title: str, items: list[Item], *, teams: list[str] = (),  # type: ignore[assignment]
                 settings: Settings = Settings(), now: datetime | None = None) -> LiveEvent:
    for item in items:
        if item.question.type.value not in scoring.LIVE_TYPES:
            raise LiveError("unsupported_type")
    rules = settings.rules or scoring.legacy_rules(settings.base_points, settings.streak_bonus,
                                                   settings.buzz_penalty, settings.buzz_pass)
    event = LiveEvent(title=title, host_id=host.id, base_points=rules.points,
                      streak_bonus=rules.streak_step, buzz_penalty=rules.wrong_penalty,
                      buzz_pass=rules.buzz_pass, teams_from_units=settings.teams_from_units,
                      rules=rules.as_json(), created_at=now or utcnow())
    by_name: dict[str, LiveTeam] = {}
    for name in [*teams, *(i.team for i in items if i.team)]:
        if name not in by_name:
            by_name[name] = LiveTeam(name=name)
            event.teams.append(by_name[name])
    for position, item in enumerate(items, start=1):
        options, key, order = _snapshot(item.question)
        event.questions.append(LiveQuestion(
            position=position, question_id=item.question.id, qtype=item.question.type.value, kind=item.kind,
            team=by_name.get(item.team), seconds=item.seconds, stem=item.question.stem, options=options,
            key=key, source=dataclasses.asdict(item.question), order=order, explanation=item.question.explanation,
            points=_round_points(rules, item), tiebreak=item.tiebreak))
    for _attempt in range(5):
        event.code = new_code()
        db.session.add(event)
        try:
            db.session.flush()
            break
        except IntegrityError:  # a code already taken: draw another
            db.session.rollback()
    audit.record("live.create", actor=host, now=now, event=event.code, questions=len(items), rules=event.rules)
    db.session.commit()
    return event


# --- players ---------------------------------------------------------------------------------

def _team_for(event: LiveEvent, user: User, team_id: int | None) -> LiveTeam | None:
    if event.teams_from_units:
        if user.org_unit_id is None:
            return None
        team = next((t for t in event.teams if t.org_unit_id == user.org_unit_id), None)
        if team is None:
            unit = db.session.get(OrgUnit, user.org_unit_id)
            team = LiveTeam(event_id=event.id, name=unit.name if unit else str(user.org_unit_id),
                            org_unit_id=user.org_unit_id)
            db.session.add(team)
            db.session.flush()
        return team
    return next((t for t in event.teams if t.id == team_id), None)


def join(event: LiveEvent, user: User, *, team_id: int | None = None, now: datetime | None = None) -> tuple[LivePlayer, str]:
    """Join, or come back. Returns the player and a fresh device token: the newest device wins."""
    if event.status == EventStatus.FINISHED:
        raise LiveError("finished")
    when = now or utcnow()
    device = secrets.token_urlsafe(16)
    player = db.session.execute(
        select(LivePlayer).where(LivePlayer.event_id == event.id, LivePlayer.user_id == user.id)).scalar_one_or_none()
    if player is None:
        team = _team_for(event, user, team_id)
        player = LivePlayer(event_id=event.id, user_id=user.id, team_id=team.id if team else None,
                            device=device, joined_at=when)
        db.session.add(player)
        audit.record("live.join", actor=user, now=when, event=event.code)
    else:
        if player.team_id is None and not event.teams_from_units and team_id is not None:
            team = _team_for(event, user, team_id)
            player.team_id = team.id if team else None
        player.device = device
        audit.record("live.takeover", actor=user, now=when, event=event.code)
    _bump(event)
    try:
        db.session.commit()
    except IntegrityError:  # two devices joined at once: the other created the row
        db.session.rollback()
        return join(event, user, team_id=team_id, now=now)
    intake.remember(event.code, player)
    _notify(event, "screen")  # the player count changed; phones need not know
    return player, device


def player_for(event: LiveEvent, user: User) -> LivePlayer | None:
    return db.session.execute(
        select(LivePlayer).where(LivePlayer.event_id == event.id, LivePlayer.user_id == user.id)).scalar_one_or_none()


def check_device(player: LivePlayer, device: str | None) -> None:
    if not device or not secrets.compare_digest(player.device, device):
        raise LiveError("taken_over")


# --- the host's state machine ------------------------------------------------------------------

def _bump(event: LiveEvent) -> None:
    """Increment in SQL: two instances acting at once never lose a version."""
    db.session.execute(update(LiveEvent).where(LiveEvent.id == event.id).values(version=LiveEvent.version + 1))


def _notify(event: LiveEvent, audience: str = "players") -> None:
    """After the commit: tell every instance's streams (a no-op without Redis)."""
    realtime.publish(event.code, event.version, audience=audience)


def _host_action(event: LiveEvent, host: User, action: str, now: datetime, **detail: Any) -> None:
    _bump(event)
    audit.record(f"live.{action}", actor=host, now=now, event=event.code, **detail)
    db.session.commit()
    db.session.refresh(event)
    intake.post(event)  # before the notice: a phone that hears "open" finds its answers accepted
    _notify(event)


def _require(question: LiveQuestion | None, *states: QState) -> LiveQuestion:
    if question is None or question.state not in states:
        raise LiveError("wrong_state")
    return question


def next_question(event: LiveEvent, host: User, *, now: datetime | None = None) -> LiveQuestion:
    """Put the next pending question on stage (hidden behind stakes for a risk round)."""
    when = now or utcnow()
    current = event.current
    if current is not None and current.state not in (QState.REVEALED, QState.PENDING):
        raise LiveError("wrong_state")
    question, tied = None, []
    for candidate in event.questions:
        if candidate.state != QState.PENDING or (event.current_position is not None
                                                  and candidate.position <= event.current_position):
            continue
        if candidate.tiebreak:
            tied = scoring.tied_for_places([(s.id, s.points) for s in team_standings(event)])
            if not tied:
                continue  # no tie to break: the 加赛 is not played
            candidate.in_play = tied
        question = candidate
        break
    if question is None or event.status == EventStatus.FINISHED:
        raise LiveError("no_more_questions")
    question.state = QState.STAKING if question.kind == RoundKind.RISK else QState.SHOWN
    event.current_position = question.position
    event.status = EventStatus.RUNNING
    event.stage = Stage.QUESTION
    _host_action(event, host, "next", when, position=question.position, question=question.question_id)
    return question


def show(event: LiveEvent, host: User, *, now: datetime | None = None) -> None:
    """Risk rounds: stakes are in, show the question."""
    question = _require(event.current, QState.STAKING)
    question.state = QState.SHOWN
    _host_action(event, host, "show", now or utcnow(), position=question.position)


def open_answers(event: LiveEvent, host: User, *, now: datetime | None = None) -> None:
    when = now or utcnow()
    question = _require(event.current, QState.SHOWN)
    question.state = QState.OPEN
    question.opened_at = when
    question.deadline = when + timedelta(seconds=question.seconds)
    event.stage = Stage.QUESTION
    _host_action(event, host, "open", when, position=question.position, deadline=question.deadline.isoformat())


def close(event: LiveEvent, host: User, *, now: datetime | None = None) -> None:
    when = now or utcnow()
    question = _require(event.current, QState.OPEN)
    _close(event, question, when)
    _host_action(event, host, "close", when, position=question.position)


def reveal(event: LiveEvent, host: User, *, now: datetime | None = None) -> None:
    when = now or utcnow()
    question = _require(event.current, QState.OPEN, QState.CLOSED)
    if question.state == QState.OPEN:
        _close(event, question, when)
    question.state = QState.REVEALED
    _host_action(event, host, "reveal", when, position=question.position)


def set_stage(event: LiveEvent, host: User, stage: Stage, *, now: datetime | None = None) -> None:
    if event.current is not None and event.current.state == QState.OPEN:
        raise LiveError("wrong_state")
    event.stage = stage
    _host_action(event, host, f"stage.{stage.value}", now or utcnow())


def finish(event: LiveEvent, host: User, *, now: datetime | None = None) -> None:
    when = now or utcnow()
    if event.current is not None and event.current.state == QState.OPEN:
        _close(event, event.current, when)
    event.status = EventStatus.FINISHED
    event.stage = Stage.PODIUM
    _host_action(event, host, "finish", when)


def _answers(question: LiveQuestion) -> list[LiveAnswer]:
    return list(db.session.execute(
        select(LiveAnswer).where(LiveAnswer.question_id == question.id).order_by(LiveAnswer.answered_at, LiveAnswer.id)
    ).scalars())


def _close(event: LiveEvent, question: LiveQuestion, when: datetime) -> None:
    """Grade on the server and give points by round kind.

    Answers accepted through Redis are sealed and written first (their own commit, before
    anything here changes), so grading and the distribution see every one of them.
    """
    try:
        intake.seal(event.code, question.id)
        intake.drain(event.code, question.id)
    except intake.Unavailable:
        raise LiveError("busy") from None
    question.state = QState.CLOSED
    question.closed_at = when
    answers = _answers(question)
    if question.kind == RoundKind.BUZZ:
        return  # graded as each turn answered
    rules = rules_of(event)
    for answer in answers:
        if answer.judged_by is None:  # a judge's verdict stands
            answer.correct = is_correct(question, answer.answer)
    if question.kind == RoundKind.EVERYONE:
        _score_everyone(event, question, answers)
    elif question.kind == RoundKind.TEAM:
        for answer in answers:
            answer.points = scoring.team_question_points(rules, bool(answer.correct), question.points)
    elif question.kind == RoundKind.RISK:
        settle_stakes(question, answers)
    db.session.flush()


def settle_stakes(question: LiveQuestion, answers: list[LiveAnswer] | None = None) -> None:
    """风险题: each stake won or lost by its team's answer (no answer loses it too)."""
    by_team = {a.team_id: a for a in (answers if answers is not None else _answers(question))}
    for placed in db.session.execute(select(LiveStake).where(LiveStake.question_id == question.id)).scalars():
        team_answer = by_team.get(placed.team_id)
        placed.points = scoring.stake_points(placed.stake, team_answer is not None and bool(team_answer.correct))


def _score_everyone(event: LiveEvent, question: LiveQuestion, answers: list[LiveAnswer]) -> None:
    by_player = {a.player_id: a for a in answers}
    rules = rules_of(event)
    assert question.opened_at is not None  # noqa: S101 - closed questions were opened
    for player in db.session.execute(select(LivePlayer).where(LivePlayer.event_id == event.id)).scalars():
        answer = by_player.get(player.id)
        if answer is None or not answer.correct:
            player.streak = 0
            continue
        player.streak += 1
        elapsed = (answer.answered_at - question.opened_at).total_seconds()
        answer.points = scoring.everyone_points(rules, True, elapsed, question.seconds, player.streak, question.points)


# --- what players send ------------------------------------------------------------------------

def _accepting(question: LiveQuestion | None, when: datetime) -> LiveQuestion:
    if question is None or question.state != QState.OPEN:
        raise LiveError("not_open")
    assert question.deadline is not None  # noqa: S101 - open questions have one
    if when > question.deadline + GRACE:
        raise LiveError("too_late")
    return question


def player_order(event: LiveEvent, player: LivePlayer, question: LiveQuestion) -> list[int]:
    """The player's order of a choice question's options: ``order[shown] = event position``."""
    return display_order(event.code, player.id, question.id, len(question.options), question.qtype)


def answer(event: LiveEvent, player: LivePlayer, given: Any, *, now: datetime | None = None) -> LiveAnswer | None:
    """``given`` is in the player's own option order (``player_order``); stored in the event's.

    Returns the row, or None when Redis took the answer (``intake``: it reaches the database
    in the next batch, and before the question is graded).
    """
    when = now or utcnow()
    question = _accepting(event.current, when)
    facts = intake.facts_for(event.code) if question.kind == RoundKind.EVERYONE else None
    if facts is not None and facts.get("qid") == str(question.id):
        intake.remember(event.code, player)  # this player's next answers skip the database
        intake.accept(event.code, facts, player.id, player.team_id, given, when)
        return None
    if not scoring.valid_answer(question.qtype, len(question.options), given):
        raise LiveError("invalid")
    if question.qtype in ("single", "multiple"):
        given = stored_answer(player_order(event, player, question), given)
    if question.kind in (RoundKind.TEAM, RoundKind.RISK):
        if player.team_id is None or (question.kind == RoundKind.TEAM and player.team_id != question.team_id):
            raise LiveError("not_your_team")
        taken = db.session.execute(select(func.count()).select_from(LiveAnswer).where(
            LiveAnswer.question_id == question.id, LiveAnswer.team_id == player.team_id)).scalar_one()
        if taken:
            raise LiveError("team_answered")
    if question.kind == RoundKind.BUZZ:
        turn = buzz_turn(question)
        if turn is None or turn.player_id != player.id:
            raise LiveError("not_your_turn")
    if question.in_play is not None and player.team_id not in question.in_play:
        raise LiveError("not_in_play")
    row = LiveAnswer(question_id=question.id, player_id=player.id, team_id=player.team_id, answer=given, answered_at=when)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise LiveError("already_answered") from None
    if question.kind == RoundKind.BUZZ:
        _buzz_answered(event, question, row, when)
    elif question.kind != RoundKind.EVERYONE:
        _bump(event)  # teammates' phones learn that their team has answered
    # read before the commit expires them: a hall's answers must not cost reloads
    code, version, everyone = event.code, event.version, question.kind == RoundKind.EVERYONE
    db.session.commit()
    realtime.publish(code, version, audience="screen" if everyone else "players")  # the count is the screen's only
    return row


def _buzz_answered(event: LiveEvent, question: LiveQuestion, row: LiveAnswer, when: datetime) -> None:
    row.correct = is_correct(question, row.answer)
    buzz_settled(event, question, row, when)


def buzz_settled(event: LiveEvent, question: LiveQuestion, row: LiveAnswer, when: datetime) -> None:
    """A buzz answer's points; a right one (or a wrong one without passing on) ends the question."""
    rules = rules_of(event)
    row.points = scoring.buzz_points(rules, bool(row.correct), question.points)
    db.session.flush()
    if row.correct or not rules.buzz_pass:
        question.state = QState.CLOSED
        question.closed_at = when
    _bump(event)


def buzz(event: LiveEvent, player: LivePlayer, *, now: datetime | None = None) -> LiveBuzz:
    """抢答. A buzz while the question is shown but not yet opened (before the host's 开始) costs
    the team the preset's ``early_penalty`` and voids the question for it; it is refused and audited."""
    when = now or utcnow()
    question = event.current
    rules = rules_of(event)
    if (question is not None and question.kind == RoundKind.BUZZ and question.state == QState.SHOWN
            and rules.early_penalty > 0):
        _early_buzz(event, question, player, rules, when)
    question = _accepting(question, when)
    if question.kind != RoundKind.BUZZ:
        raise LiveError("not_buzz")
    if question.in_play is not None and player.team_id not in question.in_play:
        raise LiveError("not_in_play")
    if team_void(question, player):
        raise _refuse(event, player.user_id, "team_void", when, position=question.position, player=player.id)
    row = LiveBuzz(question_id=question.id, player_id=player.id, at=when)
    _record_once(event, row, "already_buzzed")
    return row


def team_void(question: LiveQuestion, player: LivePlayer) -> bool:
    """Whether this player's team (or the player, without a team) buzzed early on this question."""
    query = select(func.count()).select_from(LiveBuzz).join(LivePlayer, LivePlayer.id == LiveBuzz.player_id).where(
        LiveBuzz.question_id == question.id, LiveBuzz.early.is_(True))
    query = query.where(LivePlayer.team_id == player.team_id) if player.team_id else query.where(
        LiveBuzz.player_id == player.id)
    return bool(db.session.execute(query).scalar_one())


def _early_buzz(event: LiveEvent, question: LiveQuestion, player: LivePlayer, rules: scoring.Rules,
                when: datetime) -> None:
    if team_void(question, player):
        raise _refuse(event, player.user_id, "team_void", when, position=question.position, player=player.id)
    db.session.add(LiveBuzz(question_id=question.id, player_id=player.id, at=when, early=True))
    db.session.add(LiveAdjustment(event_id=event.id, team_id=player.team_id, player_id=None if player.team_id else player.id,
                                  question_id=question.id, kind="early_buzz", points=-rules.early_penalty,
                                  reason="early_buzz", at=when))
    _bump(event)
    audit.record("live.early_buzz", actor=db.session.get(User, player.user_id), now=when, event=event.code,
                 position=question.position, player=player.id, team=player.team_id, points=-rules.early_penalty)
    try:
        db.session.commit()
    except IntegrityError:  # the same phone twice: the first one counted
        db.session.rollback()
        raise LiveError("team_void") from None
    _notify(event)
    raise LiveError("early_buzz")


def _record_once(event: LiveEvent, row: LiveBuzz | LiveStake, taken: str) -> None:
    """Store a buzz or a stake; the unique constraint refuses a second one with ``taken``."""
    db.session.add(row)
    try:
        _bump(event)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise LiveError(taken) from None
    _notify(event)


def buzz_turn(question: LiveQuestion) -> LiveBuzz | None:
    """The earliest buzz (server time, then arrival) whose player has not answered wrongly."""
    tried = select(LiveAnswer.player_id).where(LiveAnswer.question_id == question.id)
    return db.session.execute(
        select(LiveBuzz).where(LiveBuzz.question_id == question.id, LiveBuzz.player_id.not_in(tried),
                               LiveBuzz.early.is_(False))
        .order_by(LiveBuzz.at, LiveBuzz.id).limit(1)).scalar_one_or_none()


def stake_turn(event: LiveEvent, question: LiveQuestion) -> int | None:
    """The team that picks its stake now: the best-placed team without one (teams go in standing order)."""
    placed = stakes(question)
    order = scoring.stake_order((s.id, s.points, s.name) for s in team_standings(event))
    return next((team for team in order if team not in placed), None)


def stake(event: LiveEvent, player: LivePlayer, value: int, *, now: datetime | None = None) -> LiveStake:
    when = now or utcnow()
    question = event.current
    if question is None or question.state != QState.STAKING:
        raise LiveError("not_staking")
    if player.team_id is None:
        raise LiveError("not_your_team")
    if not scoring.valid_stake(rules_of(event), value):
        raise _refuse(event, player.user_id, "stake_tier", when, position=question.position, stake=value)
    turn = stake_turn(event, question) if rules_of(event).format == scoring.Format.TEAM_FINAL else None
    if turn is not None and turn != player.team_id:
        raise _refuse(event, player.user_id, "stake_turn", when, position=question.position, team=player.team_id)
    row = LiveStake(question_id=question.id, team_id=player.team_id, stake=value, placed_by=player.id, placed_at=when)
    _record_once(event, row, "team_staked")
    return row


# --- what the pages show -------------------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    rank: int
    id: int
    name: str
    points: int


def _ranked(rows: list[tuple[int, str, int]]) -> list[Standing]:
    rows.sort(key=lambda r: (-r[2], r[1], r[0]))
    result: list[Standing] = []
    for index, (ident, name, points) in enumerate(rows):
        rank = result[-1].rank if result and result[-1].points == points else index + 1
        result.append(Standing(rank=rank, id=ident, name=name, points=points))
    return result


def _adjusted(event: LiveEvent, column: Any) -> dict[int, int]:
    return {r[0]: int(r[1]) for r in db.session.execute(
        select(column, func.sum(LiveAdjustment.points)).where(LiveAdjustment.event_id == event.id, column.is_not(None))
        .group_by(column))}


def _player_rows(event: LiveEvent) -> list[tuple[int, str, int, int | None]]:
    """(player, name, points, team): answers plus the player's own adjustments."""
    rows = db.session.execute(
        select(LivePlayer.id, User.name, func.coalesce(func.sum(LiveAnswer.points), 0), LivePlayer.team_id)
        .join(User, User.id == LivePlayer.user_id)
        .outerjoin(LiveAnswer, LiveAnswer.player_id == LivePlayer.id)
        .where(LivePlayer.event_id == event.id).group_by(LivePlayer.id, User.name, LivePlayer.team_id)).all()
    own = _adjusted(event, LiveAdjustment.player_id)
    return [(r[0], r[1], int(r[2]) + own.get(r[0], 0), r[3]) for r in rows]


def player_standings(event: LiveEvent) -> list[Standing]:
    return _ranked([(ident, name, points) for ident, name, points, _team in _player_rows(event)])


def team_standings(event: LiveEvent) -> list[Standing]:
    """``scoring.team_total``: base score, members' points (sum or average), stakes and the team's adjustments."""
    rules = rules_of(event)
    members: dict[int, list[int]] = {}
    for _ident, _name, points, team in _player_rows(event):
        if team is not None:
            members.setdefault(team, []).append(points)
    staked: dict[int, int] = {r[0]: int(r[1]) for r in db.session.execute(
        select(LiveStake.team_id, func.sum(LiveStake.points)).join(LiveQuestion, LiveQuestion.id == LiveStake.question_id)
        .where(LiveQuestion.event_id == event.id).group_by(LiveStake.team_id))}
    adjusted = _adjusted(event, LiveAdjustment.team_id)
    teams = db.session.execute(select(LiveTeam).where(LiveTeam.event_id == event.id)).scalars()
    return _ranked([(t.id, t.name, scoring.team_total(rules, members.get(t.id, []),
                                                       staked.get(t.id, 0) + adjusted.get(t.id, 0))) for t in teams])


def answer_count(question: LiveQuestion) -> int:
    stored = int(db.session.execute(
        select(func.count()).select_from(LiveAnswer).where(LiveAnswer.question_id == question.id)).scalar_one())
    return max(stored, intake.accepted_count(question.event.code, question.id)) if question.state == QState.OPEN else stored


def distribution(question: LiveQuestion) -> list[int]:
    """How many picked each option (display positions); for numeric: [right, wrong]."""
    answers = _answers(question)
    if question.qtype == "numeric":
        right = sum(1 for a in answers if is_correct(question, a.answer))
        return [right, len(answers) - right]
    counts = [0] * len(question.options)
    for a in answers:
        picked = a.answer if isinstance(a.answer, list) else [a.answer]
        for p in picked:
            if isinstance(p, int) and not isinstance(p, bool) and 0 <= p < len(counts):
                counts[p] += 1
    return counts


def buzz_queue(question: LiveQuestion) -> list[tuple[LiveBuzz, str]]:
    return [(b, name) for b, name in db.session.execute(
        select(LiveBuzz, User.name).join(LivePlayer, LivePlayer.id == LiveBuzz.player_id)
        .join(User, User.id == LivePlayer.user_id)
        .where(LiveBuzz.question_id == question.id).order_by(LiveBuzz.at, LiveBuzz.id)).all()]


def stakes(question: LiveQuestion) -> dict[int, int]:
    return {r[0]: r[1] for r in db.session.execute(
        select(LiveStake.team_id, LiveStake.stake).where(LiveStake.question_id == question.id))}


def own_answer(question: LiveQuestion, player: LivePlayer) -> LiveAnswer | None:
    """The stored answer, or one accepted through Redis and not yet written (never added to the session)."""
    row = db.session.execute(select(LiveAnswer).where(
        LiveAnswer.question_id == question.id, LiveAnswer.player_id == player.id)).scalar_one_or_none()
    if row is None and question.state == QState.OPEN:
        found, given = intake.pending_answer(question.event.code, question.id, player.id)
        if found:
            return LiveAnswer(question_id=question.id, player_id=player.id, answer=given)
    return row


def early_buzzers(question: LiveQuestion) -> list[tuple[str, int | None]]:
    """(name, team id) of each player who buzzed before 开始 on this question, earliest first."""
    return [(name, team) for name, team in db.session.execute(
        select(User.name, LivePlayer.team_id).join(LivePlayer, LivePlayer.user_id == User.id)
        .join(LiveBuzz, LiveBuzz.player_id == LivePlayer.id)
        .where(LiveBuzz.question_id == question.id, LiveBuzz.early.is_(True)).order_by(LiveBuzz.at, LiveBuzz.id))]


def latest_team_answers(question: LiveQuestion) -> dict[int, LiveAnswer]:
    """Each team's latest answer to the question."""
    latest: dict[int, LiveAnswer] = {}
    for row in db.session.execute(select(LiveAnswer).where(LiveAnswer.question_id == question.id)
                                  .order_by(LiveAnswer.answered_at, LiveAnswer.id)).scalars():
        if row.team_id is not None:
            latest[row.team_id] = row
    return latest


def players(event: LiveEvent, *, limit: int) -> list[LivePlayer]:
    """The first ``limit`` players to join, in the order they joined."""
    return list(db.session.execute(select(LivePlayer).where(LivePlayer.event_id == event.id)
                                   .order_by(LivePlayer.joined_at, LivePlayer.id).limit(limit)).scalars())


def player_names(event: LiveEvent, *, limit: int) -> list[str]:
    return list(db.session.execute(
        select(User.name).join(LivePlayer, LivePlayer.user_id == User.id).where(LivePlayer.event_id == event.id)
        .order_by(LivePlayer.joined_at, LivePlayer.id).limit(limit)).scalars())


def by_code(code: str) -> LiveEvent | None:
    return db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one_or_none()


def release_connection() -> None:
    """Give the request's database connection back to the pool: a stream may stay open for hours."""
    db.session.remove()


def player_count(event: LiveEvent) -> int:
    return int(db.session.execute(
        select(func.count()).select_from(LivePlayer).where(LivePlayer.event_id == event.id)).scalar_one())


# --- the running order a host types ----------------------------------------------------------------

KIND_WORDS = {"everyone": RoundKind.EVERYONE, "全员": RoundKind.EVERYONE, "buzz": RoundKind.BUZZ, "抢答": RoundKind.BUZZ,
              "risk": RoundKind.RISK, "风险": RoundKind.RISK, "team": RoundKind.TEAM, "必答": RoundKind.TEAM}
POINTS_WORDS = {"points", "分值"}  # points:20 — a 必答 round worth 20, or an everyone round's P
DOUBLE_WORDS = {"x2", "double", "双倍"}
TIEBREAK_WORDS = {"tiebreak", "加赛"}


def parse_running_order(text: str, questions: dict[str, Question]) -> tuple[list[Item], list[str]]:
    """One question a line: ``<question-id> [everyone|buzz|risk|team:<team>] [seconds]``.

    Returns the items and, for lines that cannot be used, ``"line N: reason"`` problems.
    """
    items: list[Item] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        words = raw.split()
        if not words or words[0].startswith("#"):
            continue
        question = questions.get(words[0])
        if question is None:
            problems.append(f"{number}: {words[0]}?")
            continue
        if question.type.value not in scoring.LIVE_TYPES:
            problems.append(f"{number}: {words[0]} ({question.type.value})")
            continue
        kind, team, seconds, points, double, tiebreak = RoundKind.EVERYONE, "", 20, None, False, False
        for word in words[1:]:
            head, _, tail = word.partition(":")
            if word.isdigit() and 5 <= int(word) <= 600:
                seconds = int(word)
            elif head in KIND_WORDS and (tail == "" or KIND_WORDS[head] == RoundKind.TEAM):
                kind, team = KIND_WORDS[head], tail
            elif head in POINTS_WORDS and tail.isdigit() and 0 < int(tail) <= 100000:
                points = int(tail)
            elif word in DOUBLE_WORDS:
                double = True
            elif word in TIEBREAK_WORDS:
                tiebreak = True
                kind = RoundKind.BUZZ if kind == RoundKind.EVERYONE else kind
            else:
                problems.append(f"{number}: {word}?")
        if kind == RoundKind.TEAM and not team:
            problems.append(f"{number}: team:?")
        items.append(Item(question, kind, seconds, team, points=points, double=double, tiebreak=tiebreak))
    return items, problems


def team_answered(question: LiveQuestion, team_id: int) -> bool:
    return bool(db.session.execute(select(func.count()).select_from(LiveAnswer).where(
        LiveAnswer.question_id == question.id, LiveAnswer.team_id == team_id)).scalar_one())


def player_of(event: LiveEvent, user_id: int) -> LivePlayer | None:
    """The person's player row in the event; user and team load only when a page shows them."""
    return db.session.execute(
        select(LivePlayer).where(LivePlayer.event_id == event.id, LivePlayer.user_id == user_id)
        .options(lazyload(LivePlayer.user), lazyload(LivePlayer.team))).scalar_one_or_none()


def player(player_id: int) -> LivePlayer | None:
    return db.session.get(LivePlayer, player_id)


def hosted(host_id: int | None) -> list[LiveEvent]:
    """The latest 50 events of a host, or of every host (None)."""
    query = select(LiveEvent).order_by(LiveEvent.created_at.desc()).limit(50)
    if host_id is not None:
        query = query.where(LiveEvent.host_id == host_id)
    return list(db.session.execute(query).scalars())
