from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from academy.database import db
from academy.models import OrgUnit, UnitKind
from academy.people.models.org import path_within, within


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


def get(unit_id: int | None) -> OrgUnit | None:
    return db.session.get(OrgUnit, unit_id) if unit_id else None


def in_tree_order() -> list[OrgUnit]:
    """Every unit, each followed by its subtree (path order)."""
    return list(db.session.execute(select(OrgUnit).order_by(OrgUnit.path)).scalars())


def children(unit: OrgUnit) -> list[OrgUnit]:
    return list(db.session.execute(
        select(OrgUnit).where(OrgUnit.parent_id == unit.id).order_by(OrgUnit.name)).scalars())


def named_within(scopes: list[str] | None) -> list[tuple[int, str]]:
    """(id, full name path) of each unit inside ``scopes`` (None: all), in tree order: the desks' unit pickers."""
    units = in_tree_order()
    by_id = {u.id: u for u in units}
    return [(u.id, "/".join(by_id[i].name for i in u.ancestor_ids if i in by_id)) for u in units
            if scopes is None or path_within(u.path, scopes)]


def root() -> OrgUnit | None:
    """The top of the tree (the first, should an import have made several)."""
    return db.session.execute(
        select(OrgUnit).where(OrgUnit.parent_id.is_(None)).order_by(OrgUnit.id)).scalars().first()


def paths_of(unit_ids: Iterable[int]) -> list[str]:
    wanted = list(unit_ids)
    if not wanted:
        return []
    return list(db.session.execute(select(OrgUnit.path).where(OrgUnit.id.in_(wanted))).scalars())
