"""Imports from GIFT, Aiken, Excel and CSV, including malformed files, and the GIFT export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from academy.content.importers import convert, parse_aiken, parse_csv, parse_gift, parse_rows, parse_xlsx, to_gift
from academy.content.problems import Problem
from academy.content.quizbank import QType, parse_bank

from .conftest import FIXTURES

IMPORTS = FIXTURES / "imports"


def bank_from(text: str, bank_id: str = "imported") -> tuple[object, list[Problem]]:
    problems: list[Problem] = []
    return parse_bank(text, Path(f"{bank_id}.md"), Path(), problems), problems


def test_gift_converts_every_construct_and_reports_what_it_cannot() -> None:
    imported = parse_gift((IMPORTS / "sample.gift").read_text(encoding="utf-8"))
    by_title = {d.title: d for d in imported.drafts}
    assert by_title["Q1 单选"].type is QType.SINGLE
    assert by_title["Q1 单选"].correct == [2]
    assert by_title["Q1 单选"].explanation.startswith("C 是 Check，把结果和目标比较。")
    assert "选项「计划」：不对" in by_title["Q1 单选"].explanation  # per-option feedback is kept, not dropped
    assert by_title["Q1 单选"].tags == ["PDCA"]
    assert by_title["Q2 多选 权重"].type is QType.MULTIPLE
    assert by_title["Q2 多选 权重"].correct == [0, 1]
    assert by_title["Q2 多选 权重"].weights == [0.5, 0.5, -1.0]
    assert by_title["Q3 判断"].truth is False
    assert by_title["Q3 判断"].explanation.startswith("PDCA 是持续改进的循环。")
    assert any(d.type is QType.TRUEFALSE and d.truth for d in imported.drafts if not d.title)
    assert by_title["Q5 简答"].blanks == [["计划", "策划", "Plan", "准备"]]
    assert by_title["Q5 简答"].blank_weights == [[1, 1, 1, 0.5]]
    assert by_title["Q6 填空在中间"].stem == "PDCA 的第 ____ 个阶段是处置。"
    assert (by_title["Q7 数值容差"].low, by_title["Q7 数值容差"].high) == pytest.approx((1.32, 1.34))
    assert (by_title["Q8 数值区间"].low, by_title["Q8 数值区间"].high) == (1.30, 1.36)
    assert by_title["Q9 配对"].matches[0] == "定期回访用户"
    assert by_title["Q10 转义"].stem == "公式 a=b 和花括号 {x} 里的 ~ 与 # 都要保留，冒号: 也是。"
    rejected = {r.line: r.reason for r in imported.rejected}
    text = (IMPORTS / "sample.gift").read_text(encoding="utf-8").splitlines()
    lines = {n + 1 for n, line in enumerate(text) if line.startswith(("::Q11", "::Q12", "::Q13", "Q14", "::Q15"))}
    assert set(rejected) == lines
    assert any("essay" in reason for reason in rejected.values())
    assert any("same text" in reason for reason in rejected.values())
    assert any("add up to 50%" in reason for reason in rejected.values())
    assert any("not a number" in reason for reason in rejected.values())


def test_converted_gift_is_a_valid_bank() -> None:
    imported = parse_gift((IMPORTS / "sample.gift").read_text(encoding="utf-8"))
    markdown = convert(imported, "imported", "导入题库", "sample-course", "pdca")
    bank, problems = bank_from(markdown)
    assert problems == []
    assert len(bank.questions) == 10  # type: ignore[attr-defined]
    assert '"pdca": "PDCA"' in markdown
    assert any("待补充" in w.reason or "explanation" in w.reason for w in imported.warnings)


def test_aiken_and_its_mistakes() -> None:
    imported = parse_aiken((IMPORTS / "sample.aiken").read_text(encoding="utf-8"))
    assert [d.correct for d in imported.drafts] == [[1], [0]]
    assert [r.line for r in imported.rejected] == [14, 19]
    assert "expected 'ANSWER: X' after option B" in imported.rejected[0].reason
    assert "not among the options" in imported.rejected[1].reason


def test_csv_rows_with_row_and_column_errors() -> None:
    imported = parse_csv((IMPORTS / "sample.csv").read_text(encoding="utf-8"))
    assert [d.type for d in imported.drafts] == [QType.SINGLE, QType.MULTIPLE, QType.TRUEFALSE, QType.FILL, QType.NUMERIC]
    assert imported.drafts[3].blanks == [["计划", "策划"], ["处置", "改进"]]
    assert imported.drafts[3].stem.count("____") == 2
    assert imported.drafts[4].difficulty == "难"
    assert [(r.line, r.column) for r in imported.rejected] == [(7, "A"), (8, "I"), (9, "I"), (10, "I"), (11, "K")]
    markdown = convert(imported, "hr-bank", "HR 题库", "sample-course", "pdca")
    assert bank_from(markdown, "hr-bank")[1] == []


def test_sheet_without_the_needed_columns_is_refused() -> None:
    assert parse_rows([["题干", "答案"], ["x", "A"]]).rejected[0].reason == "missing column(s): type"
    assert parse_rows([]).rejected[0].reason == "the sheet is empty"


def test_xlsx_is_read_like_csv_and_a_broken_file_is_reported(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["type", "stem", "A", "B", "C", "key", "explanation", "difficulty", "tags"])
    sheet.append(["single", "哪个对？", "甲", "乙", "丙", "B", "因为乙。", "易", "basics"])
    sheet.append(["multiple", "哪些对？", "甲", "乙", "丙", "AC", "甲和丙。", "中", "basics"])
    sheet.append(["numeric", "二加二？", None, None, None, 4, "算术。", "易", "basics"])
    book.save(tmp_path / "bank.xlsx")
    imported = parse_xlsx(tmp_path / "bank.xlsx")
    assert [d.type for d in imported.drafts] == [QType.SINGLE, QType.MULTIPLE, QType.NUMERIC]
    assert (imported.drafts[2].low, imported.drafts[2].high) == (4, 4)
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    assert "not an Excel" in parse_xlsx(tmp_path / "broken.xlsx").rejected[0].reason


def test_export_to_gift_and_back_keeps_the_keys() -> None:
    text = (FIXTURES / "quiz" / "sample-course.md").read_text(encoding="utf-8")
    bank, _ = bank_from(text, "sample-course")
    gift, skipped = to_gift(bank)  # type: ignore[arg-type]
    assert [s.reason.split(":")[0] for s in skipped] == ["sample-006"]  # ordering has no GIFT form
    assert "// qs {" in gift  # what GIFT cannot say, in a comment Moodle ignores
    again = parse_gift(gift)
    assert again.rejected == []
    originals = {q.id: q for q in bank.questions}  # type: ignore[attr-defined]
    for draft in again.drafts:
        original = originals[draft.title]
        assert draft.type is original.type
        assert draft.explanation == original.explanation
        if draft.type in (QType.SINGLE, QType.MULTIPLE):
            assert draft.correct == list(original.correct)


@pytest.mark.parametrize("fmt", ["gift", "aiken", "csv"])
def test_cli_import_writes_a_bank_and_prints_a_json_summary(app: Flask, tmp_path: Path, fmt: str) -> None:
    source = IMPORTS / f"sample.{fmt}"
    out = tmp_path / "imported.md"
    result = app.test_cli_runner().invoke(args=[
        "quiz", "import", str(source), "--format", fmt, "--bank", "imported", "--course", "sample-course",
        "--lesson", "pdca", "--output", str(out), "--json"])
    summary = json.loads(result.output[result.output.index("{"):])
    assert result.exit_code == (1 if summary["rejected"] else 0), result.output  # a rejection is an error
    assert summary["converted"] > 0
    assert all({"line", "reason"} <= set(r) for r in summary["rejected"])
    assert bank_from(out.read_text(encoding="utf-8"))[1] == []


def test_cli_import_refuses_non_utf8_and_missing_course(app: Flask, tmp_path: Path) -> None:
    bad = tmp_path / "bad.gift"
    bad.write_bytes("质量".encode("gbk"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["quiz", "import", str(bad), "--format", "gift", "--bank", "x", "--course", "c", "--lesson", "l"])
    assert result.exit_code != 0
    assert "UTF-8" in result.output
    result = runner.invoke(args=["quiz", "import", str(IMPORTS / "sample.gift"), "--format", "gift", "--bank", "new-bank"])
    assert "--course" in result.output


def test_cli_export_prints_gift(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["quiz", "export", "sample-course", "--format", "gift"])
    assert result.exit_code == 0
    assert "::sample-001::" in result.output
    assert "skipped" in result.output
    assert app.test_cli_runner().invoke(args=["quiz", "export", "nope"]).exit_code != 0
