"""The attempt page on a 360 px phone and at a desk, in headless Chromium: every question type fits,
the bar stays small, ordering by up/down survives a reload, the navigator counts and flags, the
submit confirmation names what is unanswered, a stray tap on the site's links asks first, and a
whole paper can be taken by keyboard alone with the focus always visible."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from academy.database import db
from academy.models import Attempt, User

from .conftest import _HASH, LiveServer, browser_log_in
from .support.exam_browser import answer_by_touch, current_order, every_type_attempt, order_by_touch
from .support.quiz import EXAM

PHONE = {"width": 360, "height": 740}
DESK = {"width": 1366, "height": 768}
SHOTS = os.environ.get("EXAM_SHOTS")  # a folder: the pages are also saved as pictures there


def _learner(app: Flask, number: str = "20241234") -> None:
    with app.app_context():
        db.session.add(User(employee_no=number, name="张三明", password_hash=_HASH))
        db.session.commit()


def _open(browser: Any, server: LiveServer, viewport: dict[str, int], number: str = "20241234") -> Any:
    context = browser.new_context(locale="zh-CN", viewport=viewport, is_mobile=viewport["width"] < 600,
                                  has_touch=viewport["width"] < 600)
    page = context.new_page()
    browser_log_in(page, server, number)
    return page


def _no_sideways_scroll(page: Any) -> None:
    wide = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert wide[0] <= wide[1], f"the page is {wide[0]} px wide on a {wide[1]} px screen"


def _shot(page: Any, name: str, *, whole: bool = True) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=whole)


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_every_question_type_by_touch_fits_and_submits_once(viewport: dict[str, int], live_app: Flask,
                                                            live_server: LiveServer, browser: Any) -> None:
    _learner(live_app)
    attempt_id, items = every_type_attempt(live_app, "20241234")
    page = _open(browser, live_server, viewport)
    page.goto(f"{live_server.url}/attempts/{attempt_id}")
    _no_sideways_scroll(page)
    _shot(page, f"attempt-{viewport['width']}")
    bar = page.locator("#attempt-bar")
    page.mouse.wheel(0, 1500)
    page.wait_for_function("() => window.scrollY > 200")
    box = bar.bounding_box()
    assert box is not None and box["y"] <= 1 and box["height"] <= 0.1 * viewport["height"], box  # stays, and small
    assert page.locator("#answered-count").inner_text() == "0"

    # ordering: two moves, a reload in the middle, and nothing is lost
    ordering = next((q, o) for q, o in items if q.type.value == "ordering")
    page.locator(f'fieldset[data-question="{ordering[0].id}"] li button.down').first.click()
    page.locator(f'fieldset[data-question="{ordering[0].id}"] .save-state').filter(has_text="✓").wait_for()
    before = current_order(page, *ordering)
    assert page.locator(f'fieldset[data-question="{ordering[0].id}"] .save-state.error').count() == 0
    page.reload()
    assert current_order(page, *ordering) == before

    # a stray tap on the site's navigation asks, and staying keeps the paper
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator(".topbar .brand").click()
    assert asked and "离开考试页面" in asked[0]
    assert page.url.endswith(f"/attempts/{attempt_id}")

    for q, order in items[:-1]:
        answer_by_touch(page, q, order)
    _no_sideways_scroll(page)
    assert page.locator("#answered-count").inner_text() == str(len(items) - 1)
    last = items[-1][0]
    page.locator(f'fieldset[data-question="{last.id}"] button.flag').click()
    page.locator("#qnav summary").click()
    link = page.locator(f'#qnav a[data-nav="{last.id}"]')
    assert "flagged" in (link.get_attribute("class") or "") and "unanswered" in (link.get_attribute("class") or "")
    assert "待复查" in link.inner_text() and "未作答" in link.inner_text()  # in words for a screen reader
    _no_sideways_scroll(page)
    _shot(page, f"navigator-{viewport['width']}", whole=False)
    page.locator("#qnav summary").click()

    # submitting with one unanswered: the confirmation names it; going back answers it
    page.locator("#attempt-bar button[value=submit]").click()
    dialog = page.locator("#submit-dialog")
    dialog.wait_for(state="visible")
    assert dialog.locator(".unanswered-list li").count() == 1
    assert dialog.locator(".unanswered-list li").inner_text().startswith(f"{len(items)}.")
    _shot(page, f"confirm-{viewport['width']}", whole=False)
    dialog.locator(".unanswered-list a").click()
    answer_by_touch(page, *items[-1])
    assert page.locator("#answered-count").inner_text() == str(len(items))
    page.locator("#submit-paper").click()
    dialog.wait_for(state="visible")
    assert dialog.locator(".all-answered").is_visible()
    dialog.locator("[data-dialog-submit]").dblclick()  # a double tap grades once
    page.wait_for_selector(".result")
    assert "100%" in page.locator(".result .score").inner_text()
    _no_sideways_scroll(page)
    _shot(page, f"result-{viewport['width']}")
    with live_app.app_context():
        graded = db.session.get(Attempt, attempt_id)
        assert graded is not None and graded.score == graded.max_score == len(items)
        assert db.session.execute(db.select(db.func.count()).select_from(Attempt)).scalar_one() == 1
