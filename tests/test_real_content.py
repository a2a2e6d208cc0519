"""The curricula and question banks the product ships: the content check passes and every
course meets the curriculum's bar (lessons of substance, a bank of mixed questions, exams)."""

from __future__ import annotations

from functools import cache

import pytest

from academy.config import ROOT
from academy.content import item_kinds
from academy.content.catalog import cjk_count
from academy.content.library import Library, load_library
from academy.content.quizbank import Difficulty, QType
from academy.tiers import TIER_ORDER

OUTLINE = {
    "all-staff": ["qs-basics", "tqm-fundamentals", "shopfloor-qc-circles", "quality-safety-risk"],
    "practitioner": ["iso9001-qms-audit", "quality-tools-spc", "standardization-practice", "nqi-metrology-conformity", "reliability-fmea",
                     "quality-cost", "quality-statistics", "supplier-quality", "construction-service-quality"],
    "expert": ["performance-excellence", "lean-six-sigma", "tech-patent-standard-intl", "brand-csr-compliance", "green-low-carbon",
               "quality-by-design", "digital-quality"],
    "leadership": ["leading-quality-strategy", "assessment-incentives-talent"],
}
COURSES = [slug for slugs in OUTLINE.values() for slug in slugs]


@cache
def library() -> Library:
    return load_library(ROOT / "courses", ROOT / "quiz")


def test_shipped_content_has_no_problems() -> None:
    assert [str(p) for p in library().problems] == []


def test_every_bank_sets_at_least_half_of_its_choice_items_in_a_situation() -> None:
    shares = {bank.id: item_kinds.shares(bank.questions) for bank in library().banks.values()}
    assert {bank: share for bank, share in shares.items() if float(share["scenario_share"]) < 0.5} == {}


def test_lessons_that_teach_a_chart_or_diagram_carry_figures() -> None:
    figures = sum(lesson.source.count('<figure class="lesson-figure">') for c in library().courses for lesson in c.lessons)
    assert figures >= 40


def test_the_courses_of_the_outline_are_shipped_in_their_tiers() -> None:
    shipped = {tier: [c.slug for c in library().courses if c.tier == tier] for tier in TIER_ORDER}
    assert {tier.value: sorted(slugs) for tier, slugs in shipped.items()} == {t: sorted(s) for t, s in OUTLINE.items()}


@pytest.mark.parametrize("slug", COURSES)
def test_course_meets_the_curriculum_bar(slug: str) -> None:
    course = library().course(slug)
    assert course is not None
    assert 3 <= len(course.lessons) <= 6
    assert [x.slug for x in course.lessons if cjk_count(x.source) < 1500] == []
    assert 3 <= len(course.objectives) <= 6
    assert course.measures
    assert course.title_en
    assert len(course.summary_en.split()) >= 20
    assert course.final_exam is not None
    assert course.lesson_check is not None
    for lesson in course.lessons:
        assert "## 常见误区" in lesson.source, lesson.slug
        assert "## 要点小结" in lesson.source, lesson.slug
        references = lesson.source.partition("\n## 参考资料\n")[2]
        assert references.strip().startswith("- "), f"{lesson.slug}: no 参考资料 section ending the lesson"
        assert "|---" in lesson.source.replace(" ", "") or "<svg" in lesson.source, f"{lesson.slug}: no table or figure"


@pytest.mark.parametrize("slug", COURSES)
def test_bank_has_forty_mixed_questions_with_explanations(slug: str) -> None:
    bank = library().banks[slug]
    questions = bank.questions
    assert len(questions) >= 40
    assert {QType.SINGLE, QType.MULTIPLE, QType.TRUEFALSE, QType.FILL} <= {q.type for q in questions}
    assert {q.difficulty for q in questions} == set(Difficulty)
    assert all(len(q.explanation) >= 15 for q in questions)


@pytest.mark.parametrize(("exam_id", "tier"), [("cert-all-staff", "all-staff"), ("cert-practitioner", "practitioner"), ("cert-expert", "expert")])
def test_tier_certification_exams_draw_from_their_tier(exam_id: str, tier: str) -> None:
    exam = library().exams[exam_id]
    assert exam.tier == tier
    assert exam.certificate is not None
    assert {rule.bank for rule in exam.draw} == set(OUTLINE[tier])
    assert sum(rule.count for rule in exam.draw) >= 50
