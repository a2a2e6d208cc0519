"""Lesson figures: drawn reproducibly, checked with their line, shown inline with their alt text."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from academy.content.catalog import cjk_count
from academy.content.library import load_library, stats
from academy.content.render import render

ROOT = Path(__file__).resolve().parent.parent
LESSON = "courses/all-staff/sample-course/02-pdca.md"
GOOD_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 480 100" width="480" height="100">\n'
            '<rect x="10" y="10" width="100" height="40" fill="#dbe8f9" stroke="#1a5fb4"/>\n'
            '<text x="60" y="35" font-size="14" text-anchor="middle">计划</text>\n</svg>\n')


def add_figure(content_copy: Path, line: str, svg: str | None = GOOD_SVG, name: str = "cycle.svg") -> int:
    """Put ``line`` as a paragraph of its own after the lesson's first body paragraph; returns its line number."""
    lesson = content_copy / LESSON
    lines = lesson.read_text(encoding="utf-8").split("\n")
    body_start = lines.index("---", 1) + 1
    at = next(i for i in range(body_start, len(lines)) if lines[i].strip())  # first body line
    while at + 1 < len(lines) and lines[at + 1].strip():
        at += 1
    lines[at + 1:at + 1] = ["", line, ""]
    lesson.write_text("\n".join(lines), encoding="utf-8")
    if svg is not None:
        (lesson.parent / "figures").mkdir(exist_ok=True)
        (lesson.parent / "figures" / name).write_text(svg, encoding="utf-8")
    return at + 3


def problems(content_copy: Path) -> list[str]:
    return [str(p) for p in load_library(content_copy / "courses", content_copy / "quiz").problems]


def lesson_source(content_copy: Path) -> str:
    course = load_library(content_copy / "courses", content_copy / "quiz").course("sample-course")
    assert course is not None
    return next(x.source for x in course.lessons if x.slug == "pdca")


def test_a_figure_is_drawn_inline_on_its_own_line_with_its_alt_text(content_copy: Path) -> None:
    before = lesson_source(content_copy).count("\n")
    add_figure(content_copy, "![PDCA 循环的四个阶段示意](figures/cycle.svg)")
    assert problems(content_copy) == []
    source = lesson_source(content_copy)
    assert source.count("\n") == before + 3  # the lines add_figure wrote, nothing more: line numbers hold
    html = str(render(source, "v").html)
    assert '<figure class="lesson-figure">' in html
    assert 'role="img"' in html
    assert 'aria-label="PDCA 循环的四个阶段示意"' in html
    assert "<rect" in html
    assert ">计划</text>" in html
    assert "<figcaption>PDCA 循环的四个阶段示意</figcaption>" in html
    assert 'width="480"' not in html  # the drawing scales to the column, a phone's included


@pytest.mark.parametrize(("line", "svg", "expected"), [
    ("![PDCA 循环的四个阶段示意](figures/missing.svg)", None, "figure file not found: figures/missing.svg"),
    ("![图](figures/cycle.svg)", GOOD_SVG, "the alt text says what the figure shows"),
    ("![](figures/cycle.svg)", GOOD_SVG, "the alt text says what the figure shows"),
    ("![PDCA 循环的四个阶段示意](figures/Cycle_One.svg)", GOOD_SVG, "as a lower-case .svg name"),
    ("![PDCA 循环的四个阶段示意](figures/cycle.svg)", GOOD_SVG.replace("<rect", "<script>alert(1)</script><rect"),
     "<script> is not allowed in a lesson figure"),
    ("![PDCA 循环的四个阶段示意](figures/cycle.svg)", GOOD_SVG.replace("<rect", '<rect onclick="x()"'),
     "attribute onclick= on <rect> is not allowed"),
    ("![PDCA 循环的四个阶段示意](figures/cycle.svg)", GOOD_SVG.replace(' viewBox="0 0 480 100"', ""), "needs a viewBox"),
    ("![PDCA 循环的四个阶段示意](figures/cycle.svg)", "<svg><rect></svg>", "not a readable SVG file"),
    ("![PDCA 循环的四个阶段示意](figures/cycle.svg)", '<html xmlns="http://www.w3.org/2000/svg"/>', "root element is <html>"),
])
def test_a_figure_that_cannot_be_shown_is_a_problem_on_its_line(content_copy: Path, line: str, svg: str | None, expected: str) -> None:
    number = add_figure(content_copy, line, svg)
    found = problems(content_copy)
    assert len(found) == 1
    assert found[0].startswith(f"courses/all-staff/sample-course/02-pdca.md:{number}: ")
    assert expected in found[0]


def test_a_figure_needs_empty_lines_around_it(content_copy: Path) -> None:
    lesson = content_copy / LESSON
    text = lesson.read_text(encoding="utf-8").rstrip("\n") + "\n紧接着的一段文字\n![PDCA 循环的四个阶段示意](figures/cycle.svg)\n"
    lesson.write_text(text, encoding="utf-8")
    (lesson.parent / "figures").mkdir()
    (lesson.parent / "figures" / "cycle.svg").write_text(GOOD_SVG, encoding="utf-8")
    assert any("leave an empty line before and after a figure" in p for p in problems(content_copy))


def test_a_changed_figure_is_a_new_lesson_version(content_copy: Path) -> None:
    add_figure(content_copy, "![PDCA 循环的四个阶段示意](figures/cycle.svg)")
    course = load_library(content_copy / "courses", content_copy / "quiz").course("sample-course")
    assert course is not None
    first = next(x.version for x in course.lessons if x.slug == "pdca")
    (content_copy / "courses/all-staff/sample-course/figures/cycle.svg").write_text(GOOD_SVG.replace("计划", "实施"), encoding="utf-8")
    course = load_library(content_copy / "courses", content_copy / "quiz").course("sample-course")
    assert course is not None
    assert next(x.version for x in course.lessons if x.slug == "pdca") != first


def test_figure_labels_are_not_counted_as_reading_text(content_copy: Path) -> None:
    before = cjk_count(lesson_source(content_copy))
    add_figure(content_copy, "![PDCA 循环的四个阶段示意](figures/cycle.svg)")
    assert cjk_count(lesson_source(content_copy)) == before
    row = next(r for r in stats(load_library(content_copy / "courses", content_copy / "quiz")) if r["slug"] == "sample-course")
    assert [x["figures"] for x in row["lessons"]] == [0, 1]  # type: ignore[index]


def test_committed_figures_are_what_the_drawing_script_draws() -> None:
    result = subprocess.run([sys.executable, "tools/make_figures.py", "--check"], cwd=ROOT, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_every_shipped_figure_is_used_by_a_lesson_and_every_lesson_figure_is_drawn() -> None:
    files = {p.relative_to(ROOT / "courses").as_posix() for p in (ROOT / "courses").glob("*/*/figures/*.svg")}
    used = set()
    for lesson in (ROOT / "courses").glob("*/*/[0-9][0-9]-*.md"):
        for src in re.findall(r"^!\[[^\]]+\]\((figures/[^)]+\.svg)\)$", lesson.read_text(encoding="utf-8"), re.M):
            used.add((lesson.parent.relative_to(ROOT / "courses") / src).as_posix())
    assert used == files
    assert len(files) >= 40
