"""Personal information (PIPL): the notice people read at first sign-in, a person's own copy of
everything kept about them, and the anonymisation of leavers after the retention period.

Anonymising removes what identifies the person (name, employee number, mail, phone, position,
identity links, second factor, sessions) but keeps their rows, so every count and rate in the
reports stays as it was; certificates keep the name as printed on them, shown masked on the
public check, so a printed certificate can still be verified.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from academy.database import db, utcnow
from academy.learning.services import classroom, external
from academy.models import (
    Attempt,
    AuditLog,
    Certificate,
    Enrollment,
    Lesson,
    LessonProgress,
    LivePlayer,
    LoginSession,
    OrgUnit,
    RecoveryCode,
    TrainingCredit,
    TwoFactor,
    User,
)
from academy.services import audit

ANONYMOUS_NAME = "已注销人员"


def notice_due(user: User, version: int) -> bool:
    return user.privacy_notice_version < version


def acknowledge(user: User, version: int, *, ip: str = "") -> None:
    user.privacy_notice_version = version
    user.privacy_notice_read_at = utcnow()
    audit.record("privacy_notice_read", actor=user, ip=ip, version=version)
    db.session.commit()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _unit_path(unit_id: int | None) -> str:
    unit = db.session.get(OrgUnit, unit_id) if unit_id else None
    if unit is None:
        return ""
    ids = unit.ancestor_ids
    names = dict(db.session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ids))).tuples().all())
    return "/".join(names.get(i, "") for i in ids)


def record_of(user: User) -> dict[str, Any]:
    """Everything this site keeps about one person, as plain data (the JSON export and the PDF)."""
    uid = user.id
    enrollments = db.session.execute(select(Enrollment).where(Enrollment.user_id == uid)
                                     .order_by(Enrollment.started_at)).scalars().all()
    lessons_done = Counter(db.session.execute(
        select(Lesson.course_id).join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
        .where(LessonProgress.user_id == uid, LessonProgress.completed_at.is_not(None))).scalars())
    attempts = db.session.execute(select(Attempt).where(Attempt.user_id == uid, Attempt.submitted_at.is_not(None))
                                  .order_by(Attempt.submitted_at)).scalars().all()
    certificates = db.session.execute(select(Certificate).where(Certificate.user_id == uid)
                                      .order_by(Certificate.issued_at)).scalars().all()
    credits = db.session.execute(select(TrainingCredit).where(TrainingCredit.user_id == uid)
                                 .order_by(TrainingCredit.earned_at)).scalars().all()
    finals = db.session.execute(select(LivePlayer).where(LivePlayer.user_id == uid)).scalars().all()
    sign_ins = db.session.execute(select(AuditLog).where(AuditLog.actor_id == uid, AuditLog.action == "login")
                                  .order_by(AuditLog.at.desc()).limit(200)).scalars().all()
    return {
        "person": {"employee_no": user.employee_no, "name": user.name, "email": user.email, "phone": user.phone,
                   "unit": _unit_path(user.org_unit_id), "position": user.position, "roles": user.role_names(),
                   "active": user.active, "created_at": _iso(user.created_at), "sign_in_through": user.identity_source,
                   "privacy_notice_read_at": _iso(user.privacy_notice_read_at)},
        "courses": [{"course": e.course.title, "started_at": _iso(e.started_at), "completed_at": _iso(e.completed_at),
                     "lessons_completed": lessons_done[e.course_id]}
                    for e in enrollments],
        "exam_attempts": [{"quiz": a.quiz_key, "attempt": a.number, "submitted_at": _iso(a.submitted_at),
                           "score": a.score, "max_score": a.max_score, "passed": a.passed} for a in attempts],
        "certificates": [{"serial": c.serial, "title": c.title, "issued_at": _iso(c.issued_at),
                          "valid_until": _iso(c.valid_until), "revoked_at": _iso(c.revoked_at)} for c in certificates],
        "training_hours": [{"course": c.course.title, "hours": c.hours, "earned_at": _iso(c.earned_at)} for c in credits],
        "classroom_sessions": [{"session": s.title, "starts_at": _iso(s.starts_at), "place": s.place,
                                "signed_in_at": _iso(seat.signed_in_at), "hours": seat.hours, "state": seat.state}
                               for s, seat in classroom.seats_of(uid)],
        "external_training": [{"kind": str(r.kind), "title": r.title, "issuer": r.issuer, "number": r.number,
                               "started_on": r.started_on.isoformat(), "ended_on": r.ended_on.isoformat(),
                               "expires_on": r.expires_on.isoformat() if r.expires_on else None,
                               "state": str(r.state), "hours": r.hours, "reason": r.reason,
                               "submitted_at": _iso(r.submitted_at)} for r in external.of(uid)],
        "live_finals_joined": [{"event": p.event_id, "joined_at": _iso(p.joined_at)} for p in finals],
        "sign_ins": [{"at": _iso(e.at), "from": e.ip, "method": e.detail.get("method", "")} for e in sign_ins],
    }


def export_recorded(user: User, fmt: str, *, ip: str = "") -> None:
    audit.record("personal_data_exported", actor=user, ip=ip, subject=user.id, format=fmt)
    db.session.commit()


def leavers_due(days: int, *, now: datetime | None = None) -> list[User]:
    cutoff = (now or utcnow()) - timedelta(days=days)
    return list(db.session.execute(select(User).where(
        User.active.is_(False), User.anonymised_at.is_(None), User.deactivated_at.is_not(None),
        User.deactivated_at <= cutoff).order_by(User.id)).scalars())


def anonymise_leavers(days: int, *, actor: User | None = None, now: datetime | None = None) -> int:
    """Leavers deactivated at least ``days`` ago lose what identifies them; one commit, audited."""
    now = now or utcnow()
    people = leavers_due(days, now=now)
    for user in people:
        user.name = ANONYMOUS_NAME
        user.employee_no = f"X{user.id:09d}"  # unique, and says nothing about the person
        user.email = user.phone = user.external_id = user.locale = None
        user.position, user.password_hash, user.identity_source = "", "", "local"
        user.password_history = []
        user.anonymised_at = now
        for table in (TwoFactor, RecoveryCode, LoginSession):
            db.session.execute(delete(table).where(table.user_id == user.id))  # type: ignore[attr-defined]
        external.forget(user.id)  # the scans of outside certificates show the person
        audit.record("personal_data_anonymised", actor=actor, now=now, subject=user.id)
    db.session.commit()
    return len(people)
