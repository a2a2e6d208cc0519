"""A learner's journey in headless Chromium: log in, read, finish a course, on a desktop and a phone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from academy.database import db
from academy.models import Attempt, User

from .conftest import _HASH, LiveServer, browser_log_in


def _learner(app: Flask, number: str = "100001") -> None:
    with app.app_context():
        db.session.add(User(employee_no=number, name="张三明", password_hash=_HASH))
        db.session.commit()


def test_learner_reads_a_course_to_the_end(live_app: Flask, live_server: LiveServer, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _learner(live_app)
    with live_app.app_context():  # the course also asks for its final exam (test_browser_exam takes one)
        user = db.session.execute(select(User)).scalar_one()
        db.session.add(Attempt(user_id=user.id, quiz_key="final/sample-course", paper=[], passed=True,
                               score=3, max_score=3, submitted_at=datetime.now(UTC)))
        db.session.commit()
    browser_log_in(page, live_server, "100001")
    assert page.locator("h1").inner_text() == "我的学习"
    page.click("text=课程")
    page.click("text=示例课程")
    page.click("text=开始学习")
    assert page.locator("article h1").inner_text() == "什么是质量"
    assert page.locator("aside.lesson-toc").is_visible()
    page.click("text=我已学完本节")  # a real POST with its CSRF token
    page.wait_for_url("**/quiz/check/sample-course/what-is-quality")  # the lesson check is offered, not skipped
    page.click("text=跳过练习，学习下一节")
    page.wait_for_url("**/courses/sample-course/pdca")
    page.click("text=我已学完本节")
    page.wait_for_url("**/quiz/check/sample-course/pdca")
    assert "课程已完成，已计入 2 学时。" in page.locator(".flash").first.inner_text()
    page.click("text=跳过练习，返回课程")
    page.wait_for_url("**/courses/sample-course")
    assert page.locator(".lessons li.done").count() == 2
    page.goto(f"{live_server.url}/me")
    assert page.locator(".stat strong").first.inner_text() == "2"
    page.screenshot(path=str(tmp_path / "dashboard.png"))
    assert (tmp_path / "dashboard.png").stat().st_size > 10_000


def test_lesson_fits_a_360px_phone(live_app: Flask, live_server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    _learner(live_app)
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True)
    phone = context.new_page()
    browser_log_in(phone, live_server, "100001")
    phone.goto(f"{live_server.url}/courses/sample-course/what-is-quality")
    width = phone.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 360
    assert not phone.locator("aside.lesson-toc").is_visible()
    assert phone.locator("details.toc-mobile").is_visible()
    font = phone.evaluate("getComputedStyle(document.querySelector('.prose')).fontSize")
    assert float(font.rstrip("px")) >= 16
    context.close()


def test_wrong_password_shows_the_message_in_chinese(live_app: Flask, live_server: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    _learner(live_app)
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=identifier]", "100001")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert "工号、邮箱或密码不正确。" in page.locator(".flash").inner_text()
    assert page.url.endswith("/login")


def test_switching_language_in_the_browser(live_app: Flask, live_server: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    _learner(live_app)
    browser_log_in(page, live_server, "100001")
    page.click("button:has-text('English')")
    page.wait_for_url(f"{live_server.url}/me")
    assert page.locator("h1").inner_text() == "My learning"


def test_a_phone_learner_is_led_from_the_last_lesson_to_the_final_exam(live_app: Flask, live_server: LiveServer, browser,
                                                                     tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _learner(live_app)
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True)
    phone = context.new_page()
    browser_log_in(phone, live_server, "100001")
    phone.goto(f"{live_server.url}/courses/sample-course/resume")
    phone.click("text=我已学完本节")
    phone.click("text=跳过练习，学习下一节")
    phone.wait_for_url("**/courses/sample-course/pdca")
    phone.click("text=我已学完本节")
    phone.click("text=跳过练习，返回课程")
    phone.wait_for_url("**/courses/sample-course")
    assert phone.locator(".next-step").inner_text() == "所有课时已学完，通过结业考试后课程即告完成。还剩 2 次。"
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 360
    phone.screenshot(path=str(tmp_path / "course.png"), full_page=True)
    phone.click("a.button.primary:has-text('参加结业考试')")
    phone.wait_for_url("**/quiz/final/sample-course")
    phone.goto(f"{live_server.url}/me")
    assert "参加结业考试" in phone.locator(".course-card .next-step").first.inner_text()
    phone.screenshot(path=str(tmp_path / "me.png"), full_page=True)
    context.close()
