"""A learner in headless Chromium sees the figure imported with a Moodle XML bank and matches
two rows to the same right-hand side, shown once; the paper grades 100%."""

from __future__ import annotations

import base64
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from academy.content.library import load_library
from academy.database import db
from academy.learning.services import content_sync
from academy.models import User

from .conftest import _HASH, FIXTURES, TEST_DATABASE_URL, LiveServer, browser_log_in, make_app

pytestmark = pytest.mark.slow


def chart_png() -> bytes:
    picture = Image.new("RGB", (240, 120), (30, 90, 160))
    for x in range(20, 220, 40):
        for y in range(120 - x // 2, 120):
            for dx in range(24):
                picture.putpixel((x + dx, y), (240, 170, 40))
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


BANK_XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="truefalse"><name><text>排列图</text></name>
    <questiontext format="html"><text><![CDATA[<p>下图是排列图（帕累托图）。</p><p><img src="@@PLUGINFILE@@/pareto.png" alt="各缺陷项目的频数排列图"></p>]]></text>
      <file name="pareto.png" encoding="base64">{png}</file></questiontext>
    <generalfeedback format="html"><text>排列图按频数从高到低排列。</text></generalfeedback>
    <answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
  </question>
  <question type="matching"><name><text>工具归类</text></name>
    <questiontext format="html"><text>把工具归入它所属的一组。</text></questiontext>
    <generalfeedback format="html"><text>排列图与因果图同属 QC 七工具。</text></generalfeedback>
    <subquestion format="html"><text>排列图</text><answer><text>QC 七工具</text></answer></subquestion>
    <subquestion format="html"><text>因果图</text><answer><text>QC 七工具</text></answer></subquestion>
    <subquestion format="html"><text>亲和图</text><answer><text>新七工具</text></answer></subquestion>
    <subquestion format="html"><text></text><answer><text>六西格玛工具</text></answer></subquestion>
  </question>
</quiz>"""

EXAM = """---
id: figure-exam
title: 看图识工具
title_en: Figures
tier: all-staff
time_limit: 20
pass_mark: 60
attempts: 3
review: answers
draw:
  - {bank: figures, count: 2}
---

看图作答。
"""


def figures_app(tmp_path: Path) -> Flask:
    """A file database and a quiz folder holding 'figures', imported from Moodle XML, and an exam drawn from it."""
    root = tmp_path / "quiz"
    shutil.copytree(FIXTURES / "quiz", root)
    (root / "exams" / "figure-exam.md").write_text(EXAM, encoding="utf-8")
    url = TEST_DATABASE_URL or f"sqlite:///{tmp_path / 'live.sqlite'}"
    app = make_app(SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=True, QUIZ_ROOT=root)
    source = tmp_path / "figures.xml"
    source.write_text(BANK_XML.format(png=base64.b64encode(chart_png()).decode()), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["quiz", "import", str(source), "--format", "moodlexml", "--bank", "figures",
                                                "--course", "sample-course", "--lesson", "what-is-quality"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        content_sync.sync(load_library(app.config["COURSES_ROOT"], root))
        db.session.add(User(employee_no="20245678", name="李四", password_hash=_HASH))
        db.session.commit()
    return app


@pytest.fixture
def live_app(tmp_path: Path) -> Flask:
    return figures_app(tmp_path)


@pytest.fixture
def live_server(live_app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(live_app)
    yield server
    server.stop()


def test_the_learner_sees_the_imported_figure_and_matches_a_shared_group(live_server: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    browser_log_in(page, live_server, "20245678")
    page.goto(f"{live_server.url}/quiz/exam/figure-exam")
    page.click("text=开始作答")
    page.wait_for_url(re.compile(r".*/attempts/\d+$"))
    figure = page.locator('img[alt="各缺陷项目的频数排列图"]')
    figure.wait_for()
    assert figure.get_attribute("src") == "/quiz-files/figures/pareto.png"
    assert figure.evaluate("img => img.complete && img.naturalWidth") == 240
    tf = page.locator("fieldset", has=figure)
    tf.locator('input[value="true"]').check()
    tf.locator(".save-state").filter(has_text="✓").wait_for(timeout=5000)
    matching = page.locator("fieldset", has_text="把工具归入它所属的一组")
    choices = matching.locator("select").first.locator("option").all_inner_texts()
    assert sorted(choices) == sorted(["（请选择）", "QC 七工具", "新七工具", "六西格玛工具"])  # the shared one once
    for row, group in enumerate(("QC 七工具", "QC 七工具", "新七工具")):
        matching.locator("select").nth(row).select_option(label=group)
    matching.locator(".save-state").filter(has_text="✓").wait_for(timeout=5000)
    page.click("#submit-paper")
    page.click("#submit-dialog [data-dialog-submit]")
    page.wait_for_selector(".result")
    assert "100%" in page.locator(".result .score").inner_text()
