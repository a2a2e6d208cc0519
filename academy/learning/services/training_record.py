"""The parts of a person's training file beyond courses: exams sat, certificates, awards, outside training,
hours by source, year and tier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select

from academy.database import db
from academy.learning.services import external
from academy.learning.services.hours import PersonHours, of_person
from academy.models import Attempt, AwardCertificate, Certificate, ExternalRecord, User


@dataclass(frozen=True)
class Record:
    attempts: list[Attempt]  # graded final exams, certification exams and competition papers, newest first
    certificates: list[Certificate]  # every one issued, newest first
    awards: list[AwardCertificate]  # competition awards to the person
    hours: PersonHours  # online, classroom and external, by year and by tier
    outside: list[ExternalRecord]  # approved external training and qualifications, newest first

    @property
    def hours_by_year(self) -> list[tuple[int, float]]:  # newest year first
        return [(year, split.total) for year, split in self.hours.by_year]

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
    return Record(attempts, certificates, awards, of_person(person.id, zone=zone), external.approved_of(person.id))
