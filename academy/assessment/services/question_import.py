"""Question files from the browser: converted by the importer, checked as a bank, written to quiz/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from academy.content import importers
from academy.content.problems import Problem
from academy.content.quizbank import Bank, parse_bank
from academy.database import db
from academy.models import User
from academy.services import audit

PARSERS = {"gift": importers.parse_gift, "aiken": importers.parse_aiken, "csv": importers.parse_csv}


class BankExists(Exception):
    pass


@dataclass(frozen=True)
class Preview:
    markdown: str
    bank: Bank | None
    rejected: list[importers.Rejected]
    warnings: list[importers.Rejected]


def preview(text: str, fmt: str, *, bank_id: str, title: str, course: str, lesson: str) -> Preview:
    imported = PARSERS[fmt](text)
    markdown = importers.convert(imported, bank_id, title or bank_id, course, lesson)
    problems: list[Problem] = []
    bank = parse_bank(markdown, Path(f"{bank_id}.md"), Path(), problems) if imported.drafts else None
    return Preview(markdown, bank, list(imported.rejected), list(imported.warnings))


def save(result: Preview, quiz_root: Path, bank_id: str, *, actor: User, ip: str = "") -> Path:
    """Write the converted bank as a new file; an existing bank is never overwritten. Audited; one commit."""
    target = Path(quiz_root) / f"{bank_id}.md"
    if target.exists():
        raise BankExists(bank_id)
    with target.open("x", encoding="utf-8") as out:
        out.write(result.markdown)
    audit.record("questions_imported", actor=actor, ip=ip, bank=bank_id,
                 questions=len(result.bank.questions) if result.bank else 0, warnings=len(result.warnings))
    db.session.commit()
    return target
