"""The parts of a person's training file beyond courses: exams sat, certificates, awards, hours by year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select

from ..database import db
from ..models import Attempt, AwardCertificate, Certificate, TrainingCredit, User


@dataclass(frozen=True)
class Record:
    attempts: list[Attempt]  # graded final exams, certification exams and competition papers, newest first
    certificates: list[Certificate]  # every one issued, newest first
    awards: list[AwardCertificate]  # competition awards to the person
    hours_by_year: list[tuple[int, float]]  # newest year first

    @staticmethod
    def certificate_state(certificate: Certificate, now: datetime) -> str:
        if certificate.revoked_at is not None:
            return "revoked"
        if certificate.renewed_by_id is not None:
            return "renewed"
        return "valid" if certificate.valid_until > now else "expired"


def record(person: User, *, zone: tzinfo) -> Record:
    attempts = list(db.session.execute(
        select(Attempt).where(Attempt.user_id == person.id, Attempt.submitted_at.is_not(None),
                              ~Attempt.quiz_key.startswith("check/"))
        .order_by(Attempt.submitted_at.desc())).scalars())
    certificates = list(db.session.execute(
        select(Certificate).where(Certificate.user_id == person.id).order_by(Certificate.issued_at.desc())).scalars())
    awards = list(db.session.execute(
        select(AwardCertificate).where(AwardCertificate.user_id == person.id)
        .order_by(AwardCertificate.issued_at.desc())).scalars())
    years: dict[int, float] = {}
    for earned_at, hours in db.session.execute(
            select(TrainingCredit.earned_at, TrainingCredit.hours).where(TrainingCredit.user_id == person.id)):
        year = earned_at.astimezone(zone).year
        years[year] = years.get(year, 0.0) + float(hours)
    return Record(attempts, certificates, awards, sorted(years.items(), reverse=True))
