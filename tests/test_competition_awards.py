"""Award certificates of online rounds: issued by the host after the close, once, verifiable, audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from academy.assessment.services import awards
from academy.competitions.services import competitions
from academy.database import db
from academy.models import Attempt, AuditLog, AwardCertificate, Role, User

from .conftest import log_in, make_app
from .support.db import fetch

DRAW = [{"bank": "sample-course", "count": 3}]
AWARDS = [{"name": "一等奖", "top": 1}, {"name": "二等奖", "top": 2}, {"name": "优秀组织奖", "units": 1}]


@pytest.fixture
def round_(app: Flask, make_tree, make_user):  # type: ignore[no-untyped-def]
    """A round that closed yesterday: 王小明 first, 李四海 second, 赵五 without award; 甲公司 the best unit."""
    units = make_tree("甲公司", "乙公司")
    a, b = units["甲公司"], units["乙公司"]
    host = make_user("H1", name="主持人", roles=(Role.HOST,))
    people = {name: make_user(f"E{i}", name=name, unit=unit)
              for i, (name, unit) in enumerate([("王小明", a), ("李四海", a), ("赵五", b), ("钱六", b)])}
    closes = datetime.now(UTC) - timedelta(days=1)
    with app.app_context():
        c = competitions.create(fetch(User, host.id), title="质量月知识竞赛", rules="",
                                opens_at=closes - timedelta(days=7), closes_at=closes, draw=DRAW, time_limit=30,
                                sittings=1, awards=AWARDS)
        for name, score in (("王小明", 3), ("李四海", 2), ("赵五", 1)):
            db.session.add(Attempt(user_id=people[name].id, quiz_key=c.quiz_key, paper=[], score=score, max_score=3,
                                   started_at=closes - timedelta(days=2, minutes=10), submitted_at=closes - timedelta(days=2)))
        db.session.commit()
        slug = c.slug
    return slug, host, people, (a, b)


def _issued(app: Flask) -> list[tuple[str, str, int]]:
    with app.app_context():
        return [(c.award, c.holder_name, c.rank) for c in db.session.execute(
            select(AwardCertificate).order_by(AwardCertificate.id)).scalars()]


def test_host_issues_award_certificates_to_people_and_units_once(app: Flask, round_) -> None:  # type: ignore[no-untyped-def]
    slug, host, _people, _units = round_
    client = app.test_client()
    log_in(client, host)
    response = client.post(f"/competitions/{slug}/awards", follow_redirects=True)
    assert "已颁发 3 张获奖证书" in response.get_data(as_text=True)
    assert _issued(app) == [("一等奖", "王小明", 1), ("二等奖", "李四海", 2), ("优秀组织奖", "甲公司", 1)]
    again = client.post(f"/competitions/{slug}/awards", follow_redirects=True)
    assert again.status_code == 200
    assert len(_issued(app)) == 3
    with app.app_context():
        entries = db.session.execute(select(AuditLog).where(AuditLog.action == "competition.awards")
                                     .order_by(AuditLog.id)).scalars().all()
        assert [(e.actor_id, e.detail["issued"]) for e in entries] == [(host.id, 3), (host.id, 0)]


def test_learner_cannot_issue_awards(app: Flask, round_) -> None:  # type: ignore[no-untyped-def]
    slug, _host, people, _units = round_
    client = app.test_client()
    log_in(client, people["王小明"])
    assert client.post(f"/competitions/{slug}/awards").status_code == 404
    assert _issued(app) == []


def test_awards_before_the_close_are_refused_with_a_message(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    host = make_user("H1", roles=(Role.HOST,))
    now = datetime.now(UTC)
    with app.app_context():
        slug = competitions.create(fetch(User, host.id), title="进行中", rules="", opens_at=now - timedelta(days=1),
                                   closes_at=now + timedelta(days=1), draw=DRAW, time_limit=30, sittings=1,
                                   awards=AWARDS).slug
    client = app.test_client()
    log_in(client, host)
    response = client.post(f"/competitions/{slug}/awards")
    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    assert "本轮截止之后方可颁发获奖证书" in page
    assert _issued(app) == []


def test_issuing_twice_in_the_service_issues_nothing_new(app: Flask, round_) -> None:  # type: ignore[no-untyped-def]
    slug, host, _people, _units = round_
    with app.app_context():
        c = competitions.by_slug(slug)
        assert c is not None
        actor = db.session.get(User, host.id)
        assert actor is not None
        first = awards.issue(c, actor=actor)
        second = awards.issue(c, actor=actor)
        assert (len(first), second) == (3, [])
        assert db.session.execute(select(func.count()).select_from(AwardCertificate)).scalar_one() == 3
        with pytest.raises(awards.AwardsNotYet):
            awards.issue(c, actor=actor, now=c.closes_at - timedelta(seconds=1))


def test_winner_sees_downloads_and_anyone_verifies_the_award(app: Flask, round_) -> None:  # type: ignore[no-untyped-def]
    slug, host, people, _units = round_
    with app.app_context():
        c = competitions.by_slug(slug)
        assert c is not None
        awards.issue(c, actor=db.session.get(User, host.id))  # type: ignore[arg-type]
        serial = db.session.execute(select(AwardCertificate.serial).where(
            AwardCertificate.user_id == people["王小明"].id)).scalar_one()
    winner = app.test_client()
    log_in(winner, people["王小明"])
    mine = winner.get("/me/certificates").get_data(as_text=True)
    assert "一等奖" in mine
    assert serial in mine
    pdf = winner.get(f"/awards/{serial}/pdf")
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF")
    assert winner.get(f"/awards/{serial}").status_code == 200
    public = app.test_client().get(f"/verify/{serial}").get_data(as_text=True)
    assert "一等奖" in public
    assert "王*明" in public
    assert "王小明" not in public

    other = app.test_client()
    log_in(other, people["赵五"])
    assert other.get(f"/awards/{serial}").status_code == 404
    assert other.get(f"/awards/{serial}/pdf").status_code == 404
    assert "一等奖" not in other.get("/me/certificates").get_data(as_text=True)


def test_unit_award_is_for_its_hr_and_the_host_only(app: Flask, round_, make_user) -> None:  # type: ignore[no-untyped-def]
    slug, host, people, (a, b) = round_
    with app.app_context():
        c = competitions.by_slug(slug)
        assert c is not None
        awards.issue(c, actor=db.session.get(User, host.id))  # type: ignore[arg-type]
        serial = db.session.execute(select(AwardCertificate.serial).where(
            AwardCertificate.org_unit_id == a.id)).scalar_one()
    hr_a, hr_b = make_user("HA", roles=(Role.HR,), scope=a), make_user("HB", roles=(Role.HR,), scope=b)
    for user, status in ((hr_a, 200), (host, 200), (hr_b, 404), (people["王小明"], 404)):
        client = app.test_client()
        log_in(client, user)
        assert client.get(f"/awards/{serial}/pdf").status_code == status, user.employee_no
    assert "甲公司" in app.test_client().get(f"/verify/{serial}").get_data(as_text=True)


def test_issuing_awards_needs_the_form_token() -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        host = User(employee_no="H9", name="主持人", email="h9@example.com", password_hash="!")  # noqa: S106 - cannot log in
        db.session.add(host)
        db.session.commit()
        now = datetime.now(UTC)
        slug = competitions.create(host, title="已结束", rules="", opens_at=now - timedelta(days=2),
                                   closes_at=now - timedelta(days=1), draw=DRAW, time_limit=30, sittings=1).slug
        client = app.test_client()
        log_in(client, host)
    assert client.post(f"/competitions/{slug}/awards").status_code == 400
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "competition.awards")).scalar_one() == 0
