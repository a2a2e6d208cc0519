from __future__ import annotations

from sqlalchemy import select

from academy.database import db
from academy.models import OrgUnit, UnitKind
from academy.people.models.org import within


def kind_at(depth: int) -> UnitKind:
    """What a unit is by its depth below the root: the group, a subsidiary, a department, then teams."""
    return (UnitKind.GROUP, UnitKind.SUBSIDIARY, UnitKind.DEPARTMENT, UnitKind.TEAM)[min(depth, 3)]


def create_unit(name: str, *, parent: OrgUnit | None = None, kind: UnitKind = UnitKind.DEPARTMENT,
                commit: bool = True) -> OrgUnit:
    unit = OrgUnit(name=name, kind=kind, parent_id=parent.id if parent else None,
                   depth=(parent.depth + 1) if parent else 0)
    db.session.add(unit)
    db.session.flush()  # the id is part of the path
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    if commit:
        db.session.commit()
    return unit


def subtree(unit: OrgUnit) -> list[OrgUnit]:
    return list(db.session.execute(
        select(OrgUnit).where(within([unit.path])).order_by(OrgUnit.path)
    ).scalars())


def ancestors(unit: OrgUnit) -> list[OrgUnit]:
    ids = unit.ancestor_ids
    found = {u.id: u for u in db.session.execute(select(OrgUnit).where(OrgUnit.id.in_(ids))).scalars()}
    return [found[i] for i in ids if i in found]
