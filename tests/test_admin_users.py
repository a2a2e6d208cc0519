"""Account administration: admins only, role changes audited."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from academy.database import db
from academy.models import AuditLog, Role, User

from .conftest import log_in


def test_only_admins_reach_account_pages(client, make_user) -> None:  # type: ignore[no-untyped-def]
    target = make_user()
    for role in ((), (Role.HR,), (Role.AUTHOR,)):
        log_in(client, make_user(roles=role))
        assert client.get("/admin/users").status_code == 403
        assert client.get(f"/admin/users/{target.id}").status_code == 404
        assert client.post(f"/admin/users/{target.id}", data={"admin": "y"}).status_code == 404


def test_admin_lists_and_searches_accounts(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("100777", name="欧阳明")
    make_user("100778", name="李四")
    log_in(client, make_user(roles=(Role.ADMIN,)))
    page = client.get("/admin/users?q=欧阳").get_data(as_text=True)
    assert "100777" in page
    assert "100778" not in page


def test_admin_grants_hr_with_a_scope_and_it_is_audited(app: Flask, client, make_user, make_unit) -> None:  # type: ignore[no-untyped-def]
    unit = make_unit("华东公司")
    target = make_user()
    admin = make_user(roles=(Role.ADMIN,))
    log_in(client, admin)
    missing_scope = client.post(f"/admin/users/{target.id}", data={"hr": "y", "hr_scope": "0", "active": "y"})
    assert missing_scope.status_code == 422
    assert client.post(f"/admin/users/{target.id}", data={"hr": "y", "hr_scope": str(unit.id), "active": "y"}).status_code == 303
    with app.app_context():
        user = db.session.get(User, target.id)
        assert user is not None
        assert [(r.role, r.scope_unit_id) for r in user.roles] == [(Role.HR, unit.id)]
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "role_granted")).scalar_one()
        assert entry.actor_id == admin.id
        assert entry.detail == {"user_id": target.id, "role": "hr", "scope": unit.id}
    client.post(f"/admin/users/{target.id}", data={"author": "y", "hr_scope": "0"})  # HR off, author on, deactivated
    with app.app_context():
        user = db.session.get(User, target.id)
        assert user is not None
        assert user.role_names() == ["author"]
        assert not user.active
        actions = [a.action for a in db.session.execute(select(AuditLog).order_by(AuditLog.id)).scalars()]
        assert actions == ["role_granted", "role_revoked", "role_granted", "account_deactivated"]


def test_admin_cannot_demote_or_deactivate_themselves(app: Flask, client, make_user) -> None:  # type: ignore[no-untyped-def]
    admin = make_user(roles=(Role.ADMIN,))
    log_in(client, admin)
    assert client.post(f"/admin/users/{admin.id}", data={"hr_scope": "0", "active": "y"}).status_code == 422
    client.post(f"/admin/users/{admin.id}", data={"admin": "y", "hr_scope": "0"})
    with app.app_context():
        user = db.session.get(User, admin.id)
        assert user is not None
        assert user.active
        assert user.has_role(Role.ADMIN)
