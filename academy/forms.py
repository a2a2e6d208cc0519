"""Forms. Every POST carries a CSRF token (Flask-WTF, app-wide CSRFProtect)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import support
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # 3.3 API; stubs lag
from wtforms.i18n import messages_path
from wtforms.validators import (
    AnyOf,
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from academy.content import qtypes


@lru_cache(maxsize=8)
def _wtforms_messages(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class BaseForm(FlaskForm):
    """WTForms' own messages in the page's language, read once per process and language
    (Flask-WTF reads the catalogue file again on every request)."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> Any:
            return _wtforms_messages(str(get_locale()))


class EmptyForm(BaseForm):
    """For button-only POSTs (mark done, sync, log out): the token is the whole form."""


class LoginForm(BaseForm):
    identifier = StringField(_l("Employee number or email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class PasswordForm(BaseForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))])


class TwoFactorForm(BaseForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)],
                       render_kw={"autocapitalize": "off", "spellcheck": "false"})
class ForgotPasswordForm(BaseForm):
    identifier = StringField(_l("Employee number or email"), validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(BaseForm):
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))])


class LanguageForm(BaseForm):
    lang = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class UserRolesForm(BaseForm):
    author = BooleanField(_l("Author"))
    host = BooleanField(_l("Competition host"))
    hr = BooleanField(_l("HR / training administrator"))
    admin = BooleanField(_l("Administrator"))
    hr_scope = SelectField(_l("HR manages the people of"), coerce=int, choices=[], validate_choice=True)
    active = BooleanField(_l("Account active"))


class ImportForm(BaseForm):
    file = FileField(_l("Employee list (CSV or XLSX)"), validators=[FileRequired()])
    full = BooleanField(_l("Full list: deactivate people of the listed units who are missing from the file"))


class ApplyImportForm(BaseForm):
    token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
    full = HiddenField()


class ReachFields(BaseForm):
    """Who an item reaches: a unit (with or without the units below), a position within it, or named people."""

    target_kind = SelectField(_l("Assign to"), choices=[
        SelectChoice("unit", _l("An org unit")), SelectChoice("position", _l("A position within a unit")),
        SelectChoice("people", _l("Named people"))])
    unit = SelectField(_l("Org unit"), coerce=int)
    include_subtree = BooleanField(_l("Include all units below"), default=True)
    position = StringField(_l("Position"), validators=[Optional(), Length(max=80)])
    people = TextAreaField(_l("Employee numbers (one per line or separated by commas)"), validators=[Optional()])


class AssignmentForm(ReachFields):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    what = SelectField(_l("Course, learning path or certification"),
                       validators=[DataRequired(message=_l("Choose what to assign."))])
    due_on = DateField(_l("Due date"), validators=[Optional()])
    mandatory = BooleanField(_l("Mandatory"), default=True)
    repeat_months = IntegerField(_l("Repeat every … months (recertification; empty: once)"),
                                 validators=[Optional(), NumberRange(min=1, max=120, message=_l("Enter a number of months from 1 to 120."))])
    renew_days = IntegerField(_l("Certification: renew … days before the certificate expires (empty: never)"),
                              validators=[Optional(), NumberRange(min=1, max=365, message=_l("Enter a number of days from 1 to 365."))])
    join_days = IntegerField(_l("People who join later get … days from their joining (empty: the due date above)"),
                             validators=[Optional(), NumberRange(min=1, max=365, message=_l("Enter a number of days from 1 to 365."))])
    notify = BooleanField(_l("Tell the people now, in-app and by e-mail"), default=True)
    reach_seen = HiddenField()  # the reach the HR user was shown; saving needs it to be current


class ReachForm(ReachFields):
    """A new reach for an existing assignment (the "who" of ``AssignmentForm``)."""

    lost_seen = HiddenField()  # how many people losing it the HR user was shown; saving needs it current


class StateForm(BaseForm):
    action = HiddenField(validators=[DataRequired(), AnyOf(["pause", "resume", "archive"])])


class DueDateForm(BaseForm):
    due_on = DateField(_l("New due date"), validators=[Optional()])


class RevokeForm(BaseForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


BadInput = qtypes.NotAnAnswer  # a form value that cannot be an answer to this question


def answer_from_form(question: Any, size: int, form: Any) -> Any:
    """One question's fields (``q-<id>`` or ``q-<id>-<n>``) → its answer in displayed positions.

    Empty fields give ``None`` (nothing saved yet). Used by the per-answer fetch and by the
    plain form that works without JavaScript, so both save exactly the same thing. The fields
    are read by the question type's ``from_form`` and checked by its shape check.
    """
    shape = qtypes.shape_of(question, size)
    value = qtypes.spec(question.type).from_form(f"q-{question.id}", shape, form)
    if not qtypes.valid(question.type, value, shape):
        raise BadInput(question.id)
    return value


def _range(low: int, high: int) -> NumberRange:
    return NumberRange(low, high, message=_l("Give a whole number from %(min)s to %(max)s."))


LIVE_KINDS = {"everyone": _l("Everyone answers"), "team": _l("Team question"), "buzz": _l("Buzz-in"),
              "risk": _l("Risk question")}
LIVE_ROUND_ROWS = 5  # rows shown without the script; the script adds more


class LiveRoundForm(Form):
    """One question of a live final's running order; checked against the banks by the route."""

    question = StringField(_l("Question number"), validators=[Optional(), Length(max=80)])
    kind = SelectField(_l("Round type"), choices=[SelectChoice(k, v) for k, v in LIVE_KINDS.items()], validate_choice=False)
    team = StringField(_l("Team answering (team questions)"), validators=[Optional(), Length(max=60)])
    seconds = IntegerField(_l("Seconds to answer"), default=20, validators=[Optional(), _range(5, 600)])


class LiveEventForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the final a title.")), Length(max=200)])
    rounds = FieldList(FormField(LiveRoundForm), min_entries=LIVE_ROUND_ROWS, max_entries=200)
    running_order = TextAreaField(_l("Or paste a list, one question a line: question id, round kind (everyone, buzz, risk, team:<team>), seconds"),
                                  validators=[Optional(), Length(max=20000)])
    teams = TextAreaField(_l("Teams, one a line"), validators=[Length(max=5000)])
    teams_from_units = BooleanField(_l("Form teams from the players' org units"))
    base_points = IntegerField(_l("Points for a correct answer"), default=1000, validators=[NumberRange(10, 100000)])
    streak_bonus = IntegerField(_l("Streak bonus per correct answer in a row"), default=0, validators=[NumberRange(0, 10000)])
    buzz_penalty = IntegerField(_l("Points lost by a wrong buzz-in answer"), default=0, validators=[NumberRange(0, 100000)])
    buzz_pass = BooleanField(_l("A wrong buzz-in answer passes the turn on"), default=True)
    preset = SelectField(_l("Scoring rules"), default="", choices=[
        SelectChoice("", _l("Speed game with the points below")),
        SelectChoice("speed", _l("Speed game (Kahoot style): 1000 points, streak bonus up to +500, teams averaged")),
        SelectChoice("team_final", _l("Team final: base 100, ±10, early buzz −10, stakes 10/30/50")),
        SelectChoice("team_final_high", _l("Team final: base 100, ±10, early buzz −10, stakes 20/40/60")),
    ])
    base_score = IntegerField(_l("Team final: each team's base score (empty: the preset's)"),
                              validators=[Optional(), NumberRange(0, 100000)])
    right_points = IntegerField(_l("Team final: points for a right team or buzz-in answer (empty: the preset's)"),
                                validators=[Optional(), NumberRange(1, 100000)])
    stake_tiers = StringField(_l("Team final: risk stakes, e.g. 10/30/50 (empty: the preset's)"),
                              validators=[Optional(), Length(max=100)])
    team_score = SelectField(_l("Team score"), default="", choices=[
        SelectChoice("", _l("As the preset says")), SelectChoice("sum", _l("Sum of the members' points")),
        SelectChoice("average", _l("Average of the members' points"))])


class JudgeMarkForm(FlaskForm):
    """A judge's or the host's verdict on a team's answer; a changed verdict needs the reason."""

    team = IntegerField(validators=[DataRequired()])
    verdict = SelectField(choices=[SelectChoice("right", _l("Right")), SelectChoice("wrong", _l("Wrong"))])
    reason = StringField(_l("Reason (needed to change a verdict)"), validators=[Length(max=500)])
    back = StringField(validators=[Length(max=10)])


class CorrectionForm(FlaskForm):
    target = StringField(_l("Team or player"), validators=[DataRequired(), Length(max=20)])
    points = IntegerField(_l("Points (negative to take away)"), validators=[DataRequired(message=_l("Give the points to add or take away.")),
                                                                         NumberRange(-100000, 100000)])
    reason = StringField(_l("Reason"), validators=[Length(max=500)])


class JudgeAddForm(FlaskForm):
    employee_no = StringField(_l("Judge's employee number"), validators=[DataRequired(), Length(max=40)])


class JoinForm(BaseForm):
    code = StringField(_l("Join code"), validators=[DataRequired(), Length(min=4, max=12)])
    team = SelectField(_l("Team"), coerce=int, choices=[], validate_choice=False)


TYPE_NAMES = {"single": _l("Single choice"), "multiple": _l("Multiple choice"), "truefalse": _l("True or false"),
              "fill": _l("Fill in the blanks"), "numeric": _l("Numeric answer"), "ordering": _l("Ordering"),
              "matching": _l("Matching")}
DIFFICULTY_NAMES = {"易": _l("Easy"), "中": _l("Medium"), "难": _l("Hard")}
AWARD_RULES = {  # rule: (label, smallest, largest)
    "top": (_l("the top N people"), 1, 100000),
    "top_percent": (_l("the best P percent of entrants"), 1, 100),
    "min_percent": (_l("everyone scoring at least P percent"), 1, 100),
    "units": (_l("the top N units"), 1, 1000),
}
DRAW_ROWS = 3  # rows shown without the script; the script adds more
AWARD_ROWS = 4


class DrawRowForm(Form):
    """One draw rule: the outer form carries the CSRF token, so rows are plain ``Form``s."""

    bank = SelectField(_l("Question bank"), choices=[], validate_choice=False)
    count = IntegerField(_l("Questions"), validators=[Optional(), _range(1, 200)])
    types = SelectMultipleField(_l("Types (none ticked: every type)"),
                                choices=[SelectChoice(k, v) for k, v in TYPE_NAMES.items()])
    difficulty = SelectMultipleField(_l("Difficulty (none ticked: every level)"),
                                     choices=[SelectChoice(k, v) for k, v in DIFFICULTY_NAMES.items()])


class AwardRowForm(Form):
    name = StringField(_l("Award"), validators=[Optional(), Length(max=40)])
    rule = SelectField(_l("Given to"), choices=[SelectChoice(k, v[0]) for k, v in AWARD_RULES.items()],
                       validate_choice=False)  # checked with the row, so an empty row is no error
    value = IntegerField(_l("N or P"), validators=[Optional()])


class CompetitionForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the round a title.")), Length(max=200)])
    rules = TextAreaField(_l("Rules shown to participants"), validators=[Length(max=20000)])
    opens_at = DateTimeLocalField(_l("Opens"), format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired(message=_l("Give the date and time the round opens."))])
    closes_at = DateTimeLocalField(_l("Closes"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(message=_l("Give the date and time the round closes."))])
    units = SelectMultipleField(_l("Org units who may enter (none selected: everyone)"), coerce=int, choices=[])
    positions = StringField(_l("Positions who may enter, separated by commas (empty: every position)"), validators=[Length(max=1000)])
    draw = FieldList(FormField(DrawRowForm), min_entries=DRAW_ROWS, max_entries=30)
    time_limit = IntegerField(_l("Minutes per sitting"), default=60, validators=[_range(1, 600)])
    sittings = IntegerField(_l("Sittings allowed (the best counts)"), default=1, validators=[_range(1, 20)])
    review_after_close = BooleanField(_l("Show answers after the window closes"), default=True)
    team_depth = IntegerField(_l("Rank units at org-tree depth (1: subsidiaries, 2: departments)"), default=1, validators=[_range(0, 6)])
    weight_participation = IntegerField(_l("Unit index weight of participation"), default=40, validators=[_range(0, 100)])
    weight_average = IntegerField(_l("Unit index weight of the average score"), default=60, validators=[_range(0, 100)])
    freeze_hours = IntegerField(_l("Freeze the board for the last hours"), default=0, validators=[_range(0, 720)])
    show_names = IntegerField(_l("Names shown in full for the top"), default=10, validators=[_range(0, 100000)])
    awards = FieldList(FormField(AwardRowForm), min_entries=AWARD_ROWS, max_entries=20)

    def __init__(self, *args: Any, banks: dict[str, tuple[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # bank id -> (label, count of matching questions for (types, difficulty)); from the route, which reads the banks
        self.banks = banks or {}
        self.draw_error = ""
        self.refused = False  # set by validate(): the page then says nothing was saved
        for row in self.draw:
            row.form.bank.choices = [SelectChoice("", _l("– choose a bank –")),
                                     *(SelectChoice(b, label) for b, (label, _) in self.banks.items())]

    def validate_closes_at(self, field: DateTimeLocalField) -> None:
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The round must close after it opens."))

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        rows = 0
        for row in self.draw:
            bank, count = row.form.bank, row.form.count
            if not bank.data and count.data is None:
                continue
            rows += 1
            if bank.data not in self.banks:
                bank.errors = [*bank.errors, _l("Choose a question bank.")]
                ok = False
            elif count.data is None:
                if not count.errors:
                    count.errors = [_l("How many questions should this bank give?")]
                ok = False
            elif not count.errors:
                available = self.banks[bank.data][1](row.form.types.data or [], row.form.difficulty.data or [])
                if count.data > available:
                    count.errors = [_l("This bank has only %(n)d questions of the ticked types and difficulty.", n=available)]
                    ok = False
        if not rows:
            self.draw_error = str(_l("A round needs questions: choose at least one bank and how many questions it gives."))
            ok = False
        for award in self.awards:
            name, rule, value = award.form.name, award.form.rule, award.form.value
            if not (name.data or "").strip() and value.data is None:
                continue
            if not (name.data or "").strip():
                name.errors = [*name.errors, _l("Name the award.")]
                ok = False
            if rule.data not in AWARD_RULES:
                rule.errors = [_l("Choose who gets the award.")]
                ok = False
                continue
            low, high = AWARD_RULES[rule.data][1:]
            if value.data is None or not low <= value.data <= high:
                value.errors = [_l("Give a whole number from %(min)s to %(max)s.") % {"min": low, "max": high}]
                ok = False
        self.refused = not ok
        return ok

    def draw_rules(self) -> list[dict[str, Any]]:
        return [{"bank": r.form.bank.data, "count": r.form.count.data,
                 **({"types": list(r.form.types.data)} if r.form.types.data else {}),
                 **({"difficulty": list(r.form.difficulty.data)} if r.form.difficulty.data else {})}
                for r in self.draw if r.form.bank.data]

    def award_rules(self) -> list[dict[str, Any]]:
        return [{"name": (r.form.name.data or "").strip(), r.form.rule.data: r.form.value.data}
                for r in self.awards if (r.form.name.data or "").strip()]


class ExtendForm(FlaskForm):
    closes_at = DateTimeLocalField(_l("New close"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(message=_l("Give the date and time the round closes."))])


class QuestionImportForm(BaseForm):
    file = FileField(_l("Question file (GIFT, Aiken or CSV, UTF-8)"))
    source = HiddenField()  # the file's text, kept from the preview so saving converts exactly what was shown
    fmt = SelectField(_l("Format"), choices=[SelectChoice("gift", "GIFT (Moodle)"), SelectChoice("aiken", "Aiken"),
                                             SelectChoice("csv", "CSV")])
    bank = StringField(_l("Bank id (the file quiz/<id>.md)"), validators=[
        DataRequired(message=_l("Give the bank an id.")),
        Regexp(r"^[a-z0-9][a-z0-9-]{1,60}$", message=_l("Use lower-case letters, digits and hyphens."))])
    title = StringField(_l("Bank title"), validators=[Optional(), Length(max=120)])
    course = SelectField(_l("Course"), validators=[DataRequired(message=_l("Choose the course."))])
    lesson = SelectField(_l("Lesson for every question (refine later)"), validate_choice=False,
                         validators=[DataRequired(message=_l("Choose a lesson."))])



# --- classroom sessions and external training ----------------------------------------------------

class SessionForm(FlaskForm):
    title = StringField(_l("Topic"), validators=[DataRequired(message=_l("Enter the topic.")), Length(max=200)])
    course = SelectField(_l("Linked course"), choices=[], validate_choice=True)
    tier = SelectField(_l("Tier"), choices=[], validate_choice=True)
    unit = SelectField(_l("Organising unit"), coerce=int, choices=[], validate_choice=True)
    trainer = StringField(_l("Trainer's employee number"), validators=[Optional(), Length(max=40)])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(message=_l("Enter when it starts."))])
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired(message=_l("Enter when it ends."))])
    capacity = IntegerField(_l("Seats"), validators=[InputRequired(message=_l("Enter the number of seats.")),
                                                     NumberRange(min=1, max=5000, message=_l("Enter a number of seats from 1 to 5000."))])
    hours = FloatField(_l("Training hours"), validators=[InputRequired(message=_l("Enter the hours it credits.")),
                                                         NumberRange(min=0.5, max=200, message=_l("Enter hours from 0.5 to 200."))])
    late_after_minutes = IntegerField(_l("Late after … minutes (empty: no late rule)"),
                                      validators=[Optional(), NumberRange(min=1, max=600, message=_l("Enter minutes from 1 to 600."))])
    late_hours = FloatField(_l("Hours for a late arrival"),
                            validators=[Optional(), NumberRange(min=0, max=200, message=_l("Enter hours from 0 to 200."))])
    open_registration = BooleanField(_l("People of the unit may ask for a seat (HR approves each request)"))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])


class SessionAssignForm(ReachFields):
    # not needed for named people; a unit outside the viewer's scope is refused by ``access``
    unit = SelectField(_l("Org unit"), coerce=int, choices=[], validate_choice=False)


class ExternalForm(FlaskForm):
    kind = SelectField(_l("Kind of training"), choices=[], validate_choice=True)
    title = StringField(_l("Course or qualification"), validators=[DataRequired(message=_l("Enter the name.")), Length(max=200)])
    issuer = StringField(_l("Issued by"), validators=[DataRequired(message=_l("Enter who issued it.")), Length(max=200)])
    number = StringField(_l("Certificate number"), validators=[Optional(), Length(max=100)])
    started_on = DateField(_l("First day"), validators=[DataRequired(message=_l("Enter a date."))])
    ended_on = DateField(_l("Last day"), validators=[DataRequired(message=_l("Enter a date."))])
    expires_on = DateField(_l("Valid until (empty: does not expire)"), validators=[Optional()])
    claimed_hours = FloatField(_l("Training hours"), validators=[
        Optional(), NumberRange(min=0, max=500, message=_l("Enter hours from 0 to 500."))])
    scan = FileField(_l("Scan of the certificate (PDF, PNG or JPEG)"),
                     validators=[FileRequired(message=_l("Attach the scan."))])


class ExternalDecisionForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[SelectChoice("approve", _l("Approve")),
                                                    SelectChoice("reject", _l("Reject"))])
    reason = StringField(_l("Reason (needed to reject)"), validators=[Optional(), Length(max=500)])


# --- blended training: accommodations and evaluations ----------------------------------------

class ExamOverrideForm(FlaskForm):
    quiz = SelectField(_l("Exam"), validators=[DataRequired()], choices=[])
    target_kind = SelectField(_l("For"), choices=[
        SelectChoice("person", _l("One person")), SelectChoice("unit", _l("An org unit and all units below"))])
    person = StringField(_l("Employee number"), validators=[Optional(), Length(max=32)])
    unit = SelectField(_l("Org unit"), coerce=int, choices=[], validate_choice=False)
    extra_minutes = IntegerField(_l("Extra minutes"), default=0, validators=[Optional(), NumberRange(0, 600)])
    extra_attempts = IntegerField(_l("Extra attempts"), default=0, validators=[Optional(), NumberRange(0, 10)])
    opens_at = DateTimeLocalField(_l("Own window: opens"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Own window: closes"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    reason = StringField(_l("Reason (kept in the audit log)"), validators=[DataRequired(), Length(max=200)])


RATING_CHOICES = [SelectChoice(n, str(n)) for n in range(1, 6)]


class EvaluationForm(FlaskForm):
    content = RadioField(_l("The content is useful for my work"), coerce=int, choices=RATING_CHOICES,
                         validators=[InputRequired(_l("Choose a rating from 1 to 5."))])
    delivery = RadioField(_l("The trainer or the lessons explain clearly"), coerce=int, choices=RATING_CHOICES,
                          validators=[InputRequired(_l("Choose a rating from 1 to 5."))])
    organisation = RadioField(_l("Organisation, materials and time were well arranged"), coerce=int, choices=RATING_CHOICES,
                              validators=[InputRequired(_l("Choose a rating from 1 to 5."))])
    overall = RadioField(_l("Overall, I am satisfied"), coerce=int, choices=RATING_CHOICES,
                         validators=[InputRequired(_l("Choose a rating from 1 to 5."))])
    comment = TextAreaField(_l("What should we keep or change? (optional)"), validators=[Optional(), Length(max=1000)])


TRAINER_LEVELS = [SelectChoice("junior", _l("Junior trainer")), SelectChoice("intermediate", _l("Intermediate trainer")),
                  SelectChoice("senior", _l("Senior trainer")), SelectChoice("principal", _l("Principal trainer"))]


class TrainerForm(FlaskForm):
    person = StringField(_l("Employee number"), validators=[DataRequired(), Length(max=32)])
    level = SelectField(_l("Level"), choices=TRAINER_LEVELS)
    subjects = StringField(_l("Subjects (separated by 、 or commas)"), validators=[DataRequired(), Length(max=300)])


class TrainerEditForm(FlaskForm):
    level = SelectField(_l("Level"), choices=TRAINER_LEVELS)
    subjects = StringField(_l("Subjects (separated by 、 or commas)"), validators=[DataRequired(), Length(max=300)])
    active = BooleanField(_l("Active in the registry"))


class PlanForm(FlaskForm):
    unit = SelectField(_l("Org unit"), coerce=int, choices=[], validate_choice=False)
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    hours_per_head = DecimalField(_l("Target hours per head, every source"), places=None,
                                  validators=[InputRequired(), NumberRange(0, 1000)])
    tier_all_staff = DecimalField(_l("All-staff courses: hours per head"), places=None, validators=[Optional(), NumberRange(0, 1000)])
    tier_practitioner = DecimalField(_l("Practitioner courses: hours per head"), places=None, validators=[Optional(), NumberRange(0, 1000)])
    tier_expert = DecimalField(_l("Expert courses: hours per head"), places=None, validators=[Optional(), NumberRange(0, 1000)])
    tier_leadership = DecimalField(_l("Leadership courses: hours per head"), places=None, validators=[Optional(), NumberRange(0, 1000)])
    courses = SelectMultipleField(_l("Planned courses"), coerce=int, choices=[])
    planned_sessions = IntegerField(_l("Classroom sessions planned"), default=0, validators=[Optional(), NumberRange(0, 10000)])
    budget = DecimalField(_l("Budget (yuan)"), places=None, validators=[InputRequired(), NumberRange(0, 10**10)])
    spent = DecimalField(_l("Spent so far (yuan)"), places=None, default=Decimal(0), validators=[Optional(), NumberRange(0, 10**10)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)])
