"""Quizzes: landing page, start or resume, save each answer, submit, result, regrade."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from academy import access, ratelimit
from academy.assessment.services import accommodations, certificates, item_stats, quiz_sources, quizzes
from academy.clock import utcnow
from academy.competitions.services import competitions
from academy.content import qtypes
from academy.content.exams import Review
from academy.content.quizzes import Kind, QuizDef, QuizKey
from academy.forms import BadInput, EmptyForm, answer_from_form
from academy.grading import to_display
from academy.models import Attempt, Role
from academy.web import client_ip

bp = Blueprint("quizzes", __name__)
bp.before_request(login_required(lambda: None))

REFUSALS = {
    "limit": _l("You have used all attempts for this quiz."),
    "not_open": _l("This exam is not open now."),
    "unavailable": _l("This quiz cannot be drawn from its question bank at the moment. Please tell the training administrator."),
    "closed": _l("Time is up: this attempt has already been graded with the answers you saved."),
    "bad_answer": _l("That answer does not fit the question. Check it and try again."),
    "too_many": _l("Too many attempts in a short time: wait a few seconds and try again."),
}


def _refusal(err: quizzes.QuizError) -> str:
    if isinstance(err, quizzes.CoolingDown):
        return _("You can start the next attempt after %(when)s.", when=format_datetime(err.until, "yyyy-MM-dd HH:mm"))
    return str(REFUSALS.get(err.code, REFUSALS["bad_answer"]))


def _key(kind: str, ref: str) -> str:
    ident = QuizKey.of(kind, ref)
    if ident is None:
        abort(404)
    return str(ident)


@bp.get("/quiz/<kind>/<path:ref>")
def show(kind: str, ref: str) -> ResponseReturnValue:
    quiz, override = accommodations.applied(current_user, access.quiz_for_learner(current_user, _key(kind, ref)))
    attempts = [quizzes.settle(a) for a in quizzes.attempts_of(current_user, quiz)]
    return render_template("quizzes/show.html", quiz=quiz, attempts=attempts, form=EmptyForm(),
                           counted=quizzes.counted_attempt(current_user, quiz), skip=_after_check(quiz),
                           accommodation=accommodations.frozen(override, quiz))


def _after_check(quiz: QuizDef) -> tuple[str, str] | None:
    """A lesson check is practice: the way on without it (the next lesson, or the course)."""
    ident = quiz.ident
    if ident.kind != "check" or not ident.course:
        return None
    live = access.course_for_learner(ident.course).live_lessons
    index = next((i for i, x in enumerate(live) if x.slug == ident.lesson), None)
    if index is not None and index + 1 < len(live):
        return _("Skip the practice: next lesson"), url_for("courses.lesson", slug=ident.course, lesson_slug=live[index + 1].slug)
    return _("Skip the practice: back to the course"), url_for("courses.course", slug=ident.course)


@bp.post("/quiz/<kind>/<path:ref>")
def start(kind: str, ref: str) -> ResponseReturnValue:
    quiz = access.quiz_for_learner(current_user, _key(kind, ref))
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not ratelimit.allow("quiz_start", quiz.key, current_user.id):
        flash(str(REFUSALS["too_many"]), "error")
        return redirect(url_for("quizzes.show", kind=kind, ref=ref), code=303)
    try:
        attempt = quizzes.start_or_resume(current_user, quiz, quizzes.sources())
    except quizzes.QuizError as err:
        flash(_refusal(err), "error")
        return redirect(url_for("quizzes.show", kind=kind, ref=ref), code=303)
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id), code=303)


def _quiz_of(attempt: Attempt) -> QuizDef:
    quiz = access.quiz_by_key(attempt.quiz_key)
    if quiz is None:
        abort(404)
    return quiz


def _take_page(attempt: Attempt, quiz: QuizDef, status: int = 200) -> ResponseReturnValue:
    paper = quizzes.paper_of(attempt)
    saved = attempt.answer_map()
    shown = {i.question.id: to_display(i.question, saved.get(i.question.id), i.order) for i in paper.items}
    return render_template("quizzes/take.html", quiz=quiz, attempt=attempt, paper=paper, shown=shown,
                           form=EmptyForm(), remaining=quizzes.remaining_seconds(attempt, utcnow())), status


@bp.get("/attempts/<int:attempt_id>")
def attempt(attempt_id: int) -> ResponseReturnValue:
    attempt = quizzes.settle(access.attempt_for_viewer(current_user, attempt_id))
    quiz = _quiz_of(attempt)
    if attempt.is_open and attempt.user_id == current_user.id:
        return _take_page(attempt, quiz)
    now = utcnow()
    review = quizzes.may_review_answers(attempt, quiz, now)
    paper = quizzes.paper_of(attempt) if not attempt.is_open else None
    mine = attempt.user_id == current_user.id
    placing = None
    if quiz.kind == Kind.COMPETITION and not attempt.is_open:
        competition = competitions.by_slug(quiz.ref)
        placing = competitions.placing(competition, attempt.user_id) if competition else None
    # a contest still open keeps even right/wrong to itself: marks would pass the key to those still sitting it
    marks = review or not (quiz.review is Review.AFTER_CLOSE and not quiz.window_closed(now))
    return render_template("quizzes/result.html", quiz=quiz, attempt=attempt, paper=paper, review=review, placing=placing,
                           answers=attempt.answer_map(), marks=marks, items={i["id"]: i for i in attempt.items or []},
                           form=EmptyForm(), standing=quizzes.standing(attempt.user, quiz, now=now) if mine else None,
                           certificate=certificates.of_attempt(attempt.id) if attempt.passed else None,
                           way_back=_way_back(quiz))


def _way_back(quiz: QuizDef) -> tuple[str, str]:
    """Where a learner goes from a result: the lesson, the course, or 我的证书."""
    ident = quiz.ident
    if ident.kind == "check" and ident.course and ident.lesson:
        return _("Back to the lesson"), url_for("courses.lesson", slug=ident.course, lesson_slug=ident.lesson)
    if ident.kind == "final" and ident.course:
        return _("Back to the course"), url_for("courses.course", slug=ident.course)
    if ident.kind == "exam":
        return _("My certificates"), url_for("certificates.mine")
    return _("Back to the quiz"), url_for("quizzes.show", kind=quiz.kind, ref=quiz.ref)


@bp.post("/attempts/<int:attempt_id>/answers/<question_id>")
def save_one(attempt_id: int, question_id: str) -> ResponseReturnValue:
    """One answer, sent by the page's script as soon as it is given (X-CSRFToken header)."""
    head = access.own_attempt_head(current_user, quizzes.head_for_save(attempt_id))
    if not ratelimit.allow("quiz_save", str(attempt_id), current_user.id):
        return jsonify(saved=False, error=str(REFUSALS["too_many"]), retry=True), 429
    now = utcnow()
    item = quizzes.paper_item(head, question_id) if head.is_open else None
    try:
        value = answer_from_form(item.question, len(item.order), request.form) if item else None
        quizzes.save_one(head, question_id, value, now=now)
    except BadInput:
        return jsonify(saved=False, error=str(REFUSALS["bad_answer"])), 422
    except quizzes.AttemptClosed as err:
        return jsonify(saved=False, error=_refusal(err), closed=True), 409
    except quizzes.QuizError as err:
        return jsonify(saved=False, error=_refusal(err)), 422
    return jsonify(saved=True, remaining=quizzes.remaining_seconds(head, now))


def _save_all(attempt: Attempt) -> None:
    paper = quizzes.paper_of(attempt)
    values: dict[str, Any] = {}
    for item in paper.items:  # validate everything first: a bad field saves nothing
        values[item.question.id] = answer_from_form(item.question, len(item.order), request.form)
    saved = attempt.answer_map()
    quizzes.save_answers(attempt, {qid: value for qid, value in values.items() if value is not None or qid in saved})


@bp.post("/attempts/<int:attempt_id>")
def save_form(attempt_id: int) -> ResponseReturnValue:
    """The plain form (works without JavaScript): save every answer, then submit if asked."""
    attempt = access.attempt_for_owner(current_user, attempt_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        if attempt.is_open:
            _save_all(attempt)
    except BadInput:
        flash(str(REFUSALS["bad_answer"]), "error")
        return _take_page(attempt, _quiz_of(attempt), 422)
    except quizzes.AttemptClosed as err:
        flash(_refusal(err), "error")
    except quizzes.QuizError as err:
        flash(_refusal(err), "error")
        return _take_page(attempt, _quiz_of(attempt), 422)
    if request.form.get("action") == "submit":
        quizzes.submit(attempt)
    elif attempt.is_open:
        flash(_("Your answers are saved."), "success")
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id), code=303)


@bp.post("/attempts/<int:attempt_id>/submit")
def submit(attempt_id: int) -> ResponseReturnValue:
    attempt = access.attempt_for_owner(current_user, attempt_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    quizzes.submit(attempt)
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id), code=303)


@bp.post("/quiz-admin/regrade/<kind>/<path:ref>")
def regrade(kind: str, ref: str) -> ResponseReturnValue:
    quiz = access.quiz_for_author(current_user, _key(kind, ref))
    if not EmptyForm().validate_on_submit():
        abort(400)
    changed = quizzes.regrade(quiz, quizzes.sources(), actor=current_user, ip=client_ip(),
                              scope=access.regrade_scope(current_user))
    flash(_("Regraded: %(n)d attempts changed.", n=changed), "success")
    return redirect(url_for("quizzes.show", kind=kind, ref=ref), code=303)


TYPE_NAMES = {
    "single": _l("Single choice"), "multiple": _l("Multiple choice"), "truefalse": _l("True or false"),
    "fill": _l("Fill in the blanks"), "numeric": _l("Numeric answer"), "ordering": _l("Ordering"),
    "matching": _l("Matching"),
}
FLAG_NAMES = {"too_hard": _l("too hard"), "too_easy": _l("too easy"),
              "negative_discrimination": _l("negative discrimination")}
KIND_NAMES = {"check": _l("Lesson check"), "final": _l("Final exam"), "exam": _l("Certification exam"),
              "competition": _l("Online round")}


@bp.app_context_processor
def quiz_helpers() -> dict[str, Any]:
    from flask_babel import get_locale

    def quiz_title(quiz: QuizDef) -> str:
        english = str(get_locale()) == "en" and quiz.title_en
        base = quiz.title_en if english else quiz.title
        if quiz.kind == "check":
            return _("Practice: %(title)s", title=base)
        if quiz.kind == "final":
            return _("Final exam: %(title)s", title=base)
        return base

    return {"quiz_title": quiz_title, "type_name": lambda t: TYPE_NAMES.get(str(t), t),
            "kind_name": lambda k: KIND_NAMES.get(str(k), k),
            "flag_name": lambda f: FLAG_NAMES.get(f, f), "qtype_macro": lambda t: qtypes.spec(t).macro}


@bp.get("/quiz-admin/stats/<kind>/<path:ref>")
def stats(kind: str, ref: str) -> ResponseReturnValue:
    quiz = access.quiz_for_author(current_user, _key(kind, ref))
    scopes = None if access.can_manage_content(current_user) else access.hr_scopes(current_user)
    return render_template("quizzes/stats.html", quiz=quiz, stats=item_stats.for_quiz(quiz.key, scopes))


def _attempted_defs() -> list[tuple[QuizDef, int]]:
    """The quizzes with graded attempts that still exist, with their number of attempts."""
    found = [(access.quiz_by_key(key), n) for key, n in item_stats.attempted_quizzes().items()]
    return [(quiz, n) for quiz, n in found if quiz is not None]


def _bank_of() -> dict[str, str]:
    return {q.id: bank.id for bank in quizzes.sources().banks.values() for q in bank.questions}


@bp.get("/quiz-admin/flagged")
def flagged() -> ResponseReturnValue:
    """Questions flagged by their statistics, across every bank: where authors start a revision."""
    access.require_role(current_user, Role.AUTHOR)
    attempted = _attempted_defs()
    least = _least_attempts()
    items = item_stats.flagged([q.key for q, _n in attempted], _bank_of(), min_attempts=least)
    banks = quizzes.sources().banks
    return render_template("quizzes/flagged.html", items=items, quizzes={q.key: q for q, _n in attempted},
                           banks=banks, min_attempts=least)


def _least_attempts() -> int:
    return int(current_app.config["ITEM_FLAG_MIN_ATTEMPTS"])


@bp.get("/quiz-admin/banks/<bank_id>")
def bank_stats(bank_id: str) -> ResponseReturnValue:
    """A bank's statistics: every quiz that draws from it, and its questions they flagged."""
    access.require_role(current_user, Role.AUTHOR)
    bank = quizzes.sources().banks.get(bank_id)
    if bank is None:
        abort(404)
    drawing = [(q, n) for q, n in _attempted_defs() if bank.id in {rule.bank for rule in q.draw}]
    exams = [e for e in quizzes.sources().exams.values() if bank.id in {rule.bank for rule in e.draw}]
    own = {q.id for q in bank.questions}
    least = _least_attempts()
    items = [f for f in item_stats.flagged([q.key for q, _n in drawing], _bank_of(), min_attempts=least)
             if f.item.question_id in own]
    return render_template("quizzes/bank_stats.html", bank=bank, drawing=drawing, exams=exams, items=items,
                           quizzes={q.key: q for q, _n in drawing}, min_attempts=least)


@bp.get("/quiz-files/<bank>/<name>")
def bank_image(bank: str, name: str) -> ResponseReturnValue:
    """An image imported with a bank, shown inside its questions."""
    from io import BytesIO

    access.bank_images_for_viewer(current_user, bank)
    found = quiz_sources.bank_file(bank, name)
    if found is None:
        abort(404)
    data, kind = found
    response = send_file(BytesIO(data), mimetype=kind, download_name=name, max_age=3600)
    response.headers["Content-Security-Policy"] = "default-src 'none'"  # an image, never a document
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/quiz-admin/question-template.xlsx")
def question_template() -> ResponseReturnValue:
    """The Excel template for questions kept in a spreadsheet (authors and HR)."""
    from io import BytesIO

    from academy.content.sheet_template import template_bytes

    access.require_role(current_user, Role.AUTHOR, Role.HR)
    return send_file(BytesIO(template_bytes()), as_attachment=True, download_name="question-template.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
