"""Setting up a live final through rows (question, round type, team, seconds) instead of typed
lines: each problem on its own field, nothing saved while one remains; the picker offers only
the question types phones can answer."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from academy.database import db
from academy.models import LiveEvent, Role

from .conftest import log_in

pytestmark = pytest.mark.usefixtures("synced")  # the running orders name questions of the published banks


def _data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "质量知识决赛", "teams": "红队\n蓝队", "base_points": "1000", "streak_bonus": "0", "buzz_penalty": "0",
        "buzz_pass": "y",
        "rounds-0-question": "sample-001", "rounds-0-kind": "everyone", "rounds-0-seconds": "20",
        "rounds-1-question": "sample-005", "rounds-1-kind": "team", "rounds-1-team": "红队", "rounds-1-seconds": "30",
        "rounds-2-question": "sample-002", "rounds-2-kind": "buzz", "rounds-2-seconds": "15",
        "rounds-3-question": "", "rounds-3-kind": "everyone", "rounds-3-seconds": "20",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def host(app: Flask, make_user):  # type: ignore[no-untyped-def]
    client = app.test_client()
    log_in(client, make_user("H1", roles=(Role.HOST,)))
    return client


def _events(app: Flask) -> int:
    with app.app_context():
        return int(db.session.execute(select(func.count()).select_from(LiveEvent)).scalar_one())


def _error_of(html: str, field_id: str) -> str:
    start = html.index(f'id="{field_id}"')
    block = html[start:html.index("</div>", start)]
    assert '<p class="error">' in block, f"no error under {field_id}"
    return block.split('<p class="error">', 1)[1].split("</p>", 1)[0]


def test_rows_make_the_running_order(app: Flask, host) -> None:  # type: ignore[no-untyped-def]
    response = host.post("/live/new", data=_data())
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        event = db.session.execute(select(LiveEvent)).scalar_one()
        assert [(q.question_id, q.kind, q.seconds, q.team.name if q.team else "") for q in event.questions] == [
            ("sample-001", "everyone", 20, ""), ("sample-005", "team", 30, "红队"), ("sample-002", "buzz", 15, "")]


@pytest.mark.parametrize(("changes", "field_id", "message"), [
    ({"rounds-1-question": "nope-1"}, "rounds-1-question", "没有这个题号的题目"),
    ({"rounds-1-question": "sample-004"}, "rounds-1-question", "现场决赛只能用单选题、多选题、判断题和计算题。"),
    ({"rounds-1-team": ""}, "rounds-1-team", "请填写回答这道必答题的队伍。"),
    ({"rounds-2-seconds": "3"}, "rounds-2-seconds", "请填写 5 到 600 之间的整数。"),
    ({"rounds-2-seconds": "601"}, "rounds-2-seconds", "请填写 5 到 600 之间的整数。"),
    ({"title": ""}, "title", "请填写决赛名称。"),
])
def test_each_problem_sits_on_its_field_and_nothing_is_saved(app: Flask, host, changes, field_id, message) -> None:  # type: ignore[no-untyped-def]
    response = host.post("/live/new", data=_data(**changes))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in _error_of(html, field_id)
    assert "尚未保存" in html
    assert _events(app) == 0


def test_a_final_without_questions_is_refused_on_the_running_order(app: Flask, host) -> None:  # type: ignore[no-untyped-def]
    response = host.post("/live/new", data=_data(**{"rounds-0-question": "", "rounds-1-question": "", "rounds-2-question": ""}))
    assert response.status_code == 422
    assert 'id="rounds-error">决赛不能没有题目' in response.get_data(as_text=True)
    assert _events(app) == 0


def test_the_page_has_rows_without_the_script_and_no_syntax_to_learn(app: Flask, host) -> None:  # type: ignore[no-untyped-def]
    html = host.get("/live/new").get_data(as_text=True)
    for n in range(5):
        assert f'name="rounds-{n}-question"' in html
        assert f'name="rounds-{n}-kind"' in html
    assert '<option value="team">必答题</option>' in html
    assert html.index('name="rounds-0-question"') < html.index('name="running_order"')  # rows first; pasting is the extra


def test_the_live_picker_offers_only_phone_answerable_questions(app: Flask, host) -> None:  # type: ignore[no-untyped-def]
    html = host.get("/competitions/questions?part=list&pick=1&live=1").get_data(as_text=True)
    assert 'data-pick="sample-001"' in html
    assert 'data-pick="sample-004"' not in html  # fill in the blanks
    assert 'data-pick="sample-006"' not in html  # ordering
    assert 'class="key' not in html


def test_a_learner_may_not_set_up_a_final(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    learner = app.test_client()
    log_in(learner, make_user("L1"))
    assert learner.post("/live/new", data=_data()).status_code == 403
    assert _events(app) == 0
