"""HR and training administration: reports, exports, the training file, imports, assignments.

Every unit, person and assignment comes from ``access``: outside the viewer's scope is 404.
"""

from __future__ import annotations

import io
import json
import re
import smtplib
from collections.abc import Generator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

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
    send_file,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # 3.3 API; stubs lag

from academy import access, metrics, tiers
from academy.assessment.services import quizzes
from academy.forms import ApplyImportForm, AssignmentForm, DueDateForm, EmptyForm, ImportForm, ReachForm, StateForm
from academy.learning.services import classroom, training_record
from academy.learning.services import courses as course_rows
from academy.learning.services import hours as training_hours
from academy.models import AssignmentState, Course, ImportUpload, OrgUnit, Role, TargetKind, User
from academy.people.services import (
    accounts,
    announce,
    assignment_reach,
    assignments,
    column_map,
    exports,
    hr_home,
    nudges,
    org,
    people_import,
    reminders,
    reports,
)
from academy.people.services.exports import Column
from academy.services import audit, uploads
from academy.summary_pdf import SummaryText
from academy.summary_pdf import summary_pdf as summary_pdf_bytes
from academy.web import client_ip
from academy.web.file_pdf import training_file_pdf

bp = Blueprint("hr", __name__, url_prefix="/hr")


@bp.before_request
@login_required
def _hr_only() -> None:
    access.require_role(current_user, Role.HR)


# --- helpers ---------------------------------------------------------------------------

def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])


def _today() -> date:
    return datetime.now(_zone()).date()


def _year() -> tuple[datetime, datetime]:
    """This year, or the one asked for with ``?year=`` (the report shows earlier years' hours too)."""
    year = request.args.get("year", type=int) or _today().year
    if not 2000 <= year <= _today().year + 1:
        abort(404)
    start = datetime(year, 1, 1, tzinfo=_zone())
    return start, start.replace(year=start.year + 1)


def _filters() -> reports.Filters:
    slug = request.args.get("course", "")
    course = course_rows.by_slug(slug)
    if slug and course is None:
        abort(404)
    return reports.Filters(course_id=course.id if course else None, tier=request.args.get("tier") or None,
                           mandatory_only=request.args.get("mandatory") == "1",
                           due_from=_date_arg("from"), due_to=_date_arg("to"),
                           position=(request.args.get("position") or "").strip() or None)


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "")
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400)


def _unit() -> OrgUnit:
    return access.unit_for_hr(current_user, request.args.get("unit", type=int))


def _completion(unit: OrgUnit) -> list[reports.UnitRow]:
    start, end = _year()
    return reports.completion_by_unit(unit, today=_today(), year_start=start, year_end=end, filters=_filters())


def _download(name: str, kind: str, columns: list[Column], rows: Any) -> Response:
    stamp = _today().isoformat()
    audit.exported(current_user, name, ip=client_ip(), format=kind, filters=request.args.to_dict())
    if kind == "xlsx":
        data = exports.write_xlsx(name, columns, rows, zone=current_app.config["DISPLAY_TIMEZONE"])
        return send_file(io.BytesIO(data),
                         as_attachment=True, download_name=f"{name}-{stamp}.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    body = exports.csv_chunks(columns, rows, zone=current_app.config["DISPLAY_TIMEZONE"])
    response = Response(stream_with_context(body), mimetype="text/csv; charset=utf-8")
    # headers are Latin-1 on the wire: a raw Chinese name made gunicorn refuse the response
    response.headers["Content-Disposition"] = f"attachment; filename=export-{stamp}.csv; filename*=UTF-8''{quote(name)}-{stamp}.csv"
    return response


def _report_rows(rows: list[reports.UnitRow]) -> list[list[object]]:
    return [[r.name, r.headcount, r.assigned, r.started, r.completed, r.overdue, r.completion_rate,
             None if r.exam_score is None else round(r.exam_score, 1), r.certificates, r.expiring,
             round(r.hours_per_head, 1), round(r.per_head("online"), 1), round(r.per_head("classroom"), 1),
             round(r.per_head("external"), 1)] for r in rows]


PAGE = 500  # overdue rows shown on the page; the exports have them all
REASONS = {
    "missing_column": _l("missing column"), "required": _l("required"), "invalid": _l("invalid"),
    "too_long": _l("too long"), "bad_status": _l("must be 在职 or 离职"), "invalid_email": _l("invalid email"),
    "invalid_mobile": _l("invalid mobile number"), "conflicts_with_row": _l("differs from row %(other)s"),
    "email_in_file": _l("also used in row %(other)s"), "email_taken": _l("already used by %(other)s"),
    "out_of_scope": _l("outside your scope"),
    "email_taken_elsewhere": _l("already used by someone outside your scope"),
    "control_character": _l("contains control characters"),
    "ambiguous_column": _l("two columns mean the same field: %(other)s too; keep one"),
}
ACTIONS = {"create": _l("New person"), "update": _l("Details change"), "deactivate": _l("Leaves (account closed)"),
           "unchanged": _l("No change")}
REPORT_COLUMNS = [Column("单位", 28), Column("人数", 8), Column("指派人数", 10), Column("已开始", 10),
                  Column("已完成", 10), Column("逾期", 8), Column("完成率", 10, "percent"),
                  Column("考试平均分", 12, "number"), Column("持有证书", 10), Column("90天内到期", 12),
                  Column("人均学时", 10, "number"), Column("人均线上学时", 12, "number"),
                  Column("人均面授学时", 12, "number"), Column("人均外部学时", 12, "number")]
TIER_HOURS_COLUMNS = [Column("层级", 16), Column("线上学时", 12, "number"), Column("面授学时", 12, "number"),
                      Column("外部学时", 12, "number"), Column("合计", 12, "number")]
OVERDUE_COLUMNS = [Column("工号", 12), Column("姓名", 12), Column("所在单位", 36), Column("课程", 30),
                   Column("截止日期", 12, "date"), Column("逾期天数", 10)]


# --- reports ---------------------------------------------------------------------------

@bp.get("")
def home() -> ResponseReturnValue:
    unit = _unit()
    figures = hr_home.home_figures(unit, today=_today(), zone=_zone(),
                                   hours_target=current_app.config.get("HOURS_TARGET_PER_HEAD"))
    top, ticks = nice_scale(max([p.completions for p in figures.trend] + [1]))
    trend = {"points": figures.trend, "top": top, "ticks": ticks, "height": 260, "label_every": 3}
    return render_template("hr/home.html", unit=unit, f=figures, trail=_trail(unit), trend=trend, **CHART)


@bp.get("/report")
def report() -> ResponseReturnValue:
    unit = _unit()
    positions = reports.positions(access.scope_paths(current_user))
    rows = _completion(unit)
    start, end = _year()
    return render_template("hr/report.html", unit=unit, rows=rows, trail=_trail(unit),
                           courses=course_rows.live(), positions=positions, args=request.args,
                           unit_rows=[r for r in rows if not r.is_total], trend=_trend_chart(unit),
                           coverage=reports.tier_coverage(unit, filters=_filters()), tier_keys=reports.TIERS, **CHART,
                           year=start.year, this_year=_today().year,
                           tier_hours=training_hours.per_tier(unit, start, end, _filters().people))


def _tier_hours_rows(unit: OrgUnit) -> list[list[object]]:
    start, end = _year()
    return [[tiers.label(tier) if tier else _("No tier"), round(h.online, 1), round(h.classroom, 1),
             round(h.external, 1), round(h.total, 1)]
            for tier, h in training_hours.per_tier(unit, start, end, _filters().people)]


@bp.get("/report/hours.<any(xlsx, csv):kind>")
def report_hours_export(kind: str) -> ResponseReturnValue:
    return _download(f"学时按层级与来源-{_year()[0].year}", kind, TIER_HOURS_COLUMNS, _tier_hours_rows(_unit()))


@bp.get("/report/people")
def report_people() -> ResponseReturnValue:
    unit = _unit()
    status = request.args.get("status", "")
    if status and status not in hr_home.STATUSES:
        abort(400)
    query = (request.args.get("q") or "").strip()[:80]
    rows, more = hr_home.people_of(unit, today=_today(), status=status, query=query)
    return render_template("hr/people.html", unit=unit, rows=rows, more=more, trail=_trail(unit), today=_today(),
                           status=status, q=query, statuses=hr_home.STATUSES)


def _trail(unit: OrgUnit) -> list[OrgUnit]:
    from academy.people.services import org

    return [u for u in org.ancestors(unit) if access.in_scope(current_user, u)]


CHART = {"width": 640, "bar": 24, "good": "#1e8e3e", "fair": "#0b5cab", "poor": "#d93025",
         "colours": ("#0b5cab", "#1e8e3e", "#e37400", "#8430ce")}


def nice_scale(largest: int, *, steps: int = 4) -> tuple[int, list[int]]:
    """The top of a count axis and its ticks: at most ``steps`` whole steps of 1, 2 or 5 times a power of ten."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if step * steps >= largest:
                top = max(step, -(-largest // step) * step)
                return top, list(range(0, top + 1, step))
        magnitude *= 10


def _trend_chart(unit: OrgUnit) -> dict[str, Any]:
    points = reports.completions_by_week(unit, last_day=_today(), zone=_zone(), filters=_filters())
    top, ticks = nice_scale(max([p.completions for p in points] + [1]))
    return {"points": points, "top": top, "ticks": ticks, "width": CHART["width"], "height": 260, "label_every": 2}


def _svg(template: str, **context: Any) -> Response:
    return Response(render_template(template, **context), mimetype="image/svg+xml")


@bp.get("/report/chart.svg")
def report_chart() -> ResponseReturnValue:
    rows = [r for r in _completion(_unit()) if not r.is_total]
    return _svg("hr/chart.svg", rows=rows, args=request.args, **CHART)


@bp.get("/report/trend.svg")
def report_trend() -> ResponseReturnValue:
    return _svg("hr/trend.svg", **_trend_chart(_unit()))


@bp.get("/report/coverage.svg")
def report_coverage() -> ResponseReturnValue:
    rows = reports.tier_coverage(_unit(), filters=_filters())
    return _svg("hr/coverage.svg", rows=rows, tiers=reports.TIERS, **CHART)


@bp.get("/report.<any(xlsx, csv):kind>")
def report_export(kind: str) -> ResponseReturnValue:
    return _download("完成情况", kind, REPORT_COLUMNS, _report_rows(_completion(_unit())))


@bp.get("/api/report")
def report_api() -> ResponseReturnValue:
    unit = _unit()
    return jsonify(unit={"id": unit.id, "name": unit.name}, rows=[
        {"unit_id": r.unit_id, "name": r.name, "total": r.is_total, "headcount": r.headcount, "assigned": r.assigned,
         "started": r.started, "completed": r.completed, "overdue": r.overdue,
         "completion_rate": round(r.completion_rate, 4), "hours_per_head": round(r.hours_per_head, 2),
         "hours_per_head_by_source": {s: round(r.per_head(s), 2) for s in training_hours.SOURCES},
         "exam_score": None if r.exam_score is None else round(r.exam_score, 2),
         "certificates": r.certificates, "expiring": r.expiring}
        for r in _completion(unit)])


def _summary() -> reports.LeadershipSummary:
    text = request.args.get("period", "")
    try:
        period = reports.Period.parse(text) if text else reports.Period.current_quarter(_today())
    except ValueError:
        abort(400)
    return reports.leadership_summary(_unit(), period, zone=_zone())


@dataclass(frozen=True)
class SummaryLine:
    metric: str  # its definition in academy/metrics.py
    label: str
    now: float
    before: float
    percent: bool = False

    @property
    def change(self) -> float:
        return round(self.now - self.before, 1)


def _summary_lines(summary: reports.LeadershipSummary) -> list[SummaryLine]:
    """Each indicator of the page, the spreadsheet and the PDF alike, with the metric that defines it."""
    cur, prev = summary.current, summary.previous
    lines = [SummaryLine("headcount", _("Headcount"), cur.headcount, prev.headcount),
             SummaryLine("coverage", _("All-staff training coverage (%)"), round(100 * cur.all_staff_coverage, 1),
                         round(100 * prev.all_staff_coverage, 1), percent=True)]
    lines += [SummaryLine("trained", _("People trained: %(tier)s", tier=tiers.label(t)), cur.trained.get(t, 0),
                          prev.trained.get(t, 0)) for t in reports.TIERS]
    lines += [SummaryLine("holders", _("People holding a valid certificate"), cur.certificates_held, prev.certificates_held),
              SummaryLine("issued", _("Certificates issued"), cur.certificates_issued, prev.certificates_issued),
              SummaryLine("hours", _("Training hours"), round(cur.hours, 1), round(prev.hours, 1)),
              SummaryLine("participants", _("Competition participants"), cur.competition_participants,
                          prev.competition_participants),
              SummaryLine("participation", _("Competition participation (%)"), round(100 * cur.competition_participation, 1),
                          round(100 * prev.competition_participation, 1), percent=True),
              SummaryLine("competitions", _("Competitions held"), cur.competitions_held, prev.competitions_held)]
    return lines


def _summary_rows(summary: reports.LeadershipSummary) -> list[list[object]]:
    return [[line.label, line.now, line.before, line.change] for line in _summary_lines(summary)]


def _summary_metrics(lines: list[SummaryLine]) -> list[str]:
    return list(dict.fromkeys(line.metric for line in lines))


SUMMARY_COLUMNS = [Column("指标", 30), Column("本期", 12, "number"), Column("上期", 12, "number"), Column("变化", 12, "number")]


@bp.get("/summary")
def summary() -> ResponseReturnValue:
    data = _summary()
    lines = _summary_lines(data)
    top, ticks = nice_scale(max([p.completions for p in data.trend] + [1]))
    return render_template("hr/summary.html", summary=data, lines=lines, trail=_trail(data.unit),
                           definition_keys=_summary_metrics(lines), args=request.args, shown=_shown,
                           choices=_period_choices(), trend={"points": data.trend, "top": top, "ticks": ticks,
                                                             "height": 200, "label_every": 2},
                           labels=(period_label(data.current.period), period_label(data.previous.period)), **CHART)


@bp.get("/summary.xlsx")
def summary_export() -> ResponseReturnValue:
    data = _summary()
    return _download(f"领导汇总-{data.current.period.key}", "xlsx", SUMMARY_COLUMNS, _summary_rows(data))


@bp.get("/summary.pdf")
def summary_pdf() -> ResponseReturnValue:
    data = _summary()
    cur, prev = period_label(data.current.period), period_label(data.previous.period)
    lines = _summary_lines(data)
    text = SummaryText(
        title=_("Leadership summary"), unit=reports.unit_names().get(data.unit.id, data.unit.name),
        period=_("%(current)s, compared with %(previous)s.", current=cur, previous=prev),
        header=(_("Indicator"), cur, prev, _("Change")),
        rows=[(line.label, _shown(line.now, line.percent), _shown(line.before, line.percent),
               _shown(line.change, line.percent, sign=True)) for line in lines],
        trend_title=_("Courses completed per week, the 12 weeks to the end of the period"),
        trend=[(p.start.strftime("%m-%d"), p.completions) for p in data.trend],
        definitions_title=_("How each figure is computed"),
        definitions=[(str(m.label), str(m.how)) for m in metrics.defined(_summary_metrics(lines))],
        footer=_("QS Academy · drawn %(when)s", when=datetime.now(_zone()).strftime("%Y-%m-%d %H:%M")))
    audit.exported(current_user, "领导汇总", ip=client_ip(), format="pdf", filters=request.args.to_dict())
    return send_file(io.BytesIO(summary_pdf_bytes(text)), mimetype="application/pdf", as_attachment=True,
                     download_name=f"领导汇总-{data.unit.name}-{data.current.period.key}.pdf")


def _shown(value: object, percent: bool, *, sign: bool = False) -> str:
    """As the summary page shows it: 20.0%, +5.0 个百分点 (a change of a rate), 12, +3."""
    number = float(value)  # type: ignore[arg-type]  # the summary's figures are numbers
    if percent:
        return _("%(n)s percentage points", n=f"{number:+.1f}") if sign else f"{number:.1f}%"
    return f"{number:+g}" if sign else f"{number:g}"


def period_label(period: reports.Period) -> str:
    if period.month is not None:
        return _("%(year)d, month %(month)d", year=period.year, month=period.month)
    if period.quarter is None:
        return _("Year %(year)d", year=period.year)
    return _("%(year)d, quarter %(quarter)d", year=period.year, quarter=period.quarter)


def _period_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The periods a summary can be drawn for, grouped by year: the last five years, each with its
    quarters and months up to the current one."""
    today = _today()
    groups = []
    for year in range(today.year, today.year - 5, -1):
        choices = [(str(year), period_label(reports.Period(year)))]
        choices += [(f"{year}-Q{q}", period_label(reports.Period(year, q))) for q in range(4, 0, -1)
                    if (year, 3 * q - 2) <= (today.year, today.month)]
        choices += [(f"{year}-{m:02d}", period_label(reports.Period(year, month=m))) for m in range(12, 0, -1)
                    if (year, m) <= (today.year, today.month)]
        groups.append((_("Year %(year)d", year=year), choices))
    return groups


def _overdue_rows(unit: OrgUnit) -> tuple[list[reports.OverdueRow], dict[tuple[int, int], str], bool]:
    """The page's overdue rows after the days and missing-part filters, what each lacks, and whether more exist."""
    least = max(request.args.get("days", 0, type=int) or 0, 0)
    wanted = request.args.get("missing", "")
    rows: list[reports.OverdueRow] = []
    missing: dict[tuple[int, int], str] = {}
    source = (r for r in reports.overdue(unit, today=_today(), filters=_filters()) if r.days >= least)
    while len(rows) <= PAGE:
        batch = list(islice(source, PAGE))
        if not batch:
            break
        parts = reports.missing_parts(batch)
        missing.update(parts)
        rows += [r for r in batch if not wanted or (r.course_id is not None and parts.get((r.user_id, r.course_id)) == wanted)
                 or (wanted == "exam" and r.course_id is None)]
    return rows[:PAGE], missing, len(rows) > PAGE


@bp.get("/overdue")
def overdue() -> ResponseReturnValue:
    unit = _unit()
    rows, missing, more = _overdue_rows(unit)
    return render_template("hr/overdue.html", unit=unit, rows=rows, more=more, args=request.args, missing=missing,
                           courses=course_rows.live(), children=org.children(unit), trail=_trail(unit), form=EmptyForm(), cap=nudges.CAP)


def _back_to_overdue() -> ResponseReturnValue:
    args: dict[str, Any] = dict(request.args.items())
    return redirect(url_for("hr.overdue", **args), code=303)


@bp.post("/overdue/remind")
def overdue_remind() -> ResponseReturnValue:
    unit = _unit()
    if not EmptyForm().validate_on_submit():
        abort(400)
    chosen = [int(x) for x in request.form.getlist("person") if x.isdigit()]
    if not chosen:
        flash(_("Tick the people to remind first."), "error")
        return _back_to_overdue()
    for person in chosen:
        access.person_for_hr(current_user, person)  # 404 for anyone outside the viewer's scope
    rows = [r for r in reports.overdue(unit, today=_today(), filters=_filters()) if r.user_id in set(chosen)]
    try:
        done = nudges.remind(rows, chosen, today=_today(), settings=reminders.MailSettings.from_config(current_app.config),
                             actor=current_user, ip=client_ip(), default_locale=current_app.config["BABEL_DEFAULT_LOCALE"])
    except OSError:
        flash(_("The mail server cannot be reached; nobody was reminded. Try again later."), "error")
        return _back_to_overdue()
    flash(_("Reminded %(n)d people by e-mail and notice.", n=done.sent), "success")
    if done.already:
        flash(_("%(n)d had been reminded today already and were skipped.", n=done.already), "info")
    if done.over_cap:
        flash(_("At most %(cap)d people per action: %(n)d were not reminded; send again for them.",
                cap=nudges.CAP, n=done.over_cap), "info")
    return _back_to_overdue()


@bp.get("/overdue.<any(xlsx, csv):kind>")
def overdue_export(kind: str) -> ResponseReturnValue:
    rows = ([r.employee_no, r.name, r.unit, r.course, r.due_on, r.days]
            for r in reports.overdue(_unit(), today=_today(), filters=_filters()))
    return _download("逾期名单", kind, OVERDUE_COLUMNS, rows)


@bp.get("/people/<int:user_id>")
def person(user_id: int) -> ResponseReturnValue:
    person = access.person_for_hr(current_user, user_id)
    record = training_record.record(person, zone=_zone())
    sat = {key: access.quiz_by_key(key) for key in {a.quiz_key for a in record.attempts}}
    return render_template("hr/person.html", file=reports.training_file(person, today=_today()),
                           record=record, now=datetime.now(_zone()), back=request.referrer or url_for("hr.report"),
                           quiz_titles={k: q.title for k, q in sat.items() if q is not None})


@bp.get("/people/<int:user_id>/file.pdf")
def person_pdf(user_id: int) -> ResponseReturnValue:
    """The training file as a PDF made here, the same sections as the printed page; a download of
    one person's data, so audited like the other exports."""
    person = access.person_for_hr(current_user, user_id)
    record = training_record.record(person, zone=_zone())
    sat = {key: access.quiz_by_key(key) for key in {a.quiz_key for a in record.attempts}}
    body = training_file_pdf(reports.training_file(person, today=_today()), record,
                             {k: q.title for k, q in sat.items() if q is not None}, now=datetime.now(_zone()),
                             locale=str(get_locale() or "zh_CN"), classroom=classroom.attended(person.id))
    audit.exported(current_user, "培训档案", ip=client_ip(), format="pdf", person=person.id)
    return send_file(io.BytesIO(body), mimetype="application/pdf", as_attachment=True,
                     download_name=f"培训档案-{person.employee_no}.pdf")


# --- people import ---------------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
def import_people() -> ResponseReturnValue:
    """Without JavaScript: the file is checked in the request and the preview comes back as a page."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form=form, reasons=REASONS), 422 if form.is_submitted() else 200
    data, filename = form.file.data.read(), form.file.data.filename or "upload.csv"
    try:
        report = people_import.import_people(data, filename, dry_run=True, full=form.full.data,
                                             scope=access.scope_paths(current_user), columns=_columns())
    except people_import.ImportFileError as error:
        form.file.errors = [_file_error(error)]
        return _import_page(form=form, reasons=REASONS), 422
    return _import_page(form=form, report=report, reasons=REASONS, actions=ACTIONS,
                           apply_form=_keep_upload(report, data, filename, full=form.full.data),
                           mapping=_mapping(report, data, filename, full=form.full.data))


def _import_page(**context: Any) -> str:
    return render_template("hr/import.html", remembered=_columns(), **context)


def _columns() -> dict[str, str]:
    return column_map.saved(current_user)


HEADER_PROBLEMS = {"missing_column", "ambiguous_column"}


def _mapping(report: people_import.ImportReport, data: bytes, filename: str, *, full: bool,
             chosen: list[str] | None = None, errors: list[column_map.MappingError] | None = None,
             token: str | None = None) -> dict[str, Any] | None:
    """The column-mapping form, when the header is what stopped the file (the file is kept for it)."""
    if not any(r.row == 1 and r.reason in HEADER_PROBLEMS for r in report.rejected) and errors is None:
        return None
    table = people_import.read_table(data, filename)
    header = table[0] if table else []
    sample = table[1] if len(table) > 1 else []
    return {"token": token or uploads.keep(current_user, data, filename), "full": "1" if full else "",
            "header": header, "sample": [sample[i] if i < len(sample) else "" for i in range(len(header))],
            "chosen": chosen or column_map.proposed(header, current_user), "fields": people_import.COLUMNS,
            "required": people_import.REQUIRED, "errors": errors or [], "form": EmptyForm()}


@bp.post("/import/columns")
def import_columns() -> ResponseReturnValue:
    """Which field each column of the kept file holds: checked, remembered for this HR user's
    later files, then the file is checked again with it."""
    apply_form, kept = _kept_upload()
    full = apply_form.full.data == "1"
    header = people_import.read_table(kept.data, kept.filename)[0]
    chosen = [request.form.get(f"col-{i}", "") for i in range(len(header))]
    chosen = [c if c in people_import.COLUMNS else "" for c in chosen]
    form = ImportForm()
    errors = column_map.check(header, chosen)
    if errors:
        report = people_import.ImportReport()
        return _import_page(form=form, reasons=REASONS, actions=ACTIONS, mapping=_mapping(
            report, kept.data, kept.filename, full=full, chosen=chosen, errors=errors, token=apply_form.token.data)), 422
    column_map.remember(current_user, header, chosen, ip=client_ip())
    data, filename = kept.data, kept.filename
    uploads.discard(kept)
    report = people_import.import_people(data, filename, dry_run=True, full=full,
                                         scope=access.scope_paths(current_user), columns=_columns())
    flash(_("Column mapping saved: your next files with these headers are read the same way."), "success")
    return _import_page(form=form, report=report, reasons=REASONS, actions=ACTIONS,
                           apply_form=_keep_upload(report, data, filename, full=full),
                           mapping=_mapping(report, data, filename, full=full))


@bp.post("/import/columns/forget")
def import_columns_forget() -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    column_map.forget(current_user, ip=client_ip())
    flash(_("Your column mapping is forgotten: files are read by the usual header names again."), "success")
    return redirect(url_for("hr.import_people"), code=303)


def _file_error(error: people_import.ImportFileError) -> str:
    if error.reason == "encoding":
        return _("Row %(row)d holds bytes that are neither UTF-8 nor GB18030 text: save the file again as "
                 "CSV UTF-8 or as XLSX.", row=error.row)
    if error.reason == "too_many_rows":
        return _("The file has more than %(n)d rows: split it into several files.", n=people_import.MAX_ROWS)
    if error.reason == "too_large":
        return _("The file is too large to import: split it into several files.")
    return _("This file cannot be read as CSV or XLSX.")


def _keep_upload(report: people_import.ImportReport, data: bytes, filename: str, *, full: bool) -> ApplyImportForm | None:
    """Keep a file that can be applied until it is, for the apply button only."""
    if not report.has_changes or report.rejected:
        return None
    token = uploads.keep(current_user, data, filename)
    return ApplyImportForm(token=token, full="1" if full else "")


def _line(**data: Any) -> str:
    return json.dumps(data, ensure_ascii=False) + "\n"


def _progress_lines(steps: Generator[people_import.Step, None, people_import.ImportReport]) -> Any:
    """One JSON line per step; returns the finished report. Closing the stream closes the steps (rollback)."""
    try:
        while True:
            try:
                stage, done, total = next(steps)
            except StopIteration as stop:
                return stop.value
            yield _line(stage=stage, done=done, total=total)
    finally:
        steps.close()


def _stream(lines: Any) -> Response:
    response = Response(stream_with_context(lines), mimetype="application/x-ndjson")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # a proxy must pass the progress lines on as they come
    return response


@bp.post("/import/check")
def import_check() -> ResponseReturnValue:
    """With JavaScript: the preview, streamed after a JSON line every few hundred rows checked."""
    form = ImportForm()
    if not form.validate_on_submit():
        return jsonify(error=" ".join(str(e) for errors in form.errors.values() for e in errors)), 422
    data, filename, full = form.file.data.read(), form.file.data.filename or "upload.csv", bool(form.full.data)
    steps = people_import.import_steps(data, filename, dry_run=True, full=full, scope=access.scope_paths(current_user),
                                       columns=_columns())

    def lines() -> Any:
        try:
            report = yield from _progress_lines(steps)
        except people_import.ImportFileError as error:
            yield _line(error=_file_error(error))
            return
        apply_form = _keep_upload(report, data, filename, full=full)
        yield _line(html=render_template("hr/_import_preview.html", report=report, apply_form=apply_form,
                                         reasons=REASONS, actions=ACTIONS,
                                         mapping=_mapping(report, data, filename, full=full)))
    return _stream(lines())


def _applied_message(report: people_import.ImportReport) -> tuple[str, str]:
    if report.applied:
        summary = report.summary()
        return _("Import applied: %(c)d created, %(u)d updated, %(d)d deactivated.", c=summary["created"],
                 u=summary["updated"], d=summary["deactivated"]), "success"
    if report.rejected:
        return _("Nothing was applied: the file has rejected rows."), "error"
    return _("Nothing to change: the file matches the records."), "info"


def _kept_upload() -> tuple[ApplyImportForm, ImportUpload]:
    form = ApplyImportForm()
    if not form.validate_on_submit():
        abort(400)
    kept = uploads.take(current_user, form.token.data or "")
    if kept is None:
        abort(404)  # another person's, expired, or already applied
    return form, kept


@bp.post("/import/apply")
def import_apply() -> ResponseReturnValue:
    form, kept = _kept_upload()
    report = people_import.import_people(kept.data, kept.filename, full=form.full.data == "1",
                                         scope=access.scope_paths(current_user), actor=current_user, ip=client_ip(),
                                         columns=_columns())
    if report.applied:
        uploads.discard(kept)
    flash(*_applied_message(report))
    return redirect(url_for("hr.import_people"), code=303)


@bp.post("/import/run")
def import_run() -> ResponseReturnValue:
    """With JavaScript: apply, streaming a JSON line every few hundred rows; one transaction all the same."""
    form, kept = _kept_upload()
    steps = people_import.import_steps(kept.data, kept.filename, full=form.full.data == "1",
                                       scope=access.scope_paths(current_user), actor=current_user, ip=client_ip(),
                                       columns=_columns())

    def lines() -> Any:
        report = yield from _progress_lines(steps)
        if report.applied:
            uploads.discard(kept)
        message, category = _applied_message(report)
        yield _line(message=message, category=category)
    return _stream(lines())


# --- assignments -----------------------------------------------------------------------

def _assignment_form() -> AssignmentForm:
    form = AssignmentForm()
    live = course_rows.live()
    paths = dict.fromkeys(c.tier for c in live)
    counts = {t: sum(1 for c in live if c.tier == t) for t in paths}
    form.what.choices = ([SelectChoice("", _("— choose a course, path or certification —"))]
                         + [SelectChoice(f"course:{c.slug}", _("Course: %(title)s (%(tier)s)", title=c.title,
                                                               tier=tiers.label(c.tier)))
                            for c in live]
                         + [SelectChoice(f"tier:{t}", _("Learning path: every %(tier)s course (%(n)d courses)",
                                                        tier=tiers.label(t), n=counts[t])) for t in paths]
                         + [SelectChoice(f"exam:{e.id}", _("Certification: %(title)s", title=e.title))
                            for e in sorted(quizzes.sources().exams.values(), key=lambda e: e.id) if e.certificate])
    form.unit.choices = _unit_choices()
    return form


def _unit_choices() -> list[SelectChoice]:
    return [SelectChoice(i, name) for i, name in org.named_within(access.scope_paths(current_user))]


def _chosen_courses(what: str) -> list[Course]:
    kind, _sep, key = what.partition(":")
    if kind == "exam":
        return []
    return course_rows.live_matching(slug=key) if kind == "course" else course_rows.live_matching(tier=key)


def _chosen_exam(what: str) -> str | None:
    kind, _sep, key = what.partition(":")
    return key if kind == "exam" else None


def _exam_title(what: str) -> str:
    exam = quizzes.sources().exams.get(_chosen_exam(what) or "")
    return exam.title if exam else ""


FIELD_OF_REASON = {"courses": "what", "certification": "repeat_months", "renew": "renew_days", "join": "join_days",
                   "repeat": "repeat_months", "unit": "unit", "position": "position", "people": "people"}


def _refuse(form: AssignmentForm | ReachForm, field: str, message: str) -> None:
    getattr(form, field).errors = [*getattr(form, field).errors, message]


def _named_people(form: AssignmentForm | ReachForm) -> list[User] | None:
    """The employee numbers typed in, as people of the viewer's scope; None (with the field's error) if any is not."""
    numbers = list(dict.fromkeys(n for n in re.split(r"[\s,，、;；]+", form.people.data or "") if n))
    found = accounts.by_numbers(numbers)
    unknown = [n for n in numbers if n not in found or not access.in_scope(current_user, found[n].org_unit)]
    if unknown:
        _refuse(form, "people", _("Not found among your people: %(numbers)s.", numbers="、".join(unknown[:10])))
        return None
    return list(found.values())


def _checked_who(form: AssignmentForm | ReachForm) -> tuple[TargetKind, list[User]]:
    """The kind of reach and the named people; errors go on the fields at fault."""
    kind = TargetKind(form.target_kind.data)
    people = _named_people(form) if kind == TargetKind.PEOPLE else []
    if kind == TargetKind.PEOPLE and people == []:
        _refuse(form, "people", _("Enter the employee numbers of the people to assign."))
    if kind == TargetKind.POSITION and not (form.position.data or "").strip():
        _refuse(form, "position", _("Enter the position to assign."))
    return kind, people or []


def _checked_assignment(form: AssignmentForm) -> dict[str, Any] | None:
    """The assignment the form describes, or None with an error on each field at fault."""
    kind, people = _checked_who(form)
    courses, exam_id = _chosen_courses(form.what.data or ""), _chosen_exam(form.what.data or "")
    if form.what.data and not courses and exam_id is None:
        _refuse(form, "what", _("Choose what to assign."))
    if exam_id is None and form.renew_days.data is not None:
        _refuse(form, "renew_days", _("Only a certification renews before its expiry."))
    if exam_id is not None and form.repeat_months.data is not None:
        _refuse(form, "repeat_months", _("A certification renews before its expiry, not every N months."))
    if any(f.errors for f in form):
        return None
    return {"courses": courses, "exam_id": exam_id, "target_kind": kind,
            "unit": access.unit_for_hr(current_user, form.unit.data), "include_subtree": bool(form.include_subtree.data),
            "position": form.position.data or "", "people": people or []}


@bp.route("/assignments", methods=["GET", "POST"])
def assignment_list() -> ResponseReturnValue:
    form = _assignment_form()
    preview = None
    if form.validate_on_submit() and (chosen := _checked_assignment(form)) is not None:
        preview = assignments.preview_reach(**chosen)
        if not preview.count:
            _refuse(form, "people" if chosen["target_kind"] == TargetKind.PEOPLE else
                    "position" if chosen["target_kind"] == TargetKind.POSITION else "unit",
                    _("This reaches nobody: no active person matches."))
            preview = None
        elif request.form.get("step") == "save" and form.reach_seen.data == str(preview.count):
            try:
                made = assignments.create_assignment(
                    title=form.title.data or _exam_title(form.what.data), due_on=form.due_on.data,
                    mandatory=form.mandatory.data, repeat_months=form.repeat_months.data,
                    renew_days=form.renew_days.data, join_days=form.join_days.data, actor=current_user, ip=client_ip(),
                    notify=bool(form.notify.data), default_locale=current_app.config["BABEL_DEFAULT_LOCALE"], **chosen)
            except assignments.AssignmentInvalid as exc:
                _refuse(form, FIELD_OF_REASON.get(exc.reason, "what"), _("This value cannot be used here."))
                preview = None
            else:
                flash(_("Assignment created for %(n)d people.", n=preview.count), "success")
                if form.notify.data:
                    _mail_assigned(made)
                return redirect(url_for("hr.assignment_detail", assignment_id=made.id), code=303)
        else:
            form.reach_seen.data = str(preview.count)
    status = 422 if form.is_submitted() and preview is None else 200
    rows = assignment_reach.reaching(access.scope_paths(current_user), today=_today())
    editable = {r.assignment.id for r in rows if access.can_edit_assignment(current_user, r.assignment)}
    return render_template("hr/assignments.html", form=form, rows=rows, editable=editable, preview=preview,
                           names=reports.unit_names()), status


def _mail_assigned(made: Any) -> None:
    """The e-mails that go with the notices; the assignment stands even when the mail server is down."""
    try:
        sent = announce.mail_assigned(reminders.MailSettings.from_config(current_app.config), made,
                                      default_locale=current_app.config["BABEL_DEFAULT_LOCALE"])
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("assignment %s: the e-mails could not be sent", made.id)
        flash(_("The in-app notices went out, but the e-mails could not be sent; the mail server did not answer."),
              "error")
    else:
        flash(_("%(n)d e-mails sent.", n=sent), "success")


def _reach_of(assignment_id: int) -> assignment_reach.Reach | None:
    rows = assignment_reach.reaching(access.scope_paths(current_user), today=_today())
    return next((r for r in rows if r.assignment.id == assignment_id), None)


def _reach_form(assignment: Any, formdata: Any = None) -> ReachForm:
    people = ""
    if assignment.target_kind == TargetKind.PEOPLE:
        people = "\n".join(assignments.target_numbers(assignment.id))
    form = ReachForm(formdata=formdata, target_kind=assignment.target_kind, unit=assignment.unit_id,
                     include_subtree=assignment.include_subtree, position=assignment.position, people=people)
    form.unit.choices = _unit_choices()
    return form


def _detail(assignment: Any, *, status: int = 200, form: DueDateForm | None = None, reach_form: ReachForm | None = None,
            change: assignments.ReachChange | None = None) -> ResponseReturnValue:
    return render_template("hr/assignment.html", a=assignment, reach=_reach_of(assignment.id),
                           form=form or DueDateForm(due_on=assignment.due_on),
                           reach_form=reach_form or _reach_form(assignment), change=change,
                           state_form=StateForm(), names=reports.unit_names()), status


@bp.get("/assignments/<int:assignment_id>")
def assignment_detail(assignment_id: int) -> ResponseReturnValue:
    return _detail(access.assignment_for_hr(current_user, assignment_id))


@bp.post("/assignments/<int:assignment_id>/due")
def assignment_due(assignment_id: int) -> ResponseReturnValue:
    assignment = access.assignment_for_hr(current_user, assignment_id)
    form = DueDateForm()
    if not form.validate_on_submit():
        return _detail(assignment, status=422, form=form)
    told = assignments.change_due_date(assignment, form.due_on.data, actor=current_user, ip=client_ip(),
                                       default_locale=current_app.config["BABEL_DEFAULT_LOCALE"])
    flash(_("Due date changed; %(n)d people were told.", n=told), "success")
    return redirect(url_for("hr.assignment_detail", assignment_id=assignment.id), code=303)


@bp.post("/assignments/<int:assignment_id>/reach")
def assignment_reach_change(assignment_id: int) -> ResponseReturnValue:
    """A new reach: counted first; one that takes the item from people is saved only once the
    HR user has seen how many (``lost_seen``), as with the reach of a new assignment."""
    assignment = access.assignment_for_hr(current_user, assignment_id)
    form = _reach_form(assignment, request.form)
    if not form.validate_on_submit():
        return _detail(assignment, status=422, reach_form=form)
    kind, people = _checked_who(form)
    if any(f.errors for f in form):
        return _detail(assignment, status=422, reach_form=form)
    who: dict[str, Any] = {"target_kind": kind, "unit": access.unit_for_hr(current_user, form.unit.data),
           "include_subtree": bool(form.include_subtree.data), "position": form.position.data or "", "people": people}
    change = assignments.preview_reach_change(assignment, **who)
    if not change.kept and not change.gained:
        _refuse(form, "people" if kind == TargetKind.PEOPLE else "position" if kind == TargetKind.POSITION else "unit",
                _("This reaches nobody: no active person matches."))
        return _detail(assignment, status=422, reach_form=form)
    if change.lost and (request.form.get("step") != "save" or form.lost_seen.data != str(change.lost)):
        form.lost_seen.data = str(change.lost)
        return _detail(assignment, reach_form=form, change=change)
    done = assignments.change_reach(assignment, actor=current_user, ip=client_ip(),
                                    default_locale=current_app.config["BABEL_DEFAULT_LOCALE"], **who)
    flash(_("Reach changed: %(gained)d people added, %(lost)d removed; their progress is kept.",
            gained=done.gained, lost=done.lost), "success")
    return redirect(url_for("hr.assignment_detail", assignment_id=assignment.id), code=303)


STATE_OF_ACTION = {"pause": AssignmentState.PAUSED, "resume": AssignmentState.ACTIVE,
                   "archive": AssignmentState.ARCHIVED}


@bp.post("/assignments/<int:assignment_id>/state")
def assignment_state(assignment_id: int) -> ResponseReturnValue:
    assignment = access.assignment_for_hr(current_user, assignment_id)
    form = StateForm()
    if not form.validate_on_submit():
        abort(400)
    action = str(form.action.data)
    try:
        assignments.set_state(assignment, STATE_OF_ACTION[action], actor=current_user, ip=client_ip())
    except assignments.AssignmentInvalid:
        flash(_("An archived assignment cannot be resumed; make a new one."), "error")
        return redirect(url_for("hr.assignment_detail", assignment_id=assignment.id), code=303)
    flash({"pause": _("Paused: it has left the learners' lists and the reports; progress is kept."),
           "resume": _("Resumed: it is back in the learners' lists and the reports."),
           "archive": _("Archived: it has left the learners' lists and the reports for good; progress is kept.")}
          [action], "success")
    return redirect(url_for("hr.assignment_detail", assignment_id=assignment.id), code=303)
