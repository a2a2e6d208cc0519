"""Question banks: ``quiz/<bank>.md`` files in the convention of ``quiz/README.md``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from academy.content import qtypes
from academy.content.catalog import digest
from academy.content.frontmatter import split
from academy.content.problems import ContentError, Problem, display_path
from academy.content.qtypes.base import Head, Source, number, one
from academy.content.qtypes.choice import OPTION
from academy.content.qtypes.matching import DISTRACTOR, PAIR
from academy.content.qtypes.truefalse import FALSE_WORDS, TRUE_WORDS
from academy.content.question import Difficulty, QType, Question

__all__ = ["DISTRACTOR", "EXPLANATION", "FALSE_WORDS", "ID", "OPTION", "PAIR", "TRUE_WORDS", "Bank", "Difficulty",
           "QType", "Question", "distinct_rights", "load_banks", "match_keys", "parse_bank", "parse_question"]

QUESTION_HEAD = re.compile(r"^##\s+(\S+)\s*$")
ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HEAD_LINE = re.compile(r"^([a-z_]+)\s*:\s*(.*)$")
EXPLANATION = re.compile(r"^解析[:：]\s*(.*)$")
HEAD_KEYS = {"type", "difficulty", "lesson", "tags", "answer", "tolerance", "compute", "score"}


@dataclass(frozen=True)
class Bank:
    id: str
    title: str
    course: str
    tags: dict[str, str]
    questions: tuple[Question, ...]
    path: str
    version: str
    question_lines: dict[str, int] = field(default_factory=dict)
    source: str = field(default="", repr=False, compare=False)  # the file as read: what content sync publishes


def _head(lines: list[str], start: int) -> tuple[Head, int]:
    head: Head = {}
    i = start
    while i < len(lines) and lines[i].strip():
        match = HEAD_LINE.match(lines[i].strip())
        if not match or match.group(1) not in HEAD_KEYS:
            break
        head.setdefault(match.group(1), []).append((i, match.group(2).strip()))
        i += 1
    return head, i


def parse_question(qid: str, bank: str, lines: list[str], first: int) -> Question:
    """``lines`` are the question's lines after its heading; ``first`` is their 0-based file index.

    The head and the explanation are read here; the stem and the keys by the type's own parser
    (:data:`.qtypes.REGISTRY`).
    """
    head, i = _head(lines, 0)
    line0 = first  # heading line number (1-based) is first; head lines start at first + 1
    qtype_line, qtype_text = one(head, "type", line0)
    try:
        qtype = QType(qtype_text)
    except ValueError:
        raise ContentError(first + qtype_line, f"unknown question type '{qtype_text}'") from None
    diff_line, diff_text = one(head, "difficulty", line0)
    try:
        difficulty = Difficulty(diff_text)
    except ValueError:
        raise ContentError(first + diff_line, f"difficulty must be 易, 中 or 难, not '{diff_text}'") from None
    _, lesson = one(head, "lesson", line0)
    _, tag_text = one(head, "tags", line0)
    tags = tuple(t.strip() for t in re.split(r"[,，]", tag_text) if t.strip())
    score = number(one(head, "score", line0)[1], line0, "score") if "score" in head else 1.0
    if score <= 0:
        raise ContentError(line0, "'score:' must be positive")

    body = lines[i:]
    explanation_at = next((k for k, text in enumerate(body) if EXPLANATION.match(text.strip())), None)
    if explanation_at is None:
        raise ContentError(line0, "missing explanation: add a paragraph starting with '解析：'")
    first_text = EXPLANATION.match(body[explanation_at].strip())
    explanation = "\n".join([first_text.group(1) if first_text else "", *body[explanation_at + 1 :]]).strip()
    if not explanation:
        raise ContentError(first + i + explanation_at + 1, "empty explanation after '解析：'")

    stem, fields = qtypes.spec(qtype).parse(Source(head=head, content=body[:explanation_at], first=first, body_at=i))
    version = digest("\n".join(lines))
    return Question(id=qid, bank=bank, type=qtype, difficulty=difficulty, lesson=lesson, tags=tags,
                    stem=stem, explanation=explanation, line=line0, version=version, score=score,
                    **fields)  # type: ignore[arg-type]  # fields holds the keys of the question's type


def parse_bank(text: str, path: Path, root: Path, problems: list[Problem]) -> Bank | None:
    shown = display_path(path, root)
    try:
        doc = split(text)
    except ContentError as err:
        problems.append(Problem(shown, err.line, err.message))
        return None
    bank_id = str(doc.meta.get("bank", "")).strip()
    if bank_id != path.stem:
        problems.append(Problem(shown, doc.line_of("bank"), f"'bank:' must be the file name '{path.stem}'"))
        return None
    raw_tags = doc.meta.get("tags") or {}
    if not isinstance(raw_tags, dict):
        problems.append(Problem(shown, doc.line_of("tags"), "'tags:' must map knowledge-point slugs to names"))
        return None
    course = str(doc.meta.get("course", "")).strip()
    if not course:
        problems.append(Problem(shown, doc.line_of("course"), "missing 'course:'"))
    lines = text.splitlines()
    start = doc.body_line - 1
    heads = [k for k in range(start, len(lines)) if lines[k].startswith("## ")]
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for n, k in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        match = QUESTION_HEAD.match(lines[k])
        if not match or not ID.match(match.group(1)):
            problems.append(Problem(shown, k + 1, "a question heading is '## <id>' with a lower-case id like 'bank-001'"))
            continue
        qid = match.group(1)
        if qid in seen:
            problems.append(Problem(shown, k + 1, f"duplicate question id '{qid}' (also line {seen[qid]})"))
            continue
        seen[qid] = k + 1
        try:
            question = parse_question(qid, bank_id, lines[k + 1 : end], k + 1)
        except ContentError as err:
            problems.append(Problem(shown, err.line, f"{qid}: {err.message}"))
            continue
        unknown = [t for t in question.tags if t not in raw_tags]
        if unknown:
            problems.append(Problem(shown, k + 1, f"{qid}: unknown tag(s) {', '.join(unknown)} (declare them under 'tags:')"))
            continue
        questions.append(question)
    if not heads:
        problems.append(Problem(shown, doc.body_line, "the bank has no questions ('## <id>' headings)"))
    return Bank(id=bank_id, title=str(doc.meta.get("title", bank_id)), course=course,
                tags={str(k): str(v) for k, v in raw_tags.items()}, questions=tuple(questions),
                path=shown, version=digest(text), question_lines=seen, source=text)


def load_banks(root: Path) -> tuple[dict[str, Bank], list[Problem]]:
    problems: list[Problem] = []
    banks: dict[str, Bank] = {}
    if not root.is_dir():
        return banks, [Problem(str(root), 1, "quiz folder not found")]
    for path in sorted(root.glob("*.md")):
        if path.name == "README.md":
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(Problem(display_path(path, root), 1, "not UTF-8 text"))
            continue
        bank = parse_bank(text, path, root, problems)
        if bank is not None:
            banks[bank.id] = bank
    owners: dict[str, str] = {}
    for bank in banks.values():
        for q in bank.questions:
            if q.id in owners and owners[q.id] != bank.id:
                problems.append(Problem(bank.path, q.line, f"question id '{q.id}' is also used in bank '{owners[q.id]}'"))
            owners.setdefault(q.id, bank.id)
    return banks, problems


def match_keys(q: Question) -> list[int]:
    """The right-hand side each left row takes; two rows sharing a text take its first place.

    Learners are shown each right-hand text once (see :func:`distinct_rights`).
    """
    return [q.matches.index(q.matches[i]) for i in range(len(q.options))]


def distinct_rights(q: Question) -> list[int]:
    """Places of the right-hand sides shown to learners: each text once, in authored order."""
    return [k for k, text in enumerate(q.matches) if text not in q.matches[:k]]

