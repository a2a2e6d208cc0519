from __future__ import annotations

from itertools import groupby

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import access, format_hours, tiers
from ..content.render import render
from ..database import db
from ..forms import EmptyForm
from ..models import Course
from ..services import progress

bp = Blueprint("courses", __name__)
bp.before_request(login_required(lambda: None))


@bp.get("/")
def home() -> ResponseReturnValue:
    return redirect(url_for("courses.catalog"))


@bp.get("/courses")
def catalog() -> ResponseReturnValue:
    courses = list(db.session.execute(
        select(Course).where(Course.retired.is_(False)).order_by(Course.position, Course.slug)
    ).scalars())
    courses.sort(key=lambda c: (tiers.rank(c.tier), c.position))
    grouped = [(tier, list(items)) for tier, items in groupby(courses, key=lambda c: c.tier)]
    return render_template("courses/catalog.html", tiers=grouped,
                           progress=progress.progress_for(current_user, courses))


@bp.get("/courses/<slug>")
def course(slug: str) -> ResponseReturnValue:
    course = access.course_for_learner(slug)
    intro = render(course.intro, course.version, f"{course.tier}/{course.slug}")
    return render_template("courses/course.html", course=course, intro=intro,
                           done=progress.done_lessons(current_user, course),
                           state=progress.progress_for(current_user, [course])[course.id],
                           resume=progress.resume_lesson(current_user, course))


@bp.get("/courses/<slug>/<lesson_slug>")
def lesson(slug: str, lesson_slug: str) -> ResponseReturnValue:
    lesson = access.lesson_for_learner(slug, lesson_slug)
    course = lesson.course
    page = render(lesson.source, lesson.version, f"{course.tier}/{course.slug}")
    progress.open_lesson(current_user, lesson)
    live = course.live_lessons
    index = live.index(lesson)
    return render_template(
        "courses/lesson.html", course=course, lesson=lesson, page=page, form=EmptyForm(),
        done=lesson.id in progress.done_lessons(current_user, course),
        previous=live[index - 1] if index > 0 else None,
        following=live[index + 1] if index + 1 < len(live) else None,
        position=index + 1, total=len(live))


@bp.post("/courses/<slug>/<lesson_slug>/done")
def mark_done(slug: str, lesson_slug: str) -> ResponseReturnValue:
    lesson = access.lesson_for_learner(slug, lesson_slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if progress.complete_lesson(current_user, lesson):
        flash(_("Course completed: %(hours)s training hours credited.", hours=format_hours(lesson.course.hours)), "success")
    live = lesson.course.live_lessons
    index = live.index(lesson)
    if index + 1 < len(live):
        return redirect(url_for("courses.lesson", slug=slug, lesson_slug=live[index + 1].slug), code=303)
    return redirect(url_for("courses.course", slug=slug), code=303)


@bp.get("/courses/<slug>/resume")
def resume(slug: str) -> ResponseReturnValue:
    course = access.course_for_learner(slug)
    target = progress.resume_lesson(current_user, course)
    if target is None:
        return redirect(url_for("courses.course", slug=slug))
    return redirect(url_for("courses.lesson", slug=slug, lesson_slug=target.slug))
