"""Competitions: online rounds (``Competition``, sat as quizzes) and live finals (现场决赛): an
event, its players and teams, its questions, answers, buzzes and stakes.

Everything a live event needs lives in these rows, never in one process's memory, so
any number of app instances can serve the same event. ``LiveEvent.version`` grows with
every host action: pollers compare it (through an ETag) instead of re-reading the page.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.content.quizzes import QuizKey
from academy.database import UTCDateTime, db, utcnow
from academy.people.models.user import User


class EventStatus(StrEnum):
    LOBBY = "lobby"  # players join; nothing shown yet
    RUNNING = "running"
    FINISHED = "finished"


class RoundKind(StrEnum):
    EVERYONE = "everyone"  # 全员答题: speed scoring
    BUZZ = "buzz"  # 抢答: first buzz by server time answers
    RISK = "risk"  # 风险题: each team stakes points before seeing the question
    TEAM = "team"  # 必答: one team answers its own question


class QState(StrEnum):
    PENDING = "pending"
    STAKING = "staking"  # risk rounds: stakes are taken, the question is still hidden
    SHOWN = "shown"
    OPEN = "open"
    CLOSED = "closed"
    REVEALED = "revealed"


class Stage(StrEnum):
    """What the big screen shows."""

    QUESTION = "question"
    LEADERBOARD = "leaderboard"
    PODIUM = "podium"


class LiveEvent(db.Model):
    __tablename__ = "live_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # join code: random, never a row id
    title: Mapped[str] = mapped_column(String(200))
    host_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    status: Mapped[EventStatus] = mapped_column(String(12), default=EventStatus.LOBBY)
    stage: Mapped[Stage] = mapped_column(String(12), default=Stage.QUESTION)
    current_position: Mapped[int | None] = mapped_column()  # the question on stage
    teams_from_units: Mapped[bool] = mapped_column(default=False)
    base_points: Mapped[int] = mapped_column(default=1000)
    streak_bonus: Mapped[int] = mapped_column(default=0)  # per consecutive correct answer, capped
    buzz_penalty: Mapped[int] = mapped_column(default=0)  # points lost by a wrong buzz answer
    buzz_pass: Mapped[bool] = mapped_column(default=True)  # a wrong buzz answer passes the turn on
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # scoring.Rules; {} = from the columns above
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    questions: Mapped[list[LiveQuestion]] = relationship(
        back_populates="event", order_by="LiveQuestion.position", cascade="all, delete-orphan")
    teams: Mapped[list[LiveTeam]] = relationship(order_by="LiveTeam.id", cascade="all, delete-orphan")

    @property
    def current(self) -> LiveQuestion | None:
        return next((q for q in self.questions if q.position == self.current_position), None)


class LiveTeam(db.Model):
    __tablename__ = "live_team"
    __table_args__ = (UniqueConstraint("event_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("live_event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))


class LivePlayer(db.Model):
    __tablename__ = "live_player"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("live_event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("live_team.id"), index=True)
    device: Mapped[str] = mapped_column(String(64))  # the one active device; a new join takes over
    streak: Mapped[int] = mapped_column(default=0)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    team: Mapped[LiveTeam | None] = relationship(lazy="joined")


class LiveQuestion(db.Model):
    """A question on the event's running order, copied from its bank when the event is made.

    ``key`` is the answer in display positions; it leaves the server only once revealed.
    """

    __tablename__ = "live_question"
    __table_args__ = (UniqueConstraint("event_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("live_event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    question_id: Mapped[str] = mapped_column(String(80))
    qtype: Mapped[str] = mapped_column(String(20))
    kind: Mapped[RoundKind] = mapped_column(String(12), default=RoundKind.EVERYONE)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("live_team.id"))  # 必答: whose question
    seconds: Mapped[int] = mapped_column(default=20)
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)  # in display order
    key: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # for the reveal, in display positions
    source: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the frozen bank question, graded by grading.py
    order: Mapped[list[int]] = mapped_column(JSON, default=list)  # option shown at each position
    explanation: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[QState] = mapped_column(String(12), default=QState.PENDING)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    buzz_turn_id: Mapped[int | None] = mapped_column(ForeignKey("live_player.id"))  # who may answer now
    points: Mapped[int | None] = mapped_column()  # the round's own points (必答 10/20/30, double points)
    tiebreak: Mapped[bool] = mapped_column(default=False)  # 加赛: played only while teams are tied
    in_play: Mapped[list[int] | None] = mapped_column(JSON)  # 加赛: the tied teams' ids; None: every team

    event: Mapped[LiveEvent] = relationship(back_populates="questions")
    team: Mapped[LiveTeam | None] = relationship()


class LiveAnswer(db.Model):
    """One answer per player and question, stamped with the server's clock; also the audit trail."""

    __tablename__ = "live_answer"
    __table_args__ = (UniqueConstraint("question_id", "player_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("live_question.id", ondelete="CASCADE"), index=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("live_player.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("live_team.id"))
    answer: Mapped[Any] = mapped_column(JSON)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    correct: Mapped[bool | None] = mapped_column()  # decided when the question closes
    points: Mapped[int] = mapped_column(default=0)
    judged_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # a spoken answer, or a dispute


class LiveBuzz(db.Model):
    """A buzz (抢答); the order is the server's clock, then the row id."""

    __tablename__ = "live_buzz"
    __table_args__ = (UniqueConstraint("question_id", "player_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("live_question.id", ondelete="CASCADE"), index=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("live_player.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    early: Mapped[bool] = mapped_column(default=False)  # before the host opened: penalised, the team is out


class LiveStake(db.Model):
    """A team's stake on a risk question, placed before the question is shown."""

    __tablename__ = "live_stake"
    __table_args__ = (UniqueConstraint("question_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("live_question.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("live_team.id", ondelete="CASCADE"))
    stake: Mapped[int] = mapped_column()
    placed_by: Mapped[int] = mapped_column(ForeignKey("live_player.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    points: Mapped[int] = mapped_column(default=0)  # +stake or -stake once the question closes


class LiveJudge(db.Model):
    """A judge of one event: marks spoken answers and settles disputes, never for their own unit's team."""

    __tablename__ = "live_judge"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("live_event.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)

    user: Mapped[User] = relationship(lazy="joined")


class LiveAdjustment(db.Model):
    """Points given or taken outside an answer: an early buzz, a host's correction (with its reason)."""

    __tablename__ = "live_adjustment"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("live_event.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("live_team.id", ondelete="CASCADE"))
    player_id: Mapped[int | None] = mapped_column(ForeignKey("live_player.id", ondelete="CASCADE"))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("live_question.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # early_buzz | correction
    points: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)



class Competition(db.Model):
    """An online round (线上答题): a window in which eligible employees sit their own random papers.

    Papers, saved answers, deadlines and grading are the quiz engine's attempts, keyed
    ``competition/<slug>``; this row holds the rules and how rankings are made.
    """

    __tablename__ = "competition"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(24), unique=True)  # public and random, never a row id
    title: Mapped[str] = mapped_column(String(200))
    rules: Mapped[str] = mapped_column(Text, default="")
    host_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    unit_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # empty: every unit
    positions: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every position
    draw: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{bank, count, types?, difficulty?}]
    time_limit: Mapped[int] = mapped_column(default=60)  # minutes per sitting
    sittings: Mapped[int] = mapped_column(default=1)  # the best one counts
    review_after_close: Mapped[bool] = mapped_column(default=True)
    team_depth: Mapped[int] = mapped_column(default=1)  # org-tree depth of the units ranked as teams
    weight_participation: Mapped[int] = mapped_column(default=40)  # percent of the unit index
    weight_average: Mapped[int] = mapped_column(default=60)
    freeze_hours: Mapped[int] = mapped_column(default=0)  # the board stops moving this long before the close
    show_names: Mapped[int] = mapped_column(default=10)  # names shown in full for the top N, masked below
    awards: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{name, top} | {name, min_percent}]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def quiz_key(self) -> str:
        return str(QuizKey.competition(self.slug))
