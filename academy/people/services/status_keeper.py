"""The report's status tables kept by the session itself, so no write path can forget them.

Every flush notes from the session's new, changed and deleted rows of the source tables
(people, assignments and their targets and courses, enrolments, final-exam attempts,
certificates) which items to derive again; DML statements run through the session
(``session.execute(update(…))``) are noted too, by reading first, with the same WHERE, which
rows they are about to touch. ``course_status.keep`` rewrites what is noted at commit, and
before any read of a status table through the session: so the copy is written in the same
transaction as the change, is equal to a rebuild whenever it is read or committed, and a
transaction of many flushes (an import) derives each item once.

Session events rather than database triggers: SQLite must be kept exactly as PostgreSQL is,
and a certification item depends on the clock and a renewal window computed in Python, so a
trigger would be a second implementation to keep equal with this one. What the session cannot
see is written around it (plain SQL text, a connection of its own, a restore); after such a
write run ``flask reports rebuild``. Today the only SQL text that writes is the answer upsert
in ``quizzes``, whose answers are no source of these tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Table, event, inspect, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, scoped_session
from sqlalchemy.orm.attributes import PASSIVE_NO_INITIALIZE, get_history
from sqlalchemy.orm.exc import ObjectDeletedError
from sqlalchemy.orm.session import SessionTransaction
from sqlalchemy.sql.util import find_tables

from academy.content.quizzes import Kind, QuizKey
from academy.learning.services import course_status
from academy.learning.services.course_status import Touched
from academy.models import (
    Assignment,
    AssignmentCourse,
    AssignmentTarget,
    Attempt,
    Certificate,
    Enrollment,
    ExternalRecord,
    LearnerCertificationStatus,
    LearnerCourseStatus,
    LearnerHours,
    LearnerStatus,
    SessionSeat,
    TrainingCredit,
    User,
)

PENDING, CLOCK, BUSY = "status_pending", "status_clock", "status_busy"

# the columns of each source the items are derived from; a change to any other column (a
# learner's name, an attempt's saved answers, an enrolment's last lesson) leaves the items as they are
WATCHED: dict[type[Any], tuple[str, ...]] = {
    User: ("org_unit_id", "active"),
    Assignment: ("state", "due_on", "round_started_at", "exam_id", "renew_days"),
    AssignmentCourse: ("assignment_id", "course_id"),
    AssignmentTarget: ("assignment_id", "user_id", "due_on"),
    Enrollment: ("user_id", "course_id", "started_at", "completed_at", "last_active_at"),
    Attempt: ("user_id", "quiz_key", "submitted_at", "score", "max_score"),
    Certificate: ("user_id", "exam_id", "issued_at", "valid_until", "revoked_at"),
    # the sources of each person's hours per year
    TrainingCredit: ("user_id", "hours", "earned_at"),
    SessionSeat: ("user_id", "hours", "signed_in_at"),
    ExternalRecord: ("user_id", "hours", "state", "ended_on"),
}
HOURS_SOURCES = (TrainingCredit, SessionSeat, ExternalRecord)
_BY_TABLE = {model.__table__.name: model for model in WATCHED}  # type: ignore[attr-defined]


def install(session: scoped_session[Any]) -> None:
    """Watch the sessions ``session`` makes (the app's ``db.session``); idempotent."""
    target = session.session_factory
    for name, listener in (("before_flush", _before_flush), ("after_flush", _after_flush),
                           ("do_orm_execute", _before_statement),
                           ("before_commit", _before_commit), ("after_transaction_end", _after_transaction_end)):
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)


def as_of(session: Session, now: datetime) -> None:
    """Derive this transaction's certification items as of ``now`` (a service given a clock:
    whether a certificate counts depends on the day); without it, the wall clock."""
    session.info[CLOCK] = now


def pending(session: Session) -> Touched:
    touched = session.info.get(PENDING)
    if touched is None:
        touched = session.info[PENDING] = Touched()
    return touched


def _keep(session: Session) -> None:
    touched = session.info.get(PENDING)
    if not touched or session.info.get(BUSY):
        return
    session.info[BUSY] = True
    try:
        session.info[PENDING] = Touched()
        course_status.keep(touched, session.info.get(CLOCK))
    finally:
        session.info[BUSY] = False


def _before_flush(session: Session, _context: UOWTransaction, _instances: object) -> None:
    # a deleted assignment's rows go with it (ON DELETE CASCADE): their learners' summaries
    # must be summed again, and after the flush nothing says who they were
    gone = [a.id for a in session.deleted if isinstance(a, Assignment)]
    if gone:
        held = session.execute(select(LearnerCourseStatus.user_id).where(LearnerCourseStatus.assignment_id.in_(gone))
                               .union(select(LearnerCertificationStatus.user_id)
                                      .where(LearnerCertificationStatus.assignment_id.in_(gone)))).scalars()
        pending(session).learners.update(held)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    # the session still lists what this flush wrote, with each attribute's history
    touched = pending(session)
    for instance in session.new:
        _note(touched, instance, None)
    for instance in session.deleted:
        _note(touched, instance, None)
    for instance in session.dirty:
        columns = WATCHED.get(type(instance))
        if columns is None:
            continue
        changed = [name for name in columns if get_history(instance, name, PASSIVE_NO_INITIALIZE).has_changes()]
        if changed:
            _note(touched, instance, changed)


def _before_commit(session: Session) -> None:
    session.flush()
    _keep(session)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the whole transaction: committed (kept) or rolled back (moot)
        session.info.pop(PENDING, None)
        session.info.pop(CLOCK, None)


def _values(instance: Any, name: str, changed: list[str] | None) -> list[Any]:
    """The attribute's value and, when this flush changed it, its value before (a new or deleted
    row: its value as the flush wrote it, read without loading anything)."""
    if changed is None or name not in changed:
        if name in vars(instance):
            return [vars(instance)[name]]
        try:  # expired since it was read (a commit): loaded, or for a deleted row, its identity
            return [getattr(instance, name)]
        except ObjectDeletedError:
            identity = inspect(instance).identity or ()
            return list(identity) if name == "id" else []
    history = get_history(instance, name, PASSIVE_NO_INITIALIZE)
    return [v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None]


def _note(touched: Touched, instance: Any, changed: list[str] | None) -> None:
    """Add what one written row affects (``changed``: its changed columns, None when new or deleted)."""
    if isinstance(instance, User):
        if changed is not None:  # a new person has no targets yet: they come as targets
            touched.learners.update(_values(instance, "id", changed))
    elif isinstance(instance, Assignment | AssignmentCourse):
        touched.assignments.update(_values(instance, "id" if isinstance(instance, Assignment) else "assignment_id", changed))
    elif isinstance(instance, AssignmentTarget):
        touched.targets.update((a, u) for a in _values(instance, "assignment_id", changed) for u in _values(instance, "user_id", changed))
    elif isinstance(instance, Enrollment):
        pairs = {(u, c) for u in _values(instance, "user_id", changed) for c in _values(instance, "course_id", changed)}
        (touched.visits if changed == ["last_active_at"] else touched.courses).update(pairs)
    elif isinstance(instance, Attempt):
        if instance.submitted_at is not None or (changed and "submitted_at" in changed):
            _note_final(touched, _values(instance, "user_id", changed), _values(instance, "quiz_key", changed))
    elif isinstance(instance, Certificate):
        touched.certified.update(_values(instance, "user_id", changed))
    elif isinstance(instance, HOURS_SOURCES):
        touched.hours.update(_values(instance, "user_id", changed))


STATUS_TABLES = frozenset(model.__table__.name for model in (
    LearnerCourseStatus, LearnerCertificationStatus, LearnerStatus, LearnerHours))


def _reads_status(statement: Any) -> bool:
    return any(isinstance(t, Table) and t.name in STATUS_TABLES
               for t in find_tables(statement, check_columns=True, include_aliases=True, include_joins=True))


def _note_final(touched: Touched, user_ids: Iterable[int], keys: Iterable[str]) -> None:
    for key in keys:
        ident = QuizKey.parse(key)
        if ident is not None and ident.kind == Kind.FINAL:
            touched.finals.update((u, ident.ref) for u in user_ids)


def _before_statement(state: ORMExecuteState) -> None:
    """A read of a status table: keep what is noted first (the session has flushed by now).
    An UPDATE or DELETE of a source: note which rows it is about to touch (the same WHERE);
    an INSERT of one cannot be told row by row, so everything is derived again. Plain SQL text
    is not seen (see the module's note)."""
    if state.is_select:
        if state.session.info.get(PENDING) and _reads_status(state.statement):
            _keep(state.session)
        return
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    model = _BY_TABLE.get(table.name) if isinstance(table, Table) else None
    if model is None:
        return
    if state.is_insert:
        pending(state.session).everything = True
        return
    where = state.statement.whereclause  # type: ignore[attr-defined]
    keys = {User: (User.id,), Assignment: (Assignment.id,), AssignmentCourse: (AssignmentCourse.assignment_id,),
            AssignmentTarget: (AssignmentTarget.assignment_id, AssignmentTarget.user_id),
            Enrollment: (Enrollment.user_id, Enrollment.course_id), Attempt: (Attempt.user_id, Attempt.quiz_key),
            Certificate: (Certificate.user_id,), TrainingCredit: (TrainingCredit.user_id,),
            SessionSeat: (SessionSeat.user_id,), ExternalRecord: (ExternalRecord.user_id,)}[model]
    query = select(*keys)
    if where is not None:
        query = query.where(where)
    if model is Attempt:  # only a final exam's attempts count, once submitted or being submitted
        query = query.where(Attempt.quiz_key.like(QuizKey.prefix(Kind.FINAL) + "%"))
    rows = state.session.execute(query).all()
    touched = pending(state.session)
    for row in rows:
        if model is User:
            touched.learners.add(row[0])
        elif model in (Assignment, AssignmentCourse):
            touched.assignments.add(row[0])
        elif model is AssignmentTarget:
            touched.targets.add((row[0], row[1]))
        elif model is Enrollment:
            touched.courses.add((row[0], row[1]))
        elif model is Attempt:
            _note_final(touched, [row[0]], [row[1]])
        elif model in HOURS_SOURCES:
            touched.hours.add(row[0])
        else:
            touched.certified.add(row[0])
