"""The text a course is found by, and the one normalisation applied to it and to every query.

Chinese has no spaces between words, so search is substring matching: 控制图 is found inside
「统计过程控制图」 by a plain LIKE on both SQLite and PostgreSQL, with no tokeniser or extension.
The catalog has tens of courses, so a scan of one short column per course costs nothing; an
n-gram index would only pay off at many thousands of documents.
"""

from __future__ import annotations

import re
import unicodedata

from academy.content.catalog import CourseDef

_HEADING = re.compile(r"^#{1,3}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Full-width letters and digits to half-width (NFKC), case folded, runs of space collapsed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def headings(source: str) -> list[str]:
    return [m.group(1) for m in _HEADING.finditer(source)]


def search_text(course: CourseDef) -> str:
    """Titles (both languages), the introduction and summaries, lesson titles and their section headings."""
    parts = [course.title, course.title_en, course.intro, course.summary_en, *course.objectives]
    for lesson in course.lessons:
        parts.append(lesson.title)
        parts.extend(headings(lesson.source))
    return "\n".join(normalise(p) for p in parts if p)
