"""Course rows for the desks (HR, admin, classroom, plans): their pickers, filters and links.

The learner's pages read the published snapshot (``published``) instead; these are the
rows themselves, for forms that store a course id and for links to retired courses.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from academy import tiers
from academy.database import db
from academy.models import Course


def live() -> list[Course]:
    """The courses not retired, in catalog order: by tier, then position."""
    return sorted(db.session.execute(select(Course).where(Course.retired.is_(False))).scalars(),
                  key=lambda c: (tiers.rank(c.tier), c.position, c.slug))


def live_matching(*, slug: str | None = None, tier: str | None = None) -> list[Course]:
    """The live course with ``slug``, or every live course of ``tier``, by position."""
    column, key = (Course.slug, slug) if slug is not None else (Course.tier, tier)
    return list(db.session.execute(
        select(Course).where(column == key, Course.retired.is_(False)).order_by(Course.position)).scalars())


def by_slug(slug: str | None) -> Course | None:
    """The course with this slug, retired or not (reports and links outlive a course)."""
    return db.session.execute(select(Course).where(Course.slug == slug)).scalar_one_or_none() if slug else None


def get(course_id: int | None) -> Course | None:
    return db.session.get(Course, course_id) if course_id else None


def titles(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = db.session.execute(select(Course.id, Course.title).where(Course.id.in_(wanted)))
    return dict(rows.tuples().all())  # a Result has keys(): dict() would read it as a mapping
