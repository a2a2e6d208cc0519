"""The question bank parser: every type parses, every authoring mistake is a path:line problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from academy.content.arithmetic import evaluate
from academy.content.problems import Problem
from academy.content.quizbank import QType, load_banks, parse_bank

from .conftest import FIXTURES

HEAD = "---\nbank: b\ntitle: T\ncourse: sample-course\ntags:\n  t1: 标签\n---\n\n"


def parse(body: str, tmp_path: Path) -> tuple[object, list[str]]:
    path = tmp_path / "quiz" / "b.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(HEAD + body, encoding="utf-8")
    problems: list[Problem] = []
    bank = parse_bank(path.read_text(encoding="utf-8"), path, tmp_path / "quiz", problems)
    return bank, [str(p) for p in problems]


def question(qtype: str, body: str, extra: str = "") -> str:
    return f"## b-001\ntype: {qtype}\ndifficulty: 中\nlesson: pdca\ntags: t1\n{extra}\n{body}\n\n解析：因为如此。\n"


def test_fixture_bank_parses_every_type() -> None:
    banks, problems = load_banks(FIXTURES / "quiz")
    assert problems == []
    bank = banks["sample-course"]
    by_id = {q.id: q for q in bank.questions}
    assert {q.type for q in bank.questions} == set(QType)
    assert by_id["sample-001"].correct == (1,)
    assert by_id["sample-003"].correct == (0, 1)
    assert by_id["sample-002"].truth is False
    assert by_id["sample-004"].blanks == (("计划", "策划", "Plan"),)
    assert by_id["sample-005"].low == pytest.approx(1.32)
    assert by_id["sample-006"].options == ("计划", "实施", "检查", "处置")
    assert by_id["sample-007"].matches == ("满足规定要求", "满足使用需要")
    assert "固有特性" in by_id["sample-001"].explanation


@pytest.mark.parametrize(("body", "extra", "qtype", "expected"), [
    ("题？\n\n- [x] 甲\n- [x] 乙", "", "single", "exactly one '- [x]' key, found 2"),
    ("题？\n\n- [ ] 甲\n- [ ] 乙", "", "single", "exactly one '- [x]' key, found 0"),
    ("题？\n\n- [x] 甲\n- [ ] 乙", "", "multiple", "at least two '- [x]' keys"),
    ("题？\n\n- [x] 甲\n- [ ] 甲", "", "single", "two options have the same text"),
    ("陈述。", "answer: 也许", "truefalse", "a true/false answer is 对 or 错"),
    ("第一____第二____", "answer: 甲", "fill", "2 blank(s) in the text but 1 'answer:' line(s)"),
    ("无空", "answer: 甲", "fill", "needs blanks written as '____'"),
    ("求值。", "answer: 2\ncompute: 1 + 2", "numeric", "'compute:' gives 3"),
    ("求值。", "answer: 2\ncompute: __import__('os')", "numeric", "cannot be evaluated"),
    ("求值。", "answer: 2", "numeric", "missing 'compute:'"),
    ("题？\n\n1. 甲\n2. 乙", "", "ordering", "at least three numbered items"),
    ("题？\n\n- 甲 => 一", "", "matching", "at least two '- left => right' lines"),
    ("题？\n\n- [x] 甲\n- [ ] 乙", "answer: 甲", "single", "'answer:' is not used by single questions"),
    ("题？\n\n- [x] 甲\n- [ ] 乙", "", "essay", "unknown question type 'essay'"),
])
def test_authoring_mistakes_are_reported(tmp_path: Path, body: str, extra: str, qtype: str, expected: str) -> None:
    _, problems = parse(question(qtype, body, extra), tmp_path)
    assert any(expected in p for p in problems), problems
    assert all(p.startswith("quiz/b.md:") for p in problems)


def test_missing_or_empty_explanation(tmp_path: Path) -> None:
    _, problems = parse("## b-001\ntype: truefalse\ndifficulty: 易\nlesson: pdca\ntags: t1\nanswer: 对\n\n陈述。\n", tmp_path)
    assert problems == ["quiz/b.md:9: b-001: missing explanation: add a paragraph starting with '解析：'"]
    _, problems = parse("## b-001\ntype: truefalse\ndifficulty: 易\nlesson: pdca\ntags: t1\nanswer: 对\n\n陈述。\n\n解析：\n", tmp_path)
    assert len(problems) == 1
    assert "b-001: empty explanation after" in problems[0]


def test_duplicate_ids_and_unknown_tags(tmp_path: Path) -> None:
    one = question("truefalse", "陈述。", "answer: 对")
    _, problems = parse(one + "\n" + one.replace("tags: t1", "tags: t9"), tmp_path)
    assert any("duplicate question id 'b-001' (also line 9)" in p for p in problems)
    _, problems = parse(one.replace("tags: t1", "tags: t9"), tmp_path)
    assert any("unknown tag(s) t9" in p for p in problems)


def test_bad_difficulty_names_its_line(tmp_path: Path) -> None:
    _, problems = parse(question("truefalse", "陈述。", "answer: 对").replace("difficulty: 中", "difficulty: hard"), tmp_path)
    assert problems == ["quiz/b.md:11: b-001: difficulty must be 易, 中 or 难, not 'hard'"]


def test_bank_id_must_match_file_name(tmp_path: Path) -> None:
    path = tmp_path / "quiz" / "other.md"
    path.parent.mkdir()
    path.write_text(HEAD, encoding="utf-8")
    problems: list[Problem] = []
    assert parse_bank(HEAD, path, tmp_path / "quiz", problems) is None
    assert "'bank:' must be the file name 'other'" in str(problems[0])


def test_question_ids_are_unique_across_banks(tmp_path: Path) -> None:
    folder = tmp_path / "quiz"
    folder.mkdir()
    body = question("truefalse", "陈述。", "answer: 对")
    for name in ("a", "b"):
        (folder / f"{name}.md").write_text(HEAD.replace("bank: b", f"bank: {name}") + body, encoding="utf-8")
    _, problems = load_banks(folder)
    assert any("question id 'b-001' is also used in bank 'a'" in str(p) for p in problems)


@pytest.mark.parametrize(("expression", "value"), [
    ("(10.6 - 9.4) / (6 * 0.15)", 1.3333333),
    ("min(10.6 - 10.1, 10.1 - 9.4) / (3 * 0.15)", 1.1111111),
    ("exp(-0.001 * 500)", 0.6065307),
    ("norm_ppf(1 - 3.4e-6) + 1.5", 6.0),
    ("2 ** 10", 1024),
    ("3.4 × 2 − 1", 5.8),
])
def test_compute_evaluates_arithmetic(expression: str, value: float) -> None:
    assert evaluate(expression) == pytest.approx(value, abs=1e-3)


@pytest.mark.parametrize("expression", ["__import__('os')", "open('x')", "x + 1", "(1).real", "lambda: 1"])
def test_compute_refuses_anything_but_arithmetic(expression: str) -> None:
    with pytest.raises(ValueError, match="not"):
        evaluate(expression)
