"""Live finals: host console, big screen, players' phones. HTTP only; the service decides.

With Redis configured, phones and the big screen hold a server-sent-events stream fed by
one Redis subscriber per process (``realtime.Hub``); without Redis, or when a stream
fails, they poll with ETags: a poll whose state has not changed costs a 304 with no body,
which works through every proxy and on SQLite.
"""

from __future__ import annotations

import dataclasses
import io
import queue
import time
from datetime import UTC, datetime
from typing import Any, Literal

import qrcode
import qrcode.image.svg
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.exceptions import NotFound

from academy import access, loadlag, ratelimit, realtime, scoring
from academy.assessment.services import quizzes
from academy.clock import utcnow
from academy.competitions.services import intake, live, live_judges
from academy.competitions.views import answerer, live_state
from academy.content.quizbank import Question
from academy.forms import LIVE_KINDS, CorrectionForm, EmptyForm, JoinForm, JudgeAddForm, JudgeMarkForm, LiveEventForm
from academy.models import Role, RoundKind, Stage
from academy.people.services import accounts
from academy.web import external_url

bp = Blueprint("live", __name__, url_prefix="/live")
_login = login_required(lambda: None)


@bp.before_request
def _signed_in() -> ResponseReturnValue | None:
    if request.endpoint in SMALL_BODIES:
        # a phone's answer is a few bytes: a large body is refused before anything reads it
        request.max_content_length = current_app.config["LIVE_MAX_BODY"]
        if (request.content_length or 0) > current_app.config["LIVE_MAX_BODY"]:
            return jsonify(error="too_large"), 413
    # an answer checks its sender itself: through Redis without loading the user, else as any page
    return None if request.endpoint == "live.answer" else _login()


SMALL_BODIES = {"live.answer", "live.buzz", "live.stake", "live.join"}
REFUSALS = {
    "not_open": _l("Answering is not open."),
    "too_late": _l("Time is up: your answer arrived after the deadline and was not counted."),
    "already_answered": _l("You have already answered this question."),
    "team_answered": _l("Your team has already answered."),
    "not_your_team": _l("This question is for another team."),
    "not_your_turn": _l("It is not your turn to answer."),
    "not_buzz": _l("This is not a buzz-in question."),
    "already_buzzed": _l("You have already buzzed."),
    "not_staking": _l("Stakes are closed."),
    "team_staked": _l("Your team has already placed its stake."),
    "invalid": _l("That answer is not valid."),
    "taken_over": _l("You joined on another device; this one has stopped."),
    "finished": _l("This event has finished."),
    "wrong_state": _l("That step is not possible now."),
    "no_more_questions": _l("There are no more questions."),
    "unsupported_type": _l("Live finals use single, multiple, true/false and numeric questions."),
    "too_many": _l("Too many attempts in a short time: wait a few seconds and try again."),
    "busy": _l("The answer store is not reachable right now: try again in a moment."),
    "early_buzz": _l("Too early: the host had not said 开始. Your team loses the early-buzz points and sits this question out."),
    "team_void": _l("Your team buzzed too early and sits this question out."),
    "not_in_play": _l("This tie-break is for the tied teams only."),
    "stake_tier": _l("Pick one of the stakes offered."),
    "stake_turn": _l("Teams pick their stakes in order of standing: wait for your team's turn."),
    "own_team": _l("A judge does not mark their own unit's team: ask another judge or the host."),
    "reason_required": _l("Give a reason: changing a verdict or a score is recorded with its reason."),
    "nothing_to_judge": _l("There is no spoken answer to mark now."),
    "no_players": _l("This team has no players yet."),
}
KEEPALIVE_SECONDS = 15  # proxies close idle connections; a comment line keeps the stream open
HOST_ACTIONS = {
    "next": live.next_question, "show": live.show, "open": live.open_answers, "close": live.close,
    "reveal": live.reveal, "finish": live.finish,
}


def _refusal(error: live.LiveError, status: int = 409) -> ResponseReturnValue:
    return jsonify(error=error.reason, message=str(REFUSALS.get(error.reason, error.reason))), status


def _json_body() -> dict[str, Any]:
    payload = request.get_json(silent=True)
    return payload if isinstance(payload, dict) else {}


def _received() -> datetime:
    """When the request reached this process: stamped before any other work (``academy.received``),
    less the time a saturated worker made it wait before that (``loadlag``)."""
    stamp = request.environ.get("academy.received")
    return datetime.fromtimestamp(loadlag.arrival(stamp), UTC) if isinstance(stamp, float) else utcnow()


def _too_many(action: str, code: str) -> bool:
    return not ratelimit.allow(action, code.strip().upper(), current_user.id)


def _stream(name: str, build_first: Any) -> ResponseReturnValue:
    """A server-sent-events response fed by this process's hub; it holds no database connection."""
    hub = realtime.hub(current_app._get_current_object(), live_state.notice)  # type: ignore[attr-defined]
    inbox = hub.listen(name)  # listen before reading the state, so no change falls in between
    first = build_first()
    live.release_connection()  # hours of streaming must not pin one of the pool's connections

    def events() -> Any:
        try:
            yield "retry: 2000\n" + first
            while True:
                try:
                    yield inbox.get(timeout=KEEPALIVE_SECONDS)
                except queue.Empty:
                    yield ": keep-alive\n\n"
        finally:
            hub.leave(name, inbox)

    return Response(events(), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _polled(etag: str, build: Any) -> ResponseReturnValue:
    """200 with the state, or 304 when the poller already has this version."""
    response = Response(status=304) if request.if_none_match.contains(etag) else jsonify(build())
    response.set_etag(etag)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Server-Time"] = str(int(time.time() * 1000))
    return response


# --- host ----------------------------------------------------------------------------------------

@bp.get("/")
def index() -> ResponseReturnValue:
    events = access.hosted_events(current_user) if access.can_host(current_user) else []
    return render_template("live/index.html", form=JoinForm(), events=events)


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    access.require_role(current_user, Role.HOST)
    form = LiveEventForm()
    form.rounds_error = ""
    if not form.validate_on_submit():
        return _setup_page(form, 422 if form.is_submitted() else 200)
    questions = {q.id: q for bank in quizzes.sources().banks.values() for q in bank.questions}
    rows = _round_items(form, questions)
    pasted, problems = live.parse_running_order(form.running_order.data or "", questions)
    if problems:
        form.running_order.errors = [_("These lines cannot be used: %(lines)s", lines="; ".join(problems))]
    if rows is not None and not rows and not pasted and not problems:
        form.rounds_error = _("A final needs questions: pick at least one question for the running order.")
    if rows is None or problems or not (rows or pasted):
        return _setup_page(form, 422)
    items = [*rows, *pasted]
    rules = _picked_rules(form)
    if rules is None:
        return _setup_page(form, 422)
    settings = live.Settings(base_points=form.base_points.data or 1000, streak_bonus=form.streak_bonus.data or 0,
                             buzz_penalty=form.buzz_penalty.data or 0, buzz_pass=bool(form.buzz_pass.data),
                             teams_from_units=bool(form.teams_from_units.data), rules=rules or None)
    teams = [line.strip() for line in (form.teams.data or "").splitlines() if line.strip()]
    event = live.create_event(current_user, form.title.data or "", items, teams=teams, settings=settings)
    return redirect(url_for("live.host", code=event.code), code=303)


def _picked_rules(form: LiveEventForm) -> scoring.Rules | Literal[False] | None:
    """The preset with what the host changed; False for none picked, None when a field is wrong (its error set)."""
    if not form.preset.data:
        return False
    rules = scoring.PRESETS.get(form.preset.data)
    if rules is None:
        form.preset.errors = [_("Pick one of the listed rules.")]
        return None
    changes: dict[str, Any] = {}
    if form.base_score.data is not None:
        changes["base_score"] = form.base_score.data
    if form.right_points.data is not None:
        changes["right_points"] = changes["wrong_penalty"] = changes["early_penalty"] = form.right_points.data
    if form.team_score.data:
        changes["team_score"] = scoring.TeamScore(form.team_score.data)
    if form.stake_tiers.data:
        tiers = scoring.parse_tiers(form.stake_tiers.data)
        if not tiers:
            form.stake_tiers.errors = [_("Write the stakes as whole numbers from small to large, e.g. 10/30/50.")]
            return None
        changes["stake_tiers"] = tiers
    return dataclasses.replace(rules, **changes)


def _console(event: Any) -> dict[str, Any]:
    """What the host console and the judges' page share: marks per team, distribution, the people to correct."""
    return {"event": event, "form": EmptyForm(), "state": live_state.screen_state(event),
            "console": live_state.console_state(event), "mark_form": JudgeMarkForm(),
            "may_mark": {t.id: access.may_judge_team(current_user, event, t) for t in event.teams}}


def _setup_page(form: LiveEventForm, status: int) -> ResponseReturnValue:
    banks = quizzes.sources().banks  # cached per file state: the page is shown often, the banks change rarely
    wanted = {(row.form.question.data or "").strip() for row in form.rounds}
    stems = {q.id: q.stem for b in banks.values() for q in b.questions if q.id in wanted}
    return render_template("live/new.html", form=form, live_types=sorted(scoring.LIVE_TYPES), refused=status == 422,
                           stems=stems,
                           banks=sorted(((b.id, b.title) for b in banks.values()), key=lambda b: b[1])), status


def _round_items(form: LiveEventForm, questions: dict[str, Question]) -> list[live.Item] | None:
    """The running order from the form's rows, or None after putting each problem on its field."""
    items: list[live.Item] = []
    ok = True
    for row in form.rounds:
        fields = row.form
        qid = (fields.question.data or "").strip()
        if not qid:
            continue
        question = questions.get(qid)
        kind = fields.kind.data if fields.kind.data in LIVE_KINDS else "everyone"
        if question is None:
            fields.question.errors = [_("No question has this number: pick one from the banks.")]
            ok = False
        elif question.type.value not in scoring.LIVE_TYPES:
            fields.question.errors = [_("A live final takes single choice, multiple choice, true or false and numeric questions.")]
            ok = False
        if kind == "team" and not (fields.team.data or "").strip():
            fields.team.errors = [_("Name the team that answers this question.")]
            ok = False
        if fields.seconds.errors:
            ok = False
        if ok and question is not None:
            items.append(live.Item(question, RoundKind(kind), fields.seconds.data or 20,
                                   (fields.team.data or "").strip() if kind == "team" else ""))
    return items if ok else None


@bp.get("/<code>/host")
def host(code: str) -> ResponseReturnValue:
    event = access.live_event_for_host(current_user, code)
    return render_template("live/host.html", **_console(event), correction_form=CorrectionForm(),
                           judge_form=JudgeAddForm(), judges=live_judges.judges(event),
                           corrections=live_judges.corrections(event))


@bp.get("/<code>/judge")
def judge(code: str) -> ResponseReturnValue:
    event = access.live_event_for_judge(current_user, code)
    return render_template("live/judge.html", **_console(event))


@bp.get("/<code>/judge/state")
def judge_state(code: str) -> ResponseReturnValue:
    """The judges' page reloads when the version moves; it needs no more than that."""
    event = access.live_event_for_judge(current_user, code)
    return _polled(live_state.screen_etag(event), lambda: {"version": event.version})


@bp.post("/<code>/judge/mark")
def judge_mark(code: str) -> ResponseReturnValue:
    event = access.live_event_for_judge(current_user, code)
    form = JudgeMarkForm()
    back = "live.host" if form.back.data == "host" and access.can_host(current_user) else "live.judge"
    if not form.validate_on_submit():
        abort(400)
    team = access.live_team(event, form.team.data)
    try:
        if not access.may_judge_team(current_user, event, team):
            raise live_judges.refuse(event, current_user, "own_team", team=team.id)
        live_judges.mark(event, current_user, team, form.verdict.data == "right", reason=form.reason.data or "")
    except live.LiveError as error:
        flash(str(REFUSALS.get(error.reason, error.reason)), "error")
        return redirect(url_for(back, code=event.code), code=303)
    flash(_("Marked: %(team)s, %(verdict)s.", team=team.name,
            verdict=_("right") if form.verdict.data == "right" else _("wrong")), "success")
    return redirect(url_for(back, code=event.code), code=303)


@bp.post("/<code>/host/correct")
def host_correct(code: str) -> ResponseReturnValue:
    event = access.live_event_for_host(current_user, code)
    form = CorrectionForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors) or _("Check the correction."), "error")
        return redirect(url_for("live.host", code=event.code, _anchor="corrections"), code=303)
    kind, _sep, ident = (form.target.data or "").partition(":")
    team = access.live_team(event, int(ident)) if kind == "team" and ident.isdigit() else None
    player = access.live_event_player(event, int(ident)) if kind == "player" and ident.isdigit() else None
    try:
        live_judges.correct_score(event, current_user, form.points.data or 0, form.reason.data or "",
                                  team=team, player=player)
    except live.LiveError as error:
        flash(str(REFUSALS.get(error.reason, error.reason)), "error")
    else:
        flash(_("The correction is recorded."), "success")
    return redirect(url_for("live.host", code=event.code, _anchor="corrections"), code=303)


@bp.post("/<code>/host/judges")
def host_judges(code: str) -> ResponseReturnValue:
    event = access.live_event_for_host(current_user, code)
    form = JudgeAddForm()
    if not form.validate_on_submit():
        abort(400)
    person = accounts.by_number(form.employee_no.data or "", active_only=True)
    if person is None:
        flash(_("No active employee has this number."), "error")
    else:
        live_judges.add_judge(event, current_user, person)
        flash(_("%(name)s judges this final.", name=person.name), "success")
    return redirect(url_for("live.host", code=event.code, _anchor="judges"), code=303)


@bp.post("/<code>/host/judges/<int:user_id>/remove")
def host_judge_remove(code: str, user_id: int) -> ResponseReturnValue:
    event = access.live_event_for_host(current_user, code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    live_judges.remove_judge(event, current_user, user_id)
    return redirect(url_for("live.host", code=event.code, _anchor="judges"), code=303)


@bp.post("/<code>/host/<action>")
def host_action(code: str, action: str) -> ResponseReturnValue:
    event = access.live_event_for_host(current_user, code)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        if action in HOST_ACTIONS:
            HOST_ACTIONS[action](event, current_user)
        elif action in Stage.__members__.values():
            live.set_stage(event, current_user, Stage(action))
        else:
            abort(404)
    except live.LiveError as error:
        flash(str(REFUSALS.get(error.reason, error.reason)), "error")
    return redirect(url_for("live.host", code=event.code), code=303)


@bp.get("/<code>/screen")
def screen(code: str) -> ResponseReturnValue:
    event = access.live_event_for_host(current_user, code)
    return render_template("live/screen.html", event=event, streams=realtime.streams_enabled())


@bp.get("/<code>/state")
def screen_state(code: str) -> ResponseReturnValue:
    event = access.live_event_for_host(current_user, code)
    return _polled(live_state.screen_etag(event), lambda: live_state.screen_state(event))


@bp.get("/<code>/screen/stream")
def screen_stream(code: str) -> ResponseReturnValue:
    event = access.live_event_for_host(current_user, code)
    if not realtime.streams_enabled():
        abort(404)
    return _stream(realtime.channel(event.code, "screen"), lambda: realtime.sse({"changed": True}))


@bp.get("/<code>/qr.svg")
def qr(code: str) -> ResponseReturnValue:
    event = access.live_event(code)
    image = qrcode.make(external_url("live.play", code=event.code), image_factory=qrcode.image.svg.SvgPathImage,
                        box_size=20, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return Response(buffer.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "max-age=3600"})


# --- players -------------------------------------------------------------------------------------

@bp.post("/join")
def join_by_code() -> ResponseReturnValue:
    form = JoinForm()
    if not form.validate_on_submit():
        return render_template("live/index.html", form=form, events=[]), 422
    try:
        event = access.live_event(form.code.data or "")
    except NotFound:  # a mistyped code: say so on the form, not with the site's 404 page
        form.code.errors = [*form.code.errors, _("No live final has this code. Check the code on the big screen.")]
        return render_template("live/index.html", form=form, events=[]), 404
    return redirect(url_for("live.play", code=event.code), code=303)


@bp.get("/<code>")
def play(code: str) -> ResponseReturnValue:
    event = access.live_event(code)
    player = live.player_for(event, current_user)
    if player is None or session.get(f"live:{event.code}") != player.device:
        form = JoinForm(code=event.code)
        form.team.choices = [(t.id, t.name) for t in event.teams]
        return render_template("live/join.html", event=event, form=form, player=player)
    return render_template("live/play.html", event=event, player=player, form=EmptyForm(),
                           orders=live_state.orders(event, player), streams=realtime.streams_enabled())


@bp.post("/<code>/join")
def join(code: str) -> ResponseReturnValue:
    event = access.live_event(code)
    form = JoinForm()
    if not form.validate_on_submit():
        abort(400)
    if _too_many("join", event.code):
        flash(str(REFUSALS["too_many"]), "error")
        return render_template("live/index.html", form=JoinForm(), events=[]), 429
    try:
        _player, device = live.join(event, current_user, team_id=form.team.data or None)
    except live.LiveError as error:
        flash(str(REFUSALS.get(error.reason, error.reason)), "error")
        return redirect(url_for("live.index"), code=303)
    session[f"live:{event.code}"] = device
    return redirect(url_for("live.play", code=event.code), code=303)


def _player(code: str) -> tuple[Any, Any]:
    event = access.live_event(code)
    player = access.live_player(current_user, event)
    live.check_device(player, session.get(f"live:{event.code}"))
    return event, player


@bp.get("/<code>/me")
def player_state(code: str) -> ResponseReturnValue:
    try:
        event, player = _player(code)
    except live.LiveError as error:
        return _refusal(error)
    return _polled(live_state.player_etag(event, player), lambda: live_state.player_state(event, player))


@bp.get("/<code>/stream")
def player_stream(code: str) -> ResponseReturnValue:
    try:
        event, _player_row = _player(code)
    except live.LiveError as error:
        return _refusal(error)
    if not realtime.streams_enabled():
        abort(404)
    return _stream(realtime.channel(event.code, "players"), lambda: realtime.sse(live_state.shared_state(event)))


@bp.post("/<code>/answer")
def answer(code: str) -> ResponseReturnValue:
    """Where Redis holds the question and the player, no database work at all (``services.intake``)."""
    received = _received()  # a busy server must not make an answer late
    code = code.strip().upper()
    sender = answerer.live_answerer(code)
    if sender is None and not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    payload = _json_body()
    try:
        if sender is not None:
            if not ratelimit.allow("answer", code, sender.user_id):
                return _refusal(live.LiveError("too_many"), 429)
            if intake.answer(code, sender.user_id, sender.device, payload.get("answer"), received):
                return jsonify(received=True, at=received.isoformat())
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
        if sender is None and _too_many("answer", code):
            return _refusal(live.LiveError("too_many"), 429)
        event, player = _player(code)
        live.answer(event, player, payload.get("answer"), now=received)
    except live.LiveError as error:
        return _refusal(error)
    return jsonify(received=True, at=received.isoformat())


@bp.post("/<code>/buzz")
def buzz(code: str) -> ResponseReturnValue:
    received = _received()
    if _too_many("buzz", code):
        return _refusal(live.LiveError("too_many"), 429)
    try:
        event, player = _player(code)
        row = live.buzz(event, player, now=received)
    except live.LiveError as error:
        return _refusal(error)
    return jsonify(received=True, at=row.at.isoformat())


@bp.post("/<code>/stake")
def stake(code: str) -> ResponseReturnValue:
    if _too_many("stake", code):
        return _refusal(live.LiveError("too_many"), 429)
    value = _json_body().get("stake")
    try:
        event, player = _player(code)
        row = live.stake(event, player, value if isinstance(value, int) else 0)
    except live.LiveError as error:
        return _refusal(error)
    return jsonify(received=True, stake=row.stake)


KIND_NAMES = {"everyone": _l("Everyone answers"), "buzz": _l("Buzz-in"), "risk": _l("Risk question"),
              "team": _l("Team question")}
STATE_NAMES = {"pending": _l("Waiting"), "staking": _l("Teams are staking"), "shown": _l("Shown"),
               "open": _l("Answering open"), "closed": _l("Closed"), "revealed": _l("Answer revealed")}


def labels() -> dict[str, str]:
    """Words the page scripts show, translated on the server."""
    words = {
        "question": _("Question %(n)s of %(total)s", n="{n}", total="{total}"), "players": _("Players"),
        "answered": _("Answers"), "join_at": _("Join with code"), "waiting": _("Waiting for the host…"),
        "leaderboard": _("Leaderboard"), "teams": _("Teams"), "podium": _("Podium"), "points": _("points"),
        "well_done": _("Correct!"), "wrong": _("Not right."), "received": _("Answer received."),
        "send": _("Send"), "buzz": _("Buzz!"), "buzzed": _("Buzzed — wait for your turn."),
        "your_turn": _("Your turn: answer now."), "turn": _("Answering:"), "stake": _("Stake"),
        "staked": _("Your team's stake:"), "stakes": _("Stakes"), "team_answered": _("Your team has answered."),
        "other_team": _("Another team answers this question."), "no_answer": _("No answer."),
        "time_up": _("Time is up."), "rank": _("Rank %(rank)s of %(of)s", rank="{rank}", of="{of}"),
        "finished": _("The final is over. Thank you!"), "explanation": _("Explanation"), "right_answer": _("Answer"),
        "finished_short": _("Final over"), "leave": _("Leave the final? You can come back with the same code."), "gained": _("%(points)s points this question", points="{points}"),
        "true": "对", "false": "错", "network": _("Connection lost, retrying…"),
        "pick_stake": _("Your team's turn: pick a stake."), "stake_wait": _("%(team)s is picking its stake…", team="{team}"),
        "wait_start": _("Buzz only after the host says 开始: an early buzz costs points."),
        "void": _("Your team buzzed too early and sits this question out."),
        "tiebreak": _("Tie-break"), "fouls": _("Early buzz"),
        "team_rank": _("%(team)s: rank %(rank)s of %(of)s", team="{team}", rank="{rank}", of="{of}"),
    }
    return {**words, **{f"kind_{k}": str(v) for k, v in KIND_NAMES.items()},
            **{f"state_{k}": str(v) for k, v in STATE_NAMES.items()}}


@bp.context_processor
def live_helpers() -> dict[str, Any]:
    from academy.content.render import render_inline

    return {"kind_names": KIND_NAMES, "state_names": STATE_NAMES, "render_inline": render_inline, "live_labels": labels}
