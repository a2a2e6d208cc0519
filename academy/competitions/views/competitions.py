"""Online rounds: create, enter (through the quiz engine's pages), rankings, XLSX export."""

from __future__ import annotations

import dataclasses
from datetime import UTC, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy import access, scoring
from academy.assessment.services import awards, question_picker, quizzes
from academy.clock import utcnow
from academy.competitions.services import competitions
from academy.forms import DIFFICULTY_NAMES, CompetitionForm, EmptyForm, ExtendForm
from academy.models import Competition, Role
from academy.people.services import org
from academy.services import audit
from academy.web import client_ip

BOARD_PAGE = 100  # rows per page of the individual ranking; the export has everyone

bp = Blueprint("competitions", __name__, url_prefix="/competitions")
bp.before_request(login_required(lambda: None))


@bp.app_context_processor
def round_helpers() -> dict[str, Any]:
    names = DIFFICULTY_NAMES
    return {"difficulty_name": lambda d: names.get(str(d), d), "preview_order": question_picker.preview_order}


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_template("competitions/index.html", rounds=competitions.visible_to(current_user), now=utcnow())


def _setup_form() -> CompetitionForm:
    form = CompetitionForm(banks=question_picker.bank_choices(quizzes.sources().banks))
    form.units.choices = [(u.id, u.name) for u in org.in_tree_order()]
    return form


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    access.require_role(current_user, Role.HOST)
    form = _setup_form()
    if not form.validate_on_submit():
        return render_template("competitions/new.html", form=form, **_picker_facets()), 422 if form.is_submitted() else 200
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    competition = competitions.create(
        current_user, title=form.title.data or "", rules=form.rules.data or "",
        opens_at=form.opens_at.data.replace(tzinfo=zone).astimezone(UTC),  # type: ignore[union-attr]
        closes_at=form.closes_at.data.replace(tzinfo=zone).astimezone(UTC),  # type: ignore[union-attr]
        draw=form.draw_rules(), awards=form.award_rules(), time_limit=form.time_limit.data or 60,
        sittings=form.sittings.data or 1, unit_ids=list(form.units.data or []),
        positions=[p.strip() for p in (form.positions.data or "").replace("，", ",").split(",")],
        review_after_close=bool(form.review_after_close.data), team_depth=form.team_depth.data or 0,
        weight_participation=form.weight_participation.data or 0, weight_average=form.weight_average.data or 0,
        freeze_hours=form.freeze_hours.data or 0, show_names=form.show_names.data or 0)
    return redirect(url_for("competitions.show", slug=competition.slug), code=303)


def _filters() -> question_picker.Filters:
    args = request.args
    return question_picker.Filters(course=args.get("course", "")[:80], bank=args.get("bank", "")[:80],
                                   tag=args.get("tag", "")[:80], difficulty=tuple(args.getlist("difficulty"))[:3],
                                   types=tuple(args.getlist("types"))[:7])


def _picker_facets() -> dict[str, object]:
    banks = quizzes.sources().banks
    return {"courses": question_picker.course_titles(b.course for b in banks.values())}


@bp.get("/questions")
def questions() -> ResponseReturnValue:
    """The question picker: hosts browse the banks as players will see the questions (never the keys)."""
    access.require_role(current_user, Role.HOST)
    filters = _filters()
    if request.args.get("live") and not filters.types:  # a live final takes only the types phones can answer
        filters = dataclasses.replace(filters, types=tuple(sorted(scoring.LIVE_TYPES)))
    picked = question_picker.pick(quizzes.sources().banks, filters)
    template = "competitions/_picked.html" if request.args.get("part") == "list" else "competitions/questions.html"
    return render_template(template, picked=picked, filters=filters, pick=bool(request.args.get("pick")),
                           **_picker_facets())


@bp.get("/<slug>")
def show(slug: str) -> ResponseReturnValue:
    competition = access.competition_for_entrant(current_user, slug)
    quiz = competitions.quiz_def(competition)
    mine = [quizzes.settle(a) for a in quizzes.attempts_of(current_user, quiz)]
    return render_template("competitions/show.html", c=competition, quiz=quiz, mine=mine, form=EmptyForm(), now=utcnow(),
                           counted=quizzes.counted_attempt(current_user, quiz),
                           is_host=access.hosts_competition(current_user, competition))


@bp.get("/<slug>/board")
def board(slug: str) -> ResponseReturnValue:
    competition = access.competition_for_entrant(current_user, slug)
    now = utcnow()
    is_host = access.hosts_competition(current_user, competition)
    result = competitions.standings(competition, now=now, full=is_host or now >= competition.closes_at)
    pages = max(1, -(-len(result.people) // BOARD_PAGE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    shown = result.people[(page - 1) * BOARD_PAGE : page * BOARD_PAGE]
    viewer = current_user.id  # read the proxy once, not once per ranked person
    mine = next((e for e in result.people if e.user_id == viewer), None)
    return render_template("competitions/board.html", c=competition, board=result, is_host=is_host,
                           people=shown, page=page, pages=pages, mine=mine if mine not in shown else None, viewer=viewer,
                           closed=now >= competition.closes_at, form=EmptyForm(),
                           issued=awards.of_competition(competition) if is_host else [])


@bp.post("/<slug>/awards")
def issue_awards(slug: str) -> ResponseReturnValue:
    competition = access.competition_for_host(current_user, slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        issued = awards.issue(competition, actor=current_user, ip=client_ip())
    except awards.AwardsNotYet:
        flash(_("Award certificates can be issued once the round has closed."), "error")
    else:
        if issued:
            flash(_("%(n)d award certificates issued.", n=len(issued)), "success")
        else:
            flash(_("Every award certificate has already been issued."), "success")
    return redirect(url_for("competitions.board", slug=competition.slug), code=303)


@bp.get("/<slug>/export.xlsx")
def export(slug: str) -> ResponseReturnValue:
    competition = access.competition_for_host(current_user, slug)
    audit.exported(current_user, "competition", ip=client_ip(), competition=competition.slug, format="xlsx")
    return Response(competitions.export_xlsx(competition),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=competition-{competition.slug}.xlsx"})


@bp.get("/<slug>/host")
def host(slug: str) -> ResponseReturnValue:
    """The host's page for a round: participation by unit (the script refreshes it), window, export, awards."""
    competition = access.competition_for_host(current_user, slug)
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    # a day after the current close (or after now, once closed): the usual extension, ready to adjust
    suggested = max(competition.closes_at, utcnow()) + timedelta(days=1)
    form = ExtendForm(closes_at=suggested.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0))
    return _host_page(competition, form, 200)


def _host_page(competition: Competition, extend_form: ExtendForm, status: int) -> ResponseReturnValue:
    now = utcnow()
    board = competitions.standings(competition, now=now, full=True)
    context = {"c": competition, "board": board, "now": now, "sitting": competitions.sitting_now(competition, now=now),
               "open": competition.opens_at <= now < competition.closes_at, "closed": now >= competition.closes_at}
    if request.args.get("part") == "units":
        return render_template("competitions/_participation.html", **context)
    return render_template("competitions/host.html", extend_form=extend_form, form=EmptyForm(),
                           issued=awards.of_competition(competition), **context), status


@bp.post("/<slug>/extend")
def extend(slug: str) -> ResponseReturnValue:
    competition = access.competition_for_host(current_user, slug)
    form = ExtendForm()
    if not form.validate_on_submit():
        return _host_page(competition, form, 422)
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    try:
        competitions.extend(competition, form.closes_at.data.replace(tzinfo=zone).astimezone(UTC),  # type: ignore[union-attr]
                            actor=current_user, ip=client_ip())
    except competitions.CompetitionError:
        form.closes_at.errors = [_("The new close must be later than both now and the current close.")]
        return _host_page(competition, form, 422)
    flash(_("The round now closes at %(when)s.", when=format_datetime(competition.closes_at, "yyyy-MM-dd HH:mm")), "success")
    return redirect(url_for("competitions.host", slug=competition.slug), code=303)


@bp.post("/<slug>/close")
def close(slug: str) -> ResponseReturnValue:
    competition = access.competition_for_host(current_user, slug)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        competitions.close_now(competition, actor=current_user, ip=client_ip())
    except competitions.CompetitionError:
        flash(_("The round has already closed."), "error")
    else:
        flash(_("The round is closed: nobody can start a sitting now."), "success")
    return redirect(url_for("competitions.host", slug=competition.slug), code=303)
