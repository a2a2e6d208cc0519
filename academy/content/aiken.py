"""Aiken: a question, options ``A. text``, then ``ANSWER: X`` (single choice only).

Blank lines are allowed anywhere, as in Moodle. Full-width letters and punctuation from
Chinese word processors (``Ａ．``, ``B、``, ``C）``, ``ANSWER：D``) are read like their ASCII forms.
A question that goes wrong is reported at the line where it went wrong, naming what was
expected, and reading resumes with the next question.
"""

from __future__ import annotations

import re
import unicodedata

from academy.content import textformat
from academy.content.importers_base import Draft, Imported, Rejected
from academy.content.quizbank import QType

OPTION = re.compile(r"^([A-Z])\s*[.)、]\s*(.+)$")
ANSWER = re.compile(r"^ANSWER\s*:\s*(.*)$", re.I)


def _ascii(line: str) -> str:
    # NFKC folds Ａ→A, ．→., ：→:, ）→); the ideographic comma stays and is accepted as is
    return unicodedata.normalize("NFKC", line).strip()


def parse_aiken(text: str) -> Imported:
    result = Imported()
    stem: list[str] = []
    options: list[tuple[str, str]] = []
    start = 0
    last = 0  # line of the last option read

    def reset() -> None:
        nonlocal start
        stem.clear()
        options.clear()
        start = 0

    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = _ascii(raw)
        if not line:
            continue
        answer = ANSWER.match(line)
        option = OPTION.match(line)
        if answer:
            _finish(result, start or number, number, stem, options, answer.group(1).strip())
            reset()
        elif option and stem:
            letter = option.group(1)
            expected = chr(ord("A") + len(options))
            if letter != expected:
                result.rejected.append(Rejected(number, f"expected option '{expected}.' here, found '{letter}'"))
                reset()
                continue
            options.append((letter, option.group(2).strip()))
            last = number
        elif options:
            result.rejected.append(Rejected(
                last, f"expected 'ANSWER: X' after option {options[-1][0]}, found a new question instead"))
            reset()
            stem.append(raw.strip())
            start = number
        else:
            if not stem:
                start = number
            stem.append(raw.strip())
    if stem or options:
        result.rejected.append(Rejected(start, "the file ends before this question's 'ANSWER: X' line"))
    return result


def _finish(result: Imported, start: int, line: int, stem: list[str], options: list[tuple[str, str]],
            key: str) -> None:
    if not stem:
        result.rejected.append(Rejected(line, "expected the question text before 'ANSWER:'"))
        return
    if len(options) < 2:
        result.rejected.append(Rejected(line, "expected at least two options 'A. text', 'B. text' before 'ANSWER:'"))
        return
    letters = [letter for letter, _ in options]
    if key.upper() not in letters:
        result.rejected.append(Rejected(line, f"answer '{key}' is not among the options {letters[0]}–{letters[-1]}"))
        return
    texts = [t for _, t in options]
    if len(set(texts)) != len(texts):
        result.rejected.append(Rejected(start, "two options have the same text"))
        return
    result.drafts.append(Draft(type=QType.SINGLE, stem=textformat.to_markdown("\n".join(stem), "plain"), line=start,
                               options=[textformat.to_markdown(t, "plain") for t in texts],
                               correct=[letters.index(key.upper())]))
