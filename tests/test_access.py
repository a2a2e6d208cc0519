"""Roles and HR scope, decided in academy/access.py only."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.exceptions import Forbidden

from academy import access
from academy.database import db
from academy.models import OrgUnit, Role, User

from .conftest import log_in
from .support.db import fetch


def test_hr_scope_covers_its_subtree_only(app: Flask, make_tree, make_user) -> None:  # type: ignore[no-untyped-def]
    units = make_tree("华东公司/质量部", "西南公司")
    east, west, team = units["华东公司"], units["西南公司"], units["质量部"]
    hr = make_user(roles=(Role.HR,), scope=east)
    admin = make_user(roles=(Role.ADMIN,))
    with app.app_context():
        hr_row, admin_row = fetch(User, hr.id), fetch(User, admin.id)
        units = {u.name: u for u in db.session.execute(select(OrgUnit)).scalars()}
        assert access.in_scope(hr_row, units["质量部"])  # type: ignore[arg-type]
        assert access.in_scope(hr_row, units["华东公司"])  # type: ignore[arg-type]
        assert not access.in_scope(hr_row, units["西南公司"])  # type: ignore[arg-type]
        assert not access.in_scope(hr_row, units["集团"])  # type: ignore[arg-type]
        assert not access.in_scope(hr_row, None)  # type: ignore[arg-type]
        assert access.in_scope(admin_row, units["西南公司"])  # type: ignore[arg-type]
        assert access.hr_scopes(admin_row) is None  # type: ignore[arg-type]
    del west, team


def test_admin_holds_every_role_and_learner_none(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    admin, learner, author = make_user(roles=(Role.ADMIN,)), make_user(), make_user(roles=(Role.AUTHOR,))
    with app.app_context():
        admin_row, learner_row, author_row = (fetch(User, u.id) for u in (admin, learner, author))
        for role in Role:
            assert access.has_role(admin_row, role)  # type: ignore[arg-type]
        assert access.can_manage_content(author_row)
        assert not access.can_manage_content(learner_row)
        assert not access.can_view_reports(author_row)  # type: ignore[arg-type]
        with pytest.raises(Forbidden):
            access.require_role(learner_row, Role.HR, Role.AUTHOR)  # type: ignore[arg-type]
        access.require_role(author_row, Role.HR, Role.AUTHOR)  # type: ignore[arg-type]


def test_audit_log_is_for_admins_only(client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user(roles=(Role.AUTHOR,)))
    assert client.get("/admin/audit").status_code == 403
    log_in(client, make_user(roles=(Role.ADMIN,)))
    page = client.get("/admin/audit")
    assert page.status_code == 200
    assert "审计日志" in page.get_data(as_text=True)


def test_navigation_shows_links_by_role(synced: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    log_in(client, make_user())
    page = client.get("/courses").get_data(as_text=True)
    assert "/admin/content" not in page
    assert "/admin/audit" not in page
    log_in(client, make_user(roles=(Role.AUTHOR,)))
    page = client.get("/courses").get_data(as_text=True)
    assert "/admin/content" in page
    assert "/admin/audit" not in page
