"""Figures in lessons: ``![alt text](figures/name.svg)`` on a line of its own.

A figure is an SVG file in the course's ``figures/`` folder. When a lesson is read, each such line
becomes the drawing itself, inline, on one line (so the lesson's line numbers stay as the author
sees them), inside a ``<figure>`` with the alt text as its accessible name and caption. The
published lesson then carries its figures with it: every instance serves the same picture, and a
changed figure is a new lesson version.

The drawing must be the sanitiser's kind of SVG (shapes and text): whatever ``clean`` would drop is
reported here with the figure's line, so the author learns of it before a learner sees a broken
picture.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from markupsafe import escape

from academy.content.problems import ContentError
from academy.content.sanitize import ATTRIBUTES, TAGS

FIGURE_LINE = re.compile(r"^!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)\)\s*$")
FIGURE_SRC = re.compile(r"^figures/[a-z0-9]+(?:-[a-z0-9]+)*\.svg$")
_SVG_NS = "{http://www.w3.org/2000/svg}"
MIN_ALT = 6  # characters: "图" alone says nothing to a screen-reader user


def _local(tag: str) -> str:
    return tag[len(_SVG_NS):] if tag.startswith(_SVG_NS) else tag


def _check(root: Element, line: int, src: str) -> None:
    if _local(root.tag) != "svg":
        raise ContentError(line, f"{src}: the file's root element is <{_local(root.tag)}>, not <svg>")
    if "viewBox" not in root.attrib:
        raise ContentError(line, f"{src}: the <svg> needs a viewBox so it scales to a phone's width")
    for element in root.iter():
        tag = _local(element.tag)
        if tag not in TAGS:
            raise ContentError(line, f"{src}: <{tag}> is not allowed in a lesson figure")
        allowed = ATTRIBUTES["*"] | ATTRIBUTES.get(tag, set())
        for name in element.attrib:
            if name.startswith("{") or name not in allowed:
                raise ContentError(line, f"{src}: attribute {name}= on <{tag}> is not allowed in a lesson figure")


def _serialise(element: Element, *, root: bool = False, label: str = "") -> str:
    tag = _local(element.tag)
    attrs = dict(element.attrib)
    if root:
        attrs.pop("width", None)
        attrs.pop("height", None)
        attrs.update({"xmlns": "http://www.w3.org/2000/svg", "role": "img", "aria-label": label})
    attr_text = "".join(f' {name}="{escape(value)}"' for name, value in attrs.items())
    inner = str(escape(" ".join((element.text or "").split())))
    for child in element:
        inner += _serialise(child)
        inner += str(escape(" ".join((child.tail or "").split())))
    return f"<{tag}{attr_text}>{inner}</{tag}>"


def inline_svg(data: bytes, alt: str, line: int, src: str) -> str:
    """One line of HTML: the figure with its drawing inline, or a ContentError for the author."""
    try:
        root = SafeET.fromstring(data)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise ContentError(line, f"{src}: not a readable SVG file ({exc})") from None
    _check(root, line, src)
    label = " ".join(alt.split())
    svg = _serialise(root, root=True, label=label)
    return f'<figure class="lesson-figure">{svg}<figcaption>{escape(label)}</figcaption></figure>'


def embed(body: str, folder: Path, body_line: int) -> tuple[str, bytes]:
    """The lesson body with its figure lines replaced by the figures, and the figures' bytes (for
    the lesson's version). Raises ContentError at the first figure that cannot be shown."""
    out: list[str] = []
    used = b""
    lines = body.split("\n")
    for offset, text in enumerate(lines):
        match = FIGURE_LINE.match(text)
        if not match:
            out.append(text)
            continue
        line, src, alt = body_line + offset, match.group("src"), match.group("alt").strip()
        if "://" in src or not src.endswith(".svg"):
            out.append(text)  # a picture from elsewhere: the sanitiser and the link rules decide
            continue
        if any(0 <= i < len(lines) and lines[i].strip() for i in (offset - 1, offset + 1)):
            raise ContentError(line, f"{src}: leave an empty line before and after a figure")
        if not FIGURE_SRC.match(src):
            raise ContentError(line, f"a figure lives in the course's figures/ folder as a lower-case .svg name, not '{src}'")
        if len(alt) < MIN_ALT:
            raise ContentError(line, f"{src}: the alt text says what the figure shows (at least {MIN_ALT} characters)")
        path = folder / src
        if not path.is_file():
            raise ContentError(line, f"figure file not found: {src}")
        data = path.read_bytes()
        used += data
        out.append(inline_svg(data, alt, line, src))
    return "\n".join(out), used


_EMBEDDED = re.compile(r'<figure class="lesson-figure">.*?</figure>')


def without(body: str) -> str:
    """The body with its figures taken out: what a learner reads as text."""
    return _EMBEDDED.sub("", body)


def count(body: str) -> int:
    """How many figures a lesson body carries once read (for ``content stats``)."""
    return body.count('<figure class="lesson-figure">')
