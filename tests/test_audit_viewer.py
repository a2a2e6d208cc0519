"""The audit viewer: admins only, filters, an export that is itself audited, retention of at least 180 days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.database import db, utcnow
from academy.models import AuditLog, Role, User
from academy.services import audit

from .conftest import log_in


def _entries(app: Flask, admin: User, learner: User) -> None:
    with app.app_context():
        by, who = db.session.get(User, admin.id), db.session.get(User, learner.id)
        audit.record("login", actor=who, ip="10.0.0.7", now=utcnow() - timedelta(days=2))
        audit.record("login_failed", actor=who, ip="10.0.0.8", reason="password")
        audit.record("role_granted", actor=by, ip="10.0.0.1", user_id=learner.id, role="host")
        audit.record("login", actor=by, ip="10.0.0.1", now=utcnow() - timedelta(days=400))
        db.session.commit()


def test_admins_filter_the_log_by_event_person_address_and_date(client: FlaskClient, make_user: Callable[..., User],
                                                                 app: Flask) -> None:
    admin, learner = make_user("A1", name="管理员", roles=(Role.ADMIN,)), make_user("E1", name="王芳")
    _entries(app, admin, learner)
    log_in(client, admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "登录失败" in page  # events by name, not by code
    assert "保留 365 天" in page
    failed = client.get("/admin/audit?action=login_failed").get_data(as_text=True)
    assert "10.0.0.8" in failed
    assert "10.0.0.7" not in failed
    mine = client.get("/admin/audit?who=E1").get_data(as_text=True)
    assert "10.0.0.7" in mine
    assert "10.0.0.1" not in mine
    today = utcnow().date().isoformat()
    recent = client.get(f"/admin/audit?since={today}").get_data(as_text=True)
    assert "10.0.0.8" in recent
    assert "10.0.0.7" not in recent
    bad = client.get("/admin/audit?since=yesterday")
    assert bad.status_code == 200
    assert "日期无法识别" in bad.get_data(as_text=True)


def test_the_export_follows_the_filters_and_is_audited(client: FlaskClient, make_user: Callable[..., User],
                                                       app: Flask) -> None:
    admin, learner = make_user("A1", roles=(Role.ADMIN,)), make_user("E1", name="=cmd|' /C calc'!A0")
    _entries(app, admin, learner)
    log_in(client, admin)
    response = client.get("/admin/audit.csv?who=E1")
    body = response.get_data().decode("utf-8-sig")
    assert response.headers["Cache-Control"] == "no-store"
    assert body.count("\n") == 3  # header and the two entries of E1
    assert "'=cmd" in body  # a name that looks like a formula stays text
    with app.app_context():
        exported = db.session.execute(select(AuditLog).where(AuditLog.action == "audit_exported")).scalar_one()
        assert exported.detail == {"filters": {"who": "E1"}}


def test_the_log_is_for_admins_only(client: FlaskClient, make_user: Callable[..., User]) -> None:
    log_in(client, make_user("H1", roles=(Role.HR, Role.AUTHOR, Role.HOST)))
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403


def test_entries_cannot_be_changed_through_the_application(app: Flask) -> None:
    routes = [r for r in app.url_map.iter_rules() if "audit" in r.rule]
    assert {r.rule for r in routes} == {"/admin/audit", "/admin/audit.csv"}
    assert all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in routes)  # type: ignore[operator]


def test_purge_keeps_at_least_180_days(app: Flask, make_user: Callable[..., User]) -> None:
    admin, learner = make_user("A1", roles=(Role.ADMIN,)), make_user("E1")
    _entries(app, admin, learner)
    with app.app_context():
        audit.record("login", now=utcnow() - timedelta(days=179))
        db.session.commit()
        assert audit.purge(keep_days=30) == 1  # asked for 30 days, kept 180: only the 400-day-old entry goes
        left = [a.action for a in db.session.execute(select(AuditLog)).scalars()]
    assert len(left) == 5
    assert "audit_purged" in left


def test_exports_of_peoples_data_are_audited(synced: Flask, make_unit: Callable[..., object],
                                              make_user: Callable[..., User]) -> None:
    unit = make_unit("华东公司")
    hr = make_user("H1", roles=(Role.HR,), scope=unit, unit=unit)
    client = synced.test_client()
    log_in(client, hr)
    assert client.get("/hr/overdue.csv").status_code == 200
    assert client.get("/hr/report.xlsx").status_code == 200
    with synced.app_context():
        entries = [(a.actor_id, a.detail["what"], a.detail["format"]) for a in db.session.execute(
            select(AuditLog).where(AuditLog.action == "data_exported").order_by(AuditLog.id)).scalars()]
    assert entries == [(hr.id, "逾期名单", "csv"), (hr.id, "完成情况", "xlsx")]
