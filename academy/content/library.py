"""Everything authors write, read at once and cross-checked."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import markdown

from academy.content import bankfiles, figures, item_kinds, sanitize
from academy.content.catalog import MEASURES, CourseDef, Scan, cjk_count, scan
from academy.content.exams import DrawRule, ExamDef, load_exams
from academy.content.problems import Problem, display_path
from academy.content.quizbank import Bank, Question, load_banks
from academy.content.render import EXTENSION_CONFIG, EXTENSIONS


@dataclass(frozen=True)
class Library:
    scan: Scan
    banks: dict[str, Bank]
    exams: dict[str, ExamDef]
    problems: tuple[Problem, ...]
    quiz_files: frozenset[str] = frozenset()  # every bank and exam file found, valid or not, as problems name it
    bank_files: dict[str, tuple[tuple[str, bytes], ...]] = field(default_factory=dict)  # bank → images beside it

    @property
    def courses(self) -> tuple[CourseDef, ...]:
        return self.scan.courses

    def course(self, slug: str) -> CourseDef | None:
        return next((c for c in self.scan.courses if c.slug == slug), None)


def matching(bank: Bank, rule: DrawRule) -> list[Question]:
    return [
        q for q in bank.questions
        if (not rule.difficulty or q.difficulty in rule.difficulty)
        and (not rule.types or q.type in rule.types)
        and (not rule.tags or set(rule.tags) & set(q.tags))
    ]


def load_library(courses_root: Path, quiz_root: Path) -> Library:
    course_scan = scan(courses_root)
    banks, bank_problems = load_banks(quiz_root)
    exams, exam_problems = load_exams(quiz_root)
    problems = [*course_scan.problems, *bank_problems, *exam_problems]
    by_slug = {c.slug: c for c in course_scan.courses}
    for bank in banks.values():
        course = by_slug.get(bank.course)
        if course is None:
            problems.append(Problem(bank.path, 1, f"'course: {bank.course}' is not a known course"))
            continue
        lessons = {lesson for slug, lesson in course_scan.present if slug == course.slug and lesson}
        for q in bank.questions:
            if q.lesson not in lessons:
                problems.append(Problem(bank.path, q.line, f"{q.id}: unknown lesson '{q.lesson}' of course '{course.slug}'"))
    for course in course_scan.courses:
        if course.bank is None:
            continue
        found = banks.get(course.bank)
        if found is None:
            problems.append(Problem(course.path, 1, f"question bank '{course.bank}' not found in quiz/"))
            continue
        if course.final_exam and len(found.questions) < course.final_exam.questions:
            problems.append(Problem(course.path, 1, f"final exam draws {course.final_exam.questions} questions but bank '{found.id}' has {len(found.questions)}"))
        if course.lesson_check:
            per_lesson = Counter(q.lesson for q in found.questions)
            for lesson in course.lessons:
                if per_lesson[lesson.slug] < course.lesson_check.questions:
                    problems.append(Problem(lesson.path, 1, f"lesson check needs {course.lesson_check.questions} questions, bank '{found.id}' has {per_lesson[lesson.slug]} for this lesson"))
    for exam in exams.values():
        for rule in exam.draw:
            source = banks.get(rule.bank)
            if source is None:
                problems.append(Problem(exam.path, 1, f"draw rule names unknown bank '{rule.bank}'"))
            elif len(matching(source, rule)) < rule.count:
                problems.append(Problem(exam.path, 1, f"draw rule asks {rule.count} questions of bank '{rule.bank}', only {len(matching(source, rule))} match"))
    problems.extend(markup_problems(course_scan.courses, banks.values(), exams.values()))
    return Library(course_scan, banks, exams, tuple(sorted(set(problems))), _quiz_files(quiz_root),
                   {bank_id: _images(quiz_root / bankfiles.folder(bank_id)) for bank_id in banks})


def _images(place: Path) -> tuple[tuple[str, bytes], ...]:
    """The images a page may show, by name; anything else in the folder is never served."""
    if not place.is_dir():
        return ()
    found = ((p.name, p.read_bytes()) for p in sorted(place.iterdir()) if p.is_file())
    return tuple((name, data) for name, data in found if bankfiles.content_type(name, data))


def _quiz_files(root: Path) -> frozenset[str]:
    banks = [p for p in root.glob("*.md") if p.name != "README.md"]
    return frozenset(display_path(p, root) for p in [*banks, *(root / "exams").glob("*.md")])


def markup_problems(courses: Iterable[CourseDef], banks: Iterable[Bank], exams: Iterable[ExamDef]) -> list[Problem]:
    """Markup the sanitiser removes from pages: reported where it was written, so the author can fix it."""
    found: list[Problem] = []

    def check(path: str, first_line: int, source: str, *, exact: bool = True) -> None:
        if "<" not in source and ":" not in source:
            return
        html = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIG).convert(source)
        for token in sanitize.disallowed(html):
            # a question's parts are cut from its block, so its heading line is the place to point at
            line = first_line + sanitize.locate(source, token) - 1 if exact else first_line
            found.append(Problem(path, line, f"{token} is not allowed in pages and is removed when shown"))

    for course in courses:
        check(course.path, 1, course.intro)
        for lesson in course.lessons:
            check(lesson.path, lesson.body_line, lesson.source)
    for bank in banks:
        for q in bank.questions:
            for text in (q.stem, q.explanation, *q.options, *q.matches):
                check(bank.path, q.line, text, exact=False)
    for exam in exams:
        check(exam.path, 1, exam.instructions)
    return found


def stats(library: Library) -> list[dict[str, Any]]:
    rows = []
    for course in library.courses:
        bank = library.banks.get(course.bank or "")
        questions = bank.questions if bank else ()
        rows.append({
            "slug": course.slug, "title": course.title, "tier": course.tier.value, "hours": course.hours,
            "lessons": [{"slug": x.slug, "title": x.title, "cjk_chars": cjk_count(x.source),
                         "figures": figures.count(x.source)} for x in course.lessons],
            "bank": bank.id if bank else None,
            "questions": len(questions),
            "questions_by_type": dict(sorted(Counter(q.type.value for q in questions).items())),
            "questions_by_difficulty": dict(sorted(Counter(q.difficulty.value for q in questions).items())),
            **item_kinds.shares(questions),
        })
    return rows


def coverage(library: Library) -> dict[str, list[str]]:
    """Guideline measure -> slugs of the courses that serve it (empty list = a gap)."""
    result: dict[str, list[str]] = {m: [] for m in MEASURES}
    for course in library.courses:
        for measure in course.measures:
            result[measure].append(course.slug)
    return result
