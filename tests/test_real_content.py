"""The curricula and question banks the product ships must pass the content check."""

from __future__ import annotations

from academy.config import ROOT
from academy.content.catalog import cjk_count
from academy.content.library import load_library


def test_shipped_content_has_no_problems() -> None:
    library = load_library(ROOT / "courses", ROOT / "quiz")
    assert [str(p) for p in library.problems] == []
    assert library.courses, "no courses shipped"


def test_every_shipped_course_has_lessons_of_substance_and_a_bank() -> None:
    library = load_library(ROOT / "courses", ROOT / "quiz")
    for course in library.courses:
        assert 3 <= len(course.lessons) <= 6, course.slug
        short = [x.slug for x in course.lessons if cjk_count(x.source) < 1500]
        assert short == [], f"{course.slug}: lessons under 1,500 Chinese characters: {short}"
        bank = library.banks.get(course.bank or "")
        assert bank is not None, course.slug
        assert len(bank.questions) >= 40, course.slug
