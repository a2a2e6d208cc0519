"""Moodle GIFT, read the way Moodle's own GIFT reader reads it, and written back.

Questions are separated by blank lines; a line starting with ``//`` is a comment wherever it
stands, inside braces too. ``\\\\`` is read before the other escapes (``\\: \\# \\= \\{ \\} \\~ \\n``).
The answer block runs from the first ``{`` to the first ``}``; text after it makes a
missing-word question. Type by content: ``#`` first → numeric; any ``~`` → choice (one answer
if any ``=``, else several, weights adding up); ``=`` with ``->`` → matching;
``T``/``TRUE``/``F``/``FALSE`` → true/false; anything else → short answer, every ``=`` a right
answer. Per-answer feedback moves into the explanation; what has no equivalent here is
rejected or warned about, with the question's line.
"""

from __future__ import annotations

import json
import re

from academy.content import qtypes, textformat
from academy.content.importers_base import Draft, Imported, Rejected, fraction_ok, number_text
from academy.content.quizbank import Bank, QType, Question

ESCAPES = {"\\:": "\x01058", "\\#": "\x01035", "\\=": "\x01061", "\\{": "\x01123", "\\}": "\x01125",
           "\\~": "\x01126", "\\n": "\x01010"}
BACKSLASH = "\x01092"
WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")
NUMBER = re.compile(r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$")
META = re.compile(r"^//\s*qs\s+(\{.*\})\s*$")


def _pre(text: str) -> str:
    text = text.replace("\\\\", BACKSLASH)
    for escaped, placeholder in ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text.replace(BACKSLASH, "\\")


def _post(text: str) -> str:
    for escaped, placeholder in ESCAPES.items():
        text = text.replace(placeholder, escaped[1] if escaped != "\\n" else "\n")
    return text


class _Text:
    """A text with its format, as Moodle's ``parse_text_with_format`` returns it."""

    def __init__(self, raw: str, default: str = "moodle") -> None:
        raw = raw.strip()
        self.format = default
        if raw.startswith("[") and "]" in raw:
            name = raw[1 : raw.index("]")]
            if name in textformat.FORMATS:
                self.format, raw = name, raw[raw.index("]") + 1 :]
        self.text = _post(raw).strip()

    def markdown(self) -> str:
        return textformat.to_markdown(self.text, self.format)


def _weight(answer: str) -> tuple[float, str]:
    answer = answer[1:]
    end = answer.index("%")
    return float(answer[:end]) / 100, answer[end + 1 :]


def _comment(answer: str, default: str) -> tuple[_Text, _Text]:
    value, _, feedback = answer.partition("#")
    return _Text(value, default), _Text(feedback, default)


def _split(text: str, sign: str) -> list[str]:
    parts = text.split(sign)
    if parts and not parts[0].strip():
        parts.pop(0)
    return parts


def items(text: str) -> list[tuple[int, list[str]]]:
    """(first line, trimmed lines) per question, split at blank lines as Moodle does."""
    found: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if line in ("", "0"):  # PHP's empty() also takes "0" for nothing
            if current:
                found.append((start, current))
            current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        found.append((start, current))
    return found


def parse_gift(text: str) -> Imported:
    result = Imported()
    category = ""
    for line, lines in items(text):
        meta = next((m.group(1) for m in map(META.match, lines) if m), "")
        body = "\n".join(" " if raw.startswith("//") else raw for raw in lines).strip()
        if not body:
            continue
        body = _pre(body)
        if body.startswith("$CATEGORY:"):
            category = _category(body[10:])
            continue
        try:
            draft = _question(line, body, category, result)
        except ValueError as err:
            result.rejected.append(Rejected(line, str(err).replace("\n", " ⏎ ")))
            continue
        if meta:
            _apply_meta(draft, meta)
        result.drafts.append(draft)
    return result


def _category(path: str) -> str:
    parts = [p.strip() for p in _post(path).replace("//", "\x00").split("/")]
    parts = [p.replace("\x00", "/") for p in parts if p and not p.startswith("$") and p != "top"]
    return parts[-1] if parts else ""


def _apply_meta(draft: Draft, meta: str) -> None:
    """Our own export writes a comment with what GIFT cannot say; Moodle ignores it."""
    try:
        data = json.loads(meta)
    except ValueError:
        return
    if not isinstance(data, dict):
        return
    draft.title_is_id = True
    draft.difficulty = str(data.get("difficulty", draft.difficulty))
    draft.lesson = str(data.get("lesson", ""))
    tags = data.get("tags")
    if isinstance(tags, dict):
        draft.tags = [str(k) for k in tags]
        draft.tag_names = {str(k): str(v) for k, v in tags.items()}
    if isinstance(data.get("compute"), str) and draft.type is QType.NUMERIC:
        draft.compute = data["compute"]
    if isinstance(data.get("score"), int | float):
        draft.score = float(data["score"])
    if data.get("grading") == "keys" and draft.type is QType.MULTIPLE:
        draft.weights = []


def _question(line: int, text: str, category: str, result: Imported) -> Draft:
    title = ""
    if text.startswith("::"):
        text = text[2:]
        if "::" in text:
            title = _post(text[: text.index("::")]).strip()
            text = text[text.index("::") + 2 :].strip()
    start, finish = text.find("{"), text.find("}")
    if start < 0 and finish < 0:
        raise ValueError("no answer in braces: a description, nothing to grade")
    if start < 0 or finish < 0:
        raise ValueError("an opening '{' without its '}' or a '}' without its '{' (write \\{ or \\} for a brace in text)")
    if finish < start:
        raise ValueError("a '}' comes before the answer's '{' (write \\} for a brace in text)")
    answer = text[start + 1 : finish].strip()
    rest = text[finish + 1 :]
    if "{" in rest or "}" in rest or "{" in answer:
        raise ValueError("more than one answer block in braces: one question, one block (escape other braces as \\{ \\})")
    before = text[:start]
    missing_word = bool(rest.strip())
    general = ""
    if "####" in answer:
        cut = answer.rindex("####")
        general, answer = answer[cut + 4 :], answer[:cut].strip()
    # The format tag and the trimming apply to the whole question text, blank included.
    marker = "\x02"
    stem_text = _Text(before + (marker if missing_word else "") + rest)
    stem = stem_text.markdown()
    fmt = stem_text.format
    draft = Draft(type=QType.SINGLE, stem=stem.replace(marker, "____"), line=line, title=title,
                  explanation=_Text(general, fmt).markdown(), tags=[category] if category else [])
    if not textformat.plain(draft.stem.replace("____", "")):
        raise ValueError("empty question text")
    _note_images(draft, draft.stem, result)
    if not answer:
        raise ValueError("an essay question (empty braces) needs a human grader: not imported")
    if answer.startswith("#"):
        _numeric(draft, answer[1:], fmt, result)
    elif "~" in answer:
        _choice(draft, answer, fmt, result)
    elif "=" in answer and "->" in answer:
        _matching(draft, answer, fmt, result)
    elif answer.partition("#")[0].strip() in ("T", "TRUE", "F", "FALSE"):
        _truefalse(draft, answer, fmt)
    else:
        _short(draft, answer, fmt, result, missing_word)
    _note_images(draft, draft.explanation, result)
    return draft


def _note_images(draft: Draft, text: str, result: Imported) -> None:
    for found in textformat.unsafe(text):
        result.warnings.append(Rejected(draft.line, f"HTML '{found}' is removed when the question is shown"))
    for source in textformat.images(text):
        result.warnings.append(Rejected(draft.line, f"image '{source}' is not in the file: put it beside the bank or remove it"))


def _feedback_note(draft: Draft, label: str, feedback: _Text) -> None:
    if textformat.plain(feedback.markdown()):
        note = f"{label}：{feedback.markdown()}" if label else feedback.markdown()
        draft.explanation = f"{draft.explanation}\n\n{note}".strip()


def _choice(draft: Draft, answer: str, fmt: str, result: Imported) -> None:
    single = "=" in answer
    options: list[str] = []
    weights: list[float] = []
    for raw in _split(answer.replace("=", "~="), "~"):
        raw = raw.strip()
        if raw.startswith("="):
            weight, raw = 1.0, raw[1:]
        elif WEIGHT.match(raw):
            weight, raw = _weight(raw)
        else:
            weight = 0.0
        value, feedback = _comment(raw, fmt)
        text = value.markdown()
        if not textformat.plain(text):
            result.warnings.append(Rejected(draft.line, "an empty option is left out, as Moodle does"))
            continue
        _note_images(draft, text, result)
        _feedback_note(draft, f"选项「{textformat.plain(text)}」", feedback)
        options.append(text)
        weights.append(weight)
    if len(options) < 2:
        raise ValueError("a choice question needs at least two options")
    if len(set(options)) != len(options):
        raise ValueError("two options have the same text")
    bad = [w for w in weights if not fraction_ok(w)]
    if bad:
        raise ValueError(f"a weight of {bad[0] * 100:g}% is not one Moodle accepts (100, 90, 83.33333, 80, 75, 70, "
                         "66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111, 10, 5, "
                         "0 or the same negative)")
    draft.options = options
    if single:
        if abs(max(weights) - 1) > 1e-6:
            raise ValueError(f"a one-answer question needs an answer worth 100%; the best is worth {max(weights) * 100:g}%")
        draft.type = QType.SINGLE
        draft.correct = [n for n, w in enumerate(weights) if abs(w - 1) < 1e-6]
        draft.weights = weights if any(w != 0 for n, w in enumerate(weights) if n not in draft.correct) \
            or len(draft.correct) > 1 else []
        return
    total = sum(w for w in weights if w > 0)
    if abs(round(total, 2) - 1) > 1e-6:
        raise ValueError(f"the positive weights of a several-answer question add up to {total * 100:g}%, not 100%")
    draft.type = QType.MULTIPLE
    draft.correct = [n for n, w in enumerate(weights) if w > 0]
    draft.weights = weights


def _matching(draft: Draft, answer: str, fmt: str, result: Imported) -> None:
    lefts: list[str] = []
    rights: list[str] = []
    distractors: list[str] = []
    for raw in _split(answer, "="):
        raw = raw.strip()
        if "->" not in raw:
            raise ValueError("matching pairs are written '=left -> right'")
        left, right = raw.split("->", 1)
        left_text = _Text(left, fmt).markdown()
        right_text = _post(right).strip()
        if not textformat.plain(left_text):
            distractors.append(right_text)
            continue
        lefts.append(left_text)
        rights.append(right_text)
        _note_images(draft, left_text, result)
    if len(lefts) < 2:
        raise ValueError("a matching question needs at least two pairs with a left-hand side")
    # Moodle lists each right-hand text once: a repeated distractor adds no choice.
    distractors = [d for n, d in enumerate(distractors) if d not in rights and d not in distractors[:n]]
    draft.type, draft.options, draft.matches, draft.distractors = QType.MATCHING, lefts, rights, distractors


def _truefalse(draft: Draft, answer: str, fmt: str) -> None:
    bits = answer.split("#", 2)
    draft.type, draft.truth = QType.TRUEFALSE, bits[0].strip() in ("T", "TRUE")
    if len(bits) > 1:
        _feedback_note(draft, "答错时", _Text(bits[1], fmt))
    if len(bits) > 2:
        _feedback_note(draft, "答对时", _Text(bits[2], fmt))


def _short(draft: Draft, answer: str, fmt: str, result: Imported, missing_word: bool) -> None:
    variants: list[str] = []
    weights: list[float] = []
    for raw in _split(answer, "="):
        raw = raw.strip()
        weight = 1.0
        if WEIGHT.match(raw):
            weight, raw = _weight(raw)
        value, feedback = _comment(raw, fmt)
        _feedback_note(draft, "其他答案" if value.text == "*" else f"答「{value.text}」", feedback)
        if not fraction_ok(weight):
            raise ValueError(f"a weight of {weight * 100:g}% is not one Moodle accepts")
        if weight <= 0 or not value.text:
            continue  # a wrong answer with feedback: the feedback moved to the explanation
        if "\n" in value.text:
            inline = " ('//' after text is no comment in Moodle: only a line starting with '//' is)" if "//" in value.text else ""
            raise ValueError(f"the answer '{value.text}' runs over several lines: nobody can type it in one answer box{inline}")
        if "|" in value.text:
            raise ValueError(f"the answer '{value.text}' holds '|', which separates variants here")
        variants.append(value.text)
        weights.append(weight)
    if not variants or abs(max(weights) - 1) > 1e-6:
        raise ValueError("a short-answer question needs an answer worth 100%")
    draft.type, draft.blanks = QType.FILL, [variants]
    draft.blank_weights = [weights] if any(w != 1 for w in weights) else []
    if not missing_word:
        drawn = re.findall(r"(?:\\_|_){4,}", draft.stem)  # the author drew the blank: keep it where it is
        if len(drawn) == 1:
            draft.stem = draft.stem.replace(drawn[0], "____")
        else:
            draft.stem = draft.stem + ("" if re.search(r"[^\x00-\x7f]$", draft.stem) else " ") + "____"


def _numeric(draft: Draft, answer: str, fmt: str, result: Imported) -> None:
    wrong = ""
    if "~" in answer:
        answer, wrong = answer[: answer.index("~")], answer[answer.index("~") :]
    answers = _split(answer, "=")
    if not answers:
        raise ValueError("a numeric question without an answer")
    spans: list[tuple[float, float, float]] = []
    exact: dict[tuple[float, float], tuple[float, float]] = {}
    for raw in answers:
        raw = raw.strip()
        weight = 1.0
        if WEIGHT.match(raw):
            weight, raw = _weight(raw)
        value, feedback = _comment(raw, fmt)
        _feedback_note(draft, f"答 {value.text}", feedback)
        low, high = _span(value.text)
        spans.append((weight, low, high))
        if ".." not in value.text[1:]:
            middle, _, spread = value.text.partition(":")
            exact[(low, high)] = float(middle), abs(float(spread or 0))
    if wrong:
        _feedback_note(draft, "其他答案", _comment(wrong[1:], fmt)[1])
    full = [(low, high) for weight, low, high in spans if abs(weight - 1) < 1e-6]
    if not full:
        raise ValueError("a numeric question needs an answer worth 100%")
    if len(set(full)) > 1:
        raise ValueError("several different answers worth 100%: a numeric question here has one answer or range")
    draft.partial_ranges = [(weight, low, high) for weight, low, high in spans if 0 < weight < 1]
    low, high = full[0]
    draft.type, draft.low, draft.high = QType.NUMERIC, low, high
    if (low, high) in exact and exact[(low, high)][1] > 0:
        draft.value, draft.tolerance = exact[(low, high)]


def _span(text: str) -> tuple[float, float]:
    if ".." in text[1:]:
        low, high = text.split("..", 1)
        if not NUMBER.match(low) or not NUMBER.match(high):
            raise ValueError(f"numeric answer '{text}' is not low..high")
        a, b = float(low), float(high)
        if a > b:
            raise ValueError(f"numeric range '{text}' runs backwards")
        return a, b
    if ":" in text[1:]:
        value, tolerance = text.split(":", 1)
        if not NUMBER.match(value) or not NUMBER.match(tolerance):
            raise ValueError(f"numeric answer '{text}' is not number:tolerance")
        middle, spread = float(value), abs(float(tolerance))
        return middle - spread, middle + spread
    if not NUMBER.match(text):
        raise ValueError(f"numeric answer '{text}' is not a number, number:tolerance or low..high")
    return float(text), float(text)


# -- writing ------------------------------------------------------------------------------------

def escape(text: str) -> str:
    for char in "\\~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def to_gift(bank: Bank) -> tuple[str, list[Rejected]]:
    """GIFT of a bank; questions GIFT cannot say are listed, not written."""
    out = [f"// {bank.title} ({bank.id})", f"$CATEGORY: {escape(bank.id)}", ""]
    skipped: list[Rejected] = []
    exported = qtypes.exported("gift")
    for q in bank.questions:
        written = _write(q, bank) if q.type in exported else None
        if written is None:
            skipped.append(Rejected(q.line, f"{q.id}: {q.type.value} questions with this shape have no GIFT form"))
            continue
        out += [*written, ""]
    return "\n".join(out), skipped


def _meta(q: Question, bank: Bank) -> str:
    data: dict[str, object] = {"difficulty": q.difficulty.value, "lesson": q.lesson,
                               "tags": {t: bank.tags.get(t, t) for t in q.tags}}
    if q.score != 1:
        data["score"] = q.score
    if q.compute:
        data["compute"] = q.compute
    if q.type is QType.MULTIPLE and not q.weights:
        data["grading"] = "keys"
    return "// qs " + json.dumps(data, ensure_ascii=False)


def _percent(weight: float) -> str:
    return f"{weight * 100:.7g}"


def _write(q: Question, bank: Bank) -> list[str] | None:
    head = f"::{escape(q.id)}::[markdown]"
    feedback = f"\t####{escape(q.explanation)}"
    if q.type is QType.FILL:
        if len(q.blanks) != 1 or q.stem.count("____") != 1 or re.search(r"_{5,}", q.stem):
            return None
        before, after = q.stem.split("____")
        weights = q.blank_weights[0] if q.blank_weights else (1.0,) * len(q.blanks[0])
        answers = " ".join(f"={'' if w == 1 else '%' + _percent(w) + '%'}{escape(v)}" for v, w in zip(q.blanks[0], weights, strict=True))
        return [_meta(q, bank), f"{head}{escape(before)}{{{answers}{feedback.strip()}}}{escape(after)}"]
    answer = _answer_lines(q)
    if answer is None:
        return None
    return [_meta(q, bank), f"{head}{escape(q.stem)} {{", *answer, feedback, "}"]


def _answer_lines(q: Question) -> list[str] | None:
    if q.type is QType.SINGLE:
        weights = q.weights or tuple(1.0 if n in q.correct else 0.0 for n in range(len(q.options)))
        first = q.correct[0]
        return [f"\t{_mark(w, n == first)}{escape(o)}" for n, (o, w) in enumerate(zip(q.options, weights, strict=True))]
    if q.type is QType.MULTIPLE:
        share = 1 / len(q.correct)
        weights = q.weights or tuple(share if n in q.correct else -1.0 for n in range(len(q.options)))
        return [f"\t~%{_percent(w)}%{escape(o)}" for o, w in zip(q.options, weights, strict=True)]
    if q.type is QType.TRUEFALSE:
        return ["\tTRUE" if q.truth else "\tFALSE"]
    if q.type is QType.NUMERIC and q.low is not None and q.high is not None:
        return [f"\t#={number_text(q.low)}..{number_text(q.high)}"] + [
            f"\t=%{_percent(share)}%{number_text(low)}..{number_text(high)}" for share, low, high in q.partial_ranges]
    if q.type is QType.MATCHING:
        pairs = [f"\t={escape(left)} -> {escape(right)}" for left, right in zip(q.options, q.matches, strict=False)]
        return pairs + [f"\t= -> {escape(right)}" for right in q.matches[len(q.options) :]]
    return None


def _mark(weight: float, key: bool) -> str:
    if key:
        return "="
    return "~" if weight == 0 else f"~%{_percent(weight)}%"
