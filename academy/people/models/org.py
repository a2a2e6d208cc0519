from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import ColumnElement, ForeignKey, SQLColumnExpression, String, false, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.database import db


class UnitKind(StrEnum):
    GROUP = "group"
    SUBSIDIARY = "subsidiary"
    DEPARTMENT = "department"
    TEAM = "team"


class OrgUnit(db.Model):
    """A node of the organisation tree.

    ``path`` is a materialised path of ids (``/1/4/17/``): a subtree is one indexed
    ``LIKE '/1/4/%'`` query at any depth.
    """

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[UnitKind] = mapped_column(String(20), default=UnitKind.DEPARTMENT)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    path: Mapped[str] = mapped_column(String(400), index=True, default="")
    depth: Mapped[int] = mapped_column(default=0)

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id])

    def contains(self, other: OrgUnit) -> bool:
        return path_within(other.path, [self.path])

    @property
    def ancestor_ids(self) -> list[int]:
        """The ids from the root down to this unit, itself included."""
        return path_ids(self.path)


# The two forms of the one subtree rule, in Python and in SQL. A path ends with "/", so
# "/1/4/" never matches "/1/40/".

def path_within(path: str, roots: Iterable[str]) -> bool:
    """The unit at ``path`` lies in (or is) one of the subtrees rooted at ``roots``."""
    return any(path.startswith(root) for root in roots)


def path_ids(path: str) -> list[int]:
    """The unit ids a materialised path names, root first: ``/1/4/17/`` -> ``[1, 4, 17]``."""
    return [int(part) for part in path.strip("/").split("/") if part]


def within(roots: Iterable[str | SQLColumnExpression[str]], column: SQLColumnExpression[str] | None = None) -> ColumnElement[bool]:
    """SQL condition: ``column`` (``OrgUnit.path`` unless given) lies in one of the subtrees; false for none."""
    path = OrgUnit.path if column is None else column
    return or_(false(), *(path.startswith(root) for root in roots))
