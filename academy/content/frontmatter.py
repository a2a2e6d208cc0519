"""YAML front matter between two ``---`` lines, with line numbers for errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from academy.content.problems import ContentError


@dataclass(frozen=True)
class Document:
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line number where the body starts
    key_lines: dict[str, int]  # front matter key -> its line, for error messages

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)


def split(text: str) -> Document:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ContentError(1, "missing front matter: the file must start with a '---' line")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ContentError(1, "front matter is not closed by a '---' line") from None
    raw = "\n".join(lines[1:end])
    try:
        meta = yaml.safe_load(raw) if raw.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ContentError(line, f"malformed front matter: {problem}") from None
    if not isinstance(meta, dict):
        raise ContentError(2, "front matter must be a mapping of 'key: value' lines")
    key_lines: dict[str, int] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if line and not line[0].isspace() and ":" in line:
            key_lines.setdefault(line.split(":", 1)[0].strip(), number)
    body = "\n".join(lines[end + 1 :])
    if text.endswith("\n"):
        body += "\n"
    return Document(meta=meta, body=body, body_line=end + 2, key_lines=key_lines)
