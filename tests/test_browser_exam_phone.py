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
from .support.exam_browser import answer_by_touch, current_order, every_type_attempt

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
    assert box is not None
    assert box["y"] <= 1, box  # it stays at the top while the paper scrolls
    assert box["height"] <= 0.1 * viewport["height"], box  # and covers at most a tenth of the screen
    assert page.locator("#answered-count").inner_text() == "0"

    # nothing answered: the confirmation counts the questions, its list scrolls and its buttons stay in view
    page.locator("#attempt-bar button[value=submit]").click()
    dialog = page.locator("#submit-dialog")
    dialog.wait_for(state="visible")
    assert dialog.locator(".unanswered-count").inner_text() == f"还有 {len(items)} 题未作答："
    assert dialog.locator(".unanswered-list li").count() == len(items)
    for button in ("[data-dialog-close]", "[data-dialog-submit]"):
        box = dialog.locator(button).bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= viewport["height"], (button, box)
    _shot(page, f"confirm-all-{viewport['width']}", whole=False)
    dialog.locator("[data-dialog-close]").click()
    dialog.wait_for(state="hidden")

    # ordering: two moves, a reload in the middle, and nothing is lost
    ordering = next((q, o) for q, o in items if q.type.value == "ordering")
    first = page.locator(f'fieldset[data-question="{ordering[0].id}"] .order-list li').first.get_attribute("data-item")
    for _ in range(len(ordering[0].options) - 1):  # quick taps: each sends the order, and the last one wins
        page.locator(f'fieldset[data-question="{ordering[0].id}"] li[data-item="{first}"] button.down').click()
    page.locator(f'fieldset[data-question="{ordering[0].id}"] .save-state').filter(has_text="✓").wait_for()
    before = current_order(page, *ordering)
    assert page.locator(f'fieldset[data-question="{ordering[0].id}"] .save-state.error').count() == 0
    page.reload()
    assert current_order(page, *ordering) == before

    # a stray tap on the site's navigation asks, and staying keeps the paper
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator(".topbar .brand").click()
    assert asked
    assert "离开考试页面" in asked[0]
    assert page.url.endswith(f"/attempts/{attempt_id}")

    n, (last, last_order) = next((n, i) for n, i in reversed(list(enumerate(items, 1))) if i[0].type.value != "ordering")
    for q, order in items:
        if q is not last:
            answer_by_touch(page, q, order)
    _no_sideways_scroll(page)
    assert page.locator("#answered-count").inner_text() == str(len(items) - 1)
    page.locator(f'fieldset[data-question="{last.id}"] button.flag').click()
    page.locator("#qnav summary").click()
    link = page.locator(f'#qnav a[data-nav="{last.id}"]')
    assert "flagged" in (link.get_attribute("class") or "")
    assert "unanswered" in (link.get_attribute("class") or "")
    assert "待复查" in link.inner_text()
    assert "未作答" in link.inner_text()
    _no_sideways_scroll(page)
    _shot(page, f"navigator-{viewport['width']}", whole=False)
    page.locator("#qnav summary").click()

    # submitting with one unanswered: the confirmation names it; going back answers it
    page.locator("#attempt-bar button[value=submit]").click()
    dialog.wait_for(state="visible")
    assert dialog.locator(".unanswered-list li").count() == 1
    assert dialog.locator(".unanswered-list li").inner_text().startswith(f"{n}.")
    assert dialog.locator(".unanswered-count").inner_text() == "还有 1 题未作答："
    _shot(page, f"confirm-{viewport['width']}", whole=False)
    dialog.locator(".unanswered-list a").click()
    answer_by_touch(page, last, last_order)
    assert page.locator("#answered-count").inner_text() == str(len(items))
    page.locator("#submit-paper").click()
    dialog.wait_for(state="visible")
    assert dialog.locator(".all-answered").is_visible()
    # a double tap grades once, and its second tap never reaches an answer below the dialog
    dialog.locator("[data-dialog-submit]").dblclick()
    page.wait_for_selector(".result")
    assert "100%" in page.locator(".result .score").inner_text()
    _no_sideways_scroll(page)
    _shot(page, f"result-{viewport['width']}")
    with live_app.app_context():
        graded = db.session.get(Attempt, attempt_id)
        assert graded is not None
        assert graded.score == graded.max_score == len(items)
        assert db.session.execute(db.select(db.func.count()).select_from(Attempt)).scalar_one() == 1


# --- by keyboard alone ---------------------------------------------------------------------------

def _tab_to(page: Any, selector: str, seen: list[str]) -> None:
    """Press Tab until ``selector`` has the focus; every stop on the way must show where the focus is."""
    for _ in range(300):
        page.keyboard.press("Tab")
        state = page.evaluate("""(selector) => {
          const el = document.activeElement;
          if (!el || el === document.body) return null;
          const style = getComputedStyle(el);
          const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
          return {here: el.matches(selector), ring: ring, html: el.outerHTML.slice(0, 90)};
        }""", selector)
        if state is None:
            continue
        if not state["ring"]:
            seen.append(state["html"])
        if state["here"]:
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_whole_paper_by_keyboard_alone_with_the_focus_always_visible(live_app: Flask, live_server: LiveServer,
                                                                         browser: Any) -> None:
    from academy.content.quizbank import QType
    from academy.grading import to_display

    _learner(live_app)
    attempt_id, items = every_type_attempt(live_app, "20241234")
    page = _open(browser, live_server, DESK)
    page.goto(f"{live_server.url}/attempts/{attempt_id}")
    page.locator("h1").click()  # start from the page, not from the address bar
    unseen: list[str] = []
    for q, order in items:
        box = f'fieldset[data-question="{q.id}"]'
        name = f"q-{q.id}"
        if q.type in (QType.SINGLE, QType.TRUEFALSE):
            target = to_display(q, q.correct[0], order) if q.type is QType.SINGLE else (0 if q.truth else 1)
            _tab_to(page, f'{box} input[type=radio]', unseen)
            page.keyboard.press("Space" if target == 0 else "ArrowDown")
            for _ in range(max(target - 1, 0)):
                page.keyboard.press("ArrowDown")
        elif q.type is QType.MULTIPLE:
            for position in to_display(q, list(q.correct), order):
                _tab_to(page, f'{box} input[value="{position}"]', unseen)
                page.keyboard.press("Space")
        elif q.type is QType.FILL:
            for n, variants in enumerate(q.blanks):
                _tab_to(page, f'{box} input[name="{name}-{n}"]', unseen)
                page.keyboard.type(variants[0])
        elif q.type is QType.NUMERIC:
            _tab_to(page, f'{box} input[name="{name}"]', unseen)
            page.keyboard.type(str(((q.low or 0) + (q.high or 0)) / 2))
        elif q.type is QType.ORDERING:
            for place in range(len(q.options)):
                k = order.index(place)
                if current_order(page, q, order).index(place) == place:
                    continue
                _tab_to(page, f'{box} li[data-item="{k}"] button.up', unseen)
                while current_order(page, q, order).index(place) > place:
                    page.keyboard.press("Enter")  # the focus stays on the moved item's button
            if page.locator(f"{box} button.keep-order").is_visible():
                _tab_to(page, f"{box} button.keep-order", unseen)
                page.keyboard.press("Enter")
        else:
            for i, position in enumerate(to_display(q, list(range(len(q.options))), order)):
                _tab_to(page, f'{box} select[name="{name}-{i}"]', unseen)
                for _ in range(position + 1):  # from "(choose)" down to the match
                    page.keyboard.press("ArrowDown")
        page.locator(f"{box} .save-state").filter(has_text="✓").wait_for(timeout=5000)
    assert page.locator("#answered-count").inner_text() == str(len(items))
    _tab_to(page, "#submit-paper", unseen)
    page.keyboard.press("Enter")
    page.locator("#submit-dialog").wait_for(state="visible")
    _tab_to(page, "[data-dialog-submit]", unseen)
    page.keyboard.press("Enter")
    page.wait_for_selector(".result")
    assert "100%" in page.locator(".result .score").inner_text()
    assert unseen == [], "focus without a visible ring"
