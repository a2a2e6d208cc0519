"""Question banks: ``quiz/<bank>.md`` files in the convention of ``quiz/README.md``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from .arithmetic import evaluate
from .catalog import digest
from .frontmatter import split
from .problems import ContentError, Problem, display_path

QUESTION_HEAD = re.compile(r"^##\s+(\S+)\s*$")
ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HEAD_LINE = re.compile(r"^([a-z_]+)\s*:\s*(.*)$")
OPTION = re.compile(r"^[-*]\s+\[([ xX]|-?\d+(?:\.\d+)?%)\]\s+(.+)$")
ORDERED = re.compile(r"^\d+[.)]\s+(.+)$")
PAIR = re.compile(r"^[-*]\s+(.+?)\s*=>\s*(.+)$")
DISTRACTOR = re.compile(r"^[-*]\s+=>\s*(.+)$")  # a right-hand side that matches no left
WEIGHTED = re.compile(r"^\[(-?\d+(?:\.\d+)?)%\]\s*(.+)$")  # a fill variant worth part of the blank
BLANK = re.compile(r"_{4,}")
EXPLANATION = re.compile(r"^解析[:：]\s*(.*)$")
RANGE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*\.\.\s*(-?\d+(?:\.\d+)?)\s*$")
TRUE_WORDS = {"对", "正确", "是", "true", "t", "yes"}
FALSE_WORDS = {"错", "错误", "否", "false", "f", "no"}
HEAD_KEYS = {"type", "difficulty", "lesson", "tags", "answer", "tolerance", "compute", "score"}


class QType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUEFALSE = "truefalse"
    FILL = "fill"
    NUMERIC = "numeric"
    ORDERING = "ordering"
    MATCHING = "matching"


class Difficulty(StrEnum):
    EASY = "易"
    MEDIUM = "中"
    HARD = "难"


@dataclass(frozen=True)
class Question:
    id: str
    bank: str
    type: QType
    difficulty: Difficulty
    lesson: str
    tags: tuple[str, ...]
    stem: str
    explanation: str
    line: int
    version: str
    score: float = 1.0
    options: tuple[str, ...] = ()  # choices; ordering items in the right order; matching left sides
    correct: tuple[int, ...] = ()  # indices of the right choices
    truth: bool | None = None
    blanks: tuple[tuple[str, ...], ...] = ()  # accepted variants per blank
    low: float | None = None
    high: float | None = None
    compute: str = ""
    matches: tuple[str, ...] = ()  # matching right sides, aligned with ``options``; distractors follow
    weights: tuple[float, ...] = ()  # choices: credit per option (1.0 = full, negative = penalty); () = keys only
    blank_weights: tuple[tuple[float, ...], ...] = ()  # fill: credit per variant, aligned with ``blanks``
    partial_ranges: tuple[tuple[float, float, float], ...] = ()  # numeric: (credit, low, high) near misses


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


def _head(lines: list[str], start: int) -> tuple[dict[str, list[tuple[int, str]]], int]:
    head: dict[str, list[tuple[int, str]]] = {}
    i = start
    while i < len(lines) and lines[i].strip():
        match = HEAD_LINE.match(lines[i].strip())
        if not match or match.group(1) not in HEAD_KEYS:
            break
        head.setdefault(match.group(1), []).append((i, match.group(2).strip()))
        i += 1
    return head, i


def _one(head: dict[str, list[tuple[int, str]]], key: str, line: int) -> tuple[int, str]:
    values = head.get(key)
    if not values or not values[0][1]:
        raise ContentError(line, f"missing '{key}:'")
    if len(values) > 1:
        raise ContentError(values[1][0] + 1, f"'{key}:' given twice")
    return values[0][0] + 1, values[0][1]


def _number(text: str, line: int, key: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ContentError(line, f"'{key}:' must be a number, not '{text}'") from None


def _percent(mark: str, line: int) -> float:
    value = float(mark.rstrip("%")) / 100
    if not -1 <= value <= 1:
        raise ContentError(line, f"an option's credit must lie between -100% and 100%, not {mark}")
    return value


def _choice_keys(qtype: QType, marks: list[str], line: int) -> dict[str, object]:
    """Keys and, when an option carries a percentage, the credit of every option.

    ``[x]`` is full credit and ``[ ]`` none. A single-choice question has exactly one ``[x]``;
    further options may earn part of the score (``[50%]``), a penalty (``[-25%]``) or, written
    ``[100%]``, the full score too. A multiple-choice question with percentages is graded by
    adding the credit of the options picked (``[x]`` is then not used): the positive ones add up
    to 100%.
    """
    weighted = any(m.endswith("%") for m in marks)
    if qtype is QType.SINGLE:
        crosses = marks.count("x")
        if crosses != 1:
            raise ContentError(line, f"a single-choice question needs exactly one '- [x]' key, found {crosses}")
        weights = tuple(1.0 if m == "x" else _percent(m, line) if m.endswith("%") else 0.0 for m in marks)
        correct = tuple(n for n, w in enumerate(weights) if w >= 1)
        return {"correct": correct, "weights": weights if weighted else ()}
    if not weighted:
        correct = tuple(n for n, m in enumerate(marks) if m == "x")
        if len(correct) < 2:
            raise ContentError(line, "a multiple-choice question needs at least two '- [x]' keys")
        return {"correct": correct}
    if "x" in marks:
        raise ContentError(line, "a multiple-choice question with percentages marks every key with its share, not '[x]'")
    weights = tuple(_percent(m, line) if m.endswith("%") else 0.0 for m in marks)
    total = sum(w for w in weights if w > 0)
    if abs(total - 1) > 0.005:
        raise ContentError(line, f"the positive shares of a multiple-choice question add up to {total * 100:g}%, not 100%")
    return {"correct": tuple(n for n, w in enumerate(weights) if w > 0), "weights": weights}


def _partial_range(text: str, line: int) -> tuple[float, float, float]:
    """``[50%] 1820..1824`` or ``[50%] 1821``: a near miss that earns part of the score."""
    found = WEIGHTED.match(text.strip())
    if not found:
        raise ContentError(line, f"a further numeric answer is written '[50%] low..high', not '{text.strip()}'")
    share = _percent(found.group(1), line)
    if not 0 < share < 1:
        raise ContentError(line, "a further numeric answer earns more than 0% and less than 100%")
    span = RANGE.match(found.group(2))
    low, high = (float(span.group(1)), float(span.group(2))) if span else (_number(found.group(2), line, "answer"),) * 2
    if low > high:
        raise ContentError(line, "range answer must be low..high")
    return share, low, high


def _variants(text: str, line: int) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """``a | b | [50%] c`` → accepted variants and the credit each earns."""
    variants: list[str] = []
    weights: list[float] = []
    for part in (p.strip() for p in text.split("|")):
        if not part:
            continue
        found = WEIGHTED.match(part)
        weight = _percent(found.group(1), line) if found else 1.0
        if found and weight <= 0:
            raise ContentError(line, f"a fill-in variant earns more than 0%, not {found.group(1)}%")
        variants.append(found.group(2).strip() if found else part)
        weights.append(weight)
    if variants and max(weights) < 1:
        raise ContentError(line, "every blank needs a variant worth the full score (one without a percentage)")
    return tuple(variants), tuple(weights)


def parse_question(qid: str, bank: str, lines: list[str], first: int) -> Question:
    """``lines`` are the question's lines after its heading; ``first`` is their 0-based file index."""
    head, i = _head(lines, 0)
    line0 = first  # heading line number (1-based) is first; head lines start at first + 1
    qtype_line, qtype_text = _one(head, "type", line0)
    try:
        qtype = QType(qtype_text)
    except ValueError:
        raise ContentError(first + qtype_line, f"unknown question type '{qtype_text}'") from None
    diff_line, diff_text = _one(head, "difficulty", line0)
    try:
        difficulty = Difficulty(diff_text)
    except ValueError:
        raise ContentError(first + diff_line, f"difficulty must be 易, 中 or 难, not '{diff_text}'") from None
    _, lesson = _one(head, "lesson", line0)
    _, tag_text = _one(head, "tags", line0)
    tags = tuple(t.strip() for t in re.split(r"[,，]", tag_text) if t.strip())
    score = _number(_one(head, "score", line0)[1], line0, "score") if "score" in head else 1.0
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
    content = body[:explanation_at]

    def at(k: int) -> int:
        return first + i + k + 1

    fields: dict[str, object] = {}
    if qtype in (QType.SINGLE, QType.MULTIPLE):
        options = [(k, OPTION.match(t.strip())) for k, t in enumerate(content) if OPTION.match(t.strip())]
        if len(options) < 2:
            raise ContentError(line0, "a choice question needs at least two '- [ ]' options")
        texts = [m.group(2).strip() for _, m in options if m]
        if len(set(texts)) != len(texts):
            raise ContentError(at(options[0][0]), "two options have the same text")
        marks = [m.group(1).lower() for _, m in options if m]
        fields.update(_choice_keys(qtype, marks, at(options[0][0])), options=tuple(texts))
        stem_end = options[0][0]
    elif qtype is QType.ORDERING:
        items = [(k, ORDERED.match(t.strip())) for k, t in enumerate(content) if ORDERED.match(t.strip())]
        if len(items) < 3:
            raise ContentError(line0, "an ordering question needs at least three numbered items")
        stem_end = items[0][0]
        fields.update(options=tuple(m.group(1).strip() for _, m in items if m))
    elif qtype is QType.MATCHING:
        pairs = [(k, PAIR.match(t.strip())) for k, t in enumerate(content)
                 if PAIR.match(t.strip()) and not DISTRACTOR.match(t.strip())]
        extra = [(k, DISTRACTOR.match(t.strip())) for k, t in enumerate(content) if DISTRACTOR.match(t.strip())]
        if len(pairs) < 2:
            raise ContentError(line0, "a matching question needs at least two '- left => right' lines")
        stem_end = min(k for k, _ in pairs + extra)
        paired = tuple(m.group(2).strip() for _, m in pairs if m)
        spare = tuple(m.group(1).strip() for _, m in extra if m)
        # Two lefts may share a right (Moodle allows it); a distractor must match nothing.
        if len(set(spare)) != len(spare) or set(spare) & set(paired):
            raise ContentError(at((extra or pairs)[0][0]), "a distractor '- => …' repeats a right-hand side")
        rights = paired + spare
        fields.update(options=tuple(m.group(1).strip() for _, m in pairs if m), matches=rights)
    else:
        stem_end = len(content)
    stem = "\n".join(content[:stem_end]).strip()
    if not stem:
        raise ContentError(line0, "missing question text (stem)")

    if qtype is QType.TRUEFALSE:
        answer_line, answer = _one(head, "answer", line0)
        word = answer.strip().lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise ContentError(first + answer_line, f"a true/false answer is 对 or 错, not '{answer}'")
        fields["truth"] = word in TRUE_WORDS
    elif qtype is QType.FILL:
        answers = head.get("answer", [])
        blanks = len(BLANK.findall(stem))
        if blanks == 0:
            raise ContentError(line0, "a fill-in question needs blanks written as '____' in its text")
        if len(answers) != blanks:
            raise ContentError(line0, f"{blanks} blank(s) in the text but {len(answers)} 'answer:' line(s)")
        parsed = [_variants(text, first + k + 1) for k, text in answers]
        if any(not v for v, _ in parsed):
            raise ContentError(line0, "an 'answer:' line of a fill-in question is empty")
        fields["blanks"] = tuple(v for v, _ in parsed)
        if any(w != (1.0,) * len(w) for _, w in parsed):
            fields["blank_weights"] = tuple(w for _, w in parsed)
    elif qtype is QType.NUMERIC:
        answer_line, answer = _one(head, "answer", line0)
        answer, *others = answer.split("|")
        if others:
            fields["partial_ranges"] = tuple(_partial_range(text, first + answer_line) for text in others)
        found = RANGE.match(answer)
        if found:
            low, high = float(found.group(1)), float(found.group(2))
            if low > high:
                raise ContentError(first + answer_line, "range answer must be low..high")
        else:
            value = _number(answer, first + answer_line, "answer")
            tol = _number(_one(head, "tolerance", line0)[1], line0, "tolerance") if "tolerance" in head else 0.0
            if tol < 0:
                raise ContentError(line0, "'tolerance:' must not be negative")
            low, high = value - tol, value + tol
        compute_line, compute = _one(head, "compute", line0)
        try:
            computed = evaluate(compute)
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            raise ContentError(first + compute_line, f"'compute:' cannot be evaluated: {exc}") from None
        if not (low - 1e-9 <= computed <= high + 1e-9):
            raise ContentError(first + compute_line, f"'compute:' gives {computed:.6g}, outside the accepted answer {low:.6g}..{high:.6g}")
        fields.update(low=low, high=high, compute=compute)
    elif "answer" in head:
        raise ContentError(first + head["answer"][0][0] + 1, f"'answer:' is not used by {qtype} questions (mark the key in the options)")

    version = digest("\n".join(lines))
    return Question(id=qid, bank=bank, type=qtype, difficulty=difficulty, lesson=lesson, tags=tags,
                    stem=stem, explanation=explanation, line=line0, version=version, score=score,
                    **fields)  # type: ignore[arg-type]  # fields holds the per-type keys checked above


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
                path=shown, version=digest(text), question_lines=seen)


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

