"""The training officer's day in headless Chromium: home, a guided assignment (mailed at once), a due
date moved, its reach changed (the loss shown first), the learner's notice, a drill from the group
down to a person's file (printed and as PDF), a unit's overdue reminded, the summary PDF of a month;
and the author's: a GIFT file imported in the browser, its warning read, saved, published, the flagged list."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from academy.database import db
from academy.models import Course, OrgUnit, Role, TargetKind, User, UserRole
from academy.people.services import assignments, org

from .conftest import _HASH, FIXTURES, LiveServer, browser_log_in
from .support.axe import violations
from .support.mail import Inbox, smtp_inbox


@pytest.fixture
def inbox(live_app: Flask) -> Iterator[Inbox]:
    with smtp_inbox(live_app) as box:
        yield box


def _people(app: Flask) -> dict[str, int]:
    with app.app_context():
        group = org.create_unit("集团")
        east = org.create_unit("华东公司", parent=group)
        org.create_unit("西南公司", parent=group)
        quality = org.create_unit("质量部", parent=east)
        tech = org.create_unit("技术中心", parent=east)

        def person(number: str, name: str, unit: OrgUnit, *roles: Role) -> User:
            user = User(employee_no=number, name=name, password_hash=_HASH, org_unit_id=unit.id,
                        email=f"{number.lower()}@example.com",
                        roles=[UserRole(role=r, scope_unit_id=east.id if r == Role.HR else None) for r in roles])
            db.session.add(user)
            return user

        hr = person("H1", "人事专员", east, Role.HR)
        wang, zhao = person("Q1", "王芳", quality), person("T1", "赵敏", tech)
        db.session.commit()
        sample = db.session.execute(select(Course).where(Course.slug == "second-course")).scalar_one()
        assignments.create_assignment(title="技术中心旧任务", courses=[sample], target_kind=TargetKind.UNIT,
                                      unit=tech, due_on=date(2020, 1, 31))
        return {"hr": hr.id, "wang": wang.id, "zhao": zhao.id, "quality": quality.id, "tech": tech.id, "east": east.id}


def test_a_training_officers_day(live_app: Flask, live_server: LiveServer, page: Any, inbox: Inbox,
                                 browser: Any, tmp_path: Path) -> None:
    ids = _people(live_app)
    browser_log_in(page, live_server, "H1")
    assert page.url == f"{live_server.url}/hr"
    assert page.locator("[data-metric=overdue] .hr-tile-value").inner_text() == "1"

    # a guided assignment: nothing is saved before the reach is shown
    page.click("text=新建指派")
    page.select_option("select[name=what]", "course:sample-course")
    page.wait_for_selector("[name=renew_days]", state="hidden", timeout=5000)  # only a certification renews
    page.select_option("select[name=unit]", str(ids["quality"]))
    page.fill("input[name=due_on]", "2030-06-30")
    page.fill("input[name=join_days]", "30")
    page.click("text=查看覆盖人员")
    assert "本次指派将覆盖 1 人" in page.locator("#reach").inner_text()
    assert "王芳" in page.locator("#reach").inner_text()
    page.click("#reach button[value=save]")
    page.wait_for_url("**/hr/assignments/*")
    assert "已向 1 人指派" in page.inner_text("body")
    assert "已发送 1 封邮件" in page.inner_text("body")  # the e-mail beside the notice, at once
    assert [m["To"] for m in inbox.messages] == ["q1@example.com"]
    assert "入职后 30 天" in page.inner_text("body")

    # the due date moves, and the learner is told
    page.fill("input[name=due_on]", "2030-09-30")
    page.click("text=保存截止日期")
    assert "已通知 1 人" in page.inner_text("body")
    learner = browser.new_context(locale="zh-CN").new_page()
    browser_log_in(learner, live_server, "Q1")
    learner.goto(f"{live_server.url}/me/notices")
    assert "2030-09-30" in learner.inner_text("body")
    learner.context.close()

    # the reach grows to the subsidiary, then shrinks back: the loss is shown before it is saved
    reach = page.locator("form[action*='/reach']")
    reach.locator("select[name=unit]").select_option(str(ids["east"]))
    reach.locator("button[value=check]").click()
    assert "新增 2 人" in page.inner_text("body")
    reach = page.locator("form[action*='/reach']")
    reach.locator("select[name=unit]").select_option(str(ids["quality"]))
    reach.locator("button[value=check]").click()
    assert "2 人将不再有此项任务" in page.locator("#reach-loss").inner_text()
    page.click("#reach-loss button[value=save]")
    assert "移出 2 人" in page.inner_text("body")

    # drill from the group down to a person's file, print it and take it as a PDF
    page.goto(f"{live_server.url}/hr/report")
    assert page.locator("#chart-units svg").is_visible()
    page.click("table.report >> text=华东公司")
    page.click("table.report >> text=技术中心")
    page.wait_for_url(f"**/hr/report/people?unit={ids['tech']}")
    page.click("table.people >> text=赵敏")
    page.wait_for_url(f"**/hr/people/{ids['zhao']}")
    assert "培训档案" in page.inner_text("h1")
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.click("[data-print]")
    assert page.locator("body").get_attribute("data-printed") == "yes"
    with page.expect_download() as download:
        page.click("text=下载 PDF")
    file_pdf = tmp_path / "file.pdf"
    download.value.save_as(file_pdf)
    text = subprocess.run(["pdftotext", "-layout", str(file_pdf), "-"], capture_output=True, check=True,
                          text=True).stdout
    assert "培训档案：赵敏" in text
    assert "技术中心旧任务" in text

    # remind the overdue of one unit
    page.goto(f"{live_server.url}/hr/overdue?unit={ids['tech']}")
    page.check("#tick-all")
    page.click("#remind-button")
    assert "已通过邮件和站内通知催办 1 人" in page.inner_text("body")
    assert [m["To"] for m in inbox.messages] == ["q1@example.com", "t1@example.com"]

    # the leadership summary of this month, as a PDF
    page.goto(f"{live_server.url}/hr/summary")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    page.select_option("select[name=period]", today.strftime("%Y-%m"))
    page.click("form.hr-filters button")
    assert f"{today.year} 年 {today.month} 月" in page.locator(".summary-period").inner_text()
    with page.expect_download() as download:
        page.click("text=导出 PDF")
    pdf = tmp_path / "summary.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert "领导汇总" in text
    assert "集团/华东公司" in text
    assert "个百分点" in text


def test_an_authors_question_import(live_app: Flask, live_server: LiveServer, page: Any, tmp_path: Path) -> None:
    quiz_root = tmp_path / "quiz"
    shutil.copytree(live_app.config["QUIZ_ROOT"], quiz_root)
    live_app.config["QUIZ_ROOT"] = quiz_root
    with live_app.app_context():
        db.session.add(User(employee_no="AU", name="作者", password_hash=_HASH, roles=[UserRole(role=Role.AUTHOR)]))
        db.session.commit()
    browser_log_in(page, live_server, "AU")
    assert page.url == f"{live_server.url}/admin/content"
    page.click("text=导入题目")
    page.set_input_files("input[name=file]", str(FIXTURES / "imports" / "sample.gift"))
    page.select_option("select[name=fmt]", "gift")
    page.fill("input[name=bank]", "pdca-imported")
    page.fill("input[name=title]", "PDCA 导入题")
    page.select_option("select[name=course]", "sample-course")
    page.click("button[value=preview]")
    page.select_option("select[name=lesson]", "pdca")
    page.click("button[value=preview]")
    preview = page.locator(".question-preview")
    assert "PDCA 中的 C 指的是？" in preview.inner_text()
    assert "缺少解析" in preview.locator(".warnings").inner_text()  # located, in Chinese
    page.click("button[value=save]")
    page.wait_for_url("**/admin/content*")
    assert (quiz_root / "pdca-imported.md").exists()
    assert "quiz/pdca-imported.md" not in page.locator("table.banks").inner_text()  # saved, not yet published
    page.click("text=从文件同步内容")
    page.wait_for_url("**/admin/content*")
    row = page.locator("table.banks tr", has_text="quiz/pdca-imported.md")
    assert "PDCA 导入题" in row.inner_text()
    assert re.search(r"\b[0-9a-f]{8}\b", row.locator("td.published").inner_text())  # the version learners now get
    assert violations(page) == []
    page.click("text=被标记的题目")
    assert "被标记的题目" in page.inner_text("h1")
