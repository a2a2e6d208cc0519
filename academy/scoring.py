"""Live-final scoring: pure functions, no database, no request.

Speed scoring (全员答题)
    A correct answer given ``t`` seconds after answering opened, in a round of ``T``
    seconds, earns ``round(base × (1 − (t / T) / 2))`` points: the full ``base`` at once,
    half of it at the last moment, nothing when wrong. ``t`` is measured by the server
    (its receipt time minus its opening time) and clipped to ``0..T``.
Streak bonus
    With a bonus ``b`` per step, the n-th correct answer in a row adds
    ``b × min(n − 1, STREAK_CAP)``: nothing for the first, ``b`` for the second, …
Buzz-in (抢答) and team questions (必答) earn ``base`` when right; a wrong buzz answer
costs the event's penalty. Risk questions (风险题) add or take away the team's stake.

Answers arrive in display positions (the order on the big screen); whether one is
right is decided by ``academy.grading`` on the frozen question (``services.live.is_correct``).
"""

from __future__ import annotations

from typing import Any

from .grading import parse_number

STREAK_CAP = 4
LIVE_TYPES = frozenset({"single", "multiple", "truefalse", "numeric"})


def speed_points(base: int, elapsed: float, limit: float) -> int:
    if limit <= 0:
        return base
    t = min(max(elapsed, 0.0), limit)
    return round(base * (1 - (t / limit) / 2))


def streak_bonus(bonus: int, streak: int) -> int:
    """``streak`` counts this answer: 1 for a first correct answer."""
    return bonus * min(max(streak - 1, 0), STREAK_CAP)


def _position(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value if isinstance(value, int) else None


def valid_answer(qtype: str, option_count: int, answer: Any) -> bool:
    """Shape check before an answer is stored: positions in range, or a short number."""
    if qtype == "numeric":
        return parse_number(answer) is not None
    if qtype == "multiple":
        return (isinstance(answer, list) and 0 < len(answer) <= option_count
                and all((p := _position(v)) is not None and 0 <= p < option_count for v in answer))
    position = _position(answer)
    return position is not None and 0 <= position < option_count
