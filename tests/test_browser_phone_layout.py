"""Every learner page on a 360 px phone: no sideways scrolling, a header that folds into a menu,
tables as stacked cards; the same pages at 1366 × 768 keep the full header."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from academy.assessment.services import certificates
from academy.database import db
from academy.models import Attempt, Course, TargetKind, User
from academy.people.services import assignments, org

from .conftest import _HASH, LiveServer, browser_log_in

# fixed or sticky bars may cover at most this share of the screen while scrolling
FIXED_SHARE = 0.1


def _learner_with_certificate(app: Flask) -> str:
    with app.app_context():
        user = User(employee_no="100001", name="张三明", password_hash=_HASH)
        db.session.add(user)
        db.session.flush()
        attempt = Attempt(user_id=user.id, quiz_key="exam/cert-sample", paper=[], passed=True,
                          score=9, max_score=10, submitted_at=datetime.now(UTC),
                          certificate={"title": "质量管理基础认证", "tier": "all-staff", "valid_years": 3})
        db.session.add(attempt)
        db.session.flush()
        cert = certificates.issue(attempt, "cert-sample", datetime.now(UTC))
        db.session.commit()
        assert db.session.execute(select(User)).scalar_one()
        return cert.serial


def _pages(serial: str) -> list[str]:
    return ["/courses", "/courses?q=质量", "/courses/sample-course", "/courses/sample-course/what-is-quality",
            "/me", "/me/certificates", f"/certificates/{serial}", "/me/notices"]


def _check_fits(page, name: str, width: int, height: int) -> None:  # type: ignore[no-untyped-def]
    document = page.evaluate("document.scrollingElement.scrollWidth")
    assert document <= width, (name, document)
    page.evaluate("window.scrollTo(0, 400)")
    covered = page.evaluate("""() => {
        let total = 0;
        for (const el of document.querySelectorAll('body *')) {
            const style = getComputedStyle(el);
            if (style.position !== 'fixed' && style.position !== 'sticky') continue;
            const box = el.getBoundingClientRect();
            const visible = Math.max(0, Math.min(box.bottom, innerHeight) - Math.max(box.top, 0));
            if (box.width > innerWidth / 2) total += visible;
        }
        return total;
    }""")
    assert covered <= FIXED_SHARE * height, (name, covered)
    page.evaluate("window.scrollTo(0, 0)")


def _shoot(page, name: str, size: str) -> None:  # type: ignore[no-untyped-def]
    folder = os.environ.get("LEARNER_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}-{size}.png"), full_page=True)


def _name(path: str) -> str:
    return path.strip("/").replace("/", "_").replace("?", "_").replace("=", "_") or "home"


def test_learner_pages_fit_a_360px_phone(live_app: Flask, live_server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    serial = _learner_with_certificate(live_app)
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{live_server.url}/login")
    _check_fits(phone, "login", 360, 740)
    _shoot(phone, "login", "360")
    browser_log_in(phone, live_server, "100001")
    for path in _pages(serial):
        phone.goto(live_server.url + path)
        assert phone.locator("h1").first.is_visible(), path
        header = phone.locator("header.topbar").bounding_box()
        assert header["height"] <= 64, (path, header)
        _check_fits(phone, path, 360, 740)
        _shoot(phone, _name(path), "360")
    context.close()


def test_phone_menu_opens_and_closes_by_keyboard(live_app: Flask, live_server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    _learner_with_certificate(live_app)
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True)
    phone = context.new_page()
    browser_log_in(phone, live_server, "100001")
    phone.goto(f"{live_server.url}/me")
    toggle = phone.locator("button.menu-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not phone.locator(".mainnav >> text=我的证书").is_visible()
    toggle.focus()
    phone.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert phone.locator(".mainnav >> text=我的证书").is_visible()
    phone.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not phone.locator(".mainnav >> text=我的证书").is_visible()
    context.close()


def _assign_sample_course(app: Flask) -> None:
    with app.app_context():
        unit = org.create_unit("集团")
        user = db.session.execute(select(User)).scalar_one()
        user.org_unit_id = unit.id
        db.session.commit()
        course = db.session.execute(select(Course).where(Course.slug == "sample-course")).scalar_one()
        assignments.create_assignment(title="年度必修", courses=[course], target_kind=TargetKind.PEOPLE, unit=unit,
                                      people=[user], due_on=date(2026, 1, 31))


def test_tables_are_stacked_cards_on_a_phone(live_app: Flask, live_server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    _learner_with_certificate(live_app)
    _assign_sample_course(live_app)
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True)
    phone = context.new_page()
    browser_log_in(phone, live_server, "100001")
    phone.goto(f"{live_server.url}/me/certificates")
    row = phone.locator("table.stack tbody tr").first
    assert row.evaluate("el => getComputedStyle(el).display") == "block"
    label = phone.locator("table.stack td[data-label]").first
    assert label.evaluate("el => getComputedStyle(el, '::before').content") not in ("none", "normal", '""')
    # no cell squeezed to one character a line: every cell is at least half the card wide
    widths = phone.evaluate("[...document.querySelectorAll('table.stack td')].map(td => td.getBoundingClientRect().width)")
    assert min(w for w in widths if w) > 150, widths  # empty cells are hidden
    phone.goto(f"{live_server.url}/me")
    assert phone.locator("table.assigned.stack tbody tr").first.evaluate("el => getComputedStyle(el).display") == "block"
    status = phone.locator("table.assigned td[data-label]").last.bounding_box()
    assert status["width"] > 150  # 逾期 on one line, not one character a line
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 360
    context.close()


def test_learner_pages_at_1366(live_app: Flask, live_server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    serial = _learner_with_certificate(live_app)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    desk = context.new_page()
    desk.goto(f"{live_server.url}/login")
    _shoot(desk, "login", "1366")
    browser_log_in(desk, live_server, "100001")
    for path in _pages(serial):
        desk.goto(live_server.url + path)
        assert not desk.locator("button.menu-toggle").is_visible()
        assert desk.locator(".mainnav >> text=我的学习").is_visible()
        _check_fits(desk, path, 1366, 768)
        _shoot(desk, _name(path), "1366")
    context.close()
