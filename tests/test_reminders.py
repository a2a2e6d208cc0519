"""Due-date reminders through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, select

from academy.database import db
from academy.learning.services import progress
from academy.models import Course, OrgUnit, ReminderLog, TargetKind, User
from academy.people.services import assignments

from .conftest import passed_final_exam
from .support.mail import Inbox, free_port

DUE = date(2026, 12, 10)



@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box, port = Inbox(), free_port()
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
    synced.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    result = synced.test_cli_runner().invoke(args=["reminders", "send", "--today", "2026-12-03"])
    assert result.exit_code == 1
    assert "SMTP 127.0.0.1" in result.output
    with synced.app_context():
        assert db.session.execute(select(func.count()).select_from(ReminderLog)).scalar_one() == 0


# --- weekly overdue digest, certificate-expiry warnings, in-app notices ----------------------

def test_hr_gets_one_overdue_digest_per_week_for_their_subtree(synced: Flask, assigned: dict[str, User],
                                                                inbox: tuple[Inbox, int], make_user: Callable[..., User]) -> None:
    from academy.models import Role

    box, port = inbox
    with synced.app_context():
        unit = db.session.execute(select(OrgUnit).where(OrgUnit.name == "质量部")).scalar_one()
        db.session.expunge(unit)
    make_user("H1", name="人事甲", roles=(Role.HR,), scope=unit, email="hr@example.com")
    assert "0 overdue digests" in _send(synced, port, "2026-12-10")  # due today: not late yet
    assert "1 overdue digests" in _send(synced, port, "2026-12-14")  # Monday after
    assert "0 overdue digests" in _send(synced, port, "2026-12-16")  # same ISO week
    assert "1 overdue digests" in _send(synced, port, "2026-12-21")  # the next week
    digests = [m for m in box.messages if m["To"] == "hr@example.com"]
    assert len(digests) == 2
    body = digests[0].get_content()
    assert "王芳" in body
    assert "李强" not in body  # completed
    assert "赵敏" not in body  # left the company
    assert digests[0]["Subject"] == "每周逾期培训：质量部 共 1 项"


def _certificate(app: Flask, user: User, *, valid_until: str) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from academy.assessment.services.certificates import new_serial
    from academy.models import Certificate

    with app.app_context():
        until = datetime.fromisoformat(valid_until).replace(tzinfo=ZoneInfo("Asia/Shanghai"))
        db.session.add(Certificate(serial=new_serial(), user_id=user.id, exam_id="cert-all-staff", title="全员通识合格证书",
                                   tier="all-staff", holder_name=user.name, employee_no=user.employee_no,
                                   issued_at=datetime(2023, 1, 1, tzinfo=ZoneInfo("UTC")), valid_until=until))
        db.session.commit()


def test_certificate_warnings_at_90_30_and_7_days_each_once(synced: Flask, assigned: dict[str, User],
                                                            inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    _certificate(synced, assigned["done"], valid_until="2027-03-31 12:00")
    assert "0 certificate warnings" in _send(synced, port, "2026-12-30")  # 91 days before
    assert "1 certificate warnings" in _send(synced, port, "2026-12-31")  # 90 days
    assert "0 certificate warnings" in _send(synced, port, "2027-01-15")  # still within 90: already sent
    assert "1 certificate warnings" in _send(synced, port, "2027-03-10")  # 21 days: the 30-day warning
    assert "1 certificate warnings" in _send(synced, port, "2027-03-25")  # 6 days: the 7-day warning
    assert "0 certificate warnings" in _send(synced, port, "2027-03-26")
    assert "0 certificate warnings" in _send(synced, port, "2027-04-01")  # expired
    warnings = [m for m in box.messages if "证书" in m["Subject"]]
    assert [m["To"] for m in warnings] == ["li@example.com"] * 3
    assert warnings[0]["Subject"] == "您的证书 全员通识合格证书 将在 90 天后到期"
    assert "2027-03-31" in warnings[0].get_content()


def test_a_late_first_run_sends_only_the_nearest_warning(synced: Flask, assigned: dict[str, User],
                                                         inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    _certificate(synced, assigned["todo"], valid_until="2027-01-20 12:00")
    assert "1 certificate warnings" in _send(synced, port, "2027-01-01")  # 19 days: 30, not 90
    assert "将在 19 天后到期" in box.messages[-1]["Subject"]
    with synced.app_context():
        assert db.session.execute(select(ReminderLog.kind)).scalars().all() == ["cert-30"]


def test_notices_mirror_the_emails_and_are_marked_read(synced: Flask, assigned: dict[str, User],
                                                       inbox: tuple[Inbox, int], make_user: Callable[..., User]) -> None:
    from academy.models import Notice

    from .conftest import log_in

    _box, port = inbox
    _send(synced, port, "2026-12-03")
    client = synced.test_client()
    log_in(client, assigned["todo"])
    assert '<span class="count"' in client.get("/me").get_data(as_text=True)
    page = client.get("/me/notices").get_data(as_text=True)
    assert "提醒：全员质量意识 将在 7 天后到期" in page
    with synced.app_context():
        notice = db.session.execute(select(Notice)).scalar_one()
        assert notice.user_id == assigned["todo"].id
        notice_id = notice.id
    log_in(client, make_user("X1"))
    assert client.post(f"/me/notices/{notice_id}/read").status_code == 404  # not theirs
    log_in(client, assigned["todo"])
    response = client.post(f"/me/notices/{notice_id}/read")
    assert response.status_code == 303
    assert response.location == "/me"
    assert '<span class="count"' not in client.get("/me").get_data(as_text=True)
    assert client.post("/me/notices/read").status_code == 303


def test_marking_notices_read_needs_the_csrf_token() -> None:
    from .conftest import log_in, make_app

    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        from academy.models import User as UserModel

        user = UserModel(employee_no="C1", name="陈", email="c1@example.com")
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
    log_in(client, user)
    assert client.post("/me/notices/read").status_code == 400



def test_a_new_round_of_a_recurring_assignment_is_reminded_again(synced: Flask, make_unit: Callable[..., OrgUnit],
                                                                  make_user: Callable[..., User],
                                                                  inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    unit = make_unit("质检部")
    make_user("R1", name="孙丽", unit=unit, email="sun@example.com")
    with synced.app_context():
        course = db.session.execute(select(Course).where(Course.slug == "second-course")).scalar_one()
        yearly = assignments.create_assignment(title="年度复训", courses=[course], target_kind=TargetKind.UNIT,
                                               unit=db.session.get(OrgUnit, unit.id), due_on=date(2026, 12, 10),
                                               repeat_months=12)
        yearly.rounds[0].starts_on = date(2026, 1, 5)
        db.session.commit()
    assert "1 reminders sent" in _send(synced, port, "2026-12-03")
    output = _send(synced, port, "2027-01-05")  # the job opens round 2, due 2027-12-10
    assert "1 assignment rounds opened" in output
    assert "0 reminders sent" in output
    assert "1 reminders sent" in _send(synced, port, "2027-12-03")
    assert "0 reminders sent" in _send(synced, port, "2027-12-03")
    assert [m["Subject"] for m in box.messages] == ["提醒：年度复训 将在 7 天后到期"] * 2
    assert "2027-12-10" in box.messages[1].get_content()
