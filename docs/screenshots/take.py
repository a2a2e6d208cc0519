"""Screenshots for the README: `python docs/screenshots/take.py [base URL]` against `make run` on 127.0.0.1:5000.

The learner's pages as 100001; the HR pages as H1001 at 1366 × 768 and on a 360 × 740 phone (the
report and the summary whole, the home as the first screen shows it)."""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
OUT = Path(__file__).parent
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"]



def log_in(page, who: str, lands: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{BASE}/login")
    page.fill("input[name=identifier]", who)
    page.fill("input[name=password]", "QsDemo-2026")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/privacy/read" in page.url:  # the privacy notice, shown once at the first sign-in
        page.click("main form button")
    page.wait_for_url(f"{BASE}{lands}")


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
    for name, viewport, path in (
        ("catalog", {"width": 1280, "height": 900}, "/courses"),
        ("lesson", {"width": 1280, "height": 900}, "/courses/tqm-fundamentals/pdca-cycle"),
        ("lesson-phone", {"width": 360, "height": 740}, "/courses/tqm-fundamentals/pdca-cycle"),
    ):
        context = browser.new_context(locale="zh-CN", viewport=viewport, device_scale_factor=1)
        page = context.new_page()
        log_in(page, "100001", "/me")
        page.goto(f"{BASE}{path}")
        page.screenshot(path=str(OUT / f"{name}.png"))
        context.close()
    for suffix, viewport in (("", {"width": 1366, "height": 768}), ("-phone", {"width": 360, "height": 740})):
        context = browser.new_context(locale="zh-CN", viewport=viewport, device_scale_factor=1)
        page = context.new_page()
        log_in(page, "H1001", "/hr")
        for name, path, whole in (("hr-home", "/hr", bool(suffix)), ("hr-report", "/hr/report", True),
                                  ("hr-summary", "/hr/summary", True)):
            page.goto(f"{BASE}{path}")
            page.screenshot(path=str(OUT / f"{name}{suffix}.png"), full_page=whole)
        context.close()
    browser.close()
