"""The question banks and exams every instance serves: published by content sync, read from the database.

Like the courses, a bank or exam reaches learners only through ``flask content sync`` (or the
content page's button): a file that fails the check keeps its last good version, a removed
one is retired, and every instance sees the same version on its next request, whatever is on
its own disk. Parsed once per process and content version (``ContentState.version``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import defer

from academy.content import bankfiles
from academy.content.exams import ExamDef, parse_exam
from academy.content.library import Library
from academy.content.problems import ContentError, Problem
from academy.content.quizbank import Bank, parse_bank
from academy.content.quizzes import Sources
from academy.database import db
from academy.learning.services import published
from academy.models import QuizFile, QuizSource

log = logging.getLogger(__name__)

BANK, EXAM = "bank", "exam"


@dataclass
class PublishReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # changed on disk but failing the check: last good version stays
    rows: list[QuizSource] = field(default_factory=list)


def publish(library: Library, now: datetime) -> PublishReport:
    """Copy every bank (with its images) and exam that passes the check into the database; the caller commits."""
    report = PublishReport()
    rows = {(r.kind, r.name): r for r in db.session.execute(select(QuizSource)).scalars()}
    images = _ImageRows()
    broken = {p.path for p in library.problems}
    files: list[tuple[str, Bank | ExamDef]] = [(BANK, b) for b in library.banks.values()]
    files += [(EXAM, e) for e in library.exams.values()]
    for kind, found in files:
        row = rows.get((kind, found.id))
        attached = [(name, data, _digest(data)) for name, data in library.bank_files.get(found.id, ())] \
            if kind == BANK else []
        version = _version(found.version, attached)
        if found.path in broken:
            if row is not None and row.version != version:
                report.kept.append(found.path)
            continue
        if row is None:
            row = QuizSource(kind=kind, name=found.id)
            db.session.add(row)
            rows[(kind, found.id)] = row
            report.created.append(found.path)
        elif row.version != version or row.retired:
            report.updated.append(found.path)
        else:
            continue
        row.path, row.text, row.version, row.retired, row.synced_at = found.path, found.source, version, False, now
        if kind == BANK:
            images.publish(found.id, attached, now)
    for row in rows.values():
        if not row.retired and row.path not in library.quiz_files:
            row.retired = True
            report.retired.append(row.path)
            if row.kind == BANK:
                images.publish(row.name, (), now)
    report.rows = list(rows.values())
    return report


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


def _version(text_version: str, attached: Sequence[tuple[str, bytes, str]]) -> str:
    """A bank's published version: its text and its images, so a replaced image is a new version."""
    if not attached:
        return text_version
    mixed = hashlib.sha256(text_version.encode())
    for name, _data, digest in attached:
        mixed.update(f"{name}:{digest};".encode())
    return mixed.hexdigest()[:16]


class _ImageRows:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], QuizFile] | None = None

    def publish(self, bank_id: str, attached: Sequence[tuple[str, bytes, str]], now: datetime) -> None:
        """The bank's images (name, bytes, digest) as given; the others of the bank retired."""
        if self.rows is None:
            self.rows = {(f.bank, f.name): f for f in db.session.execute(select(QuizFile)).scalars()}
        present = set()
        for name, data, digest in attached:
            present.add(name)
            row = self.rows.get((bank_id, name))
            if row is None:
                row = self.rows[(bank_id, name)] = QuizFile(bank=bank_id, name=name)
                db.session.add(row)
            elif row.digest == digest and not row.retired:
                continue
            row.data, row.digest, row.retired, row.synced_at = data, digest, False, now
            row.content_type = bankfiles.content_type(name, data) or "application/octet-stream"
        for (bank, name), row in self.rows.items():
            if bank == bank_id and name not in present:
                row.retired = True


def published_rows() -> dict[tuple[str, str], QuizSource]:
    """Each served bank and exam's row by (kind, name): its version and when it was published."""
    rows = db.session.execute(select(QuizSource).where(QuizSource.retired.is_(False))
                              .options(defer(QuizSource.text))).scalars()
    return {(r.kind, r.name): r for r in rows}


def bank_file(bank_id: str, name: str) -> tuple[bytes, str] | None:
    """A published image of a bank and the type to serve it as; None when there is none."""
    found = db.session.execute(select(QuizFile.data, QuizFile.content_type).where(
        QuizFile.bank == bank_id, QuizFile.name == name, QuizFile.retired.is_(False))).one_or_none()
    return (found[0], found[1]) if found is not None else None


def current() -> Sources:
    """The published banks and exams: no query when this process holds the current version."""
    return _sources.get()


def _load(version: str) -> Sources:
    del version  # the key of the cache; the rows are what is published now
    return parse(db.session.execute(select(QuizSource).where(QuizSource.retired.is_(False))).scalars())


def parse(rows: Iterable[QuizSource]) -> Sources:
    banks: dict[str, Bank] = {}
    exams: dict[str, ExamDef] = {}
    for row in rows:
        path = Path(row.path)
        problems: list[Problem] = []
        if row.kind == BANK:
            bank = parse_bank(row.text, path, path.parent, problems)
            if bank is not None:
                banks[bank.id] = bank
        else:
            try:
                exams[row.name] = parse_exam(row.text, path, path.parents[1])
            except ContentError as err:
                problems.append(Problem(row.path, err.line, err.message))
        # checked when published; a reader changed since then is the only way here
        for problem in problems:
            log.warning("published %s %s: line %d: %s", row.kind, row.path, problem.line, problem.message)
    return Sources(banks, exams)


_sources = published.PerVersion(_load)
