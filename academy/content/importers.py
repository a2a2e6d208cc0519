"""Other people's question formats → our Markdown bank, checked before it is written.

GIFT (:mod:`.gift`), Moodle XML (:mod:`.moodlexml`), Aiken (:mod:`.aiken`) and the
spreadsheet layout HR departments keep (xlsx/csv: one row per question, read here). Every
item that cannot be converted is reported with its line (or row and column) and the reason;
nothing is dropped silently. The Markdown written is parsed again with the same checker as
``flask content check`` and compared with what was read: a question that would come back
different is rejected, never written. Pure: text in, text out.

The entry point is :func:`import_questions`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from academy.content import qtypes
from academy.content.aiken import parse_aiken
from academy.content.gift import parse_gift, to_gift
from academy.content.importers_base import Draft, Imported, Rejected, number_text
from academy.content.problems import Problem
from academy.content.quizbank import (
    DISTRACTOR,
    EXPLANATION,
    FALSE_WORDS,
    ID,
    OPTION,
    PAIR,
    TRUE_WORDS,
    Bank,
    QType,
    Question,
    parse_bank,
)
from academy.content.textformat import TAG

__all__ = ["Draft", "ImportResult", "Imported", "Rejected", "convert", "import_questions", "parse_aiken",
           "parse_csv", "parse_gift", "parse_rows", "parse_xlsx", "to_gift", "to_markdown"]

NO_EXPLANATION = "待补充：原题没有解析，请作者补写“为什么”。"
FORMATS = qtypes.FORMATS


# -- spreadsheets (xlsx / csv) ----------------------------------------------------------------

COLUMNS = {
    "type": ("type", "题型", "类型"), "stem": ("stem", "question", "题干", "题目"),
    "A": ("a", "选项a"), "B": ("b", "选项b"), "C": ("c", "选项c"), "D": ("d", "选项d"), "E": ("e", "选项e"),
    "F": ("f", "选项f"), "key": ("key", "answer", "答案", "正确答案"), "explanation": ("explanation", "解析", "答案解析"),
    "difficulty": ("difficulty", "难度"), "tags": ("tags", "知识点", "标签"),
}
TYPE_WORDS = {t: spec.sheet_words for t, spec in qtypes.REGISTRY.items() if "xlsx" in spec.imports}
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
            draft.low, draft.high = float(span.group(1)), float(span.group(3))
            if draft.low > draft.high:
                raise _CellError("key", f"numeric range '{key}' runs backwards")
        else:
            middle, spread = float(span.group(1)), float(span.group(2) or 0)
            draft.low, draft.high = middle - spread, middle + spread
    return draft


def parse_csv(text: str) -> Imported:
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))]
    except csv.Error as err:
        return Imported(rejected=[Rejected(1, f"not a CSV file: {err}")])
    return parse_rows(rows)


def parse_xlsx(path: Path | io.BytesIO) -> Imported:
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


def _yaml(text: str) -> str:
    """A double-quoted scalar: colons, '#', 'Yes', '2024' all stay the string they are."""
    return json.dumps(text, ensure_ascii=False)


def _safe_lines(text: str) -> str:
    """Text whose lines the bank reader cannot take for a heading, an option or an explanation.

    Markdown renders the replacements the same: an indented ``##`` is still a heading, a ``+``
    bullet is still a list, ``&#35299;`` is 解.
    """
    out = []
    for line in text.replace("\r", "").split("\n"):
        bare = line.strip()
        if line.startswith("## ") or line == "##":
            line = " " + line
        elif OPTION.match(bare) or PAIR.match(bare) or DISTRACTOR.match(bare):
            line = "+" + bare[1:]
        elif EXPLANATION.match(bare):
            line = line.replace("解", "&#35299;", 1)
        out.append(line)
    return "\n".join(out).strip()


def _one_line(text: str) -> str:
    """An option on one line: a break where the text broke, but never inside a tag or after a drawn ``<br>``."""
    text = TAG.sub(lambda m: re.sub(r"\s*\n\s*", " ", m.group(0)), text.replace("\r", "").strip())
    text = re.sub(r"(<br\s*/?>)\s*\n\s*", r"\1", text, flags=re.I)
    return re.sub(r"\s*\n\s*", "<br>", text)


def _percent(weight: float) -> str:
    return f"{weight * 100:.7g}%"


def _mark(n: int, d: Draft) -> str:
    if not d.weights:
        return "x" if n in d.correct else " "
    if d.type is QType.SINGLE and n == d.correct[0]:
        return "x"
    return " " if d.weights[n] == 0 else _percent(d.weights[n])


def _assign_ids(bank_id: str, drafts: list[Draft]) -> list[str]:
    """A title that is already one of this bank's ids is kept (round trips); others are numbered."""
    taken: set[str] = set()
    wanted = [d.title if ID.match(d.title) and (d.title_is_id or d.title.startswith(f"{bank_id}-")) else ""
              for d in drafts]
    ids: list[str] = []
    counter = 0
    for want in wanted:
        if want and want not in taken and want not in ids:
            ids.append(want)
            taken.add(want)
            continue
        ids.append("")
    taken |= set(ids)
    for n, qid in enumerate(ids):
        if qid:
            continue
        counter += 1
        while f"{bank_id}-{counter:03d}" in taken:
            counter += 1
        ids[n] = f"{bank_id}-{counter:03d}"
        taken.add(ids[n])
    return ids


def to_markdown(bank_id: str, title: str, course: str, lesson: str, drafts: list[Draft],
                *, difficulty: str = "中") -> str:
    tags: dict[str, str] = {}
    heads = []
    for draft in drafts:
        keys = [_tag(t, draft.tag_names.get(t, t), tags) for t in draft.tags] or [_tag("imported", "imported", tags)]
        heads.append(keys)
    lines = ["---", f"bank: {bank_id}", f"title: {_yaml(title)}", f"course: {_yaml(course)}", "tags:"]
    lines += [f"  {_yaml(key)}: {_yaml(name)}" for key, name in tags.items()]
    lines += ["---", ""]
    for qid, draft, keys in zip(_assign_ids(bank_id, drafts), drafts, heads, strict=True):
        lines += _question_lines(qid, draft, keys, draft.lesson or lesson, draft.difficulty or difficulty)
    return "\n".join(lines).rstrip() + "\n"


def _tag(key: str, name: str, tags: dict[str, str]) -> str:
    chosen = key if ID.match(key) else slug(name)
    tags.setdefault(chosen, name)
    return chosen


def _middle(low: float, high: float) -> str:
    short = f"{(low + high) / 2:.12g}"
    return short if "e" not in short and low <= float(short) <= high else number_text((low + high) / 2)


def _question_lines(qid: str, d: Draft, tags: list[str], lesson: str, difficulty: str) -> list[str]:
    head = [f"## {qid}", f"type: {d.type.value}", f"difficulty: {difficulty}",
            f"lesson: {lesson}", f"tags: {', '.join(tags)}"]
    if d.score != 1:
        head.append(f"score: {d.score:g}")
    if d.type is QType.TRUEFALSE:
        head.append(f"answer: {'对' if d.truth else '错'}")
    if d.type is QType.FILL:
        for n, variants in enumerate(d.blanks):
            weights = d.blank_weights[n] if d.blank_weights else [1.0] * len(variants)
            head.append("answer: " + " | ".join(v if w == 1 else f"[{_percent(w)}] {v}" for v, w in zip(variants, weights, strict=True)))
    if d.type is QType.NUMERIC and d.low is not None and d.high is not None:
        near = "".join(f" | [{_percent(share)}] {number_text(low)}..{number_text(high)}"
                       for share, low, high in d.partial_ranges)
        if d.value is not None and d.tolerance is not None:  # as written: 3.1415 ± 0.0005, not its rounded ends
            head += [f"answer: {number_text(d.value)}{near}", f"tolerance: {number_text(d.tolerance)}"]
        elif d.low == d.high:
            head.append(f"answer: {number_text(d.low)}{near}")
        else:
            head.append(f"answer: {number_text(d.low)}..{number_text(d.high)}{near}")
        head.append(f"compute: {d.compute or _middle(d.low, d.high)}")
    body = ["", _safe_lines(d.stem), ""]
    if d.type in (QType.SINGLE, QType.MULTIPLE):
        body += [f"- [{_mark(n, d)}] {_one_line(o)}" for n, o in enumerate(d.options)] + [""]
    elif d.type is QType.ORDERING:
        body += [f"{n}. {_one_line(o)}" for n, o in enumerate(d.options, start=1)] + [""]
    elif d.type is QType.MATCHING:
        body += [f"- {_one_line(left)} => {_one_line(right)}" for left, right in zip(d.options, d.matches, strict=True)]
        body += [f"- => {_one_line(right)}" for right in d.distractors] + [""]
    return [*head, *body, f"解析：{_safe_lines(d.explanation) or NO_EXPLANATION}", ""]


def _expected(d: Draft) -> dict[str, Any]:
    """What the bank reader must give back for this draft."""
    weights = d.weights
    if d.type is QType.SINGLE and weights and not any(w != 0 for n, w in enumerate(weights) if n not in d.correct) \
            and len(d.correct) == 1:
        weights = []
    fields: dict[str, Any] = {"type": d.type, "stem": _safe_lines(d.stem), "score": d.score}
    if d.type in (QType.SINGLE, QType.MULTIPLE):
        fields.update(options=tuple(_one_line(o) for o in d.options), correct=tuple(d.correct), weights=tuple(weights))
    elif d.type is QType.ORDERING:
        fields["options"] = tuple(_one_line(o) for o in d.options)
    elif d.type is QType.MATCHING:
        fields.update(options=tuple(_one_line(o) for o in d.options),
                      matches=tuple(_one_line(m) for m in d.matches + d.distractors))
    elif d.type is QType.TRUEFALSE:
        fields["truth"] = d.truth
    elif d.type is QType.FILL:
        fields["blanks"] = tuple(tuple(b) for b in d.blanks)
        if d.blank_weights:
            fields["blank_weights"] = tuple(tuple(w) for w in d.blank_weights)
    elif d.type is QType.NUMERIC:
        fields.update(low=d.low, high=d.high, partial_ranges=tuple(d.partial_ranges))
    return fields


def _differs(d: Draft, q: Question) -> str:
    for key, value in _expected(d).items():
        if getattr(q, key) != value:
            return key
    return ""


@dataclass
class ImportResult:
    """What :func:`import_questions` gives back: the Markdown, the bank it parses to, and the report."""

    markdown: str
    bank_id: str
    bank: Bank | None
    converted: int
    errors: list[Rejected] = field(default_factory=list)
    warnings: list[Rejected] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)


def convert(imported: Imported, bank_id: str, title: str, course: str, lesson: str, *,
            difficulty: str = "中") -> str:
    """Markdown for every draft that passes our own bank checks and reads back unchanged.

    The others move to ``imported.rejected`` with their line and the checker's reason.
    """
    text = ""
    for _ in range(len(imported.drafts) + 2):
        if not imported.drafts:
            break
        text = to_markdown(bank_id, title, course, lesson, imported.drafts, difficulty=difficulty)
        problems: list[Problem] = []
        bank = parse_bank(text, Path(f"{bank_id}.md"), Path(), problems)
        if bank is None:
            imported.rejected += [Rejected(0, p.message) for p in problems]
            imported.drafts = []
            break
        ids = dict(zip(_assign_ids(bank_id, imported.drafts), imported.drafts, strict=True))
        bad: dict[str, str] = {}
        for problem in problems:
            qid, _, reason = problem.message.partition(":")
            bad[qid if qid in ids else ""] = reason.strip() or problem.message
        parsed = {q.id: q for q in bank.questions}
        for qid, draft in ids.items():
            if qid in parsed and qid not in bad:
                changed = _differs(draft, parsed[qid])
                if changed:
                    bad[qid] = f"cannot be written in the bank format without changing its {changed}"
        if "" in bad:  # a problem of the whole file: nothing can be written
            imported.rejected.append(Rejected(0, bad[""]))
            imported.drafts = []
            continue
        if not bad:
            break
        for qid, reason in bad.items():
            imported.rejected.append(Rejected(ids[qid].line, reason, ids[qid].column))
        imported.drafts = [d for qid, d in ids.items() if qid not in bad]
    if not imported.drafts:
        text = ""
    for draft in imported.drafts:
        if not draft.explanation:
            imported.warnings.append(Rejected(draft.line, "no explanation: left as 待补充 for the author"))
    imported.rejected.sort(key=lambda r: r.line)
    imported.warnings.sort(key=lambda r: r.line)
    return text


def read(data: str | bytes, fmt: str, files_prefix: str = "files/") -> Imported:
    """Parse a file's content in one of :data:`FORMATS`; never raises on bad input."""
    imported = _read(data, fmt, files_prefix)
    allowed = qtypes.imported(fmt)
    for draft in imported.drafts:
        if draft.type not in allowed:  # the registry, not the reader, says what a format carries
            imported.rejected.append(Rejected(draft.line, f"{fmt} does not carry {draft.type.value} questions"))
    imported.drafts = [d for d in imported.drafts if d.type in allowed]
    return imported


def _read(data: str | bytes, fmt: str, files_prefix: str) -> Imported:
    if fmt == "xlsx":
        return parse_xlsx(io.BytesIO(data if isinstance(data, bytes) else data.encode("utf-8")))
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return Imported(rejected=[Rejected(1, "not UTF-8 text (save the file as UTF-8 and try again)")])
    if fmt == "moodlexml":
        from academy.content.moodlexml import parse_moodle_xml

        return parse_moodle_xml(data, files_prefix)
    readers = {"gift": parse_gift, "aiken": parse_aiken, "csv": parse_csv}
    if fmt not in readers:
        return Imported(rejected=[Rejected(1, f"unknown format '{fmt}' (one of {', '.join(FORMATS)})")])
    return readers[fmt](data)


def import_questions(data: str | bytes, fmt: str, *, bank_id: str, course: str, lesson: str, title: str = "",
                     difficulty: str = "中") -> ImportResult:
    """Read a question file and give the bank to write, with every error and warning located.

    ``errors`` hold what was not converted (line, or row and column for spreadsheets);
    ``markdown`` is empty when nothing could be converted. The bank id is made a valid slug.
    """
    safe_id = slug(bank_id)
    imported = read(data, fmt, f"{safe_id}-files/")
    if safe_id != bank_id:
        imported.warnings.insert(0, Rejected(0, f"bank id '{bank_id}' written as '{safe_id}'"))
    markdown = convert(imported, safe_id, title or safe_id, course, lesson, difficulty=difficulty)
    bank = parse_bank(markdown, Path(f"{safe_id}.md"), Path(), []) if markdown else None
    return ImportResult(markdown=markdown, bank_id=safe_id, bank=bank, converted=len(imported.drafts),
                        errors=imported.rejected, warnings=imported.warnings, files=imported.files)
