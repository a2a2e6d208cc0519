"""The overdue list to act on: filters, what each person still lacks, and reminders by hand."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from academy.database import db
from academy.learning.services import progress
from academy.models import AuditLog, Course, Notice, OrgUnit, Role, TargetKind, User
from academy.people.services import assignments, nudges

from .conftest import log_in
from .support.mail import Inbox, smtp_inbox

LONG_AGO = date(2020, 1, 31)



@pytest.fixture
def inbox(synced: Flask) -> Iterator[Inbox]:
    with smtp_inbox(synced) as box:
        yield box


@pytest.fixture
def late(synced: Flask, make_unit: Callable[..., OrgUnit], make_user: Callable[..., User]) -> dict[str, Any]:
    group = make_unit("集团")
    east, west = make_unit("华东公司", group), make_unit("西南公司", group)
    quality, tech = make_unit("质量部", east), make_unit("技术中心", east)
    people = {"hr": make_user("H1", roles=(Role.HR,), scope=east, unit=east),
              "hr_west": make_user("H2", roles=(Role.HR,), scope=west, unit=west),
              "reader": make_user("Q1", name="王芳", unit=quality), "idle": make_user("T1", name="赵敏", unit=tech),
              "west": make_user("W1", name="周杰", unit=west)}
    with synced.app_context():
        sample = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()
        assignments.create_assignment(title="全员必修", courses=[sample], target_kind=TargetKind.UNIT,
                                      unit=db.session.get(OrgUnit, group.id), due_on=LONG_AGO)
        for lesson in sample.live_lessons:  # every lesson read, the final exam not taken
            progress.complete_lesson(db.session.get(User, people["reader"].id), lesson)  # type: ignore[arg-type]
    return {"units": {"east": east, "tech": tech, "quality": quality}, **people}


def test_the_list_shows_what_is_missing_and_filters_on_it(client: FlaskClient, late: dict[str, Any]) -> None:
    log_in(client, late["hr"])
    page = client.get("/hr/overdue").get_data(as_text=True)
    reader_row = page.split(">王芳</a>")[1].split("</tr>")[0]
    assert "只差考试" in reader_row
    only_exam = client.get("/hr/overdue?missing=exam").get_data(as_text=True)
    assert "王芳" in only_exam
    assert "赵敏" not in only_exam
    lessons = client.get("/hr/overdue?missing=lessons").get_data(as_text=True)
    assert "赵敏" in lessons
    assert "王芳" not in lessons
    assert "赵敏" not in client.get("/hr/overdue?days=100000").get_data(as_text=True)
    one_unit = client.get(f"/hr/overdue?unit={late['units']['tech'].id}").get_data(as_text=True)
    assert "赵敏" in one_unit
    assert "王芳" not in one_unit
    assert "周杰" not in page


def test_reminding_the_ticked_sends_once_a_day_and_is_audited(
        client: FlaskClient, late: dict[str, Any], inbox: Inbox, synced: Flask) -> None:
    log_in(client, late["hr"])
    tech = late["units"]["tech"].id
    response = client.post(f"/hr/overdue/remind?unit={tech}", data={"person": [str(late["idle"].id)]})
    assert response.status_code == 303
    assert [m["To"] for m in inbox.messages] == ["t1@example.com"]
    assert "示例课程" in inbox.messages[0].get_content()
    again = client.post(f"/hr/overdue/remind?unit={tech}", data={"person": [str(late["idle"].id)]}, follow_redirects=True)
    assert len(inbox.messages) == 1  # once a day, however often the button is pressed
    assert "今天已催办过" in again.get_data(as_text=True)
    with synced.app_context():
        assert db.session.execute(select(Notice.user_id).where(Notice.kind == "nudge")).scalars().all() == [late["idle"].id]
        entries = db.session.execute(select(AuditLog).where(AuditLog.action == "overdue_reminded")).scalars().all()
        assert [(e.actor_id, e.detail["sent"]) for e in entries] == [(late["hr"].id, 1), (late["hr"].id, 0)]


def test_a_burst_is_capped(client: FlaskClient, late: dict[str, Any], inbox: Inbox,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nudges, "CAP", 1)
    log_in(client, late["hr"])
    page = client.post("/hr/overdue/remind", data={"person": [str(late["idle"].id), str(late["reader"].id)]},
                       follow_redirects=True).get_data(as_text=True)
    assert len(inbox.messages) == 1
    assert "1 人未催办" in page


def test_another_subsidiarys_people_cannot_be_reminded(client: FlaskClient, late: dict[str, Any], inbox: Inbox) -> None:
    log_in(client, late["hr"])
    assert client.post("/hr/overdue/remind", data={"person": [str(late["west"].id)]}).status_code == 404
    log_in(client, late["hr_west"])
    assert client.post(f"/hr/overdue/remind?unit={late['units']['east'].id}",
                       data={"person": [str(late["idle"].id)]}).status_code == 404
    assert client.get(f"/hr/overdue?unit={late['units']['east'].id}").status_code == 404
    log_in(client, late["idle"])
    assert client.post("/hr/overdue/remind", data={"person": [str(late["idle"].id)]}).status_code == 403
    assert inbox.messages == []
