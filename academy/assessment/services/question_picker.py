"""The question picker hosts use when they set up a round: banks by course, filtered by tag,
difficulty and type, with how many questions each filter leaves.

Read-only. The preview pages show questions as players will see them (stem and options in
the bank's order); keys and explanations are left to the templates that never receive them.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from academy.content.exams import DrawRule
from academy.content.library import matching
from academy.content.quizbank import Bank, Difficulty, QType, Question
from academy.database import db
from academy.models import Course

PREVIEW_LIMIT = 20  # questions shown per preview; the count says how many match


@dataclass(frozen=True)
class Filters:
    course: str = ""
    bank: str = ""
    tag: str = ""
    difficulty: tuple[str, ...] = ()
    types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Picked:
    total: int
    questions: list[Question]
    banks: list[Bank]  # the banks the course filter leaves, for the bank list
    tags: dict[str, str]  # the tags of those banks: slug -> name


def course_titles(slugs: Iterable[str]) -> dict[str, str]:
    wanted = set(slugs)
    rows = db.session.execute(select(Course.slug, Course.title).where(Course.slug.in_(wanted))).tuples()
    return dict(rows.all())


def _rule(bank: str, types: Iterable[str], difficulty: Iterable[str], tag: str = "") -> DrawRule:
    return DrawRule(bank=bank, count=0,
                    types=tuple(QType(t) for t in types if t in QType._value2member_map_),
                    difficulty=tuple(Difficulty(d) for d in difficulty if d in Difficulty._value2member_map_),
                    tags=(tag,) if tag else ())


def bank_choices(banks: Mapping[str, Bank]) -> dict[str, tuple[str, Callable[[list[str], list[str]], int]]]:
    """Bank id -> (label with its course, how many questions a (types, difficulty) filter leaves)."""
    titles = course_titles(b.course for b in banks.values())
    ordered = sorted(banks.values(), key=lambda b: (titles.get(b.course, b.course), b.title))

    def counter(bank: Bank) -> Callable[[list[str], list[str]], int]:
        return lambda types, difficulty: len(matching(bank, _rule(bank.id, types, difficulty)))

    return {b.id: (f"{b.title}（{titles.get(b.course, b.course)}，{len(b.questions)} 题）", counter(b)) for b in ordered}


def pick(banks: Mapping[str, Bank], filters: Filters, *, limit: int = PREVIEW_LIMIT) -> Picked:
    shown = [b for b in banks.values() if not filters.course or b.course == filters.course]
    shown.sort(key=lambda b: b.title)
    tags: dict[str, str] = {}
    for b in shown:
        tags.update(b.tags)
    chosen = [b for b in shown if not filters.bank or b.id == filters.bank]
    found: list[Question] = []
    for b in chosen:
        found.extend(matching(b, _rule(b.id, filters.types, filters.difficulty, filters.tag)))
    return Picked(total=len(found), questions=found[:limit], banks=shown, tags=dict(sorted(tags.items())))


def preview_order(q: Question) -> tuple[int, ...]:
    """Options in a fixed shuffled order: an ordering question's bank order is its key, and so is a
    matching question's aligned order, so the preview never shows either one as stored."""
    size = len(q.matches) if q.type is QType.MATCHING else len(q.options)
    order = list(range(size))
    random.Random(q.id).shuffle(order)  # noqa: S311 - a display order, not a secret
    if size > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    return tuple(order)
