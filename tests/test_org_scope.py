"""The subtree rule, in Python and in SQL, agrees with itself and never confuses /1/4/ with /1/40/."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from academy.database import db
from academy.models import OrgUnit
from academy.people.models.org import path_ids, path_within, within


def test_python_and_sql_forms_agree(app: Flask, make_unit: Callable[..., OrgUnit]) -> None:
    group = make_unit("集团")
    sub = make_unit("子公司", group)
    dept = make_unit("质量部", sub)
    others = [make_unit(f"部门{i}", group) for i in range(12)]  # ids beyond 10 share prefixes with small ids
    units = [group, sub, dept, *others]
    with app.app_context():
        for root in units:
            in_sql = set(db.session.execute(select(OrgUnit.id).where(within([root.path]))).scalars())
            in_python = {u.id for u in units if path_within(u.path, [root.path])}
            assert in_sql == in_python == {u.id for u in units if root.contains(u)}
        assert set(db.session.execute(select(OrgUnit.id).where(within([sub.path])))
                   .scalars()) == {sub.id, dept.id}
        assert db.session.execute(select(OrgUnit.id).where(within([]))).first() is None
        assert set(db.session.execute(select(OrgUnit.id).where(within([sub.path, others[0].path])))
                   .scalars()) == {sub.id, dept.id, others[0].id}
    assert not path_within(dept.path, [])
    assert group.contains(dept)
    assert not dept.contains(group)


def test_a_path_names_its_units_root_first(app: Flask, make_unit: Callable[..., OrgUnit]) -> None:
    group = make_unit("集团")
    sub = make_unit("子公司", group)
    dept = make_unit("质量部", sub)
    assert dept.ancestor_ids == [group.id, sub.id, dept.id]
    assert group.ancestor_ids == [group.id]
    assert path_ids("/1/40/4/") == [1, 40, 4]
    assert path_ids("") == []
