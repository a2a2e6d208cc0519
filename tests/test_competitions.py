"""Online rounds: eligibility, rankings (individuals and units), freeze, masking, awards, export."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from academy.competition_rules import admits
from academy.competitions.services import competitions
from academy.database import db
from academy.models import Attempt, Competition, OrgUnit, Role, User

from .conftest import log_in
from .support.db import fetch
from .support.quiz import answer_all

OPENS = datetime(2026, 11, 1, tzinfo=UTC)
CLOSES = datetime(2026, 11, 15, tzinfo=UTC)
DRAW = [{"bank": "sample-course", "count": 3, "types": ["single", "truefalse", "multiple"]}]


@pytest.fixture
def org(app: Flask, make_tree, make_user):  # type: ignore[no-untyped-def]
    units = make_tree("甲公司", "乙公司")
    a, b = units["甲公司"], units["乙公司"]
    host = make_user("H1", roles=(Role.HOST,))
    people = {name: make_user(f"E{i}", name=name, unit=unit)
              for i, (name, unit) in enumerate([("王小明", a), ("李四海", a), ("赵五", b), ("钱六", b)])}
    return host, people, (a, b)


def _round(app: Flask, host: User, **settings: object) -> str:
    with app.app_context():
        c = competitions.create(fetch(User, host.id), title="质量月知识竞赛", rules="", opens_at=OPENS,
                                closes_at=CLOSES, draw=DRAW, time_limit=30, sittings=2, **settings)  # type: ignore[arg-type]
        return c.slug


def _sat(app: Flask, slug: str, user: User, score: float, seconds: int, at: datetime) -> None:
    with app.app_context():
        db.session.add(Attempt(user_id=user.id, quiz_key=f"competition/{slug}", number=1, paper=[],
                               started_at=at - timedelta(seconds=seconds), submitted_at=at, score=score, max_score=3))
        db.session.commit()


def _load(slug: str) -> Competition:
    found = competitions.by_slug(slug)
    assert found is not None
    return found


def test_people_rank_by_score_then_time_then_submission(app: Flask, org) -> None:  # type: ignore[no-untyped-def]
    host, p, _ = org
    slug = _round(app, host, awards=[{"name": "一等奖", "top": 1}, {"name": "二等奖", "min_percent": 90}])
    day = OPENS + timedelta(days=1)
    _sat(app, slug, p["王小明"], 3, 300, day)
    _sat(app, slug, p["李四海"], 3, 200, day + timedelta(hours=1))
    _sat(app, slug, p["赵五"], 2, 100, day)
    _sat(app, slug, p["赵五"], 1, 50, day + timedelta(hours=2))  # a worse second sitting does not count
    with app.app_context():
        board = competitions.standings(_load(slug), now=CLOSES, full=True)
    assert [(e.rank, e.name, e.score, e.award) for e in board.people] == [
        (1, "李四海", 3, "一等奖"), (2, "王小明", 3, "二等奖"), (3, "赵五", 2, "")]


def test_units_rank_by_participation_and_average_with_the_hosts_weights(app: Flask, org) -> None:  # type: ignore[no-untyped-def]
    host, p, _ = org
    slug = _round(app, host, awards=[{"name": "优秀组织奖", "units": 1}])
    for name, score in (("王小明", 3), ("李四海", 3), ("赵五", 2)):
        _sat(app, slug, p[name], score, 100, OPENS + timedelta(days=1))
    with app.app_context():
        units = competitions.standings(_load(slug), now=CLOSES, full=True).units
    assert [(u.name, u.entered, u.eligible, round(u.index, 1), u.award) for u in units] == [
        ("甲公司", 2, 2, 100.0, "优秀组织奖"), ("乙公司", 1, 2, round((40 * 50 + 60 * 200 / 3) / 100, 1), "")]


def test_eligibility_by_unit_and_position(app: Flask, org) -> None:  # type: ignore[no-untyped-def]
    host, p, (a, _b) = org
    slug = _round(app, host, unit_ids=[a.id])
    with app.app_context():
        c = _load(slug)
        assert competitions.is_eligible(fetch(User, p["王小明"].id), c)
        assert not competitions.is_eligible(fetch(User, p["赵五"].id), c)
        assert len(competitions.eligible_people(c)) == 2


def test_frozen_board_hides_late_results_and_masks_names_below_the_top(app: Flask, org) -> None:  # type: ignore[no-untyped-def]
    host, p, _ = org
    slug = _round(app, host, freeze_hours=24, show_names=1)
    _sat(app, slug, p["王小明"], 3, 100, OPENS + timedelta(days=1))
    _sat(app, slug, p["李四海"], 2, 100, OPENS + timedelta(days=2))
    _sat(app, slug, p["赵五"], 3, 50, CLOSES - timedelta(hours=2))  # inside the freeze
    with app.app_context():
        frozen = competitions.standings(_load(slug), now=CLOSES - timedelta(hours=1))
        final = competitions.standings(_load(slug), now=CLOSES, full=True)
    assert frozen.frozen_at == CLOSES - timedelta(hours=24)
    assert [e.name for e in frozen.people] == ["王小明", "李*海"]
    assert [e.name for e in final.people] == ["赵五", "王小明", "李四海"]


def test_a_round_end_to_end_through_the_quiz_engine(synced: Flask, org) -> None:  # type: ignore[no-untyped-def]
    host, p, (a, _b) = org
    hosting = synced.test_client()
    log_in(hosting, host)
    now = datetime.now(UTC)
    response = hosting.post("/competitions/new", data={
        "title": "线上预赛", "rules": "独立完成", "opens_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"), "units": [str(a.id)],
        "draw-0-bank": "sample-course", "draw-0-count": "3", "draw-0-types": ["single", "truefalse", "multiple"],
        "time_limit": 30, "sittings": 2,
        "team_depth": 1, "weight_participation": 40, "weight_average": 60, "freeze_hours": 0, "show_names": 10,
        "awards-0-name": "一等奖", "awards-0-rule": "top", "awards-0-value": "1",
        "awards-1-name": "优秀组织奖", "awards-1-rule": "units", "awards-1-value": "1"})
    assert response.status_code == 303, response.get_data(as_text=True)
    slug = response.location.rsplit("/", 1)[1]

    learner: FlaskClient = synced.test_client()
    log_in(learner, p["王小明"])
    assert "线上预赛" in learner.get("/competitions/").get_data(as_text=True)
    started = learner.post(f"/quiz/competition/{slug}")
    assert started.status_code == 303
    attempt_id = int(re.search(r"/attempts/(\d+)$", started.location).group(1))  # type: ignore[union-attr]
    answer_all(learner, synced, attempt_id)
    assert learner.post(f"/attempts/{attempt_id}/submit").status_code == 303
    board = learner.get(f"/competitions/{slug}/board").get_data(as_text=True)
    assert "王小明" in board
    assert "3.0 / 3.0" in board

    outsider = synced.test_client()
    log_in(outsider, p["赵五"])  # another subsidiary: not admitted
    assert outsider.get(f"/competitions/{slug}").status_code == 404
    assert outsider.post(f"/quiz/competition/{slug}").status_code == 404
    assert learner.get(f"/competitions/{slug}/export.xlsx").status_code == 404

    exported = hosting.get(f"/competitions/{slug}/export.xlsx")
    book = load_workbook(io.BytesIO(exported.data))
    people = list(book.worksheets[0].iter_rows(values_only=True))
    units = list(book.worksheets[1].iter_rows(values_only=True))
    assert people[1][:3] == (1, "E0", "王小明")
    assert people[1][-1] == "一等奖"
    assert units[1][1:4] == ("甲公司", 2, 1)
    with synced.app_context():
        assert db.session.execute(select(OrgUnit).where(OrgUnit.name == "甲公司")).scalar_one()


def test_equal_score_and_time_share_a_rank_and_seconds_are_truncated(app: Flask, org) -> None:  # type: ignore[no-untyped-def]
    host, p, _ = org
    slug = _round(app, host)
    day = OPENS + timedelta(days=1)
    with app.app_context():
        for name, score, took in (("王小明", 3, timedelta(seconds=120, microseconds=900_000)),
                                  ("李四海", 3, timedelta(seconds=120, microseconds=100_000)),
                                  ("赵五", 3, timedelta(seconds=121)), ("钱六", 2, timedelta(seconds=5))):
            db.session.add(Attempt(user_id=p[name].id, quiz_key=f"competition/{slug}", number=1, paper=[],
                                   started_at=day - took, submitted_at=day, score=score, max_score=3))
        db.session.commit()
        board = competitions.standings(_load(slug), now=CLOSES, full=True)
    assert [(e.rank, e.seconds) for e in board.people] == [(1, 120), (1, 120), (3, 121), (4, 5)]


def test_board_follows_new_sittings_and_regrades_at_once(app: Flask, org) -> None:  # type: ignore[no-untyped-def]
    host, p, _ = org
    slug = _round(app, host)
    day = OPENS + timedelta(days=1)
    _sat(app, slug, p["王小明"], 2, 100, day)
    with app.app_context():
        assert [e.name for e in competitions.standings(_load(slug), now=CLOSES, full=True).people] == ["王小明"]
    _sat(app, slug, p["李四海"], 3, 100, day)
    with app.app_context():
        assert [e.name for e in competitions.standings(_load(slug), now=CLOSES, full=True).people] == ["李四海", "王小明"]
        attempt = db.session.execute(select(Attempt).where(Attempt.user_id == p["王小明"].id)).scalar_one()
        attempt.score, attempt.regraded_at = 3, day + timedelta(days=1)
        db.session.commit()
        assert [e.name for e in competitions.standings(_load(slug), now=CLOSES, full=True).people] == ["王小明", "李四海"]


def test_board_pages_the_people_and_shows_the_viewers_own_rank(app: Flask, org, make_user) -> None:  # type: ignore[no-untyped-def]
    host, p, (a, _b) = org
    slug = _round(app, host)
    day = OPENS + timedelta(days=1)
    crowd = [make_user(f"C{i:03d}", name=f"选手{i:03d}", unit=a) for i in range(105)]
    with app.app_context():
        db.session.add_all(Attempt(user_id=u.id, quiz_key=f"competition/{slug}", number=1, paper=[], score=3,
                                   max_score=3, started_at=day - timedelta(seconds=10 + i), submitted_at=day)
                           for i, u in enumerate(crowd))
        db.session.add(Attempt(user_id=p["王小明"].id, quiz_key=f"competition/{slug}", number=1, paper=[], score=1,
                               max_score=3, started_at=day - timedelta(seconds=10), submitted_at=day))
        db.session.commit()
    client = app.test_client()
    log_in(client, p["王小明"])
    first = client.get(f"/competitions/{slug}/board").get_data(as_text=True)
    assert first.count("<tr") == 100 + 1 + 1 + 2  # people, their header, the units' header and rows
    assert "我的名次：106" in first
    last = client.get(f"/competitions/{slug}/board?page=2").get_data(as_text=True)
    assert "王小明" in last
    assert "我的名次" not in last
    assert client.get(f"/competitions/{slug}/board?page=x").status_code == 200


@pytest.mark.parametrize(("positions", "paths", "position", "unit_path", "admitted"), [
    ([], [], "检验员", None, True),  # no rules: everyone, also people without a unit
    (["检验员"], [], "检验员", None, True),
    (["检验员"], [], "操作工", "/1/2/", False),
    ([], ["/1/2/"], "操作工", "/1/2/7/", True),  # a department inside the admitted subsidiary
    ([], ["/1/2/"], "操作工", "/1/3/", False),
    ([], ["/1/2/"], "操作工", None, False),
    (["检验员"], ["/1/2/"], "操作工", "/1/2/", False),  # both rules must hold
])
def test_round_rules_admit_by_position_and_subtree(positions, paths, position, unit_path, admitted) -> None:  # type: ignore[no-untyped-def]
    round_ = Competition(positions=positions, unit_ids=[])
    unit = OrgUnit(name="单位", path=unit_path) if unit_path else None
    assert admits(User(name="某人", position=position), round_, paths, unit) is admitted
