"""Online rounds (线上答题): rules, eligibility, rankings, awards and the XLSX export.

Sitting a round is the quiz engine's business (``competition/<slug>`` attempts: a paper
per participant, every answer saved, server deadlines, idempotent submit). This module
decides who may enter and turns graded attempts into standings.

Individuals rank by best score, then less time used, then earlier submission.
Units (at the chosen depth of the org tree) rank by a combined index:
``(wp × participation% + wa × average%) / (wp + wa)``, where participation is
entered ÷ eligible headcount and the average is over the unit's entrants' best scores.
"""

from __future__ import annotations

import io
import math
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Select, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import expression

from academy.competition_rules import admits
from academy.competition_rules import (
    quiz_def as quiz_def,  # the quiz engine's view of a round, for callers of this module
)
from academy.database import db, utcnow
from academy.masking import mask_name
from academy.models import Attempt, Competition, OrgUnit, User
from academy.people.models.org import within
from academy.people.services import exports
from academy.services import audit


class CompetitionError(ValueError):
    pass


def new_slug() -> str:
    return secrets.token_urlsafe(9)


def create(host: User, *, title: str, rules: str, opens_at: datetime, closes_at: datetime, draw: list[dict[str, Any]],
           time_limit: int, sittings: int, unit_ids: list[int] = (), positions: list[str] = (),  # type: ignore[assignment]
           review_after_close: bool = True, team_depth: int = 1, weight_participation: int = 40, weight_average: int = 60,
           freeze_hours: int = 0, show_names: int = 10, awards: list[dict[str, Any]] = (),  # type: ignore[assignment]
           now: datetime | None = None) -> Competition:
    if closes_at <= opens_at:
        raise CompetitionError("window")
    if not draw or any(int(r.get("count", 0)) < 1 for r in draw):
        raise CompetitionError("draw")
    competition = Competition(
        slug=new_slug(), title=title, rules=rules, host_id=host.id, opens_at=opens_at, closes_at=closes_at,
        unit_ids=list(unit_ids), positions=[p for p in positions if p], draw=draw, time_limit=time_limit,
        sittings=sittings, review_after_close=review_after_close, team_depth=team_depth,
        weight_participation=weight_participation, weight_average=weight_average, freeze_hours=freeze_hours,
        show_names=show_names, awards=list(awards), created_at=now or utcnow())
    db.session.add(competition)
    db.session.flush()
    audit.record("competition.create", actor=host, now=now, competition=competition.slug, title=title)
    db.session.commit()
    return competition


def by_slug(slug: str) -> Competition | None:
    return db.session.execute(select(Competition).where(Competition.slug == slug)).scalar_one_or_none()


def _unit_paths(c: Competition) -> list[str]:
    if not c.unit_ids:
        return []
    return [u.path for u in db.session.execute(select(OrgUnit).where(OrgUnit.id.in_(c.unit_ids))).scalars()]


def is_eligible(user: User, c: Competition) -> bool:
    return admits(user, c, _unit_paths(c), user.org_unit)


def eligible_people(c: Competition) -> list[User]:
    query = select(User).where(User.active.is_(True))
    if c.positions:
        query = query.where(User.position.in_(c.positions))
    paths = _unit_paths(c)
    if paths:
        query = query.join(OrgUnit, OrgUnit.id == User.org_unit_id).where(within(paths))
    return list(db.session.execute(query).scalars())


# --- standings ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    rank: int
    user_id: int
    employee_no: str
    name: str
    unit: str
    score: float
    max_score: float
    seconds: int
    submitted_at: datetime
    award: str = ""

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0


@dataclass(frozen=True)
class UnitRow:
    rank: int
    unit_id: int
    name: str
    eligible: int
    entered: int
    average: float  # percent
    index: float
    award: str = ""

    @property
    def participation(self) -> float:
        return 100.0 * self.entered / self.eligible if self.eligible else 0.0


@dataclass(frozen=True)
class Standings:
    people: list[Entry]
    units: list[UnitRow]
    frozen_at: datetime | None


def freeze_point(c: Competition, now: datetime) -> datetime | None:
    """While frozen, the board shows what it showed when the freeze began."""
    if not c.freeze_hours:
        return None
    start = c.closes_at - timedelta(hours=c.freeze_hours)
    return start if start <= now < c.closes_at else None


def _team_unit(unit: OrgUnit | None, depth: int, units: dict[int, OrgUnit]) -> OrgUnit | None:
    if unit is None:
        return None
    ids = unit.ancestor_ids
    return units.get(ids[depth]) if depth < len(ids) else None


def _award(c: Competition, rank: int, percent: float, entrants: int) -> str:
    """The first award line the entry meets; ``top_percent`` counts ranks, so ties share the cut."""
    for award in c.awards:
        if "top" in award and rank <= award["top"]:
            return str(award["name"])
        if "top_percent" in award and rank <= math.ceil(entrants * award["top_percent"] / 100 - 1e-9):
            return str(award["name"])
        if "min_percent" in award and percent + 1e-9 >= award["min_percent"]:
            return str(award["name"])
    return ""


class _SecondsUsed(expression.FunctionElement[int]):
    """Whole seconds from ``started_at`` to ``submitted_at`` (truncated, as ``int(delta.total_seconds())``)."""

    type = Integer()
    inherit_cache = True


@compiles(_SecondsUsed, "postgresql")
def _seconds_pg(element: _SecondsUsed, compiler: Any, **kw: Any) -> str:
    return "CAST(floor(extract(epoch FROM quiz_attempt.submitted_at - quiz_attempt.started_at)) AS INTEGER)"


@compiles(_SecondsUsed)
def _seconds_sqlite(element: _SecondsUsed, compiler: Any, **kw: Any) -> str:
    # julianday() is a float of days: round to the millisecond before truncating, so 300 s is not 299.
    return ("CAST(ROUND((julianday(quiz_attempt.submitted_at) - julianday(quiz_attempt.started_at)) * 86400000)"
            " / 1000 AS INTEGER)")


def _ranked(c: Competition, frozen_at: datetime | None) -> Select[Any]:
    """Each person's best sitting, ranked, in one query: the database sorts, Python only formats."""
    seconds = _SecondsUsed()
    score = func.coalesce(Attempt.score, 0)
    sittings = (select(Attempt.user_id, score.label("score"), func.coalesce(Attempt.max_score, 0).label("max_score"),
                       seconds.label("seconds"), Attempt.submitted_at,
                       func.row_number().over(partition_by=Attempt.user_id,
                                              order_by=(score.desc(), seconds, Attempt.submitted_at)).label("nth"))
                .where(Attempt.quiz_key == c.quiz_key, Attempt.submitted_at.is_not(None)))
    if frozen_at is not None:
        sittings = sittings.where(Attempt.submitted_at <= frozen_at)
    best = sittings.subquery()
    return (select(best.c.user_id, best.c.score, best.c.max_score, best.c.seconds, best.c.submitted_at,
                   func.rank().over(order_by=(best.c.score.desc(), best.c.seconds)).label("rank"),
                   User.name, User.employee_no, User.org_unit_id)
            .join(User, User.id == best.c.user_id)
            .where(best.c.nth == 1)
            .order_by(best.c.score.desc(), best.c.seconds, best.c.submitted_at, best.c.user_id))


_CACHE_SECONDS = 60.0  # names, units and headcounts may change without a new sitting: never older than this
_cache: dict[tuple[Any, ...], tuple[float, Standings]] = {}


def _version(c: Competition, frozen_at: datetime | None) -> tuple[Any, ...]:
    """What changes whenever the ranking can: one small indexed aggregate instead of the whole ranking."""
    query = select(func.count(), func.max(Attempt.submitted_at), func.max(Attempt.regraded_at)).where(
        Attempt.quiz_key == c.quiz_key, Attempt.submitted_at.is_not(None))
    if frozen_at is not None:
        query = query.where(Attempt.submitted_at <= frozen_at)
    settings = (c.show_names, c.team_depth, c.weight_participation, c.weight_average, repr(c.awards),
                repr(c.positions), repr(c.unit_ids))
    return (c.slug, frozen_at, *db.session.execute(query).one(), *settings)


def standings(c: Competition, *, now: datetime | None = None, full: bool = False) -> Standings:
    """Rankings now; ``full`` (hosts, exports, after the close) ignores the freeze and shows every name.

    Many people read the board between two submissions, and a frozen board does not move at
    all: each process keeps the last few results per version of the round's sittings.
    """
    now = now or utcnow()
    frozen_at = None if full else freeze_point(c, now)
    key = (_version(c, frozen_at), full)
    cached = _cache.get(key)
    if cached is not None and time.monotonic() - cached[0] < _CACHE_SECONDS:
        return cached[1]
    result = _standings(c, frozen_at, full)
    if len(_cache) >= 16:
        _cache.pop(next(iter(_cache)), None)
    _cache[key] = (time.monotonic(), result)
    return result


def _standings(c: Competition, frozen_at: datetime | None, full: bool) -> Standings:
    units = {u.id: u for u in db.session.execute(select(OrgUnit)).scalars()}
    people: list[Entry] = []
    unit_of: dict[int, int | None] = {}
    rows = db.session.execute(_ranked(c, frozen_at)).all()
    for row in rows:
        unit = units.get(row.org_unit_id) if row.org_unit_id else None
        score, max_score = float(row.score), float(row.max_score)
        unit_of[row.user_id] = row.org_unit_id
        people.append(Entry(rank=row.rank, user_id=row.user_id, employee_no=row.employee_no if full else "",
                            name=row.name if full or row.rank <= c.show_names else mask_name(row.name),
                            unit=unit.name if unit else "", score=score, max_score=max_score, seconds=row.seconds,
                            submitted_at=row.submitted_at,
                            award=_award(c, row.rank, 100.0 * score / max_score if max_score else 0.0, len(rows))))
    return Standings(people=people, units=_unit_rows(c, people, unit_of, units), frozen_at=frozen_at)


def _headcounts(c: Competition) -> dict[int | None, int]:
    """Eligible people per org unit, counted by the database."""
    query = select(User.org_unit_id, func.count()).where(User.active.is_(True)).group_by(User.org_unit_id)
    if c.positions:
        query = query.where(User.position.in_(c.positions))
    paths = _unit_paths(c)
    if paths:
        query = query.join(OrgUnit, OrgUnit.id == User.org_unit_id).where(within(paths))
    return dict(db.session.execute(query).tuples().all())


def _unit_rows(c: Competition, people: list[Entry], unit_of: dict[int, int | None],
               units: dict[int, OrgUnit]) -> list[UnitRow]:
    headcount: dict[int, int] = {}
    for unit_id, count in _headcounts(c).items():
        team = _team_unit(units.get(unit_id) if unit_id else None, c.team_depth, units)
        if team is not None:
            headcount[team.id] = headcount.get(team.id, 0) + count
    percents: dict[int, list[float]] = {}
    for entry in people:
        unit_id = unit_of.get(entry.user_id)
        team = _team_unit(units.get(unit_id) if unit_id else None, c.team_depth, units)
        if team is not None:
            percents.setdefault(team.id, []).append(entry.percent)
    weights = (c.weight_participation + c.weight_average) or 1
    rows = []
    for unit_id, eligible in headcount.items():
        scores = percents.get(unit_id, [])
        average = sum(scores) / len(scores) if scores else 0.0
        participation = 100.0 * len(scores) / eligible if eligible else 0.0
        index = (c.weight_participation * participation + c.weight_average * average) / weights
        rows.append((unit_id, units[unit_id].name, eligible, len(scores), average, round(index, 2)))
    rows.sort(key=lambda r: (-r[5], r[1]))
    unit_award = next((a for a in c.awards if "units" in a), None)
    result: list[UnitRow] = []
    for position, (unit_id, name, eligible, entered, average, index) in enumerate(rows, start=1):
        rank = result[-1].rank if result and result[-1].index == index else position
        award = str(unit_award["name"]) if unit_award and rank <= unit_award["units"] and entered else ""
        result.append(UnitRow(rank, unit_id, name, eligible, entered, round(average, 2), index, award))
    return result


def export_xlsx(c: Competition, *, now: datetime | None = None) -> bytes:
    """Every participant and every unit, final (unfrozen, unmasked), as an Excel workbook."""
    from openpyxl import Workbook

    board = standings(c, now=now, full=True)
    book = Workbook()
    sheet = book.active
    sheet.title = "个人 Participants"
    sheet.append(["名次 Rank", "工号 Employee no.", "姓名 Name", "单位 Unit", "得分 Score", "满分 Max", "得分率 %",
                  "用时(秒) Seconds", "交卷时间 Submitted (UTC)", "奖项 Award"])
    for e in board.people:
        sheet.append([e.rank, e.employee_no, e.name, e.unit, e.score, e.max_score, round(e.percent, 2), e.seconds,
                      e.submitted_at.replace(tzinfo=None), e.award])
    units = book.create_sheet("单位 Units")
    units.append(["名次 Rank", "单位 Unit", "应参赛 Eligible", "参赛 Entered", "参赛率 % Participation", "平均得分率 % Average",
                  "综合指数 Index", "奖项 Award"])
    for u in board.units:
        units.append([u.rank, u.name, u.eligible, u.entered, round(u.participation, 2), u.average, u.index, u.award])
    exports.keep_as_text(sheet)
    exports.keep_as_text(units)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def visible_to(user: User, *, now: datetime | None = None) -> list[Competition]:
    """Rounds a person may enter (open or upcoming) or has hosted."""
    now = now or utcnow()
    rows = db.session.execute(select(Competition).order_by(Competition.opens_at.desc()).limit(100)).scalars()
    return [c for c in rows if c.host_id == user.id or (c.closes_at > now - timedelta(days=30) and is_eligible(user, c))]


# --- a running round: the entrant's placing, the host's controls -------------------------------

@dataclass(frozen=True)
class Placing:
    rank: int
    entrants: int
    beaten: float | None  # percent of the other entrants ranked below; None when alone
    frozen: bool  # the board is frozen and this sitting came after the freeze


def placing(c: Competition, user_id: int, *, now: datetime | None = None) -> Placing | None:
    """Where a person stands on the board they would see now (frozen boards stay frozen)."""
    board = standings(c, now=now)
    mine = next((e for e in board.people if e.user_id == user_id), None)
    if mine is None:
        return Placing(0, len(board.people), None, frozen=board.frozen_at is not None) if board.frozen_at else None
    below = sum(1 for e in board.people if e.rank > mine.rank)
    others = len(board.people) - 1
    return Placing(mine.rank, len(board.people), 100.0 * below / others if others else None, frozen=False)


def sitting_now(c: Competition, *, now: datetime | None = None) -> int:
    """Papers open right now (started, not submitted, deadline ahead)."""
    now = now or utcnow()
    return int(db.session.execute(select(func.count()).where(
        Attempt.quiz_key == c.quiz_key, Attempt.submitted_at.is_(None), Attempt.deadline > now)).scalar_one())


def extend(c: Competition, closes_at: datetime, *, actor: User, ip: str = "", now: datetime | None = None) -> None:
    """Move the close later; papers already started keep their own deadline."""
    now = now or utcnow()
    if closes_at <= max(now, c.closes_at):
        raise CompetitionError("closes_at")
    before = c.closes_at
    c.closes_at = closes_at
    audit.record("competition.extend", actor=actor, ip=ip, now=now, competition=c.slug,
                 closes_before=before.isoformat(), closes_after=closes_at.isoformat())
    db.session.commit()


def close_now(c: Competition, *, actor: User, ip: str = "", now: datetime | None = None) -> None:
    """Close the window at once: no new sittings; open papers are graded at their deadline or submit."""
    now = now or utcnow()
    if c.closes_at <= now:
        raise CompetitionError("closed")
    before = c.closes_at
    c.closes_at = now
    if c.opens_at > now:
        c.opens_at = now
    audit.record("competition.close", actor=actor, ip=ip, now=now, competition=c.slug, closes_before=before.isoformat())
    db.session.commit()


def get(competition_id: int) -> Competition | None:
    return db.session.get(Competition, competition_id)


def drawing_from(bank_id: str) -> list[Competition]:
    """The rounds whose draw rules take questions from the bank."""
    return [c for c in db.session.execute(select(Competition)).scalars()
            if any(rule.get("bank") == bank_id for rule in c.draw or [])]
