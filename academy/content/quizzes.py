"""Quiz definitions and random papers, from course front matter, banks and exam files.

Three kinds of quiz share one engine:

* ``check/<course>/<lesson>``: the practice check after a lesson (unlimited, answers shown at once);
* ``final/<course>``: the course's final exam (``final_exam:`` in ``course.md``);
* ``exam/<exam-id>``: a tier certification exam (``quiz/exams/<exam-id>.md``).

Everything here is plain data: no database, no request.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from academy.content.exams import CertificateDef, DrawRule, ExamDef, Review, load_exams
from academy.content.library import matching
from academy.content.quizbank import Bank, QType, Question, distinct_rights, load_banks


class Kind(StrEnum):
    CHECK = "check"
    FINAL = "final"
    EXAM = "exam"
    COMPETITION = "competition"  # an online round; its rules live in the database


@dataclass(frozen=True)
class QuizKey:
    """Which quiz: its kind and a reference within the kind.

    Stored and routed as ``"<kind>/<ref>"``: ``check/<course>/<lesson>``, ``final/<course>``,
    ``exam/<id>``, ``competition/<slug>``. Only :meth:`parse` reads that form.
    """

    kind: Kind
    ref: str

    @classmethod
    def parse(cls, text: str) -> QuizKey | None:
        kind, _, ref = text.partition("/")
        return cls.of(kind, ref)

    @classmethod
    def of(cls, kind: str, ref: str) -> QuizKey | None:
        """None for an unknown kind or an empty reference (a URL anyone can type)."""
        if kind not in KINDS or not ref:
            return None
        return cls(Kind(kind), ref)

    @classmethod
    def check(cls, course: str, lesson: str) -> QuizKey:
        return cls(Kind.CHECK, f"{course}/{lesson}")

    @classmethod
    def final(cls, course: str) -> QuizKey:
        return cls(Kind.FINAL, course)

    @classmethod
    def exam(cls, exam_id: str) -> QuizKey:
        return cls(Kind.EXAM, exam_id)

    @classmethod
    def competition(cls, slug: str) -> QuizKey:
        return cls(Kind.COMPETITION, slug)

    @staticmethod
    def prefix(kind: Kind) -> str:
        """What every stored key of ``kind`` starts with."""
        return f"{kind.value}/"

    @property
    def course(self) -> str | None:
        """The course of a lesson check or a final exam."""
        return self.ref.partition("/")[0] if self.kind in (Kind.CHECK, Kind.FINAL) else None

    @property
    def lesson(self) -> str | None:
        return (self.ref.partition("/")[2] or None) if self.kind == Kind.CHECK else None

    def __str__(self) -> str:
        return f"{self.kind.value}/{self.ref}"


KINDS = frozenset(k.value for k in Kind)


@dataclass(frozen=True)
class QuizDef:
    key: str  # str(QuizKey): the stored form, see QuizKey
    kind: Kind
    title: str
    title_en: str
    draw: tuple[DrawRule, ...]
    time_limit: int | None  # minutes; None = untimed
    attempts: int  # 0 = unlimited
    cooldown_hours: float
    pass_mark: int  # percent
    review: Review
    multiple: str  # grading.MultiplePolicy value
    grading: str  # highest | last
    shuffle: bool
    course: str | None = None
    lesson: str | None = None
    tier: str | None = None
    instructions: str = ""
    instructions_plain: bool = False  # typed by a person on a form: shown as text, never as Markdown/HTML
    certificate: CertificateDef | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None

    @property
    def ident(self) -> QuizKey:
        parsed = QuizKey.parse(self.key)
        if parsed is None:  # every QuizDef is built from a QuizKey
            raise ValueError(f"malformed quiz key {self.key!r}")
        return parsed

    @property
    def ref(self) -> str:
        """The key without its kind: the ``ref`` of the quiz's URL."""
        return self.ident.ref

    def is_open(self, now: datetime) -> bool:
        return (self.opens_at is None or now >= self.opens_at) and (self.closes_at is None or now < self.closes_at)

    def window_closed(self, now: datetime) -> bool:
        return self.closes_at is not None and now >= self.closes_at


@dataclass(frozen=True)
class Sources:
    banks: dict[str, Bank]
    exams: dict[str, ExamDef]

    def question(self, qid: str) -> Question | None:
        for bank in self.banks.values():
            for q in bank.questions:
                if q.id == qid:
                    return q
        return None


def _fingerprint(root: Path) -> tuple[tuple[str, int], ...]:
    if not root.is_dir():
        return ()
    files = [*root.glob("*.md"), *(root / "exams").glob("*.md")]
    return tuple(sorted((str(p), p.stat().st_mtime_ns) for p in files))


@lru_cache(maxsize=4)
def _load(root: Path, fingerprint: tuple[tuple[str, int], ...]) -> Sources:
    del fingerprint  # part of the cache key: an edited file gives a new key
    banks, _ = load_banks(root)
    exams, _ = load_exams(root)
    return Sources(banks, exams)


def load_sources(root: Path) -> Sources:
    """The valid banks and exams under ``quiz/``, re-read when a file changes."""
    return _load(root, _fingerprint(root))


def lesson_check(course: str, lesson: str, title: str, bank: str, count: int) -> QuizDef:
    return QuizDef(
        key=str(QuizKey.check(course, lesson)), kind=Kind.CHECK, title=title, title_en="",
        draw=(DrawRule(bank=bank, count=count, lessons=(lesson,)),), time_limit=None, attempts=0,
        cooldown_hours=0, pass_mark=60, review=Review.ANSWERS, multiple="partial", grading="last",
        shuffle=True, course=course, lesson=lesson,
    )


def final_exam(course: str, title: str, title_en: str, bank: str, settings: Mapping[str, Any]) -> QuizDef:
    return QuizDef(
        key=str(QuizKey.final(course)), kind=Kind.FINAL, title=title, title_en=title_en,
        draw=(DrawRule(bank=bank, count=int(settings["questions"])),),
        time_limit=int(settings["time_limit"]) or None, attempts=int(settings["attempts"]), cooldown_hours=0,
        pass_mark=int(settings["pass_mark"]), review=Review(str(settings.get("review") or Review.AFTER_PASS)),
        multiple="all_or_nothing",
        grading="highest", shuffle=True, course=course,
    )


def exam(definition: ExamDef) -> QuizDef:
    return QuizDef(
        key=str(QuizKey.exam(definition.id)), kind=Kind.EXAM, title=definition.title, title_en=definition.title_en,
        draw=definition.draw, time_limit=definition.time_limit or None, attempts=definition.attempts,
        cooldown_hours=definition.cooldown_hours, pass_mark=definition.pass_mark, review=definition.review,
        multiple=definition.multiple, grading=definition.grading, shuffle=definition.shuffle,
        tier=definition.tier.value, instructions=definition.instructions, certificate=definition.certificate,
        opens_at=definition.opens_at, closes_at=definition.closes_at,
    )


@dataclass(frozen=True)
class PaperItem:
    question: Question
    order: tuple[int, ...]  # option shown at each position (matching: right-hand sides)


class NotEnoughQuestions(Exception):
    pass


def _order(q: Question, shuffle: bool, rnd: random.Random) -> tuple[int, ...]:
    # A right-hand side two lefts share is shown once.
    order = distinct_rights(q) if q.type is QType.MATCHING else list(range(len(q.options)))
    size = len(order)
    always = q.type in (QType.ORDERING, QType.MATCHING)  # shown in key order they would give it away
    if size > 1 and (shuffle or always):
        while True:
            rnd.shuffle(order)
            if not always or order != sorted(order):
                break
    return tuple(order)


def draw(quiz: QuizDef, banks: Mapping[str, Bank], rnd: random.Random) -> list[PaperItem]:
    """A fresh paper: each rule's questions drawn without repeats, then shuffled if the quiz says so."""
    chosen: list[Question] = []
    seen: set[str] = set()
    for rule in quiz.draw:
        bank = banks.get(rule.bank)
        if bank is None:
            raise NotEnoughQuestions(rule.bank)
        pool = [q for q in matching(bank, rule) if q.id not in seen and (not rule.lessons or q.lesson in rule.lessons)]
        if len(pool) < rule.count:
            raise NotEnoughQuestions(rule.bank)
        picked = rnd.sample(pool, rule.count)
        if not quiz.shuffle:
            picked.sort(key=pool.index)
        chosen.extend(picked)
        seen.update(q.id for q in picked)
    if quiz.shuffle:
        rnd.shuffle(chosen)
    return [PaperItem(q, _order(q, quiz.shuffle, rnd)) for q in chosen]
