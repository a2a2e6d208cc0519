"""Standalone exams (tier certification): ``quiz/exams/<id>.md``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from academy.content.catalog import SLUG, digest
from academy.content.frontmatter import split
from academy.content.problems import ContentError, Problem, display_path
from academy.content.quizbank import Difficulty, QType
from academy.tiers import Tier

CHINA = ZoneInfo("Asia/Shanghai")


class Review(StrEnum):
    SCORE = "score"  # score only
    ANSWERS = "answers"  # correct answers and explanations right after submitting
    AFTER_CLOSE = "after_close"  # answers only once the exam window has closed
    AFTER_PASS = "after_pass"  # noqa: S105 - a policy name; answers once passed or no attempts left (course finals)


@dataclass(frozen=True)
class DrawRule:
    bank: str
    count: int
    difficulty: tuple[Difficulty, ...] = ()
    types: tuple[QType, ...] = ()
    tags: tuple[str, ...] = ()
    lessons: tuple[str, ...] = ()  # lesson checks: only questions of these lessons


@dataclass(frozen=True)
class CertificateDef:
    title: str
    title_en: str
    valid_years: int


@dataclass(frozen=True)
class ExamDef:
    id: str
    title: str
    title_en: str
    tier: Tier
    time_limit: int
    pass_mark: int
    attempts: int
    cooldown_hours: float
    review: Review
    certificate: CertificateDef | None
    draw: tuple[DrawRule, ...]
    instructions: str
    path: str
    version: str
    multiple: str = "all_or_nothing"  # or "partial": share of keys picked, nothing for a wrong pick
    grading: str = "highest"  # which attempt counts: highest or last
    shuffle: bool = True
    opens_at: datetime | None = None  # availability window (UTC)
    closes_at: datetime | None = None
    source: str = field(default="", repr=False, compare=False)  # the file as read: what content sync publishes


def _int(meta: dict[str, Any], key: str, default: int | None, line: int) -> int:
    value = meta.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ContentError(line, f"'{key}' must be a whole number")
    return value


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


def parse_draw(raw: Any, line: int) -> tuple[DrawRule, ...]:
    if not isinstance(raw, list) or not raw:
        raise ContentError(line, "'draw' must be a list of rules like {bank: qs-basics, count: 10}")
    rules = []
    for item in raw:
        if not isinstance(item, dict) or "bank" not in item or "count" not in item:
            raise ContentError(line, "each draw rule needs 'bank' and 'count'")
        try:
            rules.append(DrawRule(
                bank=str(item["bank"]), count=int(item["count"]),
                difficulty=tuple(Difficulty(d) for d in _tuple(item.get("difficulty"))),
                types=tuple(QType(t) for t in _tuple(item.get("type") or item.get("types"))),
                tags=_tuple(item.get("tags")),
            ))
        except ValueError as exc:
            raise ContentError(line, f"bad draw rule {item}: {exc}") from None
    return tuple(rules)


def _moment(meta: dict[str, Any], key: str, line: int) -> datetime | None:
    """``2026-12-01 09:00`` (YAML gives a datetime or a date) read as China time, kept as UTC."""
    value = meta.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ContentError(line, f"'{key}' must look like 2026-12-01 09:00") from None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)  # noqa: DTZ001 - zone added below
    if not isinstance(value, datetime):
        raise ContentError(line, f"'{key}' must look like 2026-12-01 09:00")
    if value.tzinfo is None:
        value = value.replace(tzinfo=CHINA)
    return value.astimezone(UTC)


def _choice(meta: dict[str, Any], key: str, allowed: tuple[str, ...], line: int) -> str:
    value = str(meta.get(key, allowed[0]))
    if value not in allowed:
        raise ContentError(line, f"'{key}' is one of {', '.join(allowed)}")
    return value


def parse_exam(text: str, path: Path, root: Path) -> ExamDef:
    doc = split(text)
    meta = doc.meta
    exam_id = str(meta.get("id", "")).strip()
    if exam_id != path.stem or not SLUG.match(exam_id):
        raise ContentError(doc.line_of("id"), f"'id' must be the file name '{path.stem}'")
    try:
        tier = Tier(str(meta.get("tier")))
    except ValueError:
        raise ContentError(doc.line_of("tier"), f"unknown tier '{meta.get('tier')}'") from None
    try:
        review = Review(str(meta.get("review", "score")))  # a certification key stays secret unless an exam says otherwise
    except ValueError:
        raise ContentError(doc.line_of("review"), "'review' is score, answers, after_close or after_pass") from None
    cert = meta.get("certificate")
    certificate = None
    if cert is not None:
        if not isinstance(cert, dict) or not cert.get("title"):
            raise ContentError(doc.line_of("certificate"), "'certificate' needs a 'title'")
        certificate = CertificateDef(title=str(cert["title"]), title_en=str(cert.get("title_en", "")),
                                     valid_years=_int(cert, "valid_years", 3, doc.line_of("certificate")))
    pass_mark = _int(meta, "pass_mark", 80, doc.line_of("pass_mark"))
    if not 0 < pass_mark <= 100:
        raise ContentError(doc.line_of("pass_mark"), "'pass_mark' is a percentage from 1 to 100")
    title = str(meta.get("title", "")).strip()
    if not title:
        raise ContentError(doc.line_of("title"), "missing 'title'")
    cooldown = meta.get("cooldown_hours", 0)
    if isinstance(cooldown, bool) or not isinstance(cooldown, int | float) or cooldown < 0:
        raise ContentError(doc.line_of("cooldown_hours"), "'cooldown_hours' must be a number")
    return ExamDef(
        id=exam_id, title=title, title_en=str(meta.get("title_en", "")), tier=tier,
        time_limit=_int(meta, "time_limit", 60, doc.line_of("time_limit")), pass_mark=pass_mark,
        attempts=_int(meta, "attempts", 3, doc.line_of("attempts")), cooldown_hours=float(cooldown),
        review=review, certificate=certificate,
        draw=parse_draw(meta.get("draw"), doc.line_of("draw")), instructions=doc.body,
        path=display_path(path, root), version=digest(text),
        multiple=_choice(meta, "multiple", ("all_or_nothing", "partial"), doc.line_of("multiple")),
        grading=_choice(meta, "grading", ("highest", "last"), doc.line_of("grading")),
        shuffle=bool(meta.get("shuffle", True)),
        opens_at=_moment(meta, "opens", doc.line_of("opens")),
        closes_at=_moment(meta, "closes", doc.line_of("closes")),
        source=text,
    )


def load_exams(root: Path) -> tuple[dict[str, ExamDef], list[Problem]]:
    exams: dict[str, ExamDef] = {}
    problems: list[Problem] = []
    folder = root / "exams"
    if not folder.is_dir():
        return exams, problems
    for path in sorted(folder.glob("*.md")):
        try:
            exams[path.stem] = parse_exam(path.read_text(encoding="utf-8"), path, root)
        except ContentError as err:
            problems.append(Problem(display_path(path, root), err.line, err.message))
        except UnicodeDecodeError:
            problems.append(Problem(display_path(path, root), 1, "not UTF-8 text"))
    return exams, problems
