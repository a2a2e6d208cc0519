"""Moodle XML, the format Moodle's question bank exports and imports.

Read: multiple choice (one or several answers, a fraction per answer), true/false, short
answer, numerical, matching (distractors included), ordering, and cloze questions whose gaps
are all short answers; images embedded as ``<file>`` come out as files beside the bank.
Written: every question type of our banks, with the id in ``<idnumber>`` and what Moodle has
no field for (difficulty, lesson, knowledge points, the ``compute:`` line) as tags.
"""

from __future__ import annotations

import base64
import binascii
import re
import xml.etree.ElementTree as ET

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

from academy.content import bankfiles, qtypes, textformat
from academy.content.importers_base import Draft, Imported, Rejected, fraction_ok, number_text
from academy.content.quizbank import Bank, QType, Question

FORMAT_NAMES = {"html": "html", "moodle_auto_format": "moodle", "plain_text": "plain", "markdown": "markdown"}
PLUGINFILE = "@@PLUGINFILE@@/"
CLOZE = re.compile(r"\{(\d*):(SHORTANSWER|SA|MW|SHORTANSWER_C|SAC|MWC|[A-Z_]+):((?:\\.|[^}\\])*)\}")
SKIPPED_TYPES = {"essay": "an essay needs a human grader", "description": "a description has nothing to grade"}


class _Refused(ValueError):
    pass


def _text(node: ET.Element | None, path: str = "text") -> str:
    found = node.find(path) if node is not None else None
    return (found.text or "") if found is not None else ""


def _number_of(node: ET.Element, tag: str, default: float) -> float:
    try:
        return float(_text(node, tag) or default)
    except ValueError:
        return default


def _line_of(raw: str) -> dict[int, int]:
    """Line number of the n-th ``<question`` element, for located messages."""
    return {n: raw.count("\n", 0, m.start()) + 1 for n, m in enumerate(re.finditer(r"<question\b", raw))}


class _Reader:
    def __init__(self, result: Imported, files_prefix: str) -> None:
        self.result = result
        self.prefix = files_prefix

    def formatted(self, node: ET.Element | None, default: str, draft: Draft, raw: str | None = None) -> str:
        """The node's text as our Markdown, its embedded images written beside the bank.

        ``raw`` stands for the node's own text (a cloze stem with its gaps taken out)."""
        if node is None:
            return ""
        fmt = FORMAT_NAMES.get(node.get("format", default), "html")
        embedded: dict[str, bytes] = {}
        for file in node.findall("file"):
            try:
                embedded[file.get("name", "")] = base64.b64decode(file.text or "", validate=False)
            except (binascii.Error, ValueError):
                self.result.warnings.append(Rejected(draft.line, f"image '{file.get('name')}' is not valid base64: left out"))
        text = textformat.to_markdown((_text(node) if raw is None else raw).strip(), fmt)
        for found in textformat.unsafe(text):
            self.result.warnings.append(Rejected(draft.line, f"HTML '{found}' is removed when the question is shown"))
        for source in textformat.images(text):
            name = source[len(PLUGINFILE):] if source.startswith(PLUGINFILE) else ""
            if name and name in embedded:
                safe = re.sub(r"[^\w.-]+", "-", name).strip(".-")[-120:] or "image"
                if bankfiles.content_type(safe, embedded[name]) is None:
                    self.result.warnings.append(Rejected(draft.line, f"file '{name}' is not a PNG, JPEG, GIF or WebP "
                                                                     "image: left out, learners would not see it"))
                    continue
                self.result.files[self.prefix + safe] = embedded[name]
                text = text.replace(source, self.prefix + safe)
            else:
                self.result.warnings.append(Rejected(draft.line, f"image '{source}' is not in the file: put it beside the bank or remove it"))
        return text

    def feedback_note(self, draft: Draft, label: str, node: ET.Element | None) -> None:
        text = self.formatted(node, "html", draft) if node is not None else ""
        if textformat.plain(text):
            draft.explanation = f"{draft.explanation}\n\n{label}：{text}".strip()


def parse_moodle_xml(raw: str, files_prefix: str = "files/") -> Imported:
    result = Imported()
    if re.search(r"<!(DOCTYPE|ENTITY)", raw, re.I):
        result.rejected.append(Rejected(1, "the file declares a DOCTYPE or entities, which Moodle never writes: refused"))
        return result
    try:
        root = SafeET.fromstring(raw)
    except ET.ParseError as err:
        result.rejected.append(Rejected(err.position[0], f"not well-formed XML: {err}"))
        return result
    except DefusedXmlException:
        result.rejected.append(Rejected(1, "the file declares a DOCTYPE or entities, which Moodle never writes: refused"))
        return result
    if root.tag != "quiz":
        result.rejected.append(Rejected(1, "a Moodle XML file has <quiz> as its root element"))
        return result
    lines = _line_of(raw)
    reader = _Reader(result, files_prefix)
    category = ""
    penalties = False
    for n, node in enumerate(root.findall("question")):
        kind = node.get("type", "")
        line = lines.get(n, 1)
        if kind == "category":
            path = _text(node.find("category")).strip()
            parts = [p for p in path.split("/") if p and not p.startswith("$") and p != "top"]
            category = parts[-1] if parts else category
            continue
        penalties = penalties or (_number_of(node, "penalty", 0) > 0 and kind not in ("truefalse",))
        try:
            draft = _question(reader, node, kind, line, category)
        except _Refused as err:
            result.rejected.append(Rejected(line, str(err)))
            continue
        result.drafts.append(draft)
    if penalties:
        result.warnings.append(Rejected(1, "penalties for a second try are not carried: answers here are graded once"))
    return result


def _question(reader: _Reader, node: ET.Element, kind: str, line: int, category: str) -> Draft:
    if kind in SKIPPED_TYPES:
        raise _Refused(f"{kind}: {SKIPPED_TYPES[kind]}")
    draft = Draft(type=QType.SINGLE, stem="", line=line, title=_text(node.find("idnumber"), ".").strip()
                  or _text(node.find("name")).strip(), tags=[category] if category else [])
    if kind != "cloze":  # a cloze stem is read with its gaps taken out
        draft.stem = reader.formatted(node.find("questiontext"), "html", draft)
    draft.explanation = reader.formatted(node.find("generalfeedback"), "html", draft)
    draft.score = _number_of(node, "defaultgrade", 1.0) or 1.0
    handlers = {"multichoice": _choice, "truefalse": _truefalse, "shortanswer": _short, "numerical": _numeric,
                "matching": _matching, "ordering": _ordering, "cloze": _cloze}
    if kind not in handlers:
        raise _Refused(f"Moodle question type '{kind}' has no equivalent here")
    handlers[kind](reader, node, draft)
    if not textformat.plain(draft.stem.replace("____", "")):
        raise _Refused("empty question text")
    _tags(node, draft)
    return draft


def _answers(reader: _Reader, node: ET.Element, draft: Draft) -> list[tuple[float, str, ET.Element]]:
    found = []
    for answer in node.findall("answer"):
        try:
            fraction = float(answer.get("fraction", "0")) / 100
        except ValueError:
            raise _Refused(f"answer fraction '{answer.get('fraction')}' is not a number") from None
        if not fraction_ok(fraction):
            raise _Refused(f"a grade of {fraction * 100:g}% is not one Moodle accepts")
        found.append((fraction, reader.formatted(answer, "html", draft), answer))
    return found


def _choice(reader: _Reader, node: ET.Element, draft: Draft) -> None:
    answers = [(f, t, a) for f, t, a in _answers(reader, node, draft) if textformat.plain(t)]
    if len(answers) < 2:
        raise _Refused("a choice question needs at least two options")
    draft.options = [t for _, t, _ in answers]
    if len(set(draft.options)) != len(draft.options):
        raise _Refused("two options have the same text")
    for _, text, answer in answers:
        reader.feedback_note(draft, f"选项「{textformat.plain(text)}」", answer.find("feedback"))
    weights = [f for f, _, _ in answers]
    if _text(node, "single").strip().lower() in ("true", "1"):
        if abs(max(weights) - 1) > 1e-6:
            raise _Refused(f"a one-answer question needs an answer worth 100%; the best is worth {max(weights) * 100:g}%")
        draft.type, draft.correct = QType.SINGLE, [n for n, w in enumerate(weights) if abs(w - 1) < 1e-6]
        others = [w for n, w in enumerate(weights) if n not in draft.correct]
        draft.weights = weights if any(others) or len(draft.correct) > 1 else []
        return
    total = sum(w for w in weights if w > 0)
    if abs(round(total, 2) - 1) > 1e-6:
        raise _Refused(f"the positive grades of a several-answer question add up to {total * 100:g}%, not 100%")
    draft.type, draft.weights = QType.MULTIPLE, weights
    draft.correct = [n for n, w in enumerate(weights) if w > 0]


def _truefalse(reader: _Reader, node: ET.Element, draft: Draft) -> None:
    draft.type = QType.TRUEFALSE
    for fraction, text, answer in _answers(reader, node, draft):
        word = textformat.plain(text).lower()
        if fraction == 1:
            draft.truth = word in ("true", "对", "正确")
        reader.feedback_note(draft, "答「对」时" if word in ("true", "对", "正确") else "答「错」时", answer.find("feedback"))
    if draft.truth is None:
        raise _Refused("a true/false question without the answer worth 100%")


def _variants(reader: _Reader, node: ET.Element, draft: Draft) -> tuple[list[str], list[float]]:
    variants: list[str] = []
    weights: list[float] = []
    for fraction, _, answer in _answers(reader, node, draft):
        value = _text(answer).strip()
        reader.feedback_note(draft, "其他答案" if value == "*" else f"答「{value}」", answer.find("feedback"))
        if fraction <= 0 or not value:
            continue
        if "|" in value:
            raise _Refused(f"the answer '{value}' holds '|', which separates variants here")
        variants.append(value)
        weights.append(fraction)
    if not variants or abs(max(weights) - 1) > 1e-6:
        raise _Refused("a short-answer question needs an answer worth 100%")
    return variants, weights


def _short(reader: _Reader, node: ET.Element, draft: Draft) -> None:
    if _text(node, "usecase").strip() == "1":
        reader.result.warnings.append(Rejected(draft.line, "case-sensitive answers are compared ignoring case here"))
    variants, weights = _variants(reader, node, draft)
    draft.type, draft.blanks = QType.FILL, [variants]
    draft.blank_weights = [weights] if any(w != 1 for w in weights) else []
    if "____" not in draft.stem:
        draft.stem = draft.stem + ("" if re.search(r"[^\x00-\x7f]$", draft.stem) else " ") + "____"


def _numeric(reader: _Reader, node: ET.Element, draft: Draft) -> None:
    if node.find("units/unit") is not None:
        reader.result.warnings.append(Rejected(draft.line, "units are not carried: learners answer with the number only"))
    full: list[tuple[float, float]] = []
    for fraction, _, answer in _answers(reader, node, draft):
        value = _text(answer).strip()
        if value == "*":
            reader.feedback_note(draft, "其他答案", answer.find("feedback"))
            continue
        try:
            middle, spread = float(value), abs(float(_text(answer, "tolerance") or 0))
        except ValueError:
            raise _Refused(f"numeric answer '{value}' is not a number") from None
        reader.feedback_note(draft, f"答 {value}", answer.find("feedback"))
        if fraction == 1:
            full.append((middle - spread, middle + spread))
        elif fraction > 0:
            draft.partial_ranges.append((fraction, middle - spread, middle + spread))
    if not full:
        raise _Refused("a numeric question needs an answer worth 100%")
    if len(set(full)) > 1:
        raise _Refused("several different answers worth 100%: a numeric question here has one answer or range")
    draft.type, (draft.low, draft.high) = QType.NUMERIC, full[0]


def _matching(reader: _Reader, node: ET.Element, draft: Draft) -> None:
    for sub in node.findall("subquestion"):
        left = reader.formatted(sub, "html", draft)
        right = _text(sub.find("answer")).strip()
        if textformat.plain(left):
            draft.options.append(left)
            draft.matches.append(right)
        else:
            draft.distractors.append(right)
    if len(draft.options) < 2:
        raise _Refused("a matching question needs at least two pairs with a left-hand side")
    # Moodle lists each right-hand text once: a repeated distractor adds no choice.
    spare = draft.distractors
    draft.distractors = [d for n, d in enumerate(spare) if d not in draft.matches and d not in spare[:n]]
    draft.type = QType.MATCHING


def _ordering(reader: _Reader, node: ET.Element, draft: Draft) -> None:
    grading = _text(node, "gradingtype").strip().upper()
    if grading and grading not in ("ALL_OR_NOTHING", "-1"):
        reader.result.warnings.append(Rejected(draft.line, f"ordering graded '{grading}' in Moodle is graded all-or-nothing here"))
    draft.type = QType.ORDERING
    draft.options = [reader.formatted(a, "html", draft) for a in node.findall("answer")]
    if len(draft.options) < 3:
        raise _Refused("an ordering question needs at least three items")


SHORT_GAPS = {"SHORTANSWER", "SA", "MW", "SHORTANSWER_C", "SAC", "MWC"}
NUMERIC_GAPS = {"NUMERICAL", "NM"}
CHOICE_GAPS = {f"{name}{way}" for name in ("MULTICHOICE", "MC") for way in ("", "_V", "_H", "_S", "_VS", "_HS")} \
    | {"MCV", "MCH", "MCS", "MCVS", "MCHS"}
SEVERAL_GAPS = {f"{name}{way}" for name in ("MULTIRESPONSE", "MR") for way in ("", "_H", "_S", "_HS")} \
    | {"MRH", "MRS", "MRHS"}


def _gap_answers(body: str, where: str) -> list[tuple[float, str, str]]:
    """(fraction, answer, feedback) of one gap, as Moodle's multianswer reads ``=a#fb~%50%b``."""
    found = []
    for part in re.split(r"(?<!\\)~", body):
        part = part.strip()
        fraction = 0.0
        if part.startswith("="):
            fraction, part = 1.0, part[1:]
        elif re.match(r"^%-?[0-9.]+%", part):
            fraction = float(part[1 : part.index("%", 1)]) / 100
            part = part[part.index("%", 1) + 1 :]
        if not fraction_ok(fraction):
            raise _Refused(f"{where}: a grade of {fraction * 100:g}% is not one Moodle accepts")
        bits = re.split(r"(?<!\\)#", part, maxsplit=1)
        value, feedback = bits[0], bits[1] if len(bits) > 1 else ""
        found.append((fraction, re.sub(r"\\(.)", r"\1", value).strip(), re.sub(r"\\(.)", r"\1", feedback).strip()))
    return found


def _cloze(reader: _Reader, node: ET.Element, draft: Draft) -> None:
    """Short-answer gaps become a fill-in; a lone numeric or choice gap becomes that question."""
    raw = _text(node.find("questiontext"))
    gaps = list(CLOZE.finditer(raw))
    if not gaps:
        raise _Refused("a cloze question without gaps")
    kinds = [m.group(2) for m in gaps]
    for n, kind in enumerate(kinds, start=1):
        if kind not in SHORT_GAPS | NUMERIC_GAPS | CHOICE_GAPS | SEVERAL_GAPS:
            raise _Refused(f"cloze gap {n} has type {kind}, which Moodle does not have")
    short = all(k in SHORT_GAPS for k in kinds)
    if not short and len(gaps) > 1:
        n, kind = next((n, k) for n, k in enumerate(kinds, start=1) if k not in SHORT_GAPS)
        raise _Refused(f"cloze gap {n} of {len(gaps)} is {kind}: a question here holds short-answer gaps only, "
                       "or one numeric or choice gap (split it into one question per gap)")
    if len({m.group(1) or "1" for m in gaps}) > 1:
        reader.result.warnings.append(Rejected(draft.line, "cloze gaps weighted differently share the score equally here"))
    if any(k in ("SHORTANSWER_C", "SAC", "MWC") for k in kinds):
        reader.result.warnings.append(Rejected(draft.line, "case-sensitive answers are compared ignoring case here"))
    answers = [_gap_answers(m.group(3), f"cloze gap {n}") for n, m in enumerate(gaps, start=1)]
    marked = CLOZE.sub(lambda m: "QSGAPMARK", raw)
    draft.stem = reader.formatted(node.find("questiontext"), "html", draft, raw=marked).replace("QSGAPMARK", "____")
    numbered = len(gaps) > 1
    for n, found in enumerate(answers, start=1):
        for _, value, feedback in found:
            if feedback:
                label = f"第 {n} 空答「{value}」" if numbered else f"答「{value}」"
                draft.explanation = f"{draft.explanation}\n\n{'其他答案' if value == '*' else label}：{feedback}".strip()
    if short:
        draft.type = QType.FILL
        for n, found in enumerate(answers, start=1):
            kept = [(f, v) for f, v, _ in found if f > 0 and v]
            if not kept or max(f for f, _ in kept) < 1:
                raise _Refused(f"cloze gap {n} needs an answer worth 100%")
            if any("|" in v for _, v in kept):
                raise _Refused(f"cloze gap {n}: an answer holds '|', which separates variants here")
            draft.blanks.append([v for _, v in kept])
            draft.blank_weights.append([f for f, _ in kept])
        if all(w == 1 for ws in draft.blank_weights for w in ws):
            draft.blank_weights = []
    elif kinds[0] in NUMERIC_GAPS:
        _numeric_gap(draft, answers[0])
    else:
        _choice_gap(draft, answers[0], several=kinds[0] in SEVERAL_GAPS)


def _numeric_gap(draft: Draft, found: list[tuple[float, str, str]]) -> None:
    full: list[tuple[float, float]] = []
    for fraction, value, _ in found:
        if value == "*" or fraction <= 0:
            continue
        middle, _, spread = value.partition(":")
        try:
            low, high = float(middle) - abs(float(spread or 0)), float(middle) + abs(float(spread or 0))
        except ValueError:
            raise _Refused(f"cloze gap 1: numeric answer '{value}' is not number or number:tolerance") from None
        if fraction == 1:
            full.append((low, high))
        else:
            draft.partial_ranges.append((fraction, low, high))
    if len(set(full)) != 1:
        raise _Refused("cloze gap 1 needs exactly one numeric answer worth 100%")
    draft.type, (draft.low, draft.high) = QType.NUMERIC, full[0]


def _choice_gap(draft: Draft, found: list[tuple[float, str, str]], *, several: bool) -> None:
    draft.options = [textformat.to_markdown(v, "html") for _, v, _ in found if v]
    weights = [f for f, v, _ in found if v]
    if len(draft.options) < 2 or len(set(draft.options)) != len(draft.options):
        raise _Refused("cloze gap 1 needs at least two different choices")
    if not several:
        if abs(max(weights) - 1) > 1e-6:
            raise _Refused("cloze gap 1 needs a choice worth 100%")
        draft.type, draft.correct = QType.SINGLE, [n for n, w in enumerate(weights) if abs(w - 1) < 1e-6]
        others = [w for n, w in enumerate(weights) if n not in draft.correct]
        draft.weights = weights if any(others) or len(draft.correct) > 1 else []
        return
    if abs(round(sum(w for w in weights if w > 0), 2) - 1) > 1e-6:
        raise _Refused("cloze gap 1: the positive grades of its choices do not add up to 100%")
    draft.type, draft.weights = QType.MULTIPLE, weights
    draft.correct = [n for n, w in enumerate(weights) if w > 0]


def _tags(node: ET.Element, draft: Draft) -> None:
    """Our own export keeps what Moodle has no field for in tags; other tags are ignored."""
    for tag in node.findall("tags/tag"):
        key, _, value = _text(tag).partition("=")
        if key == "difficulty":
            draft.difficulty = value
            draft.title_is_id = True
        elif key == "lesson":
            draft.lesson = value
        elif key == "compute":
            draft.compute = value
        elif key == "range" and draft.low is not None and draft.high is not None:
            low, _, high = value.partition("..")
            try:
                exact = float(low), float(high)
            except ValueError:
                continue
            if abs(exact[0] - draft.low) < 1e-9 * max(1, abs(draft.low)) and abs(exact[1] - draft.high) < 1e-9 * max(1, abs(draft.high)):
                draft.low, draft.high = exact
        elif key == "grading" and value == "keys":
            draft.weights = []
        elif key == "tag":
            slug, _, name = value.partition("=")
            if draft.tags and not draft.tag_names:
                draft.tags = []
            draft.tags.append(slug)
            draft.tag_names[slug] = name or slug


# -- writing ------------------------------------------------------------------------------------

def _add(parent: ET.Element, tag: str, text: str = "", **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text:
        element.text = text
    return element


def _texted(parent: ET.Element, tag: str, text: str, fmt: str = "markdown", **attrs: str) -> ET.Element:
    element = _add(parent, tag, format=fmt, **attrs)
    _add(element, "text", text)
    return element


def to_moodle_xml(bank: Bank) -> str:
    root = ET.Element("quiz")
    category = _add(root, "question", type="category")
    _add(_add(category, "category"), "text", f"$course$/top/{bank.title}")
    exported = qtypes.exported("moodlexml")  # every type today; the registry says so, not this file
    for q in bank.questions:
        if q.type in exported:
            _write(root, q, bank)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _write(root: ET.Element, q: Question, bank: Bank) -> None:
    kind = {QType.SINGLE: "multichoice", QType.MULTIPLE: "multichoice", QType.TRUEFALSE: "truefalse",
            QType.NUMERIC: "numerical", QType.MATCHING: "matching", QType.ORDERING: "ordering",
            QType.FILL: "shortanswer" if len(q.blanks) == 1 else "cloze"}[q.type]
    node = _add(root, "question", type=kind)
    _add(_add(node, "name"), "text", q.id)
    stem = q.stem
    if kind == "cloze":
        parts = re.split(r"_{4,}", stem)
        stem = parts[0] + "".join(_gap(q, n) + rest for n, rest in enumerate(parts[1:]))
    _texted(node, "questiontext", stem)
    _texted(node, "generalfeedback", q.explanation)
    _add(node, "defaultgrade", f"{q.score:g}")
    _add(node, "penalty", "0")
    _add(node, "idnumber", q.id)
    if q.type in (QType.SINGLE, QType.MULTIPLE):
        _add(node, "single", "true" if q.type is QType.SINGLE else "false")
        _add(node, "shuffleanswers", "true")
        weights = q.weights or _key_weights(q)
        for option, weight in zip(q.options, weights, strict=True):
            _texted(node, "answer", option, fraction=f"{weight * 100:.7g}")
    elif q.type is QType.TRUEFALSE:
        _texted(node, "answer", "true", "moodle_auto_format", fraction="100" if q.truth else "0")
        _texted(node, "answer", "false", "moodle_auto_format", fraction="0" if q.truth else "100")
    elif kind == "shortanswer":
        _add(node, "usecase", "0")
        shares = q.blank_weights[0] if q.blank_weights else (1.0,) * len(q.blanks[0])
        for variant, share in zip(q.blanks[0], shares, strict=True):
            _texted(node, "answer", variant, "moodle_auto_format", fraction=f"{share * 100:.7g}")
    elif q.type is QType.NUMERIC and q.low is not None and q.high is not None:
        for share, low, high in ((1.0, q.low, q.high), *q.partial_ranges):
            answer = _texted(node, "answer", number_text((low + high) / 2), "moodle_auto_format", fraction=f"{share * 100:.7g}")
            _add(answer, "tolerance", number_text((high - low) / 2))
    elif q.type is QType.MATCHING:
        _add(node, "shuffleanswers", "true")
        lefts = list(q.options) + [""] * (len(q.matches) - len(q.options))
        for left, right in zip(lefts, q.matches, strict=True):
            sub = _texted(node, "subquestion", left)
            _add(_add(sub, "answer"), "text", right)
    elif q.type is QType.ORDERING:
        _add(node, "layouttype", "VERTICAL")
        _add(node, "selecttype", "ALL")
        _add(node, "selectcount", "0")
        _add(node, "gradingtype", "ALL_OR_NOTHING")
        for item in q.options:
            _texted(node, "answer", item, fraction="1")
    tags = _add(node, "tags")
    values = [f"difficulty={q.difficulty.value}", f"lesson={q.lesson}"]
    values += [f"tag={t}={bank.tags.get(t, t)}" for t in q.tags]
    if q.compute:
        values.append(f"compute={q.compute}")
    if q.type is QType.NUMERIC and q.low is not None and q.high is not None:
        values.append(f"range={number_text(q.low)}..{number_text(q.high)}")  # middle ± half can round
    if q.type is QType.MULTIPLE and not q.weights:
        values.append("grading=keys")
    for value in values:
        _add(_add(tags, "tag"), "text", value)


def _key_weights(q: Question) -> tuple[float, ...]:
    if q.type is QType.SINGLE:
        return tuple(1.0 if n in q.correct else 0.0 for n in range(len(q.options)))
    return tuple(1 / len(q.correct) if n in q.correct else -1.0 for n in range(len(q.options)))


def _gap(q: Question, n: int) -> str:
    shares = q.blank_weights[n] if q.blank_weights else (1.0,) * len(q.blanks[n])

    def escaped(text: str) -> str:
        return re.sub(r"([\\}~#/\"])", r"\\\1", text)

    answers = "~".join(("=" if s == 1 else f"%{s * 100:.7g}%") + escaped(v) for v, s in zip(q.blanks[n], shares, strict=True))
    return f"{{1:SHORTANSWER:{answers}}}"
