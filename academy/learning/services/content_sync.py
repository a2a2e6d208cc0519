"""Publish the curricula: copy every valid course, lesson, bank and exam file into the database.

A file that fails validation keeps its last good version; a file that was removed is
retired (hidden), never deleted, so learners' progress survives.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select

from academy import tiers
from academy.assessment.services import quiz_sources
from academy.content.catalog import CourseDef, LessonDef
from academy.content.library import Library
from academy.content.search import search_text
from academy.database import db, utcnow
from academy.models import ContentProblem, ContentState, Course, Lesson, QuizSource, User
from academy.services import audit


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: int = 0
    kept: list[str] = field(default_factory=list)  # banks and exams failing the check: their last good version stays


@dataclass(frozen=True)
class ContentStatus:
    """What the content-status page shows: the last sync's problems and every course, retired ones too."""

    problems: list[ContentProblem]
    courses: list[Course]  # in catalog order


def status() -> ContentStatus:
    problems = db.session.execute(select(ContentProblem).order_by(ContentProblem.path, ContentProblem.line)).scalars()
    courses = db.session.execute(select(Course)).scalars()
    return ContentStatus(list(problems), sorted(courses, key=lambda c: (tiers.rank(c.tier), c.position, c.slug)))


def _course_meta(course: CourseDef) -> dict[str, object]:
    return {
        "audience": course.audience, "objectives": list(course.objectives),
        "prerequisites": list(course.prerequisites), "measures": list(course.measures),
        "summary_en": course.summary_en, "bank": course.bank,
        "lesson_check": course.lesson_check.__dict__ if course.lesson_check else None,
        "final_exam": course.final_exam.__dict__ if course.final_exam else None,
        "classroom": course.classroom,
    }


def _apply_course(row: Course, course: CourseDef, now: datetime) -> None:
    row.tier, row.title, row.title_en = course.tier.value, course.title, course.title_en
    row.hours, row.position, row.intro = course.hours, course.order, course.intro
    row.meta, row.version, row.retired, row.synced_at = _course_meta(course), course.version, False, now
    row.search_text = search_text(course)


def _apply_lesson(row: Lesson, lesson: LessonDef) -> None:
    row.title, row.minutes, row.position = lesson.title, lesson.minutes, lesson.position
    row.source, row.version, row.retired = lesson.source, lesson.version, False


def _stamp_version(courses: Iterable[Course], quiz_rows: Iterable[QuizSource], now: datetime) -> None:
    """A new content version when anything published changed: caches keyed by it start afresh.

    The version is random, not the digest, so two databases holding the same files never share
    cached rows (their ids differ).
    """
    digest = hashlib.sha256()
    for row in sorted(courses, key=lambda c: c.slug):
        digest.update(f"{row.slug}:{row.version}:{row.retired};".encode())
        for lesson in row.lessons:
            digest.update(f"{lesson.slug}:{lesson.version}:{lesson.retired}:{lesson.position};".encode())
    for source in sorted(quiz_rows, key=lambda r: (r.kind, r.name)):
        digest.update(f"{source.kind}/{source.name}:{source.version}:{source.retired};".encode())
    state = db.session.get(ContentState, 1)
    if state is None:
        state = ContentState(id=1, version="", digest="")
        db.session.add(state)
    if state.digest != digest.hexdigest():
        state.version, state.digest, state.changed_at = uuid.uuid4().hex, digest.hexdigest(), now


def sync(library: Library, *, actor: User | None = None, ip: str = "", now: datetime | None = None,
         on_course: Callable[[CourseDef], None] | None = None) -> SyncReport:
    """Publish in one transaction; ``on_course`` is called after each course, for progress displays."""
    now = now or utcnow()
    report = SyncReport(problems=len(library.problems))
    rows = {c.slug: c for c in db.session.execute(select(Course)).scalars()}
    present = library.scan.present
    for course in library.courses:
        row = rows.get(course.slug)
        if row is None:
            row = Course(slug=course.slug)
            db.session.add(row)
            rows[course.slug] = row
            report.created.append(course.slug)
        elif row.version != course.version or row.retired:
            report.updated.append(course.slug)
        else:
            report.unchanged += 1
        _apply_course(row, course, now)
        db.session.flush()
        lessons = {x.slug: x for x in row.lessons}
        for lesson in course.lessons:
            target = lessons.get(lesson.slug)
            name = f"{course.slug}/{lesson.slug}"
            if target is None:
                target = Lesson(course_id=row.id, slug=lesson.slug)
                db.session.add(target)
                row.lessons.append(target)
                report.created.append(name)
            elif target.version != lesson.version or target.retired:
                report.updated.append(name)
            _apply_lesson(target, lesson)
        for slug, target in lessons.items():
            if not target.retired and (course.slug, slug) not in present:
                target.retired = True
                report.retired.append(f"{course.slug}/{slug}")
        if on_course is not None:
            on_course(course)
    for slug, row in rows.items():
        if not row.retired and (slug, "") not in present:
            row.retired = True
            report.retired.append(slug)
    quiz_report = quiz_sources.publish(library, now)
    report.created += quiz_report.created
    report.updated += quiz_report.updated
    report.retired += quiz_report.retired
    report.kept = quiz_report.kept
    _stamp_version(rows.values(), quiz_report.rows, now)
    db.session.execute(delete(ContentProblem))
    db.session.add_all(ContentProblem(path=p.path, line=p.line, message=p.message, found_at=now) for p in library.problems)
    audit.record("content_sync", actor=actor, ip=ip, now=now, created=len(report.created),
                 updated=len(report.updated), retired=len(report.retired), problems=report.problems)
    db.session.commit()
    return report
