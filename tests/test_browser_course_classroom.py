"""In the browser: a learner who has read every lesson of a course with a classroom part is sent,
on a phone and on a laptop, from the course page to that course's sessions; accessible (axe-core)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from academy.database import db, utcnow
from academy.learning.services import classroom, progress
from academy.learning.services.classroom import SessionDraft
from academy.models import Role, User, UserRole
from academy.people.services import org

from .conftest import _HASH, LiveServer, browser_log_in
from .support.axe import serious_violations
from .support.classroom import require_classroom

SLUG = "second-course"


def _prepare(app: Flask) -> None:
    with app.app_context():
        unit = org.create_unit("华东公司", parent=org.create_unit("集团"))
        hr = User(employee_no="H1", name="人事专员", password_hash=_HASH, org_unit_id=unit.id,
                  roles=[UserRole(role=Role.HR, scope_unit_id=unit.id)])
        learner = User(employee_no="L1", name="王芳", password_hash=_HASH, org_unit_id=unit.id)
        db.session.add_all([hr, learner])
        course = require_classroom(SLUG)
        for lesson in course.live_lessons:
            progress.complete_lesson(learner, lesson)
        start = utcnow().replace(microsecond=0) + timedelta(days=3)
        classroom.create_session(SessionDraft(
            title="控制图现场演练", unit_id=unit.id, starts_at=start, ends_at=start + timedelta(hours=2), capacity=20,
            hours=2, place="二楼实训室", course_id=course.id, open_registration=True), actor=hr)


def test_the_next_step_leads_to_the_courses_sessions(live_app: Flask, live_server: LiveServer, browser: Any,
                                                     tmp_path: Path) -> None:
    _prepare(live_app)
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    for width, height in ((360, 740), (1366, 768)):
        context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
        page = context.new_page()
        browser_log_in(page, live_server, "L1")
        page.goto(f"{live_server.url}/courses/{SLUG}")
        button = page.locator(".course-head a.button.primary")
        assert button.inner_text() == "参加面授课"
        assert "任一场面授课签到后" in page.locator(".next-step").inner_text()
        assert serious_violations(page) == []
        page.screenshot(path=str(shots / f"course-classroom-{width}.png"))
        button.click()
        page.wait_for_url(f"{live_server.url}/training?course={SLUG}")
        assert "课程《第二门课程》" in page.locator("#course-focus").inner_text()
        card = page.locator("#open-sessions li", has_text="控制图现场演练")
        assert "本课程的面授课" in card.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert serious_violations(page) == []
        page.screenshot(path=str(shots / f"training-focus-{width}.png"), full_page=True)
        context.close()
