"""Screenshots for the README: `python docs/screenshots/take.py` against `make run` on 127.0.0.1:5000."""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5000"
OUT = Path(__file__).parent
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--no-first-run"]

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
    for name, viewport, path in (
        ("catalog", {"width": 1280, "height": 900}, "/courses"),
        ("lesson", {"width": 1280, "height": 900}, "/courses/tqm-fundamentals/pdca-cycle"),
        ("lesson-phone", {"width": 360, "height": 740}, "/courses/tqm-fundamentals/pdca-cycle"),
    ):
        context = browser.new_context(locale="zh-CN", viewport=viewport, device_scale_factor=1)
        page = context.new_page()
        page.goto(f"{BASE}/login")
        page.fill("input[name=identifier]", "100001")
        page.fill("input[name=password]", "QsDemo-2026")
        page.click("button[type=submit]")
        page.wait_for_url(f"{BASE}/me")
        page.goto(f"{BASE}{path}")
        page.screenshot(path=str(OUT / f"{name}.png"))
        context.close()
    browser.close()
