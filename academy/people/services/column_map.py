"""The column mapping an HR user chose for their people files, remembered for the next file.

Where a header is neither one of the usual names nor in the saved mapping, the upload page
asks once which field the column holds. A mapping that gives one field to two columns, or
leaves a required field without one, is refused with the columns named, as a file whose
headers are ambiguous is.
"""

from __future__ import annotations

from dataclasses import dataclass

from academy.database import db, utcnow
from academy.models import ImportColumnMap, User
from academy.people.services.people_import import COLUMNS, REQUIRED, fold_header, header_fields
from academy.services import audit


@dataclass(frozen=True)
class MappingError:
    field: str
    columns: tuple[str, ...]  # the file's headers at fault (none: the field has no column)


def saved(user: User) -> dict[str, str]:
    row = db.session.get(ImportColumnMap, user.id)
    return dict(row.columns) if row is not None else {}


def proposed(header: list[str], user: User) -> list[str]:
    """The field each column would hold now ("" where none), to start the mapping form from."""
    return [f or "" for f in header_fields(header, saved(user))]


def check(header: list[str], chosen: list[str]) -> list[MappingError]:
    """What is wrong with giving column i the field ``chosen[i]`` ("" to leave it out)."""
    errors = []
    for name in COLUMNS:
        holders = tuple(h for h, f in zip(header, chosen, strict=True) if f == name)
        if len(holders) > 1:
            errors.append(MappingError(name, holders))
        elif not holders and name in REQUIRED:
            errors.append(MappingError(name, ()))
    return errors


def remember(user: User, header: list[str], chosen: list[str], *, ip: str = "") -> dict[str, str]:
    """Keep the choice for this user's later files (added to what they chose before); audited, one commit.

    Raises ValueError when ``check`` finds anything wrong: a refused mapping is never kept."""
    if check(header, chosen):
        raise ValueError("mapping")
    columns = saved(user)
    columns.update({fold_header(h): (f if f in COLUMNS else "") for h, f in zip(header, chosen, strict=True) if h})
    row = db.session.get(ImportColumnMap, user.id)
    if row is None:
        row = ImportColumnMap(user_id=user.id)
        db.session.add(row)
    row.columns, row.updated_at = columns, utcnow()
    audit.record("import_columns_mapped", actor=user, ip=ip, columns=dict(zip(header, chosen, strict=True)))
    db.session.commit()
    return columns


def forget(user: User, *, ip: str = "") -> None:
    row = db.session.get(ImportColumnMap, user.id)
    if row is not None:
        db.session.delete(row)
        audit.record("import_columns_forgotten", actor=user, ip=ip)
        db.session.commit()
