"""Read ``courses/`` into frozen dataclasses, collecting every problem on the way.

A file that fails validation is left out of the result (its last good version keeps
serving from the database) and reported as a :class:`Problem`.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from academy.content import figures
from academy.content.frontmatter import Document, split
from academy.content.problems import ContentError, Problem, display_path
from academy.tiers import TIER_ORDER, Tier

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_FILE = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
MD_LINK = re.compile(r"\]\(([^)\s#]+\.md)(#[^)\s]*)?\)")
CJK = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
MEASURES = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
            "十一", "十二", "十三", "十四", "十五", "十六", "十七")


@dataclass(frozen=True)
class LessonDef:
    slug: str
    title: str
    minutes: int
    position: int
    source: str  # Markdown body
    version: str  # content hash of the whole file
    path: str
    body_line: int


@dataclass(frozen=True)
class LessonCheck:
    questions: int


@dataclass(frozen=True)
class FinalExam:
    questions: int
    pass_mark: int
    time_limit: int  # minutes
    attempts: int
    # when the learner sees the keys and explanations: after_pass (passed, or no attempts left),
    # answers (right after each attempt) or score (never)
    review: str = "after_pass"


FINAL_REVIEW = ("after_pass", "answers", "score")


@dataclass(frozen=True)
class CourseDef:
    slug: str
    tier: Tier
    title: str
    title_en: str
    hours: float
    order: int
    audience: str
    objectives: tuple[str, ...]
    prerequisites: tuple[str, ...]
    measures: tuple[str, ...]
    summary_en: str
    intro: str
    bank: str | None
    lesson_check: LessonCheck | None
    final_exam: FinalExam | None
    version: str
    path: str
    lessons: tuple[LessonDef, ...] = field(default=())
    classroom: bool = False  # a classroom session linked to the course must be attended to complete it


@dataclass(frozen=True)
class Scan:
    courses: tuple[CourseDef, ...]
    problems: tuple[Problem, ...]
    broken_lessons: frozenset[tuple[str, str]] = frozenset()  # (course, lesson) left out
    # Every course folder and lesson file present, valid or not: what is absent is retired,
    # what is present but broken keeps its last good version.
    present: frozenset[tuple[str, str]] = frozenset()  # (course, "") for a course folder


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def cjk_count(text: str) -> int:
    """Chinese characters of text to read: a figure's labels are not teaching prose."""
    return len(CJK.findall(figures.without(text)))


def _text(doc: Document, key: str, *, required: bool = True) -> str:
    value = doc.meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ContentError(doc.line_of(key), f"missing '{key}'")
        return ""
    if not isinstance(value, str | int | float):
        raise ContentError(doc.line_of(key), f"'{key}' must be text")
    return str(value).strip()


def _number(doc: Document, key: str, *, minimum: float = 0, integer: bool = True) -> Any:
    value = doc.meta.get(key)
    if value is None:
        raise ContentError(doc.line_of(key), f"missing '{key}'")
    if isinstance(value, bool) or not isinstance(value, int | float) or (integer and not isinstance(value, int)):
        raise ContentError(doc.line_of(key), f"'{key}' must be a {'whole ' if integer else ''}number")
    if value < minimum:
        raise ContentError(doc.line_of(key), f"'{key}' must be at least {minimum}")
    return value


def _list(doc: Document, key: str) -> tuple[str, ...]:
    value = doc.meta.get(key, [])
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ContentError(doc.line_of(key), f"'{key}' must be a list")
    return tuple(str(v).strip() for v in value)


def _block(doc: Document, key: str, fields: dict[str, tuple[int, int]],
           choices: dict[str, tuple[str, ...]] | None = None) -> dict[str, Any] | None:
    """A small mapping of whole numbers, e.g. ``final_exam: {questions: 20, pass_mark: 80}``;
    ``choices`` names the keys that take one word of a list instead (the first is the default)."""
    value = doc.meta.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ContentError(doc.line_of(key), f"'{key}' must be a mapping")
    choices = choices or {}
    unknown = set(value) - set(fields) - set(choices)
    if unknown:
        raise ContentError(doc.line_of(key), f"unknown key in '{key}': {', '.join(sorted(map(str, unknown)))}")
    result: dict[str, Any] = {}
    for name, allowed in choices.items():
        word = str(value.get(name, allowed[0]))
        if word not in allowed:
            raise ContentError(doc.line_of(key), f"'{key}.{name}' is one of {', '.join(allowed)}")
        result[name] = word
    for name, (default, low) in fields.items():
        number = value.get(name, default)
        if isinstance(number, bool) or not isinstance(number, int) or number < low:
            raise ContentError(doc.line_of(key), f"'{key}.{name}' must be a whole number of at least {low}")
        result[name] = number
    return result


def parse_course(text: str, folder: Path, root: Path) -> CourseDef:
    doc = split(text)
    slug = folder.name
    if not SLUG.match(slug):
        raise ContentError(1, f"course folder name '{slug}' is not a slug (lower-case letters, digits, '-')")
    tier_name = _text(doc, "tier")
    try:
        tier = Tier(tier_name)
    except ValueError:
        raise ContentError(doc.line_of("tier"), f"unknown tier '{tier_name}' (use one of: {', '.join(TIER_ORDER)})") from None
    if folder.parent.name != tier.value:
        raise ContentError(doc.line_of("tier"), f"tier '{tier}' does not match the folder '{folder.parent.name}'")
    measures = _list(doc, "measures")
    for measure in measures:
        if measure not in MEASURES:
            raise ContentError(doc.line_of("measures"), f"unknown guideline measure '{measure}' (use 一 … 十七)")
    prerequisites = _list(doc, "prerequisites")
    for prerequisite in prerequisites:
        if not SLUG.match(prerequisite):
            raise ContentError(doc.line_of("prerequisites"), f"prerequisite '{prerequisite}' is not a course slug")
    objectives = _list(doc, "objectives")
    if not objectives:
        raise ContentError(doc.line_of("objectives"), "missing 'objectives'")
    bank = _text(doc, "bank", required=False) or None
    check = _block(doc, "lesson_check", {"questions": (5, 1)})
    final = _block(doc, "final_exam", {"questions": (20, 1), "pass_mark": (80, 1), "time_limit": (30, 1), "attempts": (3, 1)},
                   {"review": FINAL_REVIEW})
    if final and final["pass_mark"] > 100:
        raise ContentError(doc.line_of("final_exam"), "'final_exam.pass_mark' is a percentage (at most 100)")
    classroom = _text(doc, "classroom", required=False)
    if classroom not in ("", "required"):
        raise ContentError(doc.line_of("classroom"), "'classroom' is either 'required' or left out")
    if (check or final) and not bank:
        raise ContentError(doc.line_of("bank"), "a lesson check or final exam needs a 'bank'")
    return CourseDef(
        slug=slug, tier=tier, title=_text(doc, "title"), title_en=_text(doc, "title_en"),
        hours=_number(doc, "hours", integer=False), order=_number(doc, "order"),
        audience=_text(doc, "audience", required=False), objectives=objectives,
        prerequisites=prerequisites, measures=measures,
        summary_en=_text(doc, "summary_en", required=False), intro=doc.body, bank=bank,
        lesson_check=LessonCheck(**check) if check else None,
        final_exam=FinalExam(**final) if final else None, classroom=bool(classroom),
        version=digest(text), path=display_path(folder / "course.md", root),
    )


def parse_lesson(text: str, file: Path, root: Path) -> LessonDef:
    match = LESSON_FILE.match(file.name)
    if not match:
        raise ContentError(1, "lesson file names look like '01-lesson-slug.md'")
    doc = split(text)
    body, drawings = figures.embed(doc.body, file.parent, doc.body_line)
    return LessonDef(
        slug=match.group(2), title=_text(doc, "title"), minutes=_number(doc, "minutes", minimum=1),
        position=int(match.group(1)), source=body, version=digest(text + drawings.decode("utf-8", "replace")),
        path=display_path(file, root), body_line=doc.body_line,
    )


def resolve_link(course: CourseDef, href: str) -> tuple[str, str] | None:
    """(course slug, lesson slug) a relative ``.md`` link points to, or None if it is not a lesson file."""
    target = posixpath.normpath(posixpath.join(course.tier.value, course.slug, href))
    parts = target.split("/")
    if len(parts) != 3:
        return None
    match = LESSON_FILE.match(parts[2])
    return (parts[1], match.group(2)) if match else None


def _read(path: Path, root: Path, problems: list[Problem]) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(display_path(path, root), 1, "not UTF-8 text"))
        return None


def _scan_course(folder: Path, root: Path, problems: list[Problem], present: set[tuple[str, str]]) -> CourseDef | None:
    present.add((folder.name, ""))
    for file in folder.glob("*.md"):
        match = LESSON_FILE.match(file.name)
        if match:
            present.add((folder.name, match.group(2)))
    course_file = folder / "course.md"
    if not course_file.exists():
        problems.append(Problem(display_path(folder, root), 1, "course folder without course.md"))
        return None
    text = _read(course_file, root, problems)
    if text is None:
        return None
    try:
        course = parse_course(text, folder, root)
    except ContentError as err:
        problems.append(Problem(display_path(course_file, root), err.line, err.message))
        return None
    lessons: list[LessonDef] = []
    for file in sorted(folder.glob("*.md")):
        if file.name == "course.md":
            continue
        lesson_text = _read(file, root, problems)
        if lesson_text is None:
            continue
        try:
            lessons.append(parse_lesson(lesson_text, file, root))
        except ContentError as err:
            problems.append(Problem(display_path(file, root), err.line, err.message))
    seen: dict[str, LessonDef] = {}
    kept: list[LessonDef] = []
    for lesson in lessons:
        twin = seen.get(lesson.slug)
        if twin is not None:
            problems.append(Problem(lesson.path, 1, f"duplicate lesson slug '{lesson.slug}' (also {twin.path})"))
            continue
        positions = [x for x in kept if x.position == lesson.position]
        if positions:
            problems.append(Problem(lesson.path, 1, f"lesson number {lesson.position:02d} is used twice (also {positions[0].path})"))
            continue
        seen[lesson.slug] = lesson
        kept.append(lesson)
    return CourseDef(**{**course.__dict__, "lessons": tuple(kept)})


def scan(root: Path) -> Scan:
    """Read every course under ``root``; never raises for bad content."""
    problems: list[Problem] = []
    courses: dict[str, CourseDef] = {}
    present: set[tuple[str, str]] = set()
    if not root.is_dir():
        return Scan((), (Problem(str(root), 1, "courses folder not found"),))
    for tier_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        if tier_dir.name not in {t.value for t in Tier}:
            problems.append(Problem(display_path(tier_dir, root), 1, f"unknown tier folder '{tier_dir.name}'"))
            continue
        for folder in sorted(p for p in tier_dir.iterdir() if p.is_dir()):
            course = _scan_course(folder, root, problems, present)
            if course is None:
                continue
            if course.slug in courses:
                problems.append(Problem(course.path, 1, f"duplicate course slug '{course.slug}' (also {courses[course.slug].path})"))
                continue
            courses[course.slug] = course
    broken = _check_links(courses, present, problems)
    final = {
        slug: CourseDef(**{**c.__dict__, "lessons": tuple(x for x in c.lessons if (slug, x.slug) not in broken)})
        for slug, c in courses.items()
    }
    for course in final.values():
        for prerequisite in course.prerequisites:
            if prerequisite not in courses:
                problems.append(Problem(course.path, 1, f"unknown prerequisite course '{prerequisite}'"))
    ordered = sorted(final.values(), key=lambda c: (TIER_ORDER.index(c.tier), c.order, c.slug))
    return Scan(tuple(ordered), tuple(sorted(problems)), frozenset(broken), frozenset(present))


def _check_links(courses: dict[str, CourseDef], present: set[tuple[str, str]], problems: list[Problem]) -> set[tuple[str, str]]:
    """A link must name a lesson file that exists (a broken target is reported on its own)."""
    known = present
    broken: set[tuple[str, str]] = set()
    for course in courses.values():
        for lesson in course.lessons:
            for offset, line in enumerate(lesson.source.splitlines()):
                for match in MD_LINK.finditer(line):
                    target = resolve_link(course, match.group(1))
                    if target is None or target not in known:
                        problems.append(Problem(lesson.path, lesson.body_line + offset,
                                                f"link to a lesson that does not exist: {match.group(1)}"))
                        broken.add((course.slug, lesson.slug))
    return broken
