"""Published courses as plain frozen objects, cached per content version.

The catalog, course and lesson pages read the same few dozen courses on every request. They
are loaded once per process and per content version (``ContentState.version``, changed by
every ``content sync`` that changes something) and shared by all requests; the one query a
request pays is reading that version, so every gunicorn worker and every server sees a sync
on its next request. Read-only: nothing here writes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from flask import has_request_context, request
from sqlalchemy import select
from sqlalchemy.orm import noload

from academy import tiers
from academy.content.render import Rendered, render
from academy.content.search import normalise
from academy.database import db, read
from academy.models import ContentState, Course, Lesson

T = TypeVar("T")


class LessonShape(Protocol):
    """What progress and next-step code read of a lesson: a ``Lesson`` row or a ``PublishedLesson``."""

    @property
    def id(self) -> int: ...
    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...


class CourseShape(Protocol):
    """What progress and next-step code read of a course: a ``Course`` row or a ``PublishedCourse``."""

    @property
    def id(self) -> int: ...
    @property
    def slug(self) -> str: ...
    @property
    def meta(self) -> dict[str, Any]: ...
    @property
    def lessons(self) -> Sequence[LessonShape]: ...
    @property
    def live_lessons(self) -> Sequence[LessonShape]: ...


@dataclass(frozen=True)
class PublishedLesson:
    id: int
    course_id: int
    slug: str
    title: str
    minutes: int
    position: int
    version: str
    retired: bool


@dataclass(frozen=True)
class PublishedCourse:
    id: int
    slug: str
    tier: str
    title: str
    title_en: str
    hours: float
    position: int
    intro: str
    meta: dict[str, Any]
    version: str
    lessons: tuple[PublishedLesson, ...]
    live_lessons: tuple[PublishedLesson, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "live_lessons", tuple(x for x in self.lessons if not x.retired))

    def lesson(self, slug: str) -> PublishedLesson | None:
        return next((x for x in self.live_lessons if x.slug == slug), None)


@dataclass
class Snapshot:
    version: str
    courses: tuple[PublishedCourse, ...]  # live courses in catalog order (tier, then position)
    by_slug: dict[str, PublishedCourse]
    memo: dict[object, object] = field(default_factory=dict)  # derived values, same lifetime

    def remember(self, key: object, make: Callable[[], T]) -> T:
        """A value derived from this version only (rendered HTML, page fragments), made once."""
        if key not in self.memo:
            if len(self.memo) >= MEMO_LIMIT:  # learner states are many: start afresh rather than grow
                self.memo.clear()
            self.memo[key] = make()
        return self.memo[key]  # type: ignore[return-value]


MEMO_LIMIT = 20_000
_lock = threading.Lock()


_VERSION = select(ContentState.version).where(ContentState.id == 1)
_ENVIRON_KEY = "academy.content_version"


def version() -> str | None:
    """The published content version (None before the first sync), read once per request."""
    if not has_request_context():
        return read(_VERSION).scalar_one_or_none()
    # on the request, not on ``g``: an application context (and its ``g``) may span many requests
    environ = request.environ
    if _ENVIRON_KEY not in environ:
        environ[_ENVIRON_KEY] = read(_VERSION).scalar_one_or_none()
    return environ[_ENVIRON_KEY]  # type: ignore[no-any-return]


class PerVersion(Generic[T]):
    """One value per content version and database, made once per process and shared by all requests;
    the value of an older version of the same database is dropped when a newer one is made."""

    def __init__(self, make: Callable[[str], T]) -> None:
        self.make = make
        self.values: dict[tuple[str, str], T] = {}

    def get(self) -> T:
        version_now = version()
        if not version_now:  # never synced (a fresh or hand-filled database): nothing to key a cache by
            return self.make("")
        key = (str(db.engine.url), version_now)
        found = self.values.get(key)
        if found is None:
            found = self.make(version_now)
            with _lock:
                for old in [k for k in self.values if k[0] == key[0]]:
                    del self.values[old]
                self.values[key] = found
        return found


def snapshot() -> Snapshot:
    """The published courses for this request: no query when the process already holds them."""
    return _snapshots.get()


def _load(version: str) -> Snapshot:
    rows = db.session.execute(
        select(Course).where(Course.retired.is_(False)).options(noload(Course.lessons))).scalars().all()
    lessons: dict[int, list[PublishedLesson]] = {}
    for x in db.session.execute(select(Lesson).order_by(Lesson.position)).scalars():
        lessons.setdefault(x.course_id, []).append(PublishedLesson(
            x.id, x.course_id, x.slug, x.title, x.minutes, x.position, x.version, x.retired))
    courses = sorted((PublishedCourse(
        c.id, c.slug, c.tier, c.title, c.title_en, c.hours, c.position, c.intro, dict(c.meta or {}), c.version,
        tuple(lessons.get(c.id, ()))) for c in rows), key=lambda c: (tiers.rank(c.tier), c.position, c.slug))
    return Snapshot(version, tuple(courses), {c.slug: c for c in courses})


_snapshots = PerVersion(_load)


def lesson_page(snap: Snapshot, course: PublishedCourse, lesson: PublishedLesson) -> Rendered:
    """The lesson's HTML, rendered once per content version: the Markdown is read only on a miss."""
    def make() -> Rendered:
        source = db.session.execute(select(Lesson.source).where(Lesson.id == lesson.id)).scalar_one()
        return render(source, lesson.version, f"{course.tier}/{course.slug}")

    return snap.remember(("lesson", lesson.id, lesson.version), make)


def course_intro(snap: Snapshot, course: PublishedCourse) -> Rendered:
    return snap.remember(("intro", course.id, course.version),
                         lambda: render(course.intro, course.version, f"{course.tier}/{course.slug}"))


def search(text: str) -> set[int]:
    """Ids of live courses whose search text holds the query as a substring (content/search.py says why)."""
    needle = normalise(text)
    if not needle:
        return set()
    return set(db.session.execute(select(Course.id).where(
        Course.retired.is_(False), Course.search_text.contains(needle, autoescape=True))).scalars())
