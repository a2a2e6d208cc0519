"""Each person's hours per year and source (``learner_hours``) are kept by the session like the other
status tables: equal to a rebuild after every kind of write, counted in the display time zone's
year, and the year's report reads them with the same figures as the sources give."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import delete, select, update

from academy.database import db, utcnow
from academy.learning.services import classroom, course_status, hours
from academy.models import (
    ClassroomSession,
    Course,
    ExternalKind,
    ExternalRecord,
    ExternalState,
    LearnerHours,
    OrgUnit,
    Role,
    SessionSeat,
    TrainingCredit,
    User,
)
from academy.people.models.org import within

from .support.db import fetch

ZONE = ZoneInfo("Asia/Shanghai")


def _kept() -> set[tuple[int, int, float, float, float]]:
    return {(r.user_id, r.year, r.online, r.classroom, r.external)
            for r in db.session.execute(select(LearnerHours)).scalars()}


def _same_as_rebuild() -> set[tuple[int, int, float, float, float]]:
    kept = _kept()
    course_status.rebuild()
    assert _kept() == kept
    db.session.rollback()
    return kept


def _external(user_id: int, state: ExternalState, hours: float | None, ended: date) -> ExternalRecord:
    return ExternalRecord(user_id=user_id, kind=ExternalKind.INTERNAL_AUDITOR, title="内审员", issuer="认证机构",
                          number="", started_on=ended - timedelta(days=4), ended_on=ended, claimed_hours=24,
                          scan_file="x.pdf", scan_type="application/pdf", scan_name="x.pdf", scan_size=10,
                          state=state, hours=hours, reason="")


def test_every_source_write_keeps_the_yearly_hours(
        synced: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> None:
    unit = make_tree("华东公司")["华东公司"]
    hr, learner = make_user("H1", roles=(Role.HR,), scope=unit, unit=unit), make_user("L1", unit=unit)
    with synced.app_context():
        course = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()
        # the last evening of 2026 in Shanghai is 2027 there already
        db.session.add(TrainingCredit(user_id=learner.id, course_id=course.id, hours=2,
                                      earned_at=datetime(2026, 12, 31, 17, 0, tzinfo=UTC)))
        db.session.commit()
        assert _same_as_rebuild() == {(learner.id, 2027, 2.0, 0.0, 0.0)}

        start = utcnow().replace(microsecond=0) - timedelta(minutes=30)
        session = ClassroomSession(title="内审实务", unit_id=unit.id, starts_at=start, ends_at=start + timedelta(hours=3),
                                   capacity=10, hours=3, late_after_minutes=15, late_hours=2)
        db.session.add(session)
        db.session.commit()
        classroom.sign_in(session.id, fetch(User, learner.id), classroom.current_code(session, utcnow()) or "")
        year = utcnow().astimezone(ZONE).year
        assert (learner.id, year, 0.0 if year != 2027 else 2.0, 2.0, 0.0) in _same_as_rebuild()  # late: 2 hours

        classroom.mark_attended(session.id, fetch(User, learner.id), actor=fetch(User, hr.id), attended=False)
        assert all(row[3] == 0.0 for row in _same_as_rebuild() if row[1] == year)

        record = _external(learner.id, ExternalState.PENDING, None, date(2026, 3, 6))
        db.session.add(record)
        db.session.commit()
        assert not any(row[1] == 2026 for row in _same_as_rebuild())  # not approved: no hours
        record.state, record.hours = ExternalState.APPROVED, 24.0
        db.session.commit()
        assert (learner.id, 2026, 0.0, 0.0, 24.0) in _same_as_rebuild()

        # statements through the session are seen too
        db.session.execute(update(TrainingCredit).where(TrainingCredit.user_id == learner.id).values(hours=3))
        db.session.commit()
        assert (learner.id, 2027, 3.0, 0.0, 0.0) in _same_as_rebuild()
        db.session.execute(delete(ExternalRecord).where(ExternalRecord.user_id == learner.id))
        db.session.commit()
        assert not any(row[1] == 2026 for row in _same_as_rebuild())


def test_the_years_report_reads_the_kept_hours_with_the_sources_figures(
        synced: Flask, make_tree: Callable[..., dict[str, OrgUnit]], make_user: Callable[..., User]) -> None:
    units = make_tree("华东公司/质量部", "西南公司")
    people = [make_user(f"E{i}", unit=units["质量部" if i % 2 else "西南公司"]) for i in range(6)]
    with synced.app_context():
        course = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()
        session = ClassroomSession(title="内审实务", unit_id=units["集团"].id, starts_at=datetime(2026, 5, 1, 1, tzinfo=UTC),
                                   ends_at=datetime(2026, 5, 1, 4, tzinfo=UTC), capacity=10, hours=3)
        db.session.add(session)
        db.session.flush()
        for i, person in enumerate(people):
            db.session.add(TrainingCredit(user_id=person.id, course_id=course.id, hours=1 + i,
                                          earned_at=datetime(2026, 2 + i, 3, tzinfo=UTC)))
            db.session.add(SessionSeat(session_id=session.id, user_id=person.id, hours=3 - i % 2,
                                       signed_in_at=datetime(2026, 5, 1, 1, 10, tzinfo=UTC)))
            db.session.add(_external(person.id, ExternalState.APPROVED if i % 3 else ExternalState.REJECTED,
                                     8.0 if i % 3 else None, date(2026, 9, 1)))
        second = db.session.execute(select(Course).where(Course.slug == "second-course")).scalar_one()
        db.session.add(TrainingCredit(user_id=people[0].id, course_id=second.id, hours=5,  # another year
                                      earned_at=datetime(2025, 6, 1, tzinfo=UTC)))
        db.session.commit()
        in_tree = select(OrgUnit.id).where(within([units["集团"].path]))
        start, end = datetime(2026, 1, 1, tzinfo=ZONE), datetime(2027, 1, 1, tzinfo=ZONE)
        kept = sorted(tuple(row) for row in hours.per_unit(in_tree, start, end))
        assert kept == sorted(tuple(row) for row in hours.per_unit_from_sources(in_tree, start, end))
        assert sum(row[1] for row in kept) == sum(range(1, 7))
        assert sum(row[2] for row in kept) == 3 * 3 + 3 * 2
        assert sum(row[3] for row in kept) == 8 * 4
        # a range that is not one whole year is read from the sources
        half = list(hours.per_unit(in_tree, start, datetime(2026, 7, 1, tzinfo=ZONE)))
        assert sum(row[1] for row in half) == sum(range(1, 6))
