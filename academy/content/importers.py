"""Other people's question formats → our Markdown bank (and back to GIFT).

Moodle GIFT, Aiken, and the spreadsheet layout HR departments keep (xlsx/csv: one row per
question). Every item that cannot be converted is reported with its line (or row and
column) and the reason; nothing is dropped silently. Pure: text in, text out.
"""

from __future__ import annotations

import csv
import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .quizbank import FALSE_WORDS, TRUE_WORDS, Bank, QType, Question

NO_EXPLANATION = "待补充：原题没有解析，请作者补写“为什么”。"


@dataclass
class Draft:
    """One question ready to be written as Markdown."""

    type: QType
    stem: str
    line: int
    options: list[str] = field(default_factory=list)
    correct: list[int] = field(default_factory=list)
    truth: bool | None = None
    blanks: list[list[str]] = field(default_factory=list)
    answer: str = ""  # numeric: "1.33" or "1.30..1.36"
    tolerance: str = ""
    matches: list[str] = field(default_factory=list)
    explanation: str = ""
    difficulty: str = ""
    tags: list[str] = field(default_factory=list)
    title: str = ""
    score: float = 1.0


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str
    column: str = ""  # spreadsheets: the column letter


@dataclass
class Imported:
    drafts: list[Draft] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[Rejected] = field(default_factory=list)


# -- GIFT -------------------------------------------------------------------------------------

GIFT_ESCAPES = {"\\~": "~", "\\=": "=", "\\#": "#", "\\{": "{", "\\}": "}", "\\:": ":", "\\n": "\n", "\\\\": "\\"}
PLACEHOLDER = "\x00{}\x00"
WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
FORMAT_TAG = re.compile(r"^\[(html|moodle|markdown|plain)\]\s*", re.I)
HTML_TAG = re.compile(r"<[^>]+>")


def _protect(text: str) -> str:
    """Hide escaped specials so splitting on ~ = # { } : never cuts inside them."""
    for n, escaped in enumerate(GIFT_ESCAPES):
        text = text.replace(escaped, f"\x01{n}\x01")
    return text


def _restore(text: str) -> str:
    for n, plain in enumerate(GIFT_ESCAPES.values()):
        text = text.replace(f"\x01{n}\x01", plain)
    return text


def _clean(text: str) -> str:
    text = FORMAT_TAG.sub("", text.strip())
    text = HTML_TAG.sub("", text) if "<" in text else text
    return _restore(text).strip()


def _gift_items(text: str) -> list[tuple[int, str]]:
    """(first line, item text) per question; comments dropped, categories kept as items."""
    items: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    depth = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if line.lstrip().startswith("//") and depth == 0:
            continue
        if not line.strip() and depth == 0:
            if buffer:
                items.append((start, "\n".join(buffer)))
                buffer = []
            continue
        if not buffer:
            start = number
        buffer.append(line)
        protected = _protect(line)
        depth += protected.count("{") - protected.count("}")
        if line.startswith("$CATEGORY:") and depth == 0:
            items.append((start, "\n".join(buffer)))
            buffer = []
    if buffer:
        items.append((start, "\n".join(buffer)))
    return items


def _split_answers(body: str) -> list[tuple[str, str]]:
    """``=a#fb ~b ~%50%c`` → [("=", "a#fb"), ("~", "b"), ("~", "%50%c")]."""
    parts: list[tuple[str, str]] = []
    for match in re.finditer(r"([=~])([^=~]*)", body):
        parts.append((match.group(1), match.group(2)))
    return parts


def _feedback(text: str) -> tuple[str, str]:
    value, _, feedback = text.partition("#")
    return value.strip(), feedback.strip()


def _parse_gift_item(line: int, item: str, category: str) -> Draft:
    protected = _protect(item)
    title = ""
    found = re.match(r"^\s*::(.*?)::", protected, re.S)
    if found:
        title = _clean(found.group(1))
        protected = protected[found.end():]
    opening = protected.find("{")
    closing = protected.rfind("}")
    if opening < 0 or closing < opening:
        raise ValueError("no answer block in braces: a description, not a question")
    before, body, after = protected[:opening], protected[opening + 1 : closing], protected[closing + 1 :]
    stem = _clean(before.rstrip() + " ____ " + after.lstrip() if after.strip() else before)
    general = ""
    if "####" in body:
        body, general = body.split("####", 1)
    explanation = _clean(general)
    body = body.strip()
    tags = [category] if category else []
    draft = Draft(type=QType.SINGLE, stem=stem, line=line, explanation=explanation, tags=tags, title=title)
    if not stem:
        raise ValueError("empty question text")
    if not body:
        raise ValueError("essay question (empty braces): needs a human grader")
    upper = _feedback(body)[0].upper()
    if upper in {"T", "TRUE", "F", "FALSE"}:
        draft.type, draft.truth = QType.TRUEFALSE, upper.startswith("T")
        return draft
    if body.startswith("#"):
        return _gift_numeric(draft, body[1:])
    answers = _split_answers(body)
    if not answers:
        raise ValueError("answers must start with '=' or '~'")
    if any("->" in text for _, text in answers):
        return _gift_matching(draft, answers)
    if all(sign == "=" for sign, _ in answers):
        variants, partial = [], 0
        for _, text in answers:
            value, _ = _feedback(text)
            weight = WEIGHT.match(value)
            if weight and float(weight.group(1)) < 100:
                partial += 1
                continue
            variants.append(_clean(WEIGHT.sub("", value)))
        if not variants:
            raise ValueError("short answer without a fully right answer")
        draft.type, draft.blanks = QType.FILL, [variants]
        if "____" not in draft.stem:
            draft.stem = draft.stem + " ____"
        return draft
    options, correct, weights = [], [], []
    for sign, text in answers:
        value, _ = _feedback(text)
        weight = WEIGHT.match(value)
        share = float(weight.group(1)) if weight else (100.0 if sign == "=" else 0.0)
        options.append(_clean(WEIGHT.sub("", value)))
        weights.append(share)
        if share > 0:
            correct.append(len(options) - 1)
    if len(options) < 2:
        raise ValueError("a choice question needs at least two options")
    if len(set(options)) != len(options):
        raise ValueError("two options have the same text")
    if not correct:
        raise ValueError("no right option (no '=' and no positive weight)")
    draft.options, draft.correct = options, correct
    if len(correct) > 1 or any(0 < w < 100 for w in weights):
        draft.type = QType.MULTIPLE
        if len(correct) < 2:
            raise ValueError("partial credit on a single right option: make it 100% or add keys")
    return draft


def _gift_numeric(draft: Draft, body: str) -> Draft:
    answers = _split_answers(body) if body.lstrip().startswith("=") else [("=", body)]
    for _, text in answers:
        value, _ = _feedback(text)
        weight = WEIGHT.match(value)
        if weight and float(weight.group(1)) < 100:
            continue
        value = _restore(WEIGHT.sub("", value)).strip()
        span = re.fullmatch(r"(-?\d+(?:\.\d+)?)\.\.(-?\d+(?:\.\d+)?)", value)
        exact = re.fullmatch(r"(-?\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?", value)
        if span:
            draft.answer = f"{span.group(1)}..{span.group(2)}"
        elif exact:
            draft.answer, draft.tolerance = exact.group(1), exact.group(2) or ""
        else:
            raise ValueError(f"numeric answer '{value}' is not a number, number:tolerance or low..high")
        draft.type = QType.NUMERIC
        return draft
    raise ValueError("numeric question without a fully right answer")


def _gift_matching(draft: Draft, answers: list[tuple[str, str]]) -> Draft:
    lefts, rights = [], []
    for sign, text in answers:
        if sign != "=" or "->" not in text:
            raise ValueError("matching pairs are written '=left -> right'")
        left, right = text.split("->", 1)
        lefts.append(_clean(left))
        rights.append(_clean(_feedback(right)[0]))
    if len(lefts) < 2 or any(not x for x in lefts):
        raise ValueError("a matching question needs at least two pairs with a left-hand side")
    if len(set(rights)) != len(rights):
        raise ValueError("two pairs have the same right-hand side")
    draft.type, draft.options, draft.matches = QType.MATCHING, lefts, rights
    return draft


def parse_gift(text: str) -> Imported:
    result = Imported()
    category = ""
    for line, item in _gift_items(text):
        if item.startswith("$CATEGORY:"):
            category = item.split(":", 1)[1].strip().strip("/").split("/")[-1]
            continue
        try:
            result.drafts.append(_parse_gift_item(line, item, category))
        except ValueError as err:
            result.rejected.append(Rejected(line, str(err)))
    return result


# -- Aiken ------------------------------------------------------------------------------------

AIKEN_OPTION = re.compile(r"^([A-Z])[.)]\s+(.+)$")
AIKEN_ANSWER = re.compile(r"^ANSWER:\s*([A-Z])\s*$")


def parse_aiken(text: str) -> Imported:
    result = Imported()
    blocks: list[tuple[int, list[str]]] = []
    fresh = True  # a blank line or an ANSWER line ends a question
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            fresh = True
            continue
        if fresh:
            blocks.append((number, []))
        blocks[-1][1].append(line)
        fresh = bool(AIKEN_ANSWER.match(line))
    for start, lines in blocks:
        answer = AIKEN_ANSWER.match(lines[-1])
        if answer is None:
            result.rejected.append(Rejected(start, "no 'ANSWER: X' line ends this question"))
            continue
        options = [(m.group(1), m.group(2).strip()) for m in map(AIKEN_OPTION.match, lines[1:-1]) if m]
        if len(options) != len(lines) - 2 or len(options) < 2:
            result.rejected.append(Rejected(start, "options must be lines like 'A. text' (at least two)"))
            continue
        letters = [letter for letter, _ in options]
        if answer.group(1) not in letters:
            result.rejected.append(Rejected(start + len(lines) - 1, f"answer {answer.group(1)} is not among the options"))
            continue
        result.drafts.append(Draft(type=QType.SINGLE, stem=lines[0], line=start, options=[t for _, t in options],
                                   correct=[letters.index(answer.group(1))]))
    return result


# -- spreadsheets (xlsx / csv) ----------------------------------------------------------------

COLUMNS = {
    "type": ("type", "题型", "类型"), "stem": ("stem", "question", "题干", "题目"),
    "A": ("a", "选项a"), "B": ("b", "选项b"), "C": ("c", "选项c"), "D": ("d", "选项d"), "E": ("e", "选项e"),
    "F": ("f", "选项f"), "key": ("key", "answer", "答案", "正确答案"), "explanation": ("explanation", "解析", "答案解析"),
    "difficulty": ("difficulty", "难度"), "tags": ("tags", "知识点", "标签"),
}
TYPE_WORDS = {
    QType.SINGLE: ("single", "单选", "单选题", "单项选择题"), QType.MULTIPLE: ("multiple", "多选", "多选题", "多项选择题"),
    QType.TRUEFALSE: ("truefalse", "判断", "判断题"), QType.FILL: ("fill", "填空", "填空题"),
    QType.NUMERIC: ("numeric", "数值", "计算", "计算题"),
}
DIFFICULTY_WORDS = {"易": "易", "简单": "易", "easy": "易", "中": "中", "中等": "中", "medium": "中",
                    "难": "难", "困难": "难", "hard": "难"}


def _letter(index: int) -> str:
    return chr(ord("A") + index)


def parse_rows(rows: list[list[Any]]) -> Imported:
    """Row 1 holds the headers (English or Chinese); rows are reported 1-based as in Excel."""
    result = Imported()
    if not rows:
        result.rejected.append(Rejected(1, "the sheet is empty"))
        return result
    header = [str(h or "").strip().lower().replace(" ", "") for h in rows[0]]
    where: dict[str, int] = {}
    for name, spellings in COLUMNS.items():
        for n, text in enumerate(header):
            if text in spellings:
                where[name] = n
    missing = [n for n in ("type", "stem", "key") if n not in where]
    if missing:
        result.rejected.append(Rejected(1, f"missing column(s): {', '.join(missing)}"))
        return result

    def cell(row: list[Any], name: str) -> str:
        n = where.get(name)
        value = row[n] if n is not None and n < len(row) else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return "" if value is None else str(value).strip()

    for number, row in enumerate(rows[1:], start=2):
        if not any(str(v or "").strip() for v in row):
            continue
        try:
            result.drafts.append(_row_draft(number, cell, row, where))
        except _CellError as err:
            result.rejected.append(Rejected(number, err.reason, _letter(where.get(err.column, 0))))
    return result


class _CellError(ValueError):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


def _row_draft(number: int, cell: Any, row: list[Any], where: dict[str, int]) -> Draft:
    kind = cell(row, "type").lower()
    qtype = next((t for t, words in TYPE_WORDS.items() if kind in words), None)
    if qtype is None:
        raise _CellError("type", f"unknown type '{kind}' (单选, 多选, 判断, 填空, 计算)")
    stem = cell(row, "stem")
    if not stem:
        raise _CellError("stem", "empty question text")
    key = cell(row, "key").replace(" ", "")
    draft = Draft(type=qtype, stem=stem, line=number, explanation=cell(row, "explanation"))
    difficulty = cell(row, "difficulty").lower()
    if difficulty and difficulty not in DIFFICULTY_WORDS:
        raise _CellError("difficulty", f"difficulty '{difficulty}' is not 易, 中 or 难")
    draft.difficulty = DIFFICULTY_WORDS.get(difficulty, "")
    draft.tags = [t for t in re.split(r"[,，;；、\s]+", cell(row, "tags")) if t]
    if not key:
        raise _CellError("key", "empty key")
    if qtype in (QType.SINGLE, QType.MULTIPLE):
        letters = "ABCDEF"
        options = [(letter, cell(row, letter)) for letter in letters]
        last = max((n for n, (_, text) in enumerate(options) if text), default=-1)
        if any(not text for _, text in options[: last + 1]) or last < 1:
            raise _CellError("A", "options must fill columns A, B, … without gaps (at least two)")
        draft.options = [text for _, text in options[: last + 1]]
        picked = key.upper().replace(",", "").replace("，", "")
        if not picked or any(c not in letters[: last + 1] for c in picked) or len(set(picked)) != len(picked):
            raise _CellError("key", f"key '{key}' is not among the options A–{letters[last]}")
        draft.correct = sorted(letters.index(c) for c in picked)
        if qtype is QType.SINGLE and len(draft.correct) != 1:
            raise _CellError("key", "a single-choice question has exactly one key")
        if qtype is QType.MULTIPLE and len(draft.correct) < 2:
            raise _CellError("key", "a multiple-choice question needs at least two keys")
    elif qtype is QType.TRUEFALSE:
        word = key.lower()
        if word not in TRUE_WORDS | FALSE_WORDS | {"√", "×", "a", "b"}:
            raise _CellError("key", f"a true/false key is 对 or 错, not '{key}'")
        draft.truth = word in TRUE_WORDS or word in {"√", "a"}
    elif qtype is QType.FILL:
        draft.blanks = [[v for v in part.split("|") if v] for part in re.split(r"[;；]", cell(row, "key")) if part.strip()]
        blanks = len(re.findall(r"_{4,}|（\s*）|\(\s*\)", stem))
        draft.stem = re.sub(r"（\s*）|\(\s*\)", "____", stem)
        if blanks == 0 and len(draft.blanks) == 1:
            draft.stem += " ____"
        elif blanks != len(draft.blanks):
            raise _CellError("key", f"{blanks} blank(s) in the text but {len(draft.blanks)} answer(s) separated by ';'")
    else:
        span = re.fullmatch(r"(-?\d+(?:\.\d+)?)(?:(?:±|\+-|:)(\d+(?:\.\d+)?)|\.\.(-?\d+(?:\.\d+)?))?", key)
        if not span:
            raise _CellError("key", f"numeric key '{key}' is not like 1.33, 1.33±0.01 or 1.30..1.36")
        if span.group(3):
            draft.answer = f"{span.group(1)}..{span.group(3)}"
        else:
            draft.answer, draft.tolerance = span.group(1), span.group(2) or ""
    return draft


def parse_csv(text: str) -> Imported:
    return parse_rows([list(r) for r in csv.reader(io.StringIO(text.lstrip("\ufeff")))])


def parse_xlsx(path: Path) -> Imported:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        return Imported(rejected=[Rejected(1, f"not an Excel .xlsx file: {type(exc).__name__}")])
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    return parse_rows(rows)


# -- writing our Markdown ---------------------------------------------------------------------

def slug(text: str) -> str:
    ascii_part = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return ascii_part or f"t{zlib.crc32(text.encode('utf-8')):08x}"  # stable for Chinese names


def to_markdown(bank_id: str, title: str, course: str, lesson: str, drafts: list[Draft],
                *, difficulty: str = "中", start: int = 1) -> str:
    tags: dict[str, str] = {}
    for draft in drafts:
        draft.tags = [_tag(t, tags) for t in draft.tags] or [_tag("imported", tags)]
    lines = ["---", f"bank: {bank_id}", f"title: {title}", f"course: {course}", "tags:"]
    lines += [f"  {key}: {name}" for key, name in tags.items()]
    lines += ["---", ""]
    for n, draft in enumerate(drafts, start=start):
        lines += _question_lines(f"{bank_id}-{n:03d}", draft, lesson, difficulty)
    return "\n".join(lines).rstrip() + "\n"


def _tag(name: str, tags: dict[str, str]) -> str:
    key = slug(name)
    tags.setdefault(key, name)
    return key


def _one_line(text: str) -> str:
    return text.replace("\r", "").strip()


def _question_lines(qid: str, d: Draft, lesson: str, difficulty: str) -> list[str]:
    head = [f"## {qid}", f"type: {d.type.value}", f"difficulty: {d.difficulty or difficulty}",
            f"lesson: {lesson}", f"tags: {', '.join(d.tags)}"]
    if d.score != 1:
        head.append(f"score: {d.score:g}")
    if d.type is QType.TRUEFALSE:
        head.append(f"answer: {'对' if d.truth else '错'}")
    if d.type is QType.FILL:
        head += [f"answer: {' | '.join(v)}" for v in d.blanks]
    if d.type is QType.NUMERIC:
        head.append(f"answer: {d.answer}")
        if d.tolerance:
            head.append(f"tolerance: {d.tolerance}")
        low, _, high = d.answer.partition("..")
        head.append(f"compute: {(float(low) + float(high)) / 2:g}" if high else f"compute: {low}")
    stem = _one_line(d.stem)
    if d.title and d.title not in stem:
        stem = f"**{d.title}**\n\n{stem}"
    body = ["", stem, ""]
    if d.type in (QType.SINGLE, QType.MULTIPLE):
        body += [f"- [{'x' if n in d.correct else ' '}] {_one_line(o)}" for n, o in enumerate(d.options)] + [""]
    elif d.type is QType.ORDERING:
        body += [f"{n}. {_one_line(o)}" for n, o in enumerate(d.options, start=1)] + [""]
    elif d.type is QType.MATCHING:
        body += [f"- {_one_line(left)} => {_one_line(right)}" for left, right in zip(d.options, d.matches, strict=True)] + [""]
    return [*head, *body, f"解析：{_one_line(d.explanation) or NO_EXPLANATION}", ""]


# -- exporting GIFT ---------------------------------------------------------------------------

def _gift_escape(text: str) -> str:
    for char in "\\~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", "\\n")


def to_gift(bank: Bank) -> tuple[str, list[Rejected]]:
    out = [f"// {bank.title} ({bank.id})", f"$CATEGORY: {bank.id}", ""]
    skipped: list[Rejected] = []
    for q in bank.questions:
        answer = _gift_answer(q)
        if answer is None:
            skipped.append(Rejected(q.line, f"{q.id}: {q.type.value} questions have no GIFT form"))
            continue
        stem = _gift_escape(q.stem.replace("____", "").strip()) if q.type is QType.FILL else _gift_escape(q.stem)
        out += [f"::{q.id}::[markdown]{stem} {{", *answer, f"\t####{_gift_escape(q.explanation)}", "}", ""]
    return "\n".join(out), skipped


def _gift_answer(q: Question) -> list[str] | None:
    if q.type is QType.SINGLE:
        return [f"\t{'=' if n in q.correct else '~'}{_gift_escape(o)}" for n, o in enumerate(q.options)]
    if q.type is QType.MULTIPLE:
        share = f"{100 / len(q.correct):.5g}"
        return [f"\t~%{share if n in q.correct else '-100'}%{_gift_escape(o)}" for n, o in enumerate(q.options)]
    if q.type is QType.TRUEFALSE:
        return ["\tTRUE" if q.truth else "\tFALSE"]
    if q.type is QType.FILL:
        return [f"\t={_gift_escape(v)}" for v in q.blanks[0]] if len(q.blanks) == 1 else None
    if q.type is QType.NUMERIC and q.low is not None and q.high is not None:
        middle, spread = (q.low + q.high) / 2, (q.high - q.low) / 2
        return [f"\t#{middle:.10g}:{spread:.10g}"]
    if q.type is QType.MATCHING:
        return [f"\t={_gift_escape(left)} -> {_gift_escape(right)}" for left, right in zip(q.options, q.matches, strict=True)]
    return None


def convert(imported: Imported, bank_id: str, title: str, course: str, lesson: str, *,
            difficulty: str = "中") -> str:
    """Markdown for every draft that also passes our own bank checks; the rest move to ``rejected``."""
    from .problems import Problem
    from .quizbank import parse_bank

    while True:
        text = to_markdown(bank_id, title, course, lesson, imported.drafts, difficulty=difficulty)
        problems: list[Problem] = []
        bank = parse_bank(text, Path(f"{bank_id}.md"), Path(), problems)
        if not problems or bank is None:
            break
        ids = {f"{bank_id}-{n:03d}": d for n, d in enumerate(imported.drafts, start=1)}
        bad = {}
        for problem in problems:
            qid = problem.message.split(":", 1)[0]
            if qid in ids:
                bad[qid] = problem.message.split(":", 1)[1].strip()
        if not bad:
            imported.rejected += [Rejected(0, p.message) for p in problems]
            break
        for qid, reason in bad.items():
            imported.rejected.append(Rejected(ids[qid].line, reason))
        imported.drafts = [d for qid, d in ids.items() if qid not in bad]
    for draft in imported.drafts:
        if not draft.explanation:
            imported.warnings.append(Rejected(draft.line, "no explanation: left as 待补充 for the author"))
    imported.rejected.sort(key=lambda r: r.line)
    return text
