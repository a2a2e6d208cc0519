from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import db


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
        return other.path.startswith(self.path)
