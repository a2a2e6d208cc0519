"""Award certificates of online rounds: issued by the host once the window has closed.

The final standings (unfrozen, every name) decide who gets what: a person's award from the
round's award lines, 优秀组织奖 for the best units. Issuing is idempotent: one certificate per
round and holder, so issuing again after a late regrade adds only the new winners.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from academy.assessment.services import certificates
from academy.competitions.services import competitions
from academy.database import db, utcnow
from academy.models import AwardCertificate, Competition, User
from academy.services import audit


class AwardsNotYet(competitions.CompetitionError):
    """The round is still open: results may change, so nothing is issued."""


def issue(c: Competition, *, actor: User, ip: str = "", now: datetime | None = None) -> list[AwardCertificate]:
    """Issue every award not issued yet; returns the new certificates (none when run twice)."""
    now = now or utcnow()
    if now < c.closes_at:
        raise AwardsNotYet(c.slug)
    board = competitions.standings(c, now=now, full=True)
    have = set(db.session.execute(
        select(AwardCertificate.holder_key).where(AwardCertificate.competition_id == c.id)).scalars())
    wanted: list[AwardCertificate] = []
    for entry in board.people:
        if entry.award and f"user:{entry.user_id}" not in have:
            wanted.append(AwardCertificate(
                holder_key=f"user:{entry.user_id}", user_id=entry.user_id, award=entry.award, rank=entry.rank,
                holder_name=entry.name, employee_no=entry.employee_no, score_percent=round(entry.percent)))
    for row in board.units:
        if row.award and f"unit:{row.unit_id}" not in have:
            wanted.append(AwardCertificate(
                holder_key=f"unit:{row.unit_id}", org_unit_id=row.unit_id, award=row.award, rank=row.rank,
                holder_name=row.name, score_percent=round(row.index)))
    issued: list[AwardCertificate] = []
    for cert in wanted:
        cert.serial, cert.competition_id, cert.competition_title = certificates.new_serial(), c.id, c.title
        cert.issued_at, cert.issued_by_id = now, actor.id
        try:
            with db.session.begin_nested():
                db.session.add(cert)
        except IntegrityError:
            continue  # a second click issued this one a moment ago
        issued.append(cert)
    audit.record("competition.awards", actor=actor, ip=ip, now=now, competition=c.slug, issued=len(issued),
                 serials=[cert.serial for cert in issued])
    db.session.commit()
    return issued


def of_competition(c: Competition) -> list[AwardCertificate]:
    return list(db.session.execute(
        select(AwardCertificate).where(AwardCertificate.competition_id == c.id)
        .order_by(AwardCertificate.org_unit_id.is_not(None), AwardCertificate.rank, AwardCertificate.id)).scalars())


def of_user(user: User) -> list[AwardCertificate]:
    return list(db.session.execute(
        select(AwardCertificate).where(AwardCertificate.user_id == user.id)
        .order_by(AwardCertificate.issued_at.desc())).scalars())


def by_serial(serial: str) -> AwardCertificate | None:
    return db.session.execute(
        select(AwardCertificate).where(AwardCertificate.serial == serial.strip().upper())).scalar_one_or_none()
