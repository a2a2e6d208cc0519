"""The new learner's whole path in headless Chromium, on a 360 × 740 phone and at 1366 × 768: read
every lesson (each lesson check offered, not skipped silently), be led to the final exam, fail it
once (each own answer marked wrong, the keys withheld, the attempts left shown), pass it, see the
hours on 我的学习, earn the certificate, and check it logged out by typing its number."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from academy.database import db
from academy.models import Attempt, User

from .conftest import _HASH, LiveServer, browser_log_in
from .support.exam_browser import answer_by_touch, paper_of

PHONE = {"width": 360, "height": 740}
DESK = {"width": 1366, "height": 768}


def _fits(page: Any) -> None:
    wide, screen = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert wide <= screen, f"{page.url} is {wide} px wide on a {screen} px screen"


def _sit(page: Any, app: Flask, *, right: bool) -> None:
    """On the quiz page: start, answer every question, submit through the confirmation."""
    page.locator("form button.primary").first.click()
    page.wait_for_url(re.compile(r".*/attempts/\d+$"))
    _fits(page)
    attempt_id = int(page.url.rsplit("/", 1)[1])
    viewport = page.viewport_size
    page.mouse.wheel(0, 800)
    bar = page.locator("#attempt-bar").bounding_box()
    assert bar is not None
    assert bar["height"] <= 0.1 * viewport["height"]
    for q, order in paper_of(app, attempt_id):
        answer_by_touch(page, q, order, right=right)
    _fits(page)
    page.locator("#submit-paper").click()
    page.locator("#submit-dialog [data-dialog-submit]").click()
    page.wait_for_selector(".result")
    _fits(page)


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_a_new_learner_from_the_first_lesson_to_a_verified_certificate(viewport: dict[str, int], live_app: Flask,
                                                                         live_server: LiveServer, browser: Any) -> None:
    with live_app.app_context():
        db.session.add(User(employee_no="20241234", name="张三明", password_hash=_HASH))
        db.session.commit()
    context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=viewport["width"] < 600,
                                  has_touch=viewport["width"] < 600)
    page = context.new_page()
    browser_log_in(page, live_server, "20241234")
    url = live_server.url

    # the catalog leads into the course; each lesson is read and its check offered
    page.goto(f"{url}/courses")
    _fits(page)
    page.locator('a.course-card[href="/courses/sample-course"]').click()
    page.wait_for_url("**/courses/sample-course")
    _fits(page)
    page.locator("a.button.primary", has_text="开始学习").click()
    page.wait_for_url("**/courses/sample-course/what-is-quality")
    _fits(page)
    page.locator("button", has_text="我已学完本节").click()
    page.wait_for_url("**/quiz/check/sample-course/what-is-quality")
    assert "本节有课后练习，你还没有做过" in page.locator(".flash").inner_text()
    _fits(page)
    page.locator("a", has_text="跳过练习，学习下一节").click()
    page.wait_for_url("**/courses/sample-course/pdca")
    page.locator("button", has_text="我已学完本节").click()
    page.wait_for_url("**/quiz/check/sample-course/pdca")
    page.locator("a", has_text="跳过练习，返回课程").click()
    page.wait_for_url("**/courses/sample-course")

    # every lesson read: the one next step is the final exam
    page.locator("a.button.primary", has_text="参加结业考试").click()
    page.wait_for_url("**/quiz/final/sample-course")
    _fits(page)
    _sit(page, live_app, right=False)
    result = page.locator("main").inner_text()
    assert "未通过" in result
    assert result.count("✗ 答错") == page.locator(".review-list > li").count() > 0
    assert page.locator(".key-block").count() == 0
    assert page.locator(".review .explanation").count() == 0
    assert "已用 1 次，还剩 1 次" in result
    if os.environ.get("EXAM_SHOTS"):
        page.screenshot(path=str(Path(os.environ["EXAM_SHOTS"]) / f"failed-final-{viewport['width']}.png"), full_page=True)

    page.locator("button", has_text="再考一次（还剩 1 次）").click()
    page.wait_for_url(re.compile(r".*/attempts/\d+$"))
    attempt_id = int(page.url.rsplit("/", 1)[1])
    for q, order in paper_of(live_app, attempt_id):
        answer_by_touch(page, q, order)
    page.locator("#submit-paper").click()
    page.locator("#submit-dialog [data-dialog-submit]").click()
    page.wait_for_selector(".result.passed")
    assert page.locator(".key-block").count() == page.locator(".review-list > li").count()  # passed: the keys
    page.locator("a", has_text="返回课程").click()
    page.wait_for_url("**/courses/sample-course")
    assert "已完成" in page.locator("main").inner_text()

    page.goto(f"{url}/me")
    _fits(page)
    assert page.locator(".stat strong").first.inner_text() == "2"  # the course's 2 hours, credited

    # the tier's certification exam, found on 我的证书, passed: the certificate
    page.goto(f"{url}/me/certificates")
    _fits(page)
    page.locator('a.card[href="/quiz/exam/cert-sample"]').click()
    page.wait_for_url("**/quiz/exam/cert-sample")
    _sit(page, live_app, right=True)
    page.locator("a", has_text="查看证书").click()
    page.wait_for_url(re.compile(r".*/certificates/QS-[A-Z0-9-]+$"))
    _fits(page)
    serial = page.url.rsplit("/", 1)[1]
    assert serial in page.locator("main").inner_text()

    # logged out, anyone can check it by typing the number as it reads on paper
    toggle = page.locator("button.menu-toggle")
    if toggle.is_visible():  # on a phone the header's links sit behind 菜单
        toggle.click()
    page.locator("form[action='/logout'] button").click()
    page.goto(f"{url}/verify")
    _fits(page)
    page.fill("input[name=serial]", serial.lower().replace("-", " "))
    page.locator("form.verify-box button").click()
    page.wait_for_url(f"**/verify/{serial}")
    _fits(page)
    assert "证书真实有效" in page.locator(".verdict").inner_text()
    assert "张*明" in page.locator("main").inner_text()
    with live_app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Attempt)).scalar_one() == 3
