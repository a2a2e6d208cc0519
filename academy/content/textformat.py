"""Text in Moodle's four formats (html, moodle, markdown, plain) → our Markdown.

Our stems, options and explanations are Markdown, which lets HTML through. So HTML keeps
its tags and only the characters Markdown would read as markup are escaped; plain text is
escaped entirely; Moodle's own format is HTML in which a line break is a break.
"""

from __future__ import annotations

import re

FORMATS = ("html", "moodle", "markdown", "plain")
TAG = re.compile(r"(<[A-Za-z/!][^<>]*>)")
MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]])")
IMAGE = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)|!\[[^\]]*\]\(([^)\s]+)""", re.I)


def _escape(text: str) -> str:
    return MARKDOWN_SPECIALS.sub(r"\\\1", text)


def to_markdown(text: str, fmt: str) -> str:
    if fmt == "markdown":
        return text
    if fmt == "plain":
        return _escape(text).replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>\n")
    parts = TAG.split(text)  # odd items are tags: kept as they are
    body = "".join(part if n % 2 else _escape(part) for n, part in enumerate(parts))
    if fmt == "moodle":
        body = body.replace("\n", "<br>\n")
    return body


UNSAFE = re.compile(r"<\s*(script|iframe|object|embed|form|style)\b|\son\w+\s*=|javascript:", re.I)


def unsafe(text: str) -> list[str]:
    """HTML that pages never show (scripts, frames, event handlers): the importer warns about it."""
    return sorted({m.group(0).strip().lower() for m in UNSAFE.finditer(text)})


def images(text: str) -> list[str]:
    """Sources of the images a text shows (HTML ``<img>`` or Markdown ``![]()``)."""
    return [a or b for a, b in IMAGE.findall(text)]


def plain(text: str) -> str:
    """What a reader sees, roughly: for checking that an option is not empty."""
    return TAG.sub("", text).strip() or ("[image]" if images(text) else "")
