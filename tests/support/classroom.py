"""A published course turned into one with a classroom part, as if its course.md said ``classroom: required``."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from academy.database import db
from academy.models import Course


def require_classroom(slug: str) -> Course:
    """Call inside an app context; commits."""
    course = db.session.execute(select(Course).where(Course.slug == slug)).scalar_one()
    course.meta = {**course.meta, "classroom": True}
    flag_modified(course, "meta")
    db.session.commit()
    return course
