"""Markdown → HTML for every piece of reviewed content: lessons, course introductions, exam
instructions, question stems, options and explanations.

Rendering is cached in process, keyed by the text and its content hash (``version``); relative
``NN-slug.md`` links between lessons become lesson URLs, and images imported beside a bank
(``<bank>-files/x.png``) point at the route that serves them.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from academy.content.bankfiles import link_images
from academy.content.catalog import LESSON_FILE
from academy.content.sanitize import clean

EXTENSIONS = ["tables", "toc", "admonition", "footnotes", "attr_list", "fenced_code", "sane_lists",
              "pymdownx.tilde", "pymdownx.caret"]
# column alignment as an attribute: the sanitiser (and the Content-Security-Policy) drop style attributes
EXTENSION_CONFIG: dict[str, dict[str, Any]] = {"toc": {"toc_depth": "2-3", "permalink": False}, "tables": {"use_align_attribute": True}}


@dataclass(frozen=True)
class Rendered:
    html: Markup
    toc: Markup


class _LessonLinks(Treeprocessor):
    """Rewrites relative ``NN-slug.md`` links to lesson URLs."""

    def __init__(self, md: markdown.Markdown, base: str, url: str) -> None:
        super().__init__(md)
        self.base = base  # "tier/course"
        self.url = url  # "/courses/{course}/{lesson}"

    def run(self, root: ET.Element) -> None:
        for link in root.iter("a"):
            href = link.get("href", "")
            path, _, anchor = href.partition("#")
            if not path.endswith(".md") or "://" in path:
                continue
            parts = posixpath.normpath(posixpath.join(self.base, path)).split("/")
            match = LESSON_FILE.match(parts[-1]) if len(parts) == 3 else None
            if match:
                target = self.url.format(course=parts[1], lesson=match.group(2))
                link.set("href", target + (f"#{anchor}" if anchor else ""))


class _LinkExtension(Extension):
    def __init__(self, base: str, url: str) -> None:
        super().__init__()
        self.base, self.url = base, url

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_LessonLinks(md, self.base, self.url), "lesson_links", 5)


@lru_cache(maxsize=1024)
def render(source: str, version: str, base: str = "", url: str = "/courses/{course}/{lesson}") -> Rendered:
    """Render authored Markdown to sanitised HTML. ``version`` (the content hash) is part of the cache key."""
    del version  # only part of the cache key: a new version is a new entry
    md = markdown.Markdown(extensions=[*EXTENSIONS, _LinkExtension(base, url)], extension_configs=EXTENSION_CONFIG)
    html = link_images(clean(md.convert(source)))
    toc = clean(getattr(md, "toc", ""))
    # The one place HTML becomes Markup: after the allow-list sanitiser, whatever the author wrote.
    return Rendered(html=Markup(html), toc=Markup(toc))  # noqa: S704 - sanitised above


def render_inline(source: str) -> Markup:
    """Short Markdown (question stems, options) without the outer paragraph."""
    html = render(source, "").html
    text = str(html)
    if text.startswith("<p>") and text.endswith("</p>") and text.count("<p>") == 1:
        text = text[3:-4]
    return Markup(text)  # noqa: S704 - sanitised by render()
