"""Judges, corrections and the team-final refusals through the pages: each refused with a message
where the person acting sees it, nothing half-applied, every refusal in the audit log."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from academy.database import db
from academy.models import AuditLog, LiveAdjustment, LiveAnswer, LiveEvent, Role

from .conftest import log_in

pytestmark = pytest.mark.usefixtures("synced")  # the running orders name questions of the published banks

ORDER = "sample-001 必答:红队\nsample-002 抢答\nsample-003 风险 30\nsample-001 加赛"


@pytest.fixture
def final(app: Flask, make_user, make_tree):  # type: ignore[no-untyped-def]
    units = make_tree("华东公司/质量部", "西南公司")
    host = app.test_client()
    log_in(host, make_user("H001", name="主持人", roles=(Role.HOST,)))
    response = host.post("/live/new", data={"title": "质量知识决赛", "running_order": ORDER, "teams": "红队\n蓝队",
                                           "preset": "team_final", "base_points": 1000, "streak_bonus": 0,
                                           "buzz_penalty": 0})
    assert response.status_code == 303
    code = response.headers["Location"].split("/")[-2]
    judge_user = make_user("J001", name="评委甲", unit=units["质量部"])
    assert host.post(f"/live/{code}/host/judges", data={"employee_no": "J001"}).status_code == 303
    judge = app.test_client()
    log_in(judge, judge_user)
    with app.app_context():
        event = db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()
        red, blue = event.teams[0].id, event.teams[1].id
    phones = {}
    for number, name, unit, team in [("A001", "红一", "华东公司", red), ("B001", "蓝一", "西南公司", blue)]:
        phone = app.test_client()
        log_in(phone, make_user(number, name=name, unit=units[unit]))
        assert phone.post(f"/live/{code}/join", data={"code": code, "team": team}).status_code == 303
        phones[number] = phone
    return code, host, judge, phones, red, blue


def _refused(app: Flask, reason: str) -> int:
    with app.app_context():
        return sum(1 for e in db.session.execute(select(AuditLog).where(AuditLog.action == "live.refused")).scalars()
                   if e.detail.get("reason") == reason)


def test_the_preset_is_stored_with_the_event(final, app: Flask) -> None:  # type: ignore[no-untyped-def]
    code, *_ = final
    with app.app_context():
        event = db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()
        assert event.rules["base_score"] == 100
        assert event.rules["stake_tiers"] == [10, 30, 50]
        assert [q.tiebreak for q in event.questions] == [False, False, False, True]


def test_wrong_stake_tiers_are_named_on_their_field(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    log_in(client, make_user("H9", roles=(Role.HOST,)))
    response = client.post("/live/new", data={"title": "x", "running_order": "sample-001 抢答", "preset": "team_final",
                                              "stake_tiers": "50/30", "base_points": 1000, "streak_bonus": 0,
                                              "buzz_penalty": 0})
    assert response.status_code == 422
    assert 'name="stake_tiers"' in response.text.split('class="error"')[0].rsplit("<div", 1)[-1]


def test_only_judges_the_host_and_admins_open_the_judges_page(final, app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    code, host, judge, phones, *_ = final
    assert judge.get(f"/live/{code}/judge").status_code == 200
    assert host.get(f"/live/{code}/judge").status_code == 200
    assert phones["A001"].get(f"/live/{code}/judge").status_code == 404
    assert phones["A001"].post(f"/live/{code}/judge/mark", data={"team": 1, "verdict": "right"}).status_code == 404
    assert judge.get(f"/live/{code}/host").status_code == 404
    assert judge.post(f"/live/{code}/host/correct", data={"target": "team:1", "points": 5, "reason": "x"}).status_code == 404


def test_a_judge_cannot_mark_their_own_units_team(final, app: Flask) -> None:  # type: ignore[no-untyped-def]
    code, host, judge, _phones, red, blue = final
    host.post(f"/live/{code}/host/next")
    host.post(f"/live/{code}/host/open")
    page = judge.get(f"/live/{code}/judge").text
    assert "红队" in page
    response = judge.post(f"/live/{code}/judge/mark", data={"team": red, "verdict": "right"}, follow_redirects=True)
    assert response.status_code == 200
    assert 'class="flash flash-error"' in response.text
    assert _refused(app, "own_team") == 1
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(LiveAnswer)).scalar_one() == 0
    # the host marks 红队's spoken answer instead
    response = host.post(f"/live/{code}/judge/mark", data={"team": red, "verdict": "right", "back": "host"})
    assert response.headers["Location"].endswith("/host")
    with app.app_context():
        row = db.session.execute(select(LiveAnswer)).scalar_one()
        assert (row.correct, row.points) == (True, 10)
    # another team's id, or one of another event, is a 404
    assert judge.post(f"/live/{code}/judge/mark", data={"team": 99999, "verdict": "right"}).status_code == 404
    assert blue != red


def test_a_correction_without_a_reason_is_refused_on_the_console(final, app: Flask) -> None:  # type: ignore[no-untyped-def]
    code, host, _judge, _phones, red, _blue = final
    response = host.post(f"/live/{code}/host/correct", data={"target": f"team:{red}", "points": 5, "reason": " "},
                         follow_redirects=True)
    assert 'class="flash flash-error"' in response.text
    assert _refused(app, "reason_required") == 1
    response = host.post(f"/live/{code}/host/correct", data={"target": f"team:{red}", "points": 5,
                                                             "reason": "复核录像"}, follow_redirects=True)
    assert 'class="flash flash-success"' in response.text
    assert "复核录像" in response.text
    with app.app_context():
        assert db.session.execute(select(func.sum(LiveAdjustment.points))).scalar_one() == 5
        assert db.session.execute(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "live.correction")).scalar_one() == 1


def test_an_early_buzz_costs_the_team_and_shows_on_the_phone(final, app: Flask) -> None:  # type: ignore[no-untyped-def]
    code, host, _judge, phones, _red, _blue = final
    for step in ("next", "open", "close", "reveal", "next"):  # past 红队's 必答 to the 抢答, shown, not open
        host.post(f"/live/{code}/host/{step}")
    state = phones["B001"].get(f"/live/{code}/me").get_json()
    assert state["you"]["early_armed"] is True
    response = phones["B001"].post(f"/live/{code}/buzz", json={})
    assert response.status_code == 409
    assert response.get_json()["error"] == "early_buzz"
    assert response.get_json()["message"]
    host.post(f"/live/{code}/host/open")
    again = phones["B001"].post(f"/live/{code}/buzz", json={})
    assert again.get_json()["error"] in ("already_buzzed", "team_void")
    assert phones["B001"].get(f"/live/{code}/me").get_json()["you"]["void"] is True
    screen = host.get(f"/live/{code}/state").get_json()
    assert screen["question"]["fouls"] == ["蓝队"]
    assert {t["name"]: t["points"] for t in screen["board"]["teams"]} == {"红队": 100, "蓝队": 90}


def test_a_stake_outside_the_tiers_or_out_of_turn_is_refused(final, app: Flask) -> None:  # type: ignore[no-untyped-def]
    code, host, _judge, phones, _red, _blue = final
    for step in ("next", "open", "close", "reveal", "next", "open", "close", "reveal", "next"):
        host.post(f"/live/{code}/host/{step}")
    me = phones["A001"].get(f"/live/{code}/me").get_json()["you"]
    assert me["stake_options"] == [10, 30, 50]
    assert me["stake_turn"] is True  # tied at 100: 红队 first by name
    assert phones["B001"].get(f"/live/{code}/me").get_json()["you"]["stake_turn"] is False
    response = phones["B001"].post(f"/live/{code}/stake", json={"stake": 30})
    assert (response.status_code, response.get_json()["error"]) == (409, "stake_turn")
    response = phones["A001"].post(f"/live/{code}/stake", json={"stake": 40})
    assert (response.status_code, response.get_json()["error"]) == (409, "stake_tier")
    assert _refused(app, "stake_tier") == 1
    assert phones["A001"].post(f"/live/{code}/stake", json={"stake": 50}).status_code == 200
    assert phones["B001"].post(f"/live/{code}/stake", json={"stake": 10}).status_code == 200


def test_adding_an_unknown_judge_says_so(final, app: Flask) -> None:  # type: ignore[no-untyped-def]
    code, host, *_ = final
    response = host.post(f"/live/{code}/host/judges", data={"employee_no": "NOPE"}, follow_redirects=True)
    assert 'class="flash flash-error"' in response.text
    assert "评委甲" in host.get(f"/live/{code}/host").text


def test_the_console_shows_the_spread_only_after_the_close(final, app: Flask) -> None:  # type: ignore[no-untyped-def]
    code, host, judge, phones, _red, _blue = final
    host.post(f"/live/{code}/host/next")
    host.post(f"/live/{code}/host/open")
    with app.app_context():
        event = db.session.execute(select(LiveEvent).where(LiveEvent.code == code)).scalar_one()
        assert event.current is not None
        right = event.current.key["correct"][0]
    order = phones["A001"].get(f"/live/{code}/me").get_json()["you"]["order"]
    assert phones["A001"].post(f"/live/{code}/answer", json={"answer": order.index(right)}).status_code == 200
    assert 'id="distribution"' not in host.get(f"/live/{code}/host").text  # not while answering is open
    host.post(f"/live/{code}/host/close")
    page = host.get(f"/live/{code}/host").text
    assert 'id="distribution"' in page
    assert "1（100%）" in page
    assert 'id="distribution"' in judge.get(f"/live/{code}/judge").text
    assert "distribution" not in phones["A001"].get(f"/live/{code}/me").get_json()["question"]  # phones: at the reveal
