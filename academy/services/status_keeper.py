"""The report's status tables kept by the session itself, so no write path can forget them.

After every flush the session's new, changed and deleted rows of the source tables (people,
assignments and their targets and courses, enrolments, final-exam attempts, certificates)
name the items to derive again, and ``course_status.keep`` rewrites them before the flush
returns: the copy is in the same transaction as the change, and equal to a rebuild at every
flush and commit. DML statements run through the session (``session.execute(update(…))``)
are seen too: the rows they are about to touch are read first with the same WHERE.

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
from sqlalchemy.orm.session import SessionTransaction

from ..content.quizzes import Kind, QuizKey
from ..models import (
    Assignment,
    AssignmentCourse,
    AssignmentTarget,
    Attempt,
    Certificate,
    Enrollment,
    LearnerCertificationStatus,
    LearnerCourseStatus,
    User,
)
from . import course_status
from .course_status import Touched

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
}
_BY_TABLE = {model.__table__.name: model for model in WATCHED}  # type: ignore[attr-defined]


def install(session: scoped_session[Any]) -> None:
    """Watch the sessions ``session`` makes (the app's ``db.session``); idempotent."""
    target = session.session_factory
    for name, listener in (("before_flush", _before_flush), ("after_flush", _after_flush),
                           ("after_flush_postexec", _after_flush_postexec), ("do_orm_execute", _before_statement),
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
        changed = [name for name in columns if inspect(instance).attrs[name].history.has_changes()]
        if changed:
            _note(touched, instance, changed)


def _after_flush_postexec(session: Session, _context: UOWTransaction) -> None:
    _keep(session)


def _before_commit(session: Session) -> None:
    session.flush()  # keeps what it writes
    _keep(session)  # what DML statements touched when nothing was left to flush


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the whole transaction: committed (kept) or rolled back (moot)
        session.info.pop(PENDING, None)
        session.info.pop(CLOCK, None)


def _values(instance: Any, name: str) -> list[Any]:
    """The attribute's value and, when this flush changed it, its value before."""
    history = inspect(instance).attrs[name].history
    return [v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None] or [
        getattr(instance, name)]


def _note(touched: Touched, instance: Any, changed: list[str] | None) -> None:
    """Add what one written row affects (``changed``: its changed columns, None when new or deleted)."""
    if isinstance(instance, User):
        if changed is not None:  # a new person has no targets yet: they come as targets
            touched.learners.update(_values(instance, "id"))
    elif isinstance(instance, Assignment | AssignmentCourse):
        touched.assignments.update(_values(instance, "id" if isinstance(instance, Assignment) else "assignment_id"))
    elif isinstance(instance, AssignmentTarget):
        touched.targets.update((a, u) for a in _values(instance, "assignment_id") for u in _values(instance, "user_id"))
    elif isinstance(instance, Enrollment):
        touched.courses.update((u, c) for u in _values(instance, "user_id") for c in _values(instance, "course_id"))
    elif isinstance(instance, Attempt):
        if instance.submitted_at is not None or (changed and "submitted_at" in changed):
            _note_final(touched, _values(instance, "user_id"), _values(instance, "quiz_key"))
    elif isinstance(instance, Certificate):
        touched.certified.update(_values(instance, "user_id"))


def _note_final(touched: Touched, user_ids: Iterable[int], keys: Iterable[str]) -> None:
    for key in keys:
        ident = QuizKey.parse(key)
        if ident is not None and ident.kind == Kind.FINAL:
            touched.finals.update((u, ident.ref) for u in user_ids)


def _before_statement(state: ORMExecuteState) -> None:
    """An UPDATE or DELETE of a source run through the session: read which rows it is about to
    touch (the same WHERE) before it runs; an INSERT of one cannot be told row by row, so it
    rebuilds everything. Plain SQL text is not seen (see the module's note)."""
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
            Certificate: (Certificate.user_id,)}[model]
    query = select(*keys)
    if where is not None:
        query = query.where(where)
    if model is Attempt:  # only a final exam's attempts count, once submitted or being submitted
        query = query.where(Attempt.quiz_key.like(QuizKey.prefix(Kind.FINAL) + "%"))
    rows = state.session.execute(query).all()
    touched = pending(state.session)  # after the read: its autoflush may have kept and replaced what was pending
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
        else:
            touched.certified.add(row[0])
