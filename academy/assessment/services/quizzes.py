"""Attempts that lose nothing: start or resume, save each answer, submit once, grade, regrade.

Every public function is one transaction (one commit). Time is injectable (``now=``).
The deadline is the server's: an attempt past it is graded with what was saved, on the
next read of it or by ``flask quiz close-expired``.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import JSON, bindparam, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from academy.assessment.services import accommodations, certificates, quiz_sources
from academy.content import qtypes
from academy.content.exams import Review
from academy.content.quizbank import Difficulty, QType, Question
from academy.content.quizzes import Kind, NotEnoughQuestions, PaperItem, QuizDef, QuizKey, Sources, draw
from academy.database import UTCDateTime, db, utcnow
from academy.grading import MultiplePolicy, from_display, grade
from academy.learning.services import progress
from academy.models import Attempt, AttemptAnswer, AttemptHead, Course, OrgUnit, QuestionVersion, User
from academy.people.models.org import within
from academy.services import audit

log = logging.getLogger(__name__)



class QuizError(Exception):
    """A rule forbids this now; ``code`` says which, for a translated message."""

    code = "error"


class AttemptLimitReached(QuizError):
    code = "limit"


class CoolingDown(QuizError):
    code = "cooldown"

    def __init__(self, until: datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until


class NotOpen(QuizError):
    code = "not_open"


class AttemptClosed(QuizError):
    code = "closed"


class BadAnswer(QuizError):
    code = "bad_answer"


class PaperUnavailable(QuizError):
    code = "unavailable"


# -- frozen questions -------------------------------------------------------------------------

def _question_json(q: Question) -> dict[str, Any]:
    return dataclasses.asdict(q)


def question_from_json(data: dict[str, Any]) -> Question:
    fields = dict(data)
    fields["type"] = QType(fields["type"])
    fields["difficulty"] = Difficulty(fields["difficulty"])
    for key in ("tags", "options", "correct", "matches", "weights"):
        fields[key] = tuple(fields.get(key) or ())
    for key in ("blanks", "blank_weights", "partial_ranges"):
        fields[key] = tuple(tuple(b) for b in fields.get(key) or ())
    return Question(**fields)


def _freeze(questions: Sequence[Question]) -> None:
    """Store each question version once (the paper then refers to it by id and version)."""
    wanted = {(q.id, q.version): q for q in questions}
    have = set(db.session.execute(
        select(QuestionVersion.question_id, QuestionVersion.version)
        .where(QuestionVersion.question_id.in_({qid for qid, _ in wanted}))).tuples())
    for key, q in wanted.items():
        if key not in have:
            try:
                with db.session.begin_nested():
                    db.session.add(QuestionVersion(question_id=q.id, version=q.version, data=_question_json(q)))
            except IntegrityError:
                pass  # another attempt froze the same version a moment ago


@dataclass(frozen=True)
class Paper:
    items: tuple[PaperItem, ...]

    @property
    def questions(self) -> list[Question]:
        return [item.question for item in self.items]

    def item(self, question_id: str) -> PaperItem | None:
        return next((i for i in self.items if i.question.id == question_id), None)


# A stored question version never changes (a new text is a new version), so each process keeps
# the ones it has read: saving one answer then reads no question rows and parses no JSON.
_FROZEN: dict[tuple[str, str], Question] = {}
_FROZEN_MAX = 20_000


def _questions(pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Question]:
    """Frozen questions by (id, version), read from the database only the first time in this process."""
    found = {pair: _FROZEN[pair] for pair in pairs if pair in _FROZEN}
    missing = {qid for qid, version in pairs if (qid, version) not in found}
    if missing:
        if len(_FROZEN) > _FROZEN_MAX:
            _FROZEN.clear()
        for row in db.session.execute(select(QuestionVersion).where(QuestionVersion.question_id.in_(missing))).scalars():
            question = _FROZEN[(row.question_id, row.version)] = question_from_json(row.data)
            found[(row.question_id, row.version)] = question
    return found


def paper_of(attempt: Attempt) -> Paper:
    """The attempt's questions exactly as drawn, in the order shown."""
    frozen = _questions([(p["id"], p["version"]) for p in attempt.paper])
    return Paper(tuple(PaperItem(frozen[(p["id"], p["version"])], tuple(p["order"])) for p in attempt.paper))


def paper_item(head: AttemptHead, question_id: str) -> PaperItem | None:
    """One question of the paper, as shown; None if the paper has no such question."""
    entry = next((p for p in head.paper if p["id"] == question_id), None)
    if entry is None:
        return None
    pair = (entry["id"], entry["version"])
    return PaperItem(_questions([pair])[pair], tuple(entry["order"]))


# -- rules ------------------------------------------------------------------------------------

def attempts_of(user: User, quiz: QuizDef) -> list[Attempt]:
    return list(db.session.execute(
        select(Attempt).where(Attempt.user_id == user.id, Attempt.quiz_key == quiz.key).order_by(Attempt.number)
    ).scalars())


def counted_attempt(user: User, quiz: QuizDef) -> Attempt | None:
    """The graded attempt that counts: the highest or the last, as the quiz says."""
    graded = [a for a in attempts_of(user, quiz) if a.submitted_at is not None]
    if not graded:
        return None
    if quiz.grading == "last":
        return graded[-1]
    return max(graded, key=lambda a: (a.percent, a.number))


@dataclass(frozen=True)
class Standing:
    """Where a learner stands with a quiz: what the results page offers next."""

    used: int  # attempts in this round (a final exam's round restarts with a recurring assignment)
    left: int | None  # None: unlimited
    cooldown_until: datetime | None  # the next attempt may start then
    passed: bool  # a graded attempt of this round passed
    open_attempt: int | None  # an attempt in progress

    @property
    def may_retake(self) -> bool:
        return self.open_attempt is None and self.left != 0 and self.cooldown_until is None


def standing(user: User, quiz: QuizDef, *, now: datetime | None = None) -> Standing:
    now = now or utcnow()
    previous = attempts_of(user, quiz)
    this_round = _this_round(user, quiz, previous)
    left = max(quiz.attempts - len(this_round), 0) if quiz.attempts else None
    last = max((a.submitted_at for a in this_round if a.submitted_at), default=None)
    until = last + timedelta(hours=quiz.cooldown_hours) if quiz.cooldown_hours and last is not None else None
    return Standing(used=len(this_round), left=left, cooldown_until=until if until and now < until else None,
                    passed=any(a.passed for a in this_round if a.submitted_at is not None),
                    open_attempt=next((a.id for a in previous if a.is_open), None))


def _check_may_start(user: User, quiz: QuizDef, previous: list[Attempt], now: datetime) -> None:
    if not quiz.is_open(now):
        raise NotOpen(quiz.key)
    if quiz.attempts and len(previous) >= quiz.attempts:
        raise AttemptLimitReached(quiz.key)
    last = max((a.submitted_at for a in previous if a.submitted_at), default=None)
    if quiz.cooldown_hours and last is not None:
        until = last + timedelta(hours=quiz.cooldown_hours)
        if now < until:
            raise CoolingDown(until)


def _this_round(user: User, quiz: QuizDef, previous: list[Attempt]) -> list[Attempt]:
    """A final exam's attempt limit starts again with each round of a recurring assignment of its course."""
    if quiz.kind != Kind.FINAL:
        return previous
    course = db.session.execute(select(Course).where(Course.slug == quiz.ident.course)).scalar_one_or_none()
    since = progress.round_started(user, course) if course is not None else None
    return previous if since is None else [a for a in previous if a.started_at >= since]


def _deadline(quiz: QuizDef, now: datetime, extra_minutes: int = 0) -> datetime | None:
    # extra time outlasts the closing time too, or a late starter would lose it to the window
    closes = quiz.closes_at + timedelta(minutes=extra_minutes) if quiz.closes_at else None
    ends = [t for t in (now + timedelta(minutes=quiz.time_limit) if quiz.time_limit else None, closes) if t]
    return min(ends) if ends else None


def start_or_resume(user: User, quiz: QuizDef, sources: Sources, *, now: datetime | None = None,
                    rnd: random.Random | None = None) -> Attempt:
    """The learner's open attempt at this quiz, or a new one with a freshly drawn paper.

    An accommodation of the learner's (``services.accommodations``) changes the limits here."""
    now = now or utcnow()
    quiz, override = accommodations.applied(user, quiz)
    kept = accommodations.frozen(override, quiz)
    previous = attempts_of(user, quiz)
    for attempt in previous:
        if attempt.is_open and not _expire(attempt, now):
            return attempt
    _check_may_start(user, quiz, _this_round(user, quiz, previous), now)
    try:
        items = draw(quiz, sources.banks, rnd or random.Random(secrets.randbits(64)))  # noqa: S311 - a paper, not a secret
    except NotEnoughQuestions as exc:  # the bank shrank or broke since the quiz was published
        log.warning("quiz %s cannot be drawn: bank %s has too few matching questions", quiz.key, exc)
        raise PaperUnavailable(quiz.key) from exc
    except Exception as exc:  # the learner sees "unavailable"; the fault must still reach the log
        log.exception("quiz %s cannot be drawn", quiz.key)
        raise PaperUnavailable(quiz.key) from exc
    _freeze([i.question for i in items])
    attempt = Attempt(
        user_id=user.id, quiz_key=quiz.key, open_key=quiz.key, number=len(previous) + 1,
        paper=[{"id": i.question.id, "version": i.question.version, "order": list(i.order)} for i in items],
        multiple=quiz.multiple, pass_mark=quiz.pass_mark, started_at=now,
        deadline=_deadline(quiz, now, kept["extra_minutes"] if kept else 0), accommodation=kept,
        certificate={**dataclasses.asdict(quiz.certificate), "tier": quiz.tier} if quiz.certificate else None)
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:  # a second tab started the same quiz at the same moment: use its attempt
        db.session.rollback()
        return db.session.execute(
            select(Attempt).where(Attempt.user_id == user.id, Attempt.open_key == quiz.key)).scalar_one()
    return attempt


# -- answering --------------------------------------------------------------------------------

def _valid(q: Question, value: Any, size: int) -> bool:
    """Shape check of an answer given in displayed positions (the grader is lenient; storage is not)."""
    return qtypes.valid(q.type, value, qtypes.shape_of(q, size))


def save_answer(attempt: Attempt, question_id: str, value: Any, *, now: datetime | None = None) -> AttemptAnswer | None:
    """Store one answer as given (in displayed positions); ``None`` clears it."""
    now = now or utcnow()
    if _expire(attempt, now) or not attempt.is_open:
        raise AttemptClosed(str(attempt.id))
    canonical = _checked(attempt, question_id, value)
    row = _store(attempt, question_id, canonical, now)
    db.session.commit()
    return row


def save_answers(attempt: Attempt, values: dict[str, Any], *, now: datetime | None = None) -> None:
    """The plain form's answers (question id -> value as given, ``None`` clears), all or none, one commit."""
    now = now or utcnow()
    if _expire(attempt, now) or not attempt.is_open:
        raise AttemptClosed(str(attempt.id))
    checked = {qid: _checked(attempt, qid, value) for qid, value in values.items()}  # a bad one saves nothing
    for qid, canonical in checked.items():
        _store(attempt, qid, canonical, now)
    db.session.commit()


def _checked(attempt: Attempt, question_id: str, value: Any) -> Any:
    """The answer in stored (canonical) positions; BadAnswer if it does not fit the question."""
    item = paper_of(attempt).item(question_id)
    if item is None or not _valid(item.question, value, len(item.order)):
        raise BadAnswer(question_id)
    return None if value is None else from_display(item.question, value, item.order)


def _store(attempt: Attempt, question_id: str, canonical: Any, now: datetime) -> AttemptAnswer | None:
    """Add, change or (``None``) remove one answer row; the caller commits."""
    row = next((a for a in attempt.answers if a.question_id == question_id), None)
    if canonical is None:
        if row is not None:
            db.session.delete(row)
        return None
    if row is None:
        row = AttemptAnswer(attempt_id=attempt.id, question_id=question_id, value=canonical, saved_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:  # saved from another tab a moment ago: update that row instead
            row = db.session.execute(select(AttemptAnswer).where(
                AttemptAnswer.attempt_id == attempt.id, AttemptAnswer.question_id == question_id)).scalar_one()
    row.value, row.saved_at = canonical, now
    return row


def sources() -> Sources:
    """The question banks and exams as content sync published them, the same on every instance."""
    return quiz_sources.current()


def head_for_save(attempt_id: int) -> AttemptHead | None:
    """The columns a save needs, read FOR SHARE (PostgreSQL; SQLite has one writer at a time anyway):
    until the save commits no submit can close the attempt, and a closed one is seen closed."""
    row = db.session.execute(
        select(Attempt.id, Attempt.user_id, Attempt.paper, Attempt.deadline, Attempt.submitted_at)
        .where(Attempt.id == attempt_id).with_for_update(read=True)).one_or_none()
    return AttemptHead(*row) if row is not None else None


def save_one(head: AttemptHead, question_id: str, value: Any, *, now: datetime | None = None) -> None:
    """``save_answer`` for the page's per-answer requests, in one statement and without loading the
    attempt's answers. ``head`` comes from ``head_for_save`` (checked by ``access.own_attempt_head``),
    which read the attempt row FOR SHARE: a submit closing it waits for this save's commit, and then
    grades this answer."""
    now = now or utcnow()
    if not head.is_open or (head.deadline is not None and now >= head.deadline):
        _refuse_closed(head.id, now)
    item = paper_item(head, question_id)
    if item is None or not _valid(item.question, value, len(item.order)):
        raise BadAnswer(question_id)
    if value is None:  # clearing an answer is rare: the ordinary path
        attempt = db.session.get(Attempt, head.id)
        if attempt is None:
            raise AttemptClosed(str(head.id))
        save_answer(attempt, question_id, None, now=now)
        return
    result = db.session.execute(_UPSERT, {"attempt_id": head.id, "question_id": question_id, "saved_at": now,
                                          "value": from_display(item.question, value, item.order)})
    if not getattr(result, "rowcount", 0):  # closed since ``head`` was read (SQLite reads without a lock)
        _refuse_closed(head.id, now)
    db.session.commit()


# Written out because SQLAlchemy compiles its dialects' INSERT … ON CONFLICT anew on every call,
# which cost more than the rest of the save; a text statement compiles once. PostgreSQL and SQLite
# spell it the same way. The write checks again that the attempt is open and in time. Answers are no
# source of the report's status tables, which status_keeper keeps without seeing SQL text.
_UPSERT = text(
    "INSERT INTO attempt_answer (attempt_id, question_id, value, saved_at)"
    " SELECT :attempt_id, :question_id, :value, :saved_at WHERE EXISTS (SELECT 1 FROM quiz_attempt"
    " WHERE id = :attempt_id AND submitted_at IS NULL AND (deadline IS NULL OR deadline > :saved_at))"
    " ON CONFLICT (attempt_id, question_id) DO UPDATE SET value = excluded.value, saved_at = excluded.saved_at"
).bindparams(bindparam("value", type_=JSON()), bindparam("saved_at", type_=UTCDateTime()))


def _refuse_closed(attempt_id: int, now: datetime) -> NoReturn:
    """Grade an attempt whose time ran out (as any read of it would), then refuse the save."""
    db.session.rollback()
    attempt = db.session.get(Attempt, attempt_id)
    if attempt is not None:
        _expire(attempt, now)
    raise AttemptClosed(str(attempt_id))


# -- submitting and grading -------------------------------------------------------------------

def _grade_into(attempt: Attempt, paper: Paper) -> None:
    result = grade(paper.questions, attempt.answer_map(), MultiplePolicy(attempt.multiple))
    attempt.score, attempt.max_score = result.score, result.max_score
    attempt.passed = result.passed(attempt.pass_mark)
    attempt.items = [{"id": i.question_id, "score": i.score, "max": i.max_score, "answered": i.answered}
                     for i in result.items]


def _after_grading(attempt: Attempt, now: datetime) -> None:
    """What a graded attempt changes: a course completed by its final exam (and its best score), a certificate."""
    ident = QuizKey.parse(attempt.quiz_key)
    if ident is not None and ident.kind == Kind.FINAL:
        course = db.session.execute(select(Course).where(Course.slug == ident.course)).scalar_one_or_none()
        if course is None:
            return
        if attempt.passed:
            progress.complete_course_if_done(attempt.user, course, now)
    elif ident is not None and ident.kind == Kind.EXAM and attempt.passed and attempt.certificate:
        certificates.issue(attempt, ident.ref, now)


def _finish(attempt: Attempt, when: datetime, *, expired: bool) -> bool:
    """Close and grade exactly once: the conditional UPDATE lets one request win."""
    result = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(submitted_at=when, open_key=None, expired=expired)
        .execution_options(synchronize_session=False)
    )
    won = getattr(result, "rowcount", 0)  # CursorResult: rows the UPDATE changed
    if not won:
        db.session.refresh(attempt)  # another request graded it: show its result
        return False
    for name, value in (("submitted_at", when), ("open_key", None), ("expired", expired)):
        set_committed_value(attempt, name, value)  # what the UPDATE wrote, without reading it back
    # answers saved while this request ran are in now: a save holds its attempt FOR SHARE until it
    # commits, so once the UPDATE above has the row no acknowledged answer can be missing
    db.session.refresh(attempt, ["answers"])
    _grade_into(attempt, paper_of(attempt))
    _after_grading(attempt, when)
    return True


def _expire(attempt: Attempt, now: datetime) -> bool:
    """Grade an attempt whose deadline has passed, with what was saved. True if it is closed."""
    if not attempt.is_open:
        return True
    if attempt.deadline is None or now < attempt.deadline:
        return False
    _finish(attempt, attempt.deadline, expired=True)
    db.session.commit()
    return True


def settle(attempt: Attempt, *, now: datetime | None = None) -> Attempt:
    """Call on every read of an attempt: past its deadline it is graded now."""
    _expire(attempt, now or utcnow())
    return attempt


def submit(attempt: Attempt, *, now: datetime | None = None) -> Attempt:
    """Idempotent: a double click or a retried request grades once and returns the same result."""
    now = now or utcnow()
    if _expire(attempt, now) or not attempt.is_open:
        return attempt
    _finish(attempt, now, expired=False)
    db.session.commit()
    return attempt


def close_expired(*, now: datetime | None = None) -> int:
    """Grade every open attempt past its deadline (``flask quiz close-expired``, e.g. from cron)."""
    now = now or utcnow()
    due = db.session.execute(
        select(Attempt).where(Attempt.submitted_at.is_(None), Attempt.deadline.is_not(None), Attempt.deadline <= now)
    ).scalars().all()
    closed = 0
    for attempt in due:
        if attempt.deadline is not None and _finish(attempt, attempt.deadline, expired=True):
            closed += 1
    db.session.commit()
    return closed


# -- review and regrading ---------------------------------------------------------------------

def may_review_answers(attempt: Attempt, quiz: QuizDef, now: datetime) -> bool:
    """Correct answers and explanations: only once graded, and as the review policy allows."""
    if attempt.is_open:
        return False
    if quiz.review is Review.ANSWERS:
        return True
    if quiz.review is Review.AFTER_CLOSE:
        return quiz.window_closed(now)
    if quiz.review is Review.AFTER_PASS:  # a course final: the key would help the next attempt
        where = standing(attempt.user, quiz, now=now)
        return where.open_attempt is None and (bool(attempt.passed) or where.passed or where.left == 0)
    return False


def regrade(quiz: QuizDef, sources: Sources, *, actor: User, ip: str = "", now: datetime | None = None,
            scope: list[str] | None = None) -> int:
    """After an author corrected a key: move graded attempts to the bank's current version of
    each question (same id) and grade again. Returns how many attempts changed score.

    ``scope``: org subtree paths whose people's attempts are touched (None: everyone's)."""
    now = now or utcnow()
    query = select(Attempt).where(Attempt.quiz_key == quiz.key, Attempt.submitted_at.is_not(None))
    if scope is not None:
        query = (query.join(User, User.id == Attempt.user_id).join(OrgUnit, OrgUnit.id == User.org_unit_id)
                 .where(within(scope)))
    attempts = db.session.execute(query).scalars().all()
    current: dict[str, Question] = {}
    for attempt in attempts:
        for entry in attempt.paper:
            q = sources.question(entry["id"])
            if q is not None:
                current[q.id] = q
    _freeze(list(current.values()))
    changed = 0
    for attempt in attempts:
        before = (attempt.score, attempt.passed)
        attempt.paper = [{**e, "version": current[e["id"]].version} if e["id"] in current else e
                         for e in attempt.paper]
        _grade_into(attempt, paper_of(attempt))
        if (attempt.score, attempt.passed) != before:
            changed += 1
            attempt.regraded_at = now
            _after_grading(attempt, now)
    audit.record("quiz_regrade", actor=actor, ip=ip, now=now, quiz=quiz.key, attempts=len(attempts), changed=changed,
                 scope=scope)
    db.session.commit()
    return changed


def remaining_seconds(attempt: Attempt | AttemptHead, now: datetime) -> int | None:
    if attempt.deadline is None:
        return None
    return max(0, math.floor((attempt.deadline - now).total_seconds()))


def attempt(attempt_id: int) -> Attempt | None:
    return db.session.get(Attempt, attempt_id)
