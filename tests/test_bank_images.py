"""Images imported with a bank reach the learners of the quizzes drawn from it, and nobody else;
only real raster images are served, never from ``static/``."""

from __future__ import annotations

import base64
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from academy.competitions.services import competitions
from academy.content.bankfiles import content_type, link_images
from academy.content.library import load_library
from academy.learning.services import content_sync
from academy.models import Role, User

from .conftest import FIXTURES, log_in, make_app
from .support.db import fetch

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


def moodle_xml(name: str, data: bytes, stem: str) -> str:
    encoded = base64.b64encode(data).decode()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="truefalse"><name><text>图一</text></name>
    <questiontext format="html"><text><![CDATA[<p>{stem} <img src="@@PLUGINFILE@@/{name}" alt="图"></p>]]></text>
      <file name="{name}" encoding="base64">{encoded}</file></questiontext>
    <answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
  </question>
  <question type="truefalse"><name><text>图二</text></name>
    <questiontext format="html"><text>第二题。</text></questiontext>
    <answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>
  </question>
</quiz>"""


EXAM = """---
id: image-exam
title: 看图考试
title_en: Figures
tier: all-staff
time_limit: 20
pass_mark: 60
attempts: 2
review: answers
draw:
  - {bank: tools, count: 2}
---

看图作答。
"""


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    """(Replaces conftest's app, so ``make_user`` writes here.) A quiz folder where 'tools' (drawn by an exam) and 'hidden' (drawn by nothing) were imported with images."""
    root = tmp_path / "quiz"
    shutil.copytree(FIXTURES / "quiz", root)
    (root / "exams" / "image-exam.md").write_text(EXAM, encoding="utf-8")
    app = make_app(QUIZ_ROOT=root)
    runner = app.test_cli_runner()
    for bank, stem in (("tools", "排列图"), ("hidden", "保密图")):
        source = tmp_path / f"{bank}.xml"
        source.write_text(moodle_xml("chart.png", PNG, stem), encoding="utf-8")
        result = runner.invoke(args=["quiz", "import", str(source), "--format", "moodlexml", "--bank", bank,
                                     "--course", "sample-course", "--lesson", "what-is-quality"])
        assert result.exit_code == 0, result.output
    (root / "tools-files" / "drawing.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>')
    (root / "tools-files" / "page.png").write_text("<html><script>x()</script></html>")
    with app.app_context():
        content_sync.sync(load_library(app.config["COURSES_ROOT"], root))
    return app


def test_an_imported_image_shows_in_the_learners_question(app: Flask, make_user: Any) -> None:
    assert (Path(app.config["QUIZ_ROOT"]) / "tools-files" / "chart.png").read_bytes() == PNG
    client = app.test_client()
    log_in(client, make_user())
    page = client.post("/quiz/exam/image-exam", follow_redirects=True)
    assert page.status_code == 200
    sources = re.findall(r'<img[^>]*src="([^"]+)"', page.get_data(as_text=True))
    assert sources == ["/quiz-files/tools/chart.png"]
    image = client.get(sources[0])
    assert image.status_code == 200
    assert image.data == PNG
    assert image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert image.headers["Content-Security-Policy"] == "default-src 'none'"


def test_images_of_a_bank_no_quiz_draws_are_for_authors_and_hr_only(app: Flask, make_user: Any) -> None:
    url = "/quiz-files/hidden/chart.png"
    for roles, status in (((), 404), ((Role.AUTHOR,), 200), ((Role.HR,), 200)):
        client = app.test_client()
        log_in(client, make_user(roles=roles))
        assert client.get(url).status_code == status
    assert app.test_client().get(url).status_code in (302, 401)


def test_a_round_drawing_from_a_bank_opens_its_images_to_those_it_admits(app: Flask, make_user: Any,
                                                                       make_tree: Any) -> None:
    units = make_tree("甲公司", "乙公司")
    host = make_user(roles=(Role.HOST,))
    inside, outside = make_user(unit=units["甲公司"]), make_user(unit=units["乙公司"])
    with app.app_context():
        start = datetime.now(UTC)
        competitions.create(fetch(User, host.id), title="看图竞赛", rules="", opens_at=start,
                            closes_at=start + timedelta(days=1), draw=[{"bank": "hidden", "count": 1}],
                            time_limit=30, sittings=1, unit_ids=[units["甲公司"].id])
    for person, status in ((inside, 200), (outside, 404), (host, 200)):
        client = app.test_client()
        log_in(client, person)
        assert client.get("/quiz-files/hidden/chart.png").status_code == status


@pytest.mark.parametrize("name", ["drawing.svg", "page.png", "missing.png", "..%2Ftools.md", ".hidden.png"])
def test_only_real_raster_images_are_served(app: Flask, make_user: Any, name: str) -> None:
    client = app.test_client()
    log_in(client, make_user(roles=(Role.AUTHOR,)))
    assert client.get(f"/quiz-files/tools/{name}").status_code == 404
    assert client.get("/quiz-files/no-such-bank/chart.png").status_code == 404


def test_images_are_served_as_published_not_from_the_servers_disk(app: Flask, make_user: Any) -> None:
    client = app.test_client()
    log_in(client, make_user(roles=(Role.AUTHOR,)))
    folder = Path(app.config["QUIZ_ROOT"]) / "tools-files"
    newer = PNG + b"\x01" * 8
    (folder / "chart.png").write_bytes(newer)
    (folder / "extra.png").write_bytes(PNG)
    assert client.get("/quiz-files/tools/chart.png").data == PNG  # replaced on disk, not yet published
    assert client.get("/quiz-files/tools/extra.png").status_code == 404
    result = app.test_cli_runner().invoke(args=["content", "sync"])
    assert "updated 1," in result.output  # the bank, for its images: its text did not change
    assert client.get("/quiz-files/tools/chart.png").data == newer
    assert client.get("/quiz-files/tools/extra.png").data == PNG
    shutil.rmtree(folder)
    assert client.get("/quiz-files/tools/chart.png").data == newer  # gone from this disk, still published
    app.test_cli_runner().invoke(args=["content", "sync"])
    assert client.get("/quiz-files/tools/chart.png").status_code == 404  # retired with the bank's next version
    assert client.get("/quiz-files/hidden/chart.png").data == PNG  # another bank's image is untouched


def test_a_moodle_file_that_is_not_an_image_is_left_out_with_a_warning(tmp_path: Path) -> None:
    from academy.content.importers import import_questions

    result = import_questions(moodle_xml("x.svg", b"<svg/>", "图"), "moodlexml", bank_id="ex", course="c", lesson="l")
    assert result.files == {}
    assert any("x.svg" in w.reason and "not a PNG" in w.reason for w in result.warnings)


def test_types_are_judged_by_name_and_bytes_together() -> None:
    assert content_type("a.PNG", PNG) == "image/png"
    assert content_type("a.jpg", b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert content_type("a.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert content_type("a.webp", b"RIFF\x00\x00\x00\x00AVI ") is None
    assert content_type("a.gif", PNG) is None
    assert content_type("a.svg", b"<svg/>") is None
    assert content_type("../a.png", PNG) is None
    assert link_images('<img src="tools-files/a.png">') == '<img src="/quiz-files/tools/a.png">'
    assert link_images('<img src="https://x/tools-files/a.png">') == '<img src="https://x/tools-files/a.png">'
