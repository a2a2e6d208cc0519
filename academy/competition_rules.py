"""An online round's rules as plain functions of its row: who it admits, the quiz it is.

No queries and no writes, so both ``access`` (who may see a round) and the services (who
may enter, the quiz engine's view of a round) use them without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence

from academy.content.exams import DrawRule, Review
from academy.content.quizbank import Difficulty, QType
from academy.content.quizzes import Kind, QuizDef
from academy.models import Competition, OrgUnit, User
from academy.people.models.org import path_within


def admits(user: User, c: Competition, unit_paths: Sequence[str], unit: OrgUnit | None) -> bool:
    """Positions first, then org subtrees: ``unit_paths`` are the paths of ``c.unit_ids`` (none: everyone)."""
    if c.positions and user.position not in c.positions:
        return False
    if not unit_paths:
        return True
    return unit is not None and path_within(unit.path, unit_paths)


def quiz_def(c: Competition) -> QuizDef:
    """The round as the quiz engine sees it: each sitting a fresh random paper, the best one counts."""
    rules = tuple(DrawRule(bank=r["bank"], count=int(r["count"]),
                           difficulty=tuple(Difficulty(d) for d in r.get("difficulty", ())),
                           types=tuple(QType(t) for t in r.get("types", ()))) for r in c.draw)
    return QuizDef(
        key=c.quiz_key, kind=Kind.COMPETITION, title=c.title, title_en="", draw=rules, time_limit=c.time_limit,
        attempts=c.sittings, cooldown_hours=0, pass_mark=0, review=Review.AFTER_CLOSE if c.review_after_close else Review.SCORE,
        multiple="all_or_nothing", grading="highest", shuffle=True, instructions=c.rules, instructions_plain=True,
        opens_at=c.opens_at, closes_at=c.closes_at)
