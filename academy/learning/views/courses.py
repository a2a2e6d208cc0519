from __future__ import annotations

from datetime import date, datetime
from functools import partial
from itertools import groupby
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from academy import access, format_hours, tiers
from academy.assessment.services import certificates, quizzes
from academy.clock import utcnow
from academy.content.quizzes import QuizKey
from academy.forms import EmptyForm
from academy.learning.services import next_step, progress, published
from academy.learning.services.next_step import NextStep, Step
from academy.learning.services.published import CourseShape

bp = Blueprint("courses", __name__)
bp.before_request(login_required(lambda: None))


@bp.app_template_global()
def step_action(course: CourseShape, step: NextStep) -> tuple[str, str]:
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
    if step.step is Step.CLASSROOM:
        return _("Attend the classroom session"), url_for("training.mine", course=course.slug)
    if step.step is Step.NO_ATTEMPTS:
        return _("No attempts left: see your results"), final
    return _("Review the course"), url_for("courses.course", slug=course.slug)


@bp.get("/")
def home() -> ResponseReturnValue:
    return redirect(url_for("courses.catalog"))


STATUSES = ("not_started", "in_progress", "completed")


@bp.get("/courses")
def catalog() -> ResponseReturnValue:
    snap = published.snapshot()
    query = request.args.get("q", "").strip()[:100]
    tier = request.args.get("tier", "")
    tier = tier if tier in tiers.TIER_ORDER else ""
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    required_only = request.args.get("required") == "1"
    courses = list(snap.courses)
    if query:
        found = published.search(query)
        courses = [c for c in courses if c.id in found]
    if tier in tiers.TIER_ORDER:
        courses = [c for c in courses if c.tier == tier]
    steps = next_step.next_steps(current_user, courses)
    marks = next_step.assigned(current_user)
    if required_only:
        courses = [c for c in courses if c.id in marks and marks[c.id].required]
    if status in STATUSES:
        courses = [c for c in courses if _status(steps[c.id]) == status]
    today = datetime.now(ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])).date()
    locale = str(get_locale())
    grouped = [(t, list(items)) for t, items in groupby(courses, key=lambda c: c.tier)]
    filters = {"query": query, "tier": tier, "status": status, "required_only": required_only}
    return render_template(
        "courses/catalog.html", tiers=grouped, filtered=bool(query or tier or status or required_only),
        filters=_filters(snap, locale, filters),
        exam_boxes=_exam_boxes(snap, locale),
        cards={c.id: _card(snap, locale, c, steps[c.id], marks.get(c.id), today) for c in courses})


def _status(step: NextStep) -> str:
    if step.progress.completed:
        return "completed"
    return "in_progress" if step.progress.enrolled or step.progress.done else "not_started"


def _filters(snap: published.Snapshot, locale: str, chosen: dict[str, object]) -> Markup:
    """The search and filter form; kept per version and language unless it holds typed words."""
    def make() -> Markup:
        return Markup(render_template("courses/_filters.html", **chosen, filtered=any(chosen.values())))  # noqa: S704 - a rendered template

    if chosen["query"]:
        return make()
    return snap.remember(("filters", locale, tuple(chosen.values())), make)


def _exam_boxes(snap: published.Snapshot, locale: str) -> dict[str, list[Markup]]:
    """Each tier's certification exams with the learner's certificate, for the box above its courses."""
    held = certificates.valid_until(current_user, utcnow())
    boxes: dict[str, list[Markup]] = {}
    for exam in quizzes.sources().exams.values():
        until = held.get(exam.id)
        boxes.setdefault(str(exam.tier), []).append(snap.remember(
            ("exam", locale, exam.id, exam.version, until), partial(_exam_box, exam, until)))
    return boxes


def _exam_box(exam: object, valid_until: datetime | None) -> Markup:
    return Markup(render_template("courses/_tier_exam.html", exam=exam, valid_until=valid_until))  # noqa: S704 - a rendered template


def _card(snap: published.Snapshot, locale: str, course: published.PublishedCourse, step: NextStep,
          mark: next_step.Assigned | None, today: date) -> Markup:
    """A catalog card, rendered once per content version, language and learner state shown on it."""
    state = step.progress
    overdue = mark.overdue(today, state.completed) if mark else False
    key = ("card", locale, course.id, state.done, state.total, state.enrolled, state.completed,
           step.step, step.lesson.id if step.lesson else None, step.attempts_left, step.cooldown_until, mark, overdue)
    return snap.remember(key, lambda: Markup(render_template(  # noqa: S704 - a rendered template
        "courses/_card.html", course=course, step=step, mark=mark, overdue=overdue)))


@bp.get("/courses/<slug>")
def course(slug: str) -> ResponseReturnValue:
    snap, course = access.published_course(slug)
    state = next_step.next_step(current_user, course)
    return render_template("courses/course.html", course=course, intro=published.course_intro(snap, course),
                           done=state.progress.done_ids, step=state,
                           prerequisites=_prerequisites(snap, course))


def _prerequisites(snap: published.Snapshot, course: published.PublishedCourse) -> list[published.PublishedCourse]:
    """The courses ``course.md`` names as prerequisites, by title; unknown or retired ones left out."""
    slugs = list(course.meta.get("prerequisites") or [])
    return [snap.by_slug[s] for s in slugs if s in snap.by_slug]


@bp.get("/courses/<slug>/<lesson_slug>")
def lesson(slug: str, lesson_slug: str) -> ResponseReturnValue:
    snap, course, lesson = access.published_lesson(slug, lesson_slug)
    page = published.lesson_page(snap, course, lesson)
    done = progress.view_lesson(current_user, course, lesson.id)
    live = course.live_lessons
    index = live.index(lesson)
    return render_template(
        "courses/lesson.html", course=course, lesson=lesson, page=page, form=EmptyForm(),
        done=lesson.id in done,
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
