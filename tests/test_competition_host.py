"""A running online round: the entrant's result page (score, rank, percentile, no pass without a
pass mark), the board (the viewer's row, medals for the top three) and the host's page
(participation by unit, extend, close now, export), refused to learners and to other hosts."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from academy.competitions.services import competitions
from academy.database import db
from academy.models import Attempt, AuditLog, Competition, Role, User

from .conftest import log_in, make_app
from .support.quiz import answer_all

DRAW = [{"bank": "sample-course", "count": 3, "types": ["single", "truefalse", "multiple"]}]


@pytest.fixture
def running(synced: Flask, make_tree, make_user):  # type: ignore[no-untyped-def]
    units = make_tree("甲公司", "乙公司")
    a, b = units["甲公司"], units["乙公司"]
    host = make_user("H1", roles=(Role.HOST,))
    other_host = make_user("H2", roles=(Role.HOST,), unit=b)
    people = {name: make_user(f"E{i}", name=name, unit=unit) for i, (name, unit) in enumerate(
        [("王小明", a), ("李四海", a), ("赵五", b), ("=HYPERLINK(\"http://x\")", b), ("孙七", a)])}
    now = datetime.now(UTC)
    with synced.app_context():
        c = competitions.create(db.session.get(User, host.id), title="质量月线上预赛", rules="", opens_at=now - timedelta(days=1),  # type: ignore[arg-type]
                                closes_at=now + timedelta(days=1), draw=DRAW, time_limit=30, sittings=1,
                                awards=[{"name": "一等奖", "top": 1}])
        slug = c.slug
        # three earlier sittings with scores 3, 2 and 1 of 3
        for name, score in (("李四海", 3), ("赵五", 2), ("=HYPERLINK(\"http://x\")", 1)):
            db.session.add(Attempt(user_id=people[name].id, quiz_key=f"competition/{slug}", number=1, paper=[],
                                   started_at=now - timedelta(hours=2), submitted_at=now - timedelta(hours=1),
                                   score=score, max_score=3))
        db.session.commit()
    return slug, host, other_host, people, (a, b)


def _client(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    log_in(client, user)
    return client


def _sit(app: Flask, client: FlaskClient, slug: str, *, right: bool) -> int:
    started = client.post(f"/quiz/competition/{slug}")
    assert started.status_code == 303
    attempt_id = int(re.search(r"/attempts/(\d+)$", started.location).group(1))  # type: ignore[union-attr]
    if right:
        answer_all(client, app, attempt_id)
    assert client.post(f"/attempts/{attempt_id}/submit").status_code == 303
    return attempt_id


def _load(app: Flask, slug: str) -> Competition:
    with app.app_context():
        found = competitions.by_slug(slug)
        assert found is not None
        db.session.expunge(found)
        return found


def test_a_low_score_is_not_called_passed_and_the_result_shows_rank_and_percentile(synced: Flask, running) -> None:  # type: ignore[no-untyped-def]
    slug, _host, _other, people, _ = running
    learner = _client(synced, people["孙七"])
    attempt_id = _sit(synced, learner, slug, right=False)  # nothing answered: 0 %
    html = learner.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "已通过" not in html
    assert "未通过" not in html
    assert "及格" not in html
    assert "排行榜第 4 名（共 4 人）" in html
    assert "超过了 0% 的其他参赛者" in html
    assert f'href="/competitions/{slug}/board"' in html


def test_a_full_score_ranks_first_and_beats_everyone(synced: Flask, running) -> None:  # type: ignore[no-untyped-def]
    slug, _host, _other, people, _ = running
    learner = _client(synced, people["王小明"])
    attempt_id = _sit(synced, learner, slug, right=True)
    html = learner.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "排行榜第 1 名（共 4 人）" in html  # the same score as 李四海, in far less time
    assert "超过了 100% 的其他参赛者" in html
    quiz_page = learner.get(f"/quiz/competition/{slug}").get_data(as_text=True)
    assert '<p class="meta">线上答题</p>' in quiz_page
    assert "及格线" not in quiz_page
    assert "已通过" not in quiz_page


def test_the_board_marks_the_viewer_and_medals_the_top_three(synced: Flask, running) -> None:  # type: ignore[no-untyped-def]
    slug, _host, _other, people, _ = running
    viewer = _client(synced, people["赵五"])
    html = viewer.get(f"/competitions/{slug}/board").get_data(as_text=True)
    table = html[html.index('id="people"'):html.index("</table>", html.index('id="people"'))]
    rows = table.split("<tr")[2:]  # after the header row
    assert len(rows) == 3
    assert 'aria-label="金牌"' in rows[0]
    assert 'aria-label="银牌"' in rows[1]
    assert 'aria-label="铜牌"' in rows[2]
    mine = [r for r in rows if 'class="mine' in r]
    assert len(mine) == 1
    assert "赵五" in mine[0]
    assert "（我）" in mine[0]
    assert 'aria-current="true"' in mine[0]
    assert "🥇" not in html
    assert "🏅" not in html


def test_the_host_page_shows_participation_by_unit(synced: Flask, running) -> None:  # type: ignore[no-untyped-def]
    slug, host, _other, _people, _ = running
    client = _client(synced, host)
    html = client.get(f"/competitions/{slug}/host").get_data(as_text=True)
    assert "各单位参赛情况" in html
    assert 'id="entered-total">3<' in html
    part = client.get(f"/competitions/{slug}/host?part=units").get_data(as_text=True)
    assert "<html" not in part
    body = part[part.index("<tbody>"):]
    a_row = body[body.index("甲公司"):body.index("</tr>", body.index("甲公司"))]
    b_row = body[body.index("乙公司"):body.index("</tr>", body.index("乙公司"))]
    assert "<td>1</td><td>3</td>" in a_row  # 李四海 of 王小明, 李四海, 孙七
    assert "<td>2</td><td>3</td>" in b_row  # 赵五 and the formula-named one of three (with the other host)


def test_extending_moves_the_close_and_is_audited(synced: Flask, running) -> None:  # type: ignore[no-untyped-def]
    slug, host, _other, _people, _ = running
    client = _client(synced, host)
    before = _load(synced, slug).closes_at
    later = (datetime.now(UTC) + timedelta(days=3)).astimezone(_zone(synced))
    response = client.post(f"/competitions/{slug}/extend", data={"closes_at": later.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 303
    after = _load(synced, slug).closes_at
    assert after > before + timedelta(days=1)
    with synced.app_context():
        entry = db.session.execute(select(AuditLog).where(AuditLog.action == "competition.extend")).scalar_one()
        assert entry.detail["competition"] == slug


def _zone(app: Flask):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo
    return ZoneInfo(app.config["DISPLAY_TIMEZONE"])


def test_an_extension_into_the_past_is_refused_on_its_field(synced: Flask, running) -> None:  # type: ignore[no-untyped-def]
    slug, host, _other, _people, _ = running
    client = _client(synced, host)
    before = _load(synced, slug).closes_at
    earlier = (datetime.now(UTC) - timedelta(hours=1)).astimezone(_zone(synced))
    response = client.post(f"/competitions/{slug}/extend", data={"closes_at": earlier.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    block = html[html.index('id="closes_at"'):]
    assert block.index("新的截止时间须晚于现在") < block.index("</div>")
    assert _load(synced, slug).closes_at == before
    with synced.app_context():
        assert db.session.execute(select(AuditLog).where(AuditLog.action == "competition.extend")).first() is None


def test_closing_now_stops_new_sittings_and_is_audited(synced: Flask, running) -> None:  # type: ignore[no-untyped-def]
    slug, host, _other, people, _ = running
    client = _client(synced, host)
    assert client.post(f"/competitions/{slug}/close").status_code == 303
    assert _load(synced, slug).closes_at <= datetime.now(UTC)
    late = _client(synced, people["孙七"])
    late.post(f"/quiz/competition/{slug}")
    with synced.app_context():
        assert db.session.execute(select(Attempt).where(Attempt.user_id == people["孙七"].id)).first() is None
        assert db.session.execute(select(AuditLog).where(AuditLog.action == "competition.close")).scalar_one()
    again = client.post(f"/competitions/{slug}/close", follow_redirects=True).get_data(as_text=True)
    assert "本轮答题已经结束。" in again
    page = client.get(f"/competitions/{slug}/host").get_data(as_text=True)
    assert 'id="close-now"' not in page
    assert 'id="issue-awards"' in page


def test_the_export_keeps_a_typed_formula_as_text(synced: Flask, running) -> None:  # type: ignore[no-untyped-def]
    slug, host, _other, _people, _ = running
    book = load_workbook(io.BytesIO(_client(synced, host).get(f"/competitions/{slug}/export.xlsx").data))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row if str(c.value).startswith("=HYPERLINK")]
    assert cells
    assert all(c.data_type == "s" for c in cells)


@pytest.mark.parametrize("who", ["learner", "other_host"])
def test_the_host_controls_are_refused_to_others(synced: Flask, running, who: str) -> None:
    slug, _host, other_host, people, _ = running
    client = _client(synced, people["王小明"] if who == "learner" else other_host)
    closes = _load(synced, slug).closes_at
    assert client.get(f"/competitions/{slug}/host").status_code == 404
    assert client.get(f"/competitions/{slug}/host?part=units").status_code == 404
    later = (datetime.now(UTC) + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/competitions/{slug}/extend", data={"closes_at": later}).status_code == 404
    assert client.post(f"/competitions/{slug}/close").status_code == 404
    assert client.get(f"/competitions/{slug}/export.xlsx").status_code == 404
    assert _load(synced, slug).closes_at == closes


def test_an_admin_may_manage_any_round(synced: Flask, running, make_user) -> None:  # type: ignore[no-untyped-def]
    slug, *_ = running
    admin = _client(synced, make_user("A1", roles=(Role.ADMIN,)))
    assert admin.get(f"/competitions/{slug}/host").status_code == 200


def test_the_close_and_extend_need_the_form_token() -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    now = datetime.now(UTC)
    with app.app_context():
        host = User(employee_no="H9", name="主持人", email="h9@example.com", password_hash="!")  # noqa: S106 - cannot log in
        db.session.add(host)
        db.session.commit()
        slug = competitions.create(host, title="进行中", rules="", opens_at=now - timedelta(days=1),
                                   closes_at=now + timedelta(days=1), draw=DRAW, time_limit=30, sittings=1).slug
        client = app.test_client()
        log_in(client, host)
    assert client.post(f"/competitions/{slug}/close").status_code == 400
    later = (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/competitions/{slug}/extend", data={"closes_at": later}).status_code in (400, 422)
    with app.app_context():
        c = competitions.by_slug(slug)
        assert c is not None
        assert abs(c.closes_at - (now + timedelta(days=1))) < timedelta(seconds=1)
        assert db.session.execute(select(AuditLog).where(AuditLog.action.in_(("competition.close", "competition.extend")))).first() is None


def test_the_rank_waits_for_the_close_when_the_sitting_came_after_the_freeze(synced: Flask, running) -> None:  # type: ignore[no-untyped-def]
    slug, _host, _other, people, _ = running
    with synced.app_context():
        c = competitions.by_slug(slug)
        assert c is not None
        c.freeze_hours = 48  # the round closes in a day: frozen since yesterday
        db.session.commit()
        now = datetime.now(UTC)
        db.session.add(Attempt(user_id=people["孙七"].id, quiz_key=f"competition/{slug}", number=1, paper=[],
                               started_at=now - timedelta(minutes=5), submitted_at=now, score=3, max_score=3))
        db.session.commit()
        later = competitions.placing(c, people["孙七"].id, now=now)
    assert later is not None
    assert later.frozen
    assert later.rank == 0


@pytest.mark.parametrize(("entrants", "percent", "ranks", "awarded"), [
    (3, 50, [1, 2, 3], [True, True, False]),  # ⌈1.5⌉ = 2
    (4, 50, [1, 2, 3, 4], [True, True, False, False]),
    (4, 50, [1, 2, 2, 4], [True, True, True, False]),  # a tie at the cut shares it
    (10, 10, list(range(1, 11)), [True] + [False] * 9),
])
def test_the_best_percent_award_counts_ranks(synced: Flask, running, entrants: int, percent: int, ranks: list[int],
                                             awarded: list[bool]) -> None:
    slug, *_ = running
    with synced.app_context():
        c = competitions.by_slug(slug)
        assert c is not None
        c.awards = [{"name": "优胜奖", "top_percent": percent}]
        got = [competitions._award(c, rank, 50.0, entrants) == "优胜奖" for rank in ranks]
    assert got == awarded
