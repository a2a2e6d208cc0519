"""Due-date reminders through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, select

from academy.database import db
from academy.models import Course, OrgUnit, ReminderLog, TargetKind, User
from academy.services import assignments, progress

from .conftest import passed_final_exam

DUE = date(2026, 12, 10)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls this hook by name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box, port = Inbox(), _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
def assigned(synced: Flask, make_unit: Callable[..., OrgUnit], make_user: Callable[..., User]) -> dict[str, User]:
    unit = make_unit("质量部")
    people = {"todo": make_user("Q1", name="王芳", unit=unit, email="wang@example.com"),
              "done": make_user("Q2", name="李强", unit=unit, email="li@example.com"),
              "left": make_user("Q3", name="赵敏", unit=unit, email="zhao@example.com", active=False)}
    with synced.app_context():
        course = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()
        assignments.create_assignment(title="全员质量意识", courses=[course], target_kind=TargetKind.UNIT,
                                      unit=db.session.get(OrgUnit, unit.id), due_on=DUE)
        finisher = db.session.get(User, people["done"].id)
        passed_final_exam(synced, people["done"])
        for lesson in course.live_lessons:
            progress.complete_lesson(finisher, lesson)  # type: ignore[arg-type]
    return people


def _send(app: Flask, port: int, day: str) -> str:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", day])
    assert result.exit_code == 0, result.output
    return result.output


def test_reminders_go_out_seven_and_one_days_before_once_each(synced: Flask, assigned: dict[str, User],
                                                              inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    assert "0 reminders sent" in _send(synced, port, "2026-12-02")  # 8 days before: nothing yet
    assert "1 reminders sent" in _send(synced, port, "2026-12-03")
    assert "0 reminders sent" in _send(synced, port, "2026-12-03")  # the job ran twice
    assert "1 reminders sent" in _send(synced, port, "2026-12-09")
    assert [m["To"] for m in box.messages] == ["wang@example.com", "wang@example.com"]
    first = box.messages[0]
    assert first["Subject"] == "提醒：全员质量意识 将在 7 天后到期"
    body = first.get_content()
    assert "王芳" in body
    assert "2026-12-10" in body
    assert "示例课程" in body
    with synced.app_context():
        assert db.session.execute(select(func.count()).select_from(ReminderLog)).scalar_one() == 2


def test_an_unreachable_server_records_nothing(synced: Flask, assigned: dict[str, User]) -> None:
    synced.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=_free_port())
    result = synced.test_cli_runner().invoke(args=["reminders", "send", "--today", "2026-12-03"])
    assert result.exit_code == 1
    assert "SMTP 127.0.0.1" in result.output
    with synced.app_context():
        assert db.session.execute(select(func.count()).select_from(ReminderLog)).scalar_one() == 0
