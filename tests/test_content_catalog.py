"""The course loader: valid trees load, every kind of bad file is a path:line problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from academy.content.catalog import cjk_count, scan
from academy.content.library import coverage, load_library, stats


def messages(root: Path) -> list[str]:
    return [str(p) for p in load_library(root / "courses", root / "quiz").problems]


def test_fixture_tree_loads_without_problems(content_copy: Path) -> None:
    library = load_library(content_copy / "courses", content_copy / "quiz")
    assert library.problems == ()
    course = library.course("sample-course")
    assert course is not None
    assert [x.slug for x in course.lessons] == ["what-is-quality", "pdca"]
    assert course.final_exam is not None
    assert course.final_exam.pass_mark == 60
    assert [c.slug for c in library.courses] == ["sample-course", "second-course"]  # tier order


def test_malformed_front_matter_is_reported_with_its_line(content_copy: Path) -> None:
    lesson = content_copy / "courses/all-staff/sample-course/02-pdca.md"
    lesson.write_text("---\ntitle: PDCA\nminutes: [oops\n---\nbody\n", encoding="utf-8")
    found = messages(content_copy)
    assert any(m.startswith("courses/all-staff/sample-course/02-pdca.md:") and "malformed front matter" in m for m in found)
    assert "courses/all-staff/sample-course/02-pdca.md:3: malformed front matter: expected ',' or ']', but got '<stream end>'" in found
    assert len(found) == 1  # the broken file does not drag its neighbours or its questions down


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("title: 示例课程\n", "", "course.md:1: missing 'title'"),
    ("tier: all-staff", "tier: everyone", "unknown tier 'everyone'"),
    ("hours: 2", "hours: two", "'hours' must be a number"),
    ("measures: [一, 十六]", "measures: [一, 十八]", "unknown guideline measure '十八'"),
    ("bank: sample-course", "bank: no-such-bank", "question bank 'no-such-bank' not found"),
])
def test_bad_course_front_matter(content_copy: Path, old: str, new: str, expected: str) -> None:
    path = content_copy / "courses/all-staff/sample-course/course.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    assert any(expected in m for m in messages(content_copy)), messages(content_copy)


def test_missing_front_matter_names_line_one(content_copy: Path) -> None:
    (content_copy / "courses/all-staff/sample-course/02-pdca.md").write_text("# no front matter\n", encoding="utf-8")
    assert "courses/all-staff/sample-course/02-pdca.md:1: missing front matter: the file must start with a '---' line" in messages(content_copy)


def test_duplicate_course_slug_across_tiers(content_copy: Path) -> None:
    shutil.copytree(content_copy / "courses/all-staff/sample-course", content_copy / "courses/expert/sample-course")
    path = content_copy / "courses/expert/sample-course/course.md"
    path.write_text(path.read_text(encoding="utf-8").replace("tier: all-staff", "tier: expert"), encoding="utf-8")
    assert any("duplicate course slug 'sample-course'" in m for m in messages(content_copy))


def test_duplicate_lesson_slug(content_copy: Path) -> None:
    folder = content_copy / "courses/all-staff/sample-course"
    shutil.copy(folder / "02-pdca.md", folder / "03-pdca.md")
    assert any("03-pdca.md:1: duplicate lesson slug 'pdca'" in m for m in messages(content_copy))


def test_duplicate_lesson_number(content_copy: Path) -> None:
    folder = content_copy / "courses/all-staff/sample-course"
    shutil.copy(folder / "02-pdca.md", folder / "02-other.md")
    assert any("02-pdca.md:1: lesson number 02 is used twice" in m for m in messages(content_copy))


def test_link_to_missing_lesson_names_its_line(content_copy: Path) -> None:
    path = content_copy / "courses/all-staff/sample-course/02-pdca.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n见 [不存在](09-nowhere.md)。\n", encoding="utf-8")
    found = [m for m in messages(content_copy) if "does not exist" in m]
    assert found == ["courses/all-staff/sample-course/02-pdca.md:13: link to a lesson that does not exist: 09-nowhere.md"]
    # the broken lesson is left out of the scan so its last good version keeps serving
    course = next(c for c in scan(content_copy / "courses").courses if c.slug == "sample-course")
    assert [x.slug for x in course.lessons] == ["what-is-quality"]


def test_cross_tier_link_resolves(content_copy: Path) -> None:
    assert not any("does not exist" in m for m in messages(content_copy))


def test_unknown_tier_folder_and_bad_lesson_name(content_copy: Path) -> None:
    (content_copy / "courses/managers").mkdir()
    (content_copy / "courses/all-staff/sample-course/lesson-three.md").write_text("---\ntitle: x\nminutes: 1\n---\n", encoding="utf-8")
    found = messages(content_copy)
    assert any("unknown tier folder 'managers'" in m for m in found)
    assert any("lesson-three.md:1: lesson file names look like" in m for m in found)


def test_not_utf8_is_reported(content_copy: Path) -> None:
    (content_copy / "courses/all-staff/sample-course/02-pdca.md").write_bytes("---\ntitle: 质量\n---\n".encode("gbk"))
    assert any("02-pdca.md:1: not UTF-8 text" in m for m in messages(content_copy))


@pytest.mark.parametrize(("text", "count"), [("质量 quality 标准", 4), ("ISO 9001", 0), ("，。！", 0)])
def test_cjk_count_counts_ideographs_only(text: str, count: int) -> None:
    assert cjk_count(text) == count


def test_stats_and_coverage(content_copy: Path) -> None:
    library = load_library(content_copy / "courses", content_copy / "quiz")
    row = next(r for r in stats(library) if r["slug"] == "sample-course")
    assert row["questions"] == 7
    assert row["questions_by_type"] == {"fill": 1, "matching": 1, "multiple": 1, "numeric": 1, "ordering": 1, "single": 1, "truefalse": 1}
    assert row["lessons"][0]["cjk_chars"] > 10  # type: ignore[index]
    gaps = coverage(library)
    assert gaps["一"] == ["sample-course"]
    assert gaps["十七"] == []
