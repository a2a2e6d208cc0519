"""The allow-list for HTML made from Markdown: what lessons and banks may contain, and nothing else.

Authors write Markdown in Git, and imported banks come from outside; either may carry a
``<script>``, an ``onerror=`` or a ``javascript:`` link. Every rendered page goes through
``clean`` (ammonia, through nh3), and ``content check`` reports what ``clean`` would drop,
with the line, so an author learns of it before a learner's browser does.
"""

from __future__ import annotations

from html.parser import HTMLParser

import nh3

_TEXT_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
    "li", "mark", "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
# figures drawn in lessons: shapes and text, no scripts, no foreign objects, no external references
_SVG_TAGS = {"svg", "g", "defs", "marker", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
             "text", "tspan", "title", "desc"}
TAGS = _TEXT_TAGS | _SVG_TAGS
_GENERIC = {"id", "class", "title", "lang", "dir", "role", "aria-label", "aria-hidden", "aria-describedby"}
_SVG_ATTRS = {
    "viewbox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "d", "points",
    "fill", "stroke", "stroke-width", "stroke-dasharray", "opacity", "fill-opacity", "transform", "text-anchor",
    "font-size", "font-weight", "dominant-baseline", "marker-end", "marker-start", "markerwidth", "markerheight",
    "refx", "refy", "orient", "xmlns",
}
# SVG spells some names in camelCase, and the sanitiser compares them as written
_SVG_ATTRS |= {"viewBox", "markerWidth", "markerHeight", "refX", "refY"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": _GENERIC,
    "a": {"href", "rel"},
    "img": {"src", "alt", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "col": {"span"},
    "ol": {"start", "type"},
    "li": {"value"},
    **dict.fromkeys(_SVG_TAGS, _SVG_ATTRS),
}
URL_SCHEMES = {"http", "https", "mailto"}
_URL_ATTRS = {"href", "src"}


def clean(html: str) -> str:
    """Keep what the allow-list names; drop the rest (a script's text with its tag)."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel=None,
                     strip_comments=True, clean_content_tags={"script", "style"})


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            self.found.append(f"<{tag}>")
            return
        allowed = ATTRIBUTES["*"] | ATTRIBUTES.get(tag, set())
        for name, value in attrs:
            if name not in allowed:
                self.found.append(f"{name}=")
            elif name in _URL_ATTRS and value and _scheme(value) not in URL_SCHEMES | {""}:
                self.found.append(f"{_scheme(value)}:")


def _scheme(url: str) -> str:
    head = "".join(url.split()).lower()  # browsers ignore whitespace and control characters inside a scheme
    head = "".join(ch for ch in head if ch.isprintable())
    before, colon, _rest = head.partition(":")
    if not colon or "/" in before or "?" in before or "#" in before:
        return ""
    return before


def disallowed(html: str) -> list[str]:
    """Each tag, attribute or link scheme in ``html`` that ``clean`` would remove, in order."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.found


def locate(source: str, token: str) -> int:
    """The 1-based line of ``source`` where ``token`` first appears, 1 if nowhere (then it came from Markdown syntax)."""
    needle = token.lower().rstrip("=:>").lstrip("<")
    for number, text in enumerate(source.splitlines(), start=1):
        if needle and needle in text.lower():
            return number
    return 1
