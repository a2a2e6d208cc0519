"""Command line (``flask …``): content check/sync/stats/coverage, users create-admin/import,
seed demo, reminders send, quiz close-expired/import/export, assignments roll, reports rebuild."""

from __future__ import annotations

import json
import smtplib
import sys
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from academy.content.library import coverage, load_library, stats
from academy.learning.services import content_sync, course_status
from academy.models import Role
from academy.people.services import accounts, assignments, people_import, reminders
from academy.services import seed

content = AppGroup("content", help="Check, publish and measure the curricula.")
users = AppGroup("users", help="Accounts.")
seed_group = AppGroup("seed", help="Demo data.")
reminders_group = AppGroup("reminders", help="Email reminders (run daily from cron or a systemd timer).")
quiz = AppGroup("quiz", help="Quizzes and exams: close expired attempts, import and export banks.")
reports_group = AppGroup("reports", help="HR reports.")
assignments_group = AppGroup("assignments", help="Mandatory assignments.")
directory_group = AppGroup("directory", help="The group's LDAP / Active Directory (run sync daily from cron).")
privacy_group = AppGroup("privacy", help="Personal information: anonymise leavers (run daily from cron).")
security = AppGroup("security", help="Sessions, kept uploads and the audit log (run daily).")


def _library():  # type: ignore[no-untyped-def]
    return load_library(current_app.config["COURSES_ROOT"], current_app.config["QUIZ_ROOT"])


@content.command("check")
def content_check() -> None:
    """Validate every course, lesson, bank and exam; print path:line: message."""
    library = _library()
    for problem in library.problems:
        click.echo(str(problem))
    click.echo(f"{len(library.courses)} courses, {len(library.banks)} banks, {len(library.exams)} exams, "
               f"{len(library.problems)} problems", err=True)
    if library.problems:
        sys.exit(1)


@content.command("sync")
def content_sync_command() -> None:
    """Publish valid content to the database; broken files keep their last good version."""
    library = _library()
    with click.progressbar(length=len(library.courses), label="Syncing courses",
                           item_show_func=lambda slug: slug or "") as bar:
        report = content_sync.sync(library, on_course=lambda course: bar.update(1, course.slug))
    click.echo(f"created {len(report.created)}, updated {len(report.updated)}, retired {len(report.retired)}, "
               f"unchanged {report.unchanged}, problems {report.problems}")
    for problem in library.problems:
        click.echo(str(problem), err=True)
    for path in report.kept:
        click.echo(f"{path}: not published, learners keep its last good version", err=True)


@content.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def content_stats(as_json: bool) -> None:
    """Per course: tier, lessons, Chinese characters and figures per lesson, questions by type, and per bank the
    share of choice items set in a situation and the number of items about dates."""
    rows = stats(_library())
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        chars = ", ".join(str(x["cjk_chars"]) for x in row["lessons"])  # type: ignore[attr-defined]
        figures = sum(x["figures"] for x in row["lessons"])  # type: ignore[attr-defined]
        click.echo(f"{row['tier']:<13} {row['slug']:<32} lessons {len(row['lessons']):>2} "  # type: ignore[arg-type]
                   f"[{chars}] figures {figures}  questions {row['questions']} {row['questions_by_type']}  "
                   f"scenario {row['scenario_share']:.0%} of {row['choice_items']} choice items, dates {row['date_items']}")


@content.command("coverage")
def content_coverage() -> None:
    """Which guideline measures (一 … 十七) each course serves; gaps are marked."""
    for measure, slugs in coverage(_library()).items():
        click.echo(f"{measure:<3} {', '.join(slugs) if slugs else '-- not covered --'}")


@users.command("create-admin")
@click.option("--employee-no", prompt=True)
@click.option("--name", prompt=True)
@click.option("--email", default="")
@click.password_option()
def create_admin(employee_no: str, name: str, email: str, password: str) -> None:
    """Create an administrator account."""
    if accounts.find_by_identifier(employee_no) is not None:
        raise click.ClickException(f"employee number {employee_no} already exists")
    if len(password) < current_app.config["MIN_PASSWORD_LENGTH"]:
        raise click.ClickException(f"the password needs at least {current_app.config['MIN_PASSWORD_LENGTH']} characters")
    from academy.models import User
    from academy.people.services import passwords

    try:  # the same policy as every other password, for the most powerful account
        passwords.check(password, User(employee_no=employee_no, email=email or None, password_hash="", password_history=[]),
                        min_length=current_app.config["MIN_PASSWORD_LENGTH"])
    except passwords.PasswordRejected as err:
        raise click.ClickException(f"the password is refused ({err.reason}): choose a longer, less common one") from err
    accounts.create_user(employee_no, name, password=password, email=email or None, roles=((Role.ADMIN, None),))
    click.echo(f"admin {employee_no} created")


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--full", is_flag=True, help="Deactivate people absent from the file in the units it covers, "
              "and in their subtrees where it lists people below them (docs/people-import.md).")
def import_people(file: str, dry_run: bool, as_json: bool, full: bool) -> None:
    """Import employees and the org tree from CSV or XLSX (工号, 姓名, 组织路径, 岗位, 邮箱, 手机, 状态)."""
    with open(file, "rb") as handle:
        data = handle.read()
    bar = None if as_json else click.progressbar(length=1, label="Applying", file=sys.stderr)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.length = total
            bar.update(done - bar.pos)  # steps come every few hundred rows

    try:
        report = people_import.import_people(data, file, dry_run=dry_run, full=full, progress=progress)
    except people_import.ImportFileError as exc:
        where = f" (row {exc.row})" if exc.row else ""
        raise click.ClickException(f"cannot read {file}: {exc.reason}{where}") from exc
    summary = report.summary()
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        click.echo(f"created {summary['created']}, updated {summary['updated']}, deactivated {summary['deactivated']}, "
                   f"unchanged {summary['unchanged']}, duplicates {summary['duplicates']}, new units {len(summary['new_units'])}, "
                   f"renamed units {len(summary['renamed_units'])}, "
                   f"rejected {len(summary['rejected'])}" + ("" if report.applied else " (nothing applied)"))
        for renamed in summary["renamed_units"]:
            click.echo(f"  rename     {renamed['from']} -> {renamed['to']}")
        for change in summary["changes"]:
            moved = f" (from {change['moved_from']})" if change["moved_from"] else ""
            click.echo(f"  {change['action']:<10} row {change['row']:>5} {change['employee_no']} {change['name']} "
                       f"{change['unit_path']}{moved} {' '.join(change['fields'])}")
        for bad in summary["rejected"]:
            click.echo(f"  rejected   row {bad['row']:>5} {bad['column']}: {bad['message']} {bad['value']!r}", err=True)
    if report.rejected:
        sys.exit(1)


@seed_group.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@click.option("--employees", default=300, show_default=True)
def seed_demo(if_empty: bool, employees: int) -> None:
    """Create the demo organisation, people and some progress."""
    if seed.has_data():
        if if_empty:
            click.echo("demo data already present")
            _print_logins(seed.demo_logins())
            return
        raise click.ClickException("the database already has users; seed an empty database")
    logins = seed.seed_demo(employees=employees, history=True)
    click.echo("demo data created")
    _print_logins(logins)


@reminders_group.command("send")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend it is this date (local).")
def reminders_send(today: datetime | None) -> None:
    """Send due-date reminders (e.g. 7 and 1 days before), the weekly overdue digest to HR and
    certificate-expiry warnings (90/30/7 days); each goes out once, with an in-app notice."""
    config = current_app.config
    zone = ZoneInfo(config["DISPLAY_TIMEZONE"])
    now = datetime.now(zone)
    if today:
        now = datetime.combine(today.date(), now.timetz())
    opened = assignments.roll(now.date(), zone=zone)  # reminders are about the current rounds
    if opened:
        click.echo(f"{opened} assignment rounds opened")
    settings = reminders.MailSettings.from_config(config)
    try:
        sent = reminders.send_all(settings, today=now.date(), now=now, zone=zone, days=config["REMINDER_DAYS"],
                                  certificate_days=config["CERTIFICATE_WARNING_DAYS"],
                                  default_locale=config["BABEL_DEFAULT_LOCALE"])
    except (OSError, smtplib.SMTPException) as exc:
        raise click.ClickException(f"SMTP {settings.host}:{settings.port}: {exc}") from exc
    click.echo(f"{sent.total} reminders sent ({sent.due} due dates, {sent.digests} overdue digests, "
               f"{sent.certificates} certificate warnings, {sent.external} outside qualification warnings)")


def _print_logins(logins: list[seed.DemoLogin]) -> None:
    click.echo(f"Demo logins (password for all: {seed.DEMO_PASSWORD}):")
    click.echo("  " + " · ".join(f"{login.role} {login.employee_no}" for login in logins))


@quiz.command("close-expired")
def quiz_close_expired() -> None:
    """Grade every attempt past its deadline with the answers saved (run it from cron)."""
    from academy.assessment.services import quizzes

    click.echo(f"closed {quizzes.close_expired()} expired attempts")


@quiz.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["gift", "moodlexml", "aiken", "xlsx", "csv"]), required=True)
@click.option("--bank", "bank_id", required=True, help="Id of the bank to write (quiz/<ID>.md).")
@click.option("--course", default="", help="Course the questions belong to (default: the existing bank's).")
@click.option("--lesson", default="", help="Lesson slug for every imported question (authors refine it).")
@click.option("--title", default="", help="Bank title.")
@click.option("--difficulty", type=click.Choice(["易", "中", "难"]), default="中", show_default=True)
@click.option("--output", default="", help="Where to write (default quiz/<ID>.md; '-' for stdout).")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
def quiz_import(file: Path, fmt: str, bank_id: str, course: str, lesson: str, title: str, difficulty: str,
                output: str, as_json: bool) -> None:
    """Convert a GIFT, Moodle XML, Aiken, Excel or CSV question file into the Markdown bank format.

    Exits non-zero when anything was rejected: the bank written holds only what converted."""
    from academy.content import importers
    from academy.content.quizzes import load_sources

    existing = load_sources(current_app.config["QUIZ_ROOT"]).banks.get(bank_id)
    course = course or (existing.course if existing else "")
    lesson = lesson or (existing.questions[0].lesson if existing and existing.questions else "")
    if not course or not lesson:
        raise click.ClickException("give --course and --lesson (the bank does not exist yet)")
    result = importers.import_questions(file.read_bytes(), fmt, bank_id=bank_id, course=course, lesson=lesson,
                                        title=title, difficulty=difficulty)
    target = Path(output) if output and output != "-" else current_app.config["QUIZ_ROOT"] / f"{result.bank_id}.md"
    if not output and target.exists():
        raise click.ClickException(f"{target} exists: write elsewhere with --output and merge by hand")
    if output == "-":
        click.echo(result.markdown, nl=False)
    elif result.markdown:
        target.write_text(result.markdown, encoding="utf-8")
        for name, content in result.files.items():  # images, in a folder named after the bank
            place = target.parent / name
            place.parent.mkdir(parents=True, exist_ok=True)
            place.write_bytes(content)
    summary = {
        "converted": result.converted, "output": "-" if output == "-" else str(target),
        "rejected": [{"line": r.line, "column": r.column, "reason": r.reason} for r in result.errors],
        "warnings": [{"line": r.line, "reason": r.reason} for r in result.warnings],
        "files": sorted(result.files),
    }
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2), err=output == "-")
    else:
        for r in result.errors:
            click.echo(f"{file}:{r.line}{':' + r.column if r.column else ''}: rejected: {r.reason}", err=True)
        for r in result.warnings:
            click.echo(f"{file}:{r.line}: warning: {r.reason}", err=True)
        click.echo(f"converted {summary['converted']}, rejected {len(result.errors)}", err=True)
    if result.errors:
        sys.exit(1)


@quiz.command("export")
@click.argument("bank_id")
@click.option("--format", "fmt", type=click.Choice(["gift", "moodlexml"]), default="gift", show_default=True)
def quiz_export(bank_id: str, fmt: str) -> None:
    """Print a bank as Moodle GIFT (ordering and multi-blank questions are listed as skipped) or Moodle XML."""
    from academy.content import gift, moodlexml
    from academy.content.quizzes import load_sources

    bank = load_sources(current_app.config["QUIZ_ROOT"]).banks.get(bank_id)
    if bank is None:
        raise click.ClickException(f"no valid bank '{bank_id}' (run `flask content check`)")
    if fmt == "moodlexml":
        click.echo(moodlexml.to_moodle_xml(bank), nl=False)
        return
    text, skipped = gift.to_gift(bank)
    click.echo(text)
    for item in skipped:
        click.echo(f"{bank.path}:{item.line}: skipped: {item.reason}", err=True)


@quiz.command("template")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def quiz_template(target: Path) -> None:
    """Write the Excel template for authors who keep questions in a spreadsheet."""
    from academy.content.sheet_template import template_bytes

    target.write_bytes(template_bytes())
    click.echo(f"wrote {target}")


@assignments_group.command("roll")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Pretend it is this date (local).")
def assignments_roll(today: datetime | None) -> None:
    """Open the due rounds of recurring assignments (also done by `flask reminders send`);
    running it twice opens nothing twice."""
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    day = today.date() if today else datetime.now(zone).date()
    # the pretended day's first moment, so renewal windows open as they would that morning
    now = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC) if today else None
    click.echo(f"{assignments.roll(day, zone=zone, now=now)} assignment rounds opened")


@reports_group.command("rebuild")
def reports_rebuild() -> None:
    """Recompute the report's status tables from progress, assignments and people (audited).
    The session keeps them current; run this after writing those tables around it (SQL, a restore)."""
    items = course_status.rebuild_all()
    click.echo(f"{items} assigned items recomputed")


@directory_group.command("sync")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def directory_sync(dry_run: bool, as_json: bool) -> None:
    """Create, move, update and deactivate people as the directory lists them (one transaction)."""
    from academy.directory import LdapSettings
    from academy.people.services import identity

    try:
        result = identity.sync_directory(LdapSettings.from_config(current_app.config),
                                         rules=identity.group_roles(current_app.config), dry_run=dry_run)
    except identity.DirectoryUnavailable as exc:
        raise click.ClickException(f"the directory cannot be reached; nothing was changed ({exc})") from exc
    summary = {**result.people.summary(), "linked": result.linked, "role_changes": result.role_changes}
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        click.echo(f"created {summary['created']}, updated {summary['updated']}, deactivated {summary['deactivated']}, "
                   f"unchanged {summary['unchanged']}, linked {result.linked}, role changes {result.role_changes}, "
                   f"rejected {len(summary['rejected'])}" + ("" if result.people.applied or dry_run else " (nothing applied)"))
        for change in summary["changes"]:
            click.echo(f"  {change['action']:<10} {change['employee_no']} {change['name']} {change['unit_path']}")
        for bad in summary["rejected"]:
            click.echo(f"  rejected   {bad['column']}: {bad['message']} {bad['value']!r}", err=True)
    if summary["rejected"]:
        sys.exit(1)


@privacy_group.command("anonymise")
@click.option("--days", type=int, default=None, help="Days after deactivation (default: LEAVER_ANONYMISE_DAYS).")
@click.option("--dry-run", is_flag=True, help="List who would be anonymised; change nothing.")
def privacy_anonymise(days: int | None, dry_run: bool) -> None:
    """Remove what identifies leavers deactivated long enough ago; their counts stay in the reports."""
    from academy.people.services import privacy

    days = current_app.config["LEAVER_ANONYMISE_DAYS"] if days is None else days
    if dry_run:
        due = privacy.leavers_due(days)
        click.echo(f"{len(due)} leavers deactivated at least {days} days ago would be anonymised")
        return
    click.echo(f"anonymised {privacy.anonymise_leavers(days)} leavers deactivated at least {days} days ago")


@security.command("purge")
def security_purge() -> None:
    """End sessions past their lifetime, drop expired previewed files and audit entries past retention."""
    from flask import current_app

    from academy.people.services import sessions
    from academy.services import audit, uploads

    ended = sessions.purge()
    files = uploads.purge()
    entries = audit.purge(keep_days=int(current_app.config["AUDIT_RETENTION_DAYS"]))
    click.echo(f"{ended} old session rows, {files} expired uploads, {entries} audit entries removed")


def register(app: Flask) -> None:
    for group in (content, users, seed_group, reminders_group, quiz, reports_group, assignments_group, security,
                  directory_group, privacy_group):
        app.cli.add_command(group)
