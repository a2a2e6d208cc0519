"""Assigning courses and learning paths, and keeping the resolved learners up to date."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from academy.database import db, utcnow
from academy.learning.services import course_status
from academy.models import (
    Assignment,
    AssignmentCourse,
    AssignmentRound,
    AssignmentState,
    AssignmentTarget,
    Course,
    Notice,
    OrgUnit,
    TargetKind,
    User,
)
from academy.people.models.org import within
from academy.people.services import status_keeper
from academy.services import audit

MAX_REPEAT_MONTHS = 120
MAX_RENEW_DAYS = 365
MAX_JOIN_DAYS = 365
SAMPLE_SIZE = 8


class AssignmentInvalid(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def matches(assignment: Assignment, user: User, unit: OrgUnit | None) -> bool:
    """Does the rule of a unit or position assignment cover this user (in ``unit``)?"""
    if not user.active or unit is None or assignment.unit is None:
        return False
    if assignment.target_kind == TargetKind.PEOPLE:
        return False
    if assignment.include_subtree or assignment.target_kind == TargetKind.POSITION:
        inside = assignment.unit.contains(unit)
    else:
        inside = unit.id == assignment.unit.id
    if assignment.target_kind == TargetKind.POSITION:
        return inside and user.position == assignment.position
    return inside


def _rule_users(assignment: Assignment) -> list[int]:
    unit = assignment.unit
    if unit is None or assignment.target_kind == TargetKind.PEOPLE:
        return []
    query = select(User.id).join(OrgUnit, User.org_unit_id == OrgUnit.id).where(User.active.is_(True))
    if assignment.include_subtree or assignment.target_kind == TargetKind.POSITION:
        query = query.where(within([unit.path]))
    else:
        query = query.where(OrgUnit.id == unit.id)
    if assignment.target_kind == TargetKind.POSITION:
        query = query.where(User.position == assignment.position)
    return list(db.session.execute(query).scalars())


def create_assignment(*, title: str, courses: Sequence[Course], target_kind: TargetKind,
                      unit: OrgUnit | None = None, include_subtree: bool = True, position: str = "",
                      people: Iterable[User] = (), due_on: date | None = None, mandatory: bool = True,
                      repeat_months: int | None = None, exam_id: str | None = None, renew_days: int | None = None,
                      join_days: int | None = None, actor: User | None = None, ip: str = "", notify: bool = False,
                      default_locale: str = "zh_CN") -> Assignment:
    """Create an assignment and resolve its learners; one commit.

    With ``notify`` each learner gets an in-app notice in the same commit.

    With ``repeat_months`` it recurs: round 1 starts today, and ``roll`` opens the next ones.
    With ``exam_id`` (and no courses) it assigns a certification; ``renew_days`` reopens it
    that many days before each holder's certificate expires.
    """
    if exam_id is not None and (courses or repeat_months is not None):
        raise AssignmentInvalid("certification")  # a certification renews by its expiry, not by rounds
    if not courses and exam_id is None:
        raise AssignmentInvalid("courses")
    if renew_days is not None and (exam_id is None or not 1 <= renew_days <= MAX_RENEW_DAYS):
        raise AssignmentInvalid("renew")
    if repeat_months is not None and not 1 <= repeat_months <= MAX_REPEAT_MONTHS:
        raise AssignmentInvalid("repeat")
    if join_days is not None and not 1 <= join_days <= MAX_JOIN_DAYS:
        raise AssignmentInvalid("join")
    if unit is None:  # for named people: the unit whose HR owns the assignment
        raise AssignmentInvalid("unit")
    if target_kind == TargetKind.POSITION and not position.strip():
        raise AssignmentInvalid("position")
    people = list(people)
    if target_kind == TargetKind.PEOPLE and not people:
        raise AssignmentInvalid("people")
    now = utcnow()
    assignment = Assignment(title=title.strip() or (courses[0].title if courses else str(exam_id)),
                            target_kind=target_kind, exam_id=exam_id, renew_days=renew_days,
                            unit_id=unit.id if unit else None, include_subtree=include_subtree,
                            position=position.strip(), due_on=due_on, mandatory=mandatory,
                            repeat_months=repeat_months, join_days=join_days,
                            created_by_id=actor.id if actor else None, created_at=now)
    if repeat_months is not None:
        assignment.rounds = [AssignmentRound(number=1, starts_on=now.date(), due_on=due_on, opened_at=now)]
    assignment.courses = [AssignmentCourse(course_id=c.id, position=i) for i, c in enumerate(courses)]
    db.session.add(assignment)
    db.session.flush()
    db.session.refresh(assignment)
    ids = {p.id for p in people} if target_kind == TargetKind.PEOPLE else set(_rule_users(assignment))
    for user_id in sorted(ids):
        db.session.add(AssignmentTarget(assignment_id=assignment.id, user_id=user_id,
                                        named=target_kind == TargetKind.PEOPLE, assigned_at=now))
    if notify:
        _notify(assignment, sorted(ids), "assigned", now=now, default_locale=default_locale)
    audit.record("assignment_created", actor=actor, ip=ip, now=now, assignment_id=assignment.id,
                 courses=[c.slug for c in courses], exam=exam_id, learners=len(ids), repeat_months=repeat_months,
                 renew_days=renew_days, join_days=join_days)
    db.session.commit()
    return assignment


@dataclass(frozen=True)
class ReachPreview:
    count: int
    sample: list[User]  # a few of them, by employee number
    duplicates: list[Assignment]  # assignments of the same item to the same unit or people already


def _reach_query(target_kind: TargetKind, unit: OrgUnit, include_subtree: bool, position: str, people: list[User]):  # type: ignore[no-untyped-def]
    query = select(User).join(OrgUnit, User.org_unit_id == OrgUnit.id).where(User.active.is_(True))
    if target_kind == TargetKind.PEOPLE:
        return query.where(User.id.in_([p.id for p in people]))
    if include_subtree or target_kind == TargetKind.POSITION:
        query = query.where(within([unit.path]))
    else:
        query = query.where(OrgUnit.id == unit.id)
    if target_kind == TargetKind.POSITION:
        query = query.where(User.position == position.strip())
    return query


def reached_people(target_kind: TargetKind, unit: OrgUnit, *, include_subtree: bool = True, position: str = "",
                   people: Iterable[User] = ()) -> list[User]:
    """The active people a target names now, by employee number (classroom sessions fill seats with them)."""
    query = _reach_query(target_kind, unit, include_subtree, position, list(people))
    return list(db.session.execute(query.order_by(User.employee_no)).scalars())


def preview_reach(*, courses: Sequence[Course], exam_id: str | None, target_kind: TargetKind, unit: OrgUnit,
                  include_subtree: bool = True, position: str = "", people: Iterable[User] = ()) -> ReachPreview:
    """Who an assignment would reach if it were made now, and what it would repeat; writes nothing."""
    query = _reach_query(target_kind, unit, include_subtree, position, list(people)).subquery()
    count = int(db.session.execute(select(func.count()).select_from(query)).scalar_one())
    sample = list(db.session.execute(
        select(User).join(query, query.c.id == User.id).order_by(User.employee_no).limit(SAMPLE_SIZE)).scalars())
    same = select(Assignment).where(Assignment.unit_id == unit.id, Assignment.target_kind == target_kind,
                                    Assignment.state != AssignmentState.ARCHIVED.value)
    if exam_id is not None:
        same = same.where(Assignment.exam_id == exam_id)
    else:
        wanted = {c.id for c in courses}
        same = same.where(Assignment.exam_id.is_(None))
    duplicates = [a for a in db.session.execute(same.order_by(Assignment.id)).scalars()
                  if exam_id is not None or {c.course_id for c in a.courses} == wanted]
    if target_kind == TargetKind.POSITION:
        duplicates = [a for a in duplicates if a.position == position.strip()]
    return ReachPreview(count, sample, duplicates)


def change_due_date(assignment: Assignment, due_on: date | None, *, actor: User | None = None, ip: str = "",
                    default_locale: str = "zh_CN") -> int:
    """Move an assignment's due date (the current round's, for a recurring one); progress stays.

    Its learners get an in-app notice; returns how many. Audited; one commit.
    """
    now = utcnow()
    before = assignment.due_on
    assignment.due_on = due_on
    if assignment.rounds:
        assignment.rounds[-1].due_on = due_on
    learners = list(db.session.execute(
        select(AssignmentTarget.user_id).join(User, User.id == AssignmentTarget.user_id)
        .where(AssignmentTarget.assignment_id == assignment.id, User.active.is_(True))
        .order_by(AssignmentTarget.user_id)).scalars())
    _notify(assignment, learners, "due-changed", now=now, default_locale=default_locale)
    audit.record("assignment_due_changed", actor=actor, ip=ip, now=now, assignment_id=assignment.id,
                 before=before.isoformat() if before else None, after=due_on.isoformat() if due_on else None,
                 learners=len(learners))
    db.session.commit()
    return len(learners)


def set_state(assignment: Assignment, state: AssignmentState, *, actor: User | None = None, ip: str = "") -> bool:
    """Pause, resume or archive; returns False when it already was so (nothing written).

    The learners stay attached and their progress is untouched: a paused or archived assignment
    only stops producing items (learners' lists, reports, reminders), so resuming restores
    them as they are by then. An archived one cannot be resumed. Audited; one commit.
    """
    before = AssignmentState(assignment.state)
    if before == state:
        return False
    if before == AssignmentState.ARCHIVED:
        raise AssignmentInvalid("archived")
    now = utcnow()
    assignment.state = state
    audit.record("assignment_state_changed", actor=actor, ip=ip, now=now, assignment_id=assignment.id,
                 before=before.value, after=state.value)
    db.session.commit()
    return True


@dataclass(frozen=True)
class ReachChange:
    """What a new reach would do to an assignment's learners, before anything is saved."""

    gained: int
    lost: int
    lost_sample: list[User]  # a few of those who would lose it, by employee number
    kept: int


def _new_reach_ids(target_kind: TargetKind, unit: OrgUnit, include_subtree: bool, position: str,
                   people: list[User]) -> set[int]:
    query = _reach_query(target_kind, unit, include_subtree, position, people).with_only_columns(User.id)
    return set(db.session.execute(query).scalars())


def _current_ids(assignment: Assignment) -> set[int]:
    return set(db.session.execute(select(AssignmentTarget.user_id).join(User, User.id == AssignmentTarget.user_id)
                                  .where(AssignmentTarget.assignment_id == assignment.id,
                                         User.active.is_(True))).scalars())


def preview_reach_change(assignment: Assignment, *, target_kind: TargetKind, unit: OrgUnit, include_subtree: bool = True,
                         position: str = "", people: Iterable[User] = ()) -> ReachChange:
    """How many people a new reach adds and takes away (active people only); writes nothing."""
    new = _new_reach_ids(target_kind, unit, include_subtree, position, list(people))
    old = _current_ids(assignment)
    lost = sorted(old - new)
    sample = list(db.session.execute(select(User).where(User.id.in_(lost)).order_by(User.employee_no)
                                     .limit(SAMPLE_SIZE)).scalars()) if lost else []
    return ReachChange(len(new - old), len(lost), sample, len(old & new))


def change_reach(assignment: Assignment, *, target_kind: TargetKind, unit: OrgUnit, include_subtree: bool = True,
                 position: str = "", people: Iterable[User] = (), actor: User | None = None, ip: str = "",
                 default_locale: str = "zh_CN") -> ReachChange:
    """Give the assignment a new reach: newcomers are attached (and told), those outside it are
    detached. Their progress (enrolments, lessons, attempts) is not the assignment's and stays;
    only the assigned item leaves their list. Audited; one commit."""
    people = list(people)
    if target_kind == TargetKind.POSITION and not position.strip():
        raise AssignmentInvalid("position")
    if target_kind == TargetKind.PEOPLE and not people:
        raise AssignmentInvalid("people")
    change = preview_reach_change(assignment, target_kind=target_kind, unit=unit, include_subtree=include_subtree,
                                  position=position, people=people)
    new = _new_reach_ids(target_kind, unit, include_subtree, position, people)
    held = {t.user_id: t for t in db.session.execute(
        select(AssignmentTarget).where(AssignmentTarget.assignment_id == assignment.id)).scalars()}
    before = {"kind": assignment.target_kind, "unit": assignment.unit_id, "subtree": assignment.include_subtree,
              "position": assignment.position}
    assignment.target_kind, assignment.unit_id = target_kind, unit.id
    assignment.include_subtree, assignment.position = include_subtree, position.strip()
    dropped = [t.user_id for user_id, t in held.items() if user_id not in new]
    if dropped:  # one statement; status_keeper reads which targets it drops before it runs
        db.session.execute(delete(AssignmentTarget).where(AssignmentTarget.assignment_id == assignment.id,
                                                          AssignmentTarget.user_id.in_(dropped)))
    now = utcnow()
    added = sorted(new - held.keys())
    for user_id in added:
        db.session.add(AssignmentTarget(assignment_id=assignment.id, user_id=user_id,
                                        named=target_kind == TargetKind.PEOPLE, assigned_at=now))
    db.session.flush()
    db.session.expire(assignment, ["unit"])
    _notify(assignment, added, "assigned", now=now, default_locale=default_locale)
    audit.record("assignment_reach_changed", actor=actor, ip=ip, now=now, assignment_id=assignment.id,
                 before=before, after={"kind": target_kind, "unit": unit.id, "subtree": include_subtree,
                                       "position": position.strip()},
                 added=len(added), removed=len(dropped))
    db.session.commit()
    return change


def _notify(assignment: Assignment, user_ids: list[int], kind: str, *, now: datetime, default_locale: str) -> None:
    """One in-app notice per learner, worded in each learner's language (flush only)."""
    if not user_ids:
        return
    locales = dict(db.session.execute(select(User.id, User.locale).where(User.id.in_(user_ids))).tuples().all())
    due = assignment.due_on.isoformat() if assignment.due_on else ""
    texts: dict[str, tuple[str, str]] = {}
    for user_id in user_ids:
        locale = locales.get(user_id) or default_locale
        if locale not in texts:
            with force_locale(locale):
                if kind == "assigned":
                    title = _("New training assigned: %(title)s", title=assignment.title)
                    body = (_("Please complete it by %(due)s.", due=due) if due
                            else _("It has no due date."))
                else:
                    title = _("Due date changed: %(title)s", title=assignment.title)
                    body = _("The new due date is %(due)s.", due=due) if due else _("It no longer has a due date.")
            texts[locale] = (title[:200], body)
        title, body = texts[locale]
        db.session.add(Notice(user_id=user_id, kind=kind, title=title, body=body, link="/me", created_at=now))


def joiner_due(assignment: Assignment, joined: date) -> date | None:
    """The due date of someone who comes within reach on ``joined``, after the assignment was made:
    N days from that day when the assignment says so, else the assignment's own (None)."""
    if assignment.join_days is None:
        return None
    return joined + timedelta(days=assignment.join_days)


def refresh_user(user: User) -> None:
    """Give a new or moved learner the rule-based assignments of where they now are (flush only).

    Rule-based rows that no longer apply (the person moved away) are dropped; named rows stay.
    Deactivated people keep their rows: their history stays in the reports' archive.
    """
    if user.active:
        _refresh_targets(user)


def _refresh_targets(user: User) -> None:
    unit = db.session.get(OrgUnit, user.org_unit_id) if user.org_unit_id else None
    ancestor_ids = unit.ancestor_ids if unit else []
    candidates = list(db.session.execute(
        select(Assignment).where(Assignment.unit_id.in_(ancestor_ids),
                                 Assignment.target_kind != TargetKind.PEOPLE)
    ).scalars()) if ancestor_ids else []
    wanted = {a.id for a in candidates if matches(a, user, unit)}
    current = {t.assignment_id: t for t in db.session.execute(
        select(AssignmentTarget).where(AssignmentTarget.user_id == user.id)).scalars()}
    stale = [t.id for a_id, t in current.items() if not t.named and a_id not in wanted]
    if stale:  # one statement; status_keeper reads which targets it drops before it runs
        db.session.execute(delete(AssignmentTarget).where(AssignmentTarget.id.in_(stale)))
    now = utcnow()
    by_id = {a.id: a for a in candidates}
    for a_id in sorted(wanted - current.keys()):
        db.session.add(AssignmentTarget(assignment_id=a_id, user_id=user.id, assigned_at=now,
                                        due_on=joiner_due(by_id[a_id], now.date())))
    db.session.flush()


def refresh_users(users: Sequence[User]) -> None:
    """``refresh_user`` for many people at once (an import, a directory sync): a few queries for
    the whole batch instead of a few per person (flush only)."""
    if not users:
        return
    db.session.flush()
    active = [u for u in users if u.active]
    unit_ids = {u.org_unit_id for u in active if u.org_unit_id}
    units = {u.id: u for u in db.session.execute(select(OrgUnit).where(OrgUnit.id.in_(unit_ids))).scalars()} if unit_ids else {}
    ancestors = {i for unit in units.values() for i in unit.ancestor_ids}
    candidates = list(db.session.execute(
        select(Assignment).where(Assignment.unit_id.in_(ancestors), Assignment.target_kind != TargetKind.PEOPLE)
    ).scalars()) if ancestors else []
    ids = [u.id for u in active]
    current: dict[int, dict[int, AssignmentTarget]] = {}
    for start in range(0, len(ids), BATCH):
        for target in db.session.execute(select(AssignmentTarget).where(
                AssignmentTarget.user_id.in_(ids[start:start + BATCH]))).scalars():
            current.setdefault(target.user_id, {})[target.assignment_id] = target
    stale: list[int] = []
    now = utcnow()
    for user in active:
        unit = units.get(user.org_unit_id or 0)
        wanted = {a.id for a in candidates if matches(a, user, unit)} if unit is not None else set()
        held = current.get(user.id, {})
        stale += [t.id for a_id, t in held.items() if not t.named and a_id not in wanted]
        by_id = {a.id: a for a in candidates}
        db.session.add_all(AssignmentTarget(assignment_id=a_id, user_id=user.id, assigned_at=now,
                                            due_on=joiner_due(by_id[a_id], now.date()))
                           for a_id in sorted(wanted - held.keys()))
    for start in range(0, len(stale), BATCH):  # status_keeper reads which targets each drops before it runs
        db.session.execute(delete(AssignmentTarget).where(AssignmentTarget.id.in_(stale[start:start + BATCH])))
    db.session.flush()


BATCH = 500  # ids per IN (…): well inside every database's limit on bound parameters


def add_months(day: date, months: int) -> date:
    """The same day N months later, or the month's last day (31 January + 1 month: 28/29 February)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has a 28th


def roll(today: date, *, zone: tzinfo = UTC, now: datetime | None = None) -> int:
    """Open the rounds of recurring assignments that have begun by ``today``, and the renewals of
    assigned certifications whose window has begun by ``now``; returns how many.

    Idempotent: the next round is computed from the last one opened, so a second run on the
    same day opens nothing, and two instances at once collide on the round's unique number
    (the loser rolls back and opens nothing). A new round moves the due date by the period,
    and only what learners complete from its first day on counts. One commit.
    """
    now = now or utcnow()
    status_keeper.as_of(db.session(), now)  # a new round's certification items as of the pretended day too
    opened = course_status.open_renewals(now)  # time passing writes nothing: the one call by hand
    recurring = db.session.execute(
        select(Assignment).where(Assignment.repeat_months.is_not(None)).order_by(Assignment.id)).scalars().all()
    for assignment in recurring:
        months = assignment.repeat_months or 0
        last = db.session.execute(
            select(AssignmentRound).where(AssignmentRound.assignment_id == assignment.id)
            .order_by(AssignmentRound.number.desc()).limit(1)).scalar_one_or_none()
        if last is None:
            continue
        changed = False
        while (starts := add_months(last.starts_on, months)) <= today:
            due = add_months(last.due_on, months) if last.due_on else None
            last = AssignmentRound(assignment_id=assignment.id, number=last.number + 1, starts_on=starts, due_on=due,
                                   opened_at=now)
            db.session.add(last)
            assignment.round_number, assignment.due_on = last.number, due
            assignment.round_started_at = datetime.combine(starts, time(), tzinfo=zone).astimezone(UTC)
            opened += 1
            changed = True
        if changed:
            audit.record("assignment_round_opened", now=now, assignment_id=assignment.id, round=assignment.round_number)
    try:
        db.session.commit()
    except IntegrityError:  # another instance opened the same rounds first
        db.session.rollback()
        return 0
    return opened


def target_numbers(assignment_id: int) -> list[str]:
    """The employee numbers an assignment names one by one, in order."""
    return list(db.session.execute(
        select(User.employee_no).join(AssignmentTarget, AssignmentTarget.user_id == User.id)
        .where(AssignmentTarget.assignment_id == assignment_id).order_by(User.employee_no)).scalars())


def get(assignment_id: int) -> Assignment | None:
    return db.session.get(Assignment, assignment_id)
