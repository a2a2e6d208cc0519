"""Live-final scoring: the rule presets and every formula, pure functions, no database, no request.

Two formats (``docs/competitions.md`` gives the formulas with examples):

(a) Team final (团体决赛)
    Each team starts from ``base_score``. 必答: ``right_points`` (or the round's own points,
    e.g. 10/20/30) when right, nothing lost when wrong. 抢答 and 加赛: ``right_points`` when
    right, ``wrong_penalty`` lost when wrong; a buzz before the host opens the question costs
    ``early_penalty`` and voids the question for that team. 风险题: the team picks a stake
    from ``stake_tiers`` (teams choose in the order of their standing) and wins or loses it.
(b) Speed game (个人速答)
    A correct answer given ``t`` seconds after answering opened, in a round of ``T`` seconds,
    earns ``round((1 − (t / T) / 2) × P)``: ``P`` (1000, 2000 on a double-points question)
    within the first ``full_window`` seconds, half of it at the last moment, nothing when
    wrong. ``t`` is the server's (receipt time − opening time), clipped to ``0..T``. The n-th
    correct answer in a row adds ``min(streak_step × (n − 1), streak_max)``. A team's score
    is the sum or the average of its members' scores.

Answers arrive in display positions; whether one is right is decided by ``academy.grading``
on the frozen question (``services.live.is_correct``), or by a judge for a spoken answer.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from academy.content import qtypes
from academy.grading import answered, normalise, parse_number

LIVE_TYPES = frozenset(t.value for t, spec in qtypes.REGISTRY.items() if spec.live)
STREAK_STEPS = 5  # Kahoot's cap: +100 a step, at most +500


class Format(StrEnum):
    TEAM_FINAL = "team_final"
    SPEED = "speed"


class TeamScore(StrEnum):
    SUM = "sum"
    AVERAGE = "average"


@dataclass(frozen=True)
class Rules:
    """One live final's scoring rules; stored with the event as JSON (``as_json``)."""

    format: Format = Format.SPEED
    points: int = 1000  # P: an everyone-round question's full points
    full_window: float = 0.5  # seconds of full points
    streak_step: int = 0
    streak_max: int = 0
    team_score: TeamScore = TeamScore.SUM
    base_score: int = 0  # what each team starts from
    right_points: int = 1000  # 必答, 抢答, 加赛 answered right
    wrong_penalty: int = 0  # a wrong buzz-in answer
    early_penalty: int = 0  # a buzz before the host opens; 0: such a buzz is simply refused
    stake_tiers: tuple[int, ...] = ()  # none: any stake from 1 to right_points
    buzz_pass: bool = True  # a wrong buzz-in answer passes the turn on

    def as_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["stake_tiers"] = list(self.stake_tiers)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Rules:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in (data or {}).items() if k in known}
        if "stake_tiers" in values:
            values["stake_tiers"] = tuple(int(v) for v in values["stake_tiers"])
        if "format" in values:
            values["format"] = Format(values["format"])
        if "team_score" in values:
            values["team_score"] = TeamScore(values["team_score"])
        return cls(**values)


PRESETS: dict[str, Rules] = {
    # the usual enterprise quality-knowledge final: base 100, ±10, stakes 10/30/50
    "team_final": Rules(format=Format.TEAM_FINAL, points=10, base_score=100, right_points=10, wrong_penalty=10,
                        early_penalty=10, stake_tiers=(10, 30, 50), buzz_pass=True),
    "team_final_high": Rules(format=Format.TEAM_FINAL, points=10, base_score=100, right_points=10, wrong_penalty=10,
                             early_penalty=10, stake_tiers=(20, 40, 60), buzz_pass=True),
    # Kahoot-style: P = 1000, full points in the first 0.5 s, +100 a step up to +500, teams averaged
    "speed": Rules(format=Format.SPEED, points=1000, streak_step=100, streak_max=100 * STREAK_STEPS,
                   team_score=TeamScore.AVERAGE, right_points=1000),
}


def legacy_rules(points: int, streak_step: int, wrong_penalty: int, buzz_pass: bool) -> Rules:
    """The speed format as the plain settings form gives it (no preset picked)."""
    return Rules(points=points, streak_step=streak_step, streak_max=streak_step * STREAK_STEPS, right_points=points,
                 wrong_penalty=wrong_penalty, buzz_pass=buzz_pass)


# --- (b) speed -----------------------------------------------------------------------------------

def speed_points(base: int, elapsed: float, limit: float, full_window: float = 0.5) -> int:
    if limit <= 0:
        return base
    t = min(max(elapsed, 0.0), limit)
    if t <= full_window:
        return base
    return round(base * (1 - (t / limit) / 2))


def streak_bonus(step: int, streak: int, most: int | None = None) -> int:
    """``streak`` counts this answer: 1 for a first correct answer (no bonus yet)."""
    bonus = step * max(streak - 1, 0)
    return min(bonus, step * STREAK_STEPS if most is None else most)


def everyone_points(rules: Rules, correct: bool, elapsed: float, seconds: float, streak: int,
                    question_points: int | None = None) -> int:
    """One answer to an everyone-round question; ``streak`` counts this answer when correct."""
    if not correct:
        return 0
    return (speed_points(question_points or rules.points, elapsed, seconds, rules.full_window)
            + streak_bonus(rules.streak_step, streak, rules.streak_max))


# --- (a) team final ------------------------------------------------------------------------------

def team_question_points(rules: Rules, correct: bool, question_points: int | None = None) -> int:
    """必答: the round's points when right, no deduction when wrong."""
    return (question_points or rules.right_points) if correct else 0


def buzz_points(rules: Rules, correct: bool, question_points: int | None = None) -> int:
    """抢答 and 加赛: ± the round's points."""
    return (question_points or rules.right_points) if correct else -rules.wrong_penalty


def stake_points(stake: int, correct: bool) -> int:
    """风险题: the stake won, or lost (also when the team gave no answer)."""
    return stake if correct else -stake


def valid_stake(rules: Rules, stake: Any) -> bool:
    if not isinstance(stake, int) or isinstance(stake, bool):
        return False
    return stake in rules.stake_tiers if rules.stake_tiers else 1 <= stake <= rules.right_points


def parse_tiers(text: str) -> tuple[int, ...]:
    """``10/30/50`` (or commas, 、 or spaces) → (10, 30, 50); empty when not whole numbers rising from 1."""
    words = [w for w in re.split(r"[/,，、\s]+", text.strip()) if w]
    if not words or len(words) > 6 or not all(w.isdigit() for w in words):
        return ()
    tiers = tuple(int(w) for w in words)
    return tiers if tiers[0] >= 1 and all(a < b for a, b in itertools.pairwise(tiers)) and tiers[-1] <= 100000 else ()


def stake_choices(rules: Rules) -> list[int]:
    """The buttons a phone offers: the preset's tiers, or a fifth, a half and all of a right answer's points."""
    if rules.stake_tiers:
        return list(rules.stake_tiers)
    return sorted({max(1, rules.right_points // 5), max(1, rules.right_points // 2), rules.right_points})


def team_total(rules: Rules, members: Iterable[int], own: int = 0) -> int:
    """A team's score: its base, its members' points (summed or averaged), and what the team
    itself won or lost (stakes, early buzzes, corrections)."""
    scores = list(members)
    part = (round(sum(scores) / len(scores)) if scores else 0) if rules.team_score == TeamScore.AVERAGE else sum(scores)
    return rules.base_score + part + own


def stake_order(standings: Iterable[tuple[int, int, str]]) -> list[int]:
    """Who picks a stake first: ``(team id, points, name)`` best first, ties by name then id."""
    return [t for t, _p, _n in sorted(standings, key=lambda s: (-s[1], s[2], s[0]))]


def tied_for_places(standings: Iterable[tuple[int, int]], places: int = 3) -> list[int]:
    """Teams sharing their points with another team among the first ``places`` ranks: the 加赛's field."""
    rows = sorted(standings, key=lambda s: -s[1])
    tied: list[int] = []
    rank = 0
    for index, (team, points) in enumerate(rows):
        if index == 0 or points != rows[index - 1][1]:
            rank = index + 1
        if rank > places:
            break
        if sum(1 for _t, p in rows if p == points) > 1:
            tied.append(team)
    return tied


# --- shape checks --------------------------------------------------------------------------------

def _position(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value if isinstance(value, int) else None


def live_answer(qtype: str, given: Any) -> Any:
    """A phone's answer in the shape the quiz engine checks, ``None`` when it is none.

    Phones send positions as numbers or digit text, 对 and 错 as positions 0 and 1, and a
    number as typed. A live answer is final, so a text that is no number is no answer.
    """
    if qtype == "numeric":
        number = parse_number(given)
        if number is None:
            return None
        return normalise(given) if isinstance(given, str) else str(number)
    if qtype == "multiple":
        return [_position(v) for v in given] if isinstance(given, list) else None
    position = _position(given)
    if qtype == "truefalse":
        return {0: True, 1: False}.get(position) if position is not None else None
    return position


def valid_answer(qtype: str, option_count: int, answer: Any) -> bool:
    """Shape check before an answer is stored: the question types' own check (``qtypes.valid``)
    on the answer read as :func:`live_answer` reads it, which must not be empty."""
    if qtype not in LIVE_TYPES:
        return False
    given = live_answer(qtype, answer)
    return answered(given) and qtypes.valid(qtype, given, qtypes.Shape(size=option_count))
