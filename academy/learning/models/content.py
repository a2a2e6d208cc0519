from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.database import UTCDateTime, db, utcnow


class Course(db.Model):
    """The published snapshot of a course folder.

    The Markdown files in Git are the source; ``flask content sync`` copies the last
    version that passed validation here, so every app instance serves the same thing
    and a broken file never replaces a good one.
    """

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    tier: Mapped[str] = mapped_column(String(20), index=True)
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[float] = mapped_column(Numeric(5, 1, asdecimal=False))
    position: Mapped[int] = mapped_column(default=0)
    intro: Mapped[str] = mapped_column(Text, default="")
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    version: Mapped[str] = mapped_column(String(32))
    retired: Mapped[bool] = mapped_column(default=False)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # titles, summaries and lesson headings, normalised at sync (content/search.py) for substring search
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)

    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course", order_by="Lesson.position", lazy="selectin"
    )

    @property
    def live_lessons(self) -> list[Lesson]:
        return [x for x in self.lessons if not x.retired]


class Lesson(db.Model):
    __tablename__ = "lesson"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(default=10)
    position: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(Text, default="", deferred=True)  # loaded only when read
    version: Mapped[str] = mapped_column(String(32))
    retired: Mapped[bool] = mapped_column(default=False)

    course: Mapped[Course] = relationship(back_populates="lessons")


class ContentState(db.Model):
    """One row: the version of the published content, changed by every sync that changes something.

    Every app instance keys its caches of published content by this value, so a sync seen by one
    instance is seen by all on their next request.
    """

    __tablename__ = "content_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ContentProblem(db.Model):
    """What the last sync found wrong, for the content-status page."""

    __tablename__ = "content_problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(300))
    line: Mapped[int] = mapped_column(default=1)
    message: Mapped[str] = mapped_column(Text)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
