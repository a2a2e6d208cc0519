from __future__ import annotations

from itertools import groupby

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import access, format_hours, tiers
from ..content.quizzes import QuizKey
from ..content.render import render
from ..database import db
from ..forms import EmptyForm
from ..models import Course
from ..services import next_step, progress, quizzes
from ..services.next_step import NextStep, Step

bp = Blueprint("courses", __name__)
bp.before_request(login_required(lambda: None))


@bp.app_template_global()
def step_action(course: Course, step: NextStep) -> tuple[str, str]:
    """The label and the address of a course's one next action."""
    final = url_for("quizzes.show", kind="final", ref=course.slug)
    if step.step is Step.START and step.lesson is not None:
        return _("Start learning"), url_for("courses.lesson", slug=course.slug, lesson_slug=step.lesson.slug)
    if step.step is Step.CONTINUE and step.lesson is not None:
        return _("Continue: %(title)s", title=step.lesson.title), url_for("courses.lesson", slug=course.slug, lesson_slug=step.lesson.slug)
    if step.step is Step.FINAL:
        return _("Take the final exam"), final
    if step.step is Step.RESUME_EXAM:
        return _("Return to the final exam"), final
    if step.step is Step.RETAKE:
        if step.attempts_left is None:
            return _("Try again"), final
        return _("Try again (%(n)d left)", n=step.attempts_left), final
    if step.step is Step.WAIT:
        return _("Next attempt after %(time)s", time=format_datetime(step.cooldown_until, "yyyy-MM-dd HH:mm")), final
    if step.step is Step.NO_ATTEMPTS:
        return _("No attempts left: see your results"), final
    return _("Review the course"), url_for("courses.course", slug=course.slug)


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
    return render_template("courses/catalog.html", tiers=grouped, steps=next_step.next_steps(current_user, courses))


@bp.get("/courses/<slug>")
def course(slug: str) -> ResponseReturnValue:
    course = access.course_for_learner(slug)
    intro = render(course.intro, course.version, f"{course.tier}/{course.slug}")
    return render_template("courses/course.html", course=course, intro=intro,
                           done=progress.done_lessons(current_user, course),
                           step=next_step.next_step(current_user, course),
                           prerequisites=_prerequisites(course))


def _prerequisites(course: Course) -> list[Course]:
    """The courses ``course.md`` names as prerequisites, by title; unknown or retired ones left out."""
    slugs = list((course.meta or {}).get("prerequisites") or [])
    if not slugs:
        return []
    found = {c.slug: c for c in db.session.execute(
        select(Course).where(Course.slug.in_(slugs), Course.retired.is_(False))).scalars()}
    return [found[s] for s in slugs if s in found]


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
    check = access.quiz_by_key(str(QuizKey.check(slug, lesson.slug)))
    if check is not None and not quizzes.attempts_of(current_user, check):  # say so rather than skip it silently
        flash(_("Lesson finished. It has a practice check you have not tried yet: try it now, or skip it for the next step."), "info")
        return redirect(url_for("quizzes.show", kind=check.kind, ref=check.ref), code=303)
    live = lesson.course.live_lessons
    index = live.index(lesson)
    if index + 1 < len(live):
        return redirect(url_for("courses.lesson", slug=slug, lesson_slug=live[index + 1].slug), code=303)
    return redirect(url_for("courses.course", slug=slug), code=303)


@bp.get("/courses/<slug>/resume")
def resume(slug: str) -> ResponseReturnValue:
    course = access.course_for_learner(slug)
    step = next_step.next_step(current_user, course)
    if step.step is Step.DONE:
        return redirect(url_for("courses.course", slug=slug))
    return redirect(step_action(course, step)[1])
