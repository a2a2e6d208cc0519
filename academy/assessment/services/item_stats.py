"""Item statistics for authors and HR: facility, discrimination, option use, score distribution.

``compute`` is pure (tested without a database); ``for_quiz`` reads the graded attempts in
one query and hands them over.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from academy.assessment.services.quizzes import question_from_json
from academy.content.quizbank import QType, Question
from academy.database import db
from academy.models import Attempt, OrgUnit, QuestionVersion, User
from academy.people.models.org import within

LOW_FACILITY, HIGH_FACILITY = 0.2, 0.95
GROUP_SHARE = 0.27  # Kelley's upper and lower 27 %
MIN_ATTEMPTS = 5  # answers a question needs before the list of flagged questions shows it


@dataclass(frozen=True)
class Sitting:
    """One graded attempt, reduced to what the statistics need."""

    percent: float
    passed: bool
    scores: dict[str, tuple[float, float]]  # question id -> (score, max)
    answers: dict[str, Any]  # question id -> answer in option indices


@dataclass
class ItemStat:
    question_id: str
    type: str
    stem: str
    attempts: int = 0
    facility: float | None = None
    discrimination: float | None = None
    options: list[tuple[str, int]] = field(default_factory=list)  # label -> how many chose it
    flags: list[str] = field(default_factory=list)  # "too_hard", "too_easy", "negative_discrimination"


@dataclass
class QuizStats:
    sittings: int
    pass_rate: float | None
    histogram: list[int]  # ten bins: 0-9 %, 10-19 % … 90-100 %
    items: list[ItemStat]

    @property
    def tallest(self) -> int:
        return max(self.histogram, default=0) or 1


def _share(sittings: Sequence[Sitting], qid: str) -> float | None:
    scored = [s.scores[qid] for s in sittings if qid in s.scores]
    if not scored:
        return None
    return sum(score / top for score, top in scored if top) / len(scored)


def _options(q: Question, answers: list[Any]) -> list[tuple[str, int]]:
    if q.type in (QType.SINGLE, QType.MULTIPLE):
        counts: Counter[int] = Counter()
        for answer in answers:
            picks = answer if isinstance(answer, list) else [answer]
            counts.update(p for p in picks if isinstance(p, int))
        keyed = [(("✓ " if n in q.correct else "") + text, counts[n]) for n, text in enumerate(q.options)]
        return [*keyed, ("—", sum(1 for a in answers if a is None))]
    if q.type is QType.TRUEFALSE:
        return [("对" + (" ✓" if q.truth else ""), sum(1 for a in answers if a is True)),
                ("错" + ("" if q.truth else " ✓"), sum(1 for a in answers if a is False)),
                ("—", sum(1 for a in answers if a is None))]
    return []


def compute(questions: Sequence[Question], sittings: Sequence[Sitting]) -> QuizStats:
    ranked = sorted(sittings, key=lambda s: s.percent, reverse=True)
    group = max(1, round(len(ranked) * GROUP_SHARE)) if ranked else 0
    top, bottom = ranked[:group], ranked[-group:] if group else []
    histogram = [0] * 10
    for s in sittings:
        histogram[min(9, int(s.percent // 10))] += 1
    items = []
    for q in questions:
        taken = [s for s in sittings if q.id in s.scores]
        stat = ItemStat(question_id=q.id, type=q.type.value, stem=q.stem, attempts=len(taken))
        if taken:
            stat.facility = _share(taken, q.id)
            high, low = _share(top, q.id), _share(bottom, q.id)
            if high is not None and low is not None and len(taken) >= 2:
                stat.discrimination = high - low
            stat.options = _options(q, [s.answers.get(q.id) for s in taken])
            if stat.facility is not None and stat.facility < LOW_FACILITY:
                stat.flags.append("too_hard")
            if stat.facility is not None and stat.facility > HIGH_FACILITY:
                stat.flags.append("too_easy")
            if stat.discrimination is not None and stat.discrimination < 0:
                stat.flags.append("negative_discrimination")
        items.append(stat)
    passed = sum(1 for s in sittings if s.passed)
    return QuizStats(sittings=len(sittings), pass_rate=passed / len(sittings) if sittings else None,
                     histogram=histogram, items=items)


def for_quiz(quiz_key: str, scopes: list[OrgUnit] | None) -> QuizStats:
    """Every graded attempt at the quiz (HR: only people in their org subtrees), in two queries."""
    query = (select(Attempt).join(User, User.id == Attempt.user_id)
             .where(Attempt.quiz_key == quiz_key, Attempt.submitted_at.is_not(None))
             .options(selectinload(Attempt.answers)))
    if scopes is not None:
        if not scopes:
            return compute([], [])
        query = query.join(OrgUnit, OrgUnit.id == User.org_unit_id).where(within([unit.path for unit in scopes]))
    attempts = db.session.execute(query.order_by(Attempt.id.desc())).scalars().all()
    latest: dict[str, str] = {}  # question id -> version drawn most recently
    for attempt in attempts:
        for entry in attempt.paper:
            latest.setdefault(entry["id"], entry["version"])
    rows: list[QuestionVersion] = list(db.session.execute(
        select(QuestionVersion).where(QuestionVersion.question_id.in_(list(latest)))).scalars()) if latest else []
    questions = {r.question_id: question_from_json(r.data) for r in rows if latest.get(r.question_id) == r.version}
    sittings = []
    for attempt in attempts:
        sittings.append(Sitting(
            percent=attempt.percent, passed=bool(attempt.passed),
            scores={i["id"]: (float(i["score"]), float(i["max"])) for i in attempt.items or []},
            answers=attempt.answer_map()))
    return compute(sorted(questions.values(), key=lambda q: q.id), sittings)


@dataclass(frozen=True)
class Flagged:
    """A question flagged by the statistics of one quiz that drew it."""

    bank: str  # the bank it comes from ("" when no bank serves it any more)
    quiz_key: str
    item: ItemStat


def attempted_quizzes() -> dict[str, int]:
    """Every quiz key with graded attempts, and how many (one query)."""
    return {key: int(n) for key, n in db.session.execute(
        select(Attempt.quiz_key, func.count()).where(Attempt.submitted_at.is_not(None))
        .group_by(Attempt.quiz_key).order_by(Attempt.quiz_key))}


def flagged(quiz_keys: Sequence[str], bank_of: dict[str, str], *, min_attempts: int = MIN_ATTEMPTS) -> list[Flagged]:
    """The flagged questions of these quizzes, bank by bank: each quiz's statistics are its own (a
    question can be easy in a final exam and hard in a lesson check), so a question appears once
    per quiz that flagged it. Questions answered fewer than ``min_attempts`` times are left out:
    their figures say little yet."""
    found = []
    for key in quiz_keys:
        for item in for_quiz(key, None).items:
            if item.flags and item.attempts >= min_attempts:
                found.append(Flagged(bank_of.get(item.question_id, ""), key, item))
    return sorted(found, key=lambda f: (f.bank, f.item.question_id, f.quiz_key))

