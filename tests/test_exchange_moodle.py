"""Question exchange, the parts where Moodle's meaning is subtle: the short-answer wildcard,
matching rows that share a right-hand side, cloze gaps other than short answers, and
options that run over several lines. Every fixture here is written for this file."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from academy.content.gift import parse_gift
from academy.content.importers import import_questions
from academy.content.problems import Problem
from academy.content.quizbank import QType, Question, distinct_rights, parse_bank
from academy.content.quizzes import _order
from academy.grading import grade_item, same_text


def imported(text: str, fmt: str = "gift") -> list[Question]:
    result = import_questions(text, fmt, bank_id="ex", course="c", lesson="l")
    assert result.errors == [], result.errors
    assert result.bank is not None
    return list(result.bank.questions)


# -- several lines in an option -------------------------------------------------------------------

def test_an_option_over_two_lines_breaks_once_and_never_inside_a_tag() -> None:
    question = imported('哪一个？{~甲\n乙 =丙 ~[html]<span style\\="color\\:red;\nfont-weight\\:bold">丁</span>}')[0]
    assert question.options[0] == "甲<br>乙"  # Moodle's own format: one break, not two
    assert question.options[2] == '<span style="color:red; font-weight:bold">丁</span>'


def test_an_inline_double_slash_is_named_when_it_makes_an_answer_unusable() -> None:
    rejected = parse_gift("判断。{ // 不是注释\nF // 也不是\n}").rejected
    assert len(rejected) == 1
    assert "only a line starting with '//' is" in rejected[0].reason


# -- the short-answer wildcard --------------------------------------------------------------------

@pytest.mark.parametrize(("variant", "given", "right"), [
    ("质量*", "质量管理体系", True), ("质量*", "质量", True), ("质量*", "全面质量", False),
    ("*计划*", "年度审核计划表", True), ("PD*A", "pdca", True), ("PD*A", "pdc", False),
    ("a\\*b", "a*b", True), ("a\\*b", "axb", False), ("x**y", "xzzy", True), ("a.b", "axb", False),
    ("*", "任何回答", True), ("(1+2)*", "(1+2)=3", True),
])
def test_a_star_stands_for_any_text_as_in_moodle(variant: str, given: str, right: bool) -> None:
    assert same_text(variant, given) is right


def test_gift_wildcards_are_graded_and_the_catch_all_feedback_is_kept() -> None:
    question = imported("最好的动物？{\n=青蛙#好！\n=%50%猫*#也行。\n=%0%*#完全不对\n}")[0]
    assert question.blanks == (("青蛙", "猫*"),)
    assert grade_item(question, ["猫咪"]).score == 0.5
    assert grade_item(question, ["狗"]).score == 0
    assert "其他答案：完全不对" in question.explanation
    result = import_questions("名称？{=质量*}", "gift", bank_id="ex", course="c", lesson="l")
    assert result.warnings == [w for w in result.warnings if "*" not in w.reason]


def test_moodle_xml_wildcards_are_graded() -> None:
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="shortanswer"><name><text>名称</text></name>
    <questiontext format="html"><text>体系叫什么？</text></questiontext>
    <answer fraction="100"><text>质量管理*</text></answer>
    <answer fraction="0"><text>*</text><feedback><text>再想想</text></feedback></answer>
  </question>
</quiz>"""
    question = imported(xml, "moodlexml")[0]
    assert grade_item(question, ["质量管理体系"]).correct
    assert "其他答案：再想想" in question.explanation


# -- matching rows sharing a right-hand side ------------------------------------------------------

SHARED = "配对。{=苹果 -> 水果 =香蕉 -> 水果 =白菜 -> 蔬菜 = -> 肉 = -> 水果}"


def test_two_rows_may_share_a_right_hand_side_shown_once() -> None:
    question = imported(SHARED)[0]
    assert question.options == ("苹果", "香蕉", "白菜")
    assert question.matches == ("水果", "水果", "蔬菜", "肉")  # the repeated distractor adds no choice
    assert distinct_rights(question) == [0, 2, 3]
    order = _order(question, True, random.Random(7))  # noqa: S311 - a paper's shuffle, not a secret
    assert sorted(order) == [0, 2, 3]


def test_shared_right_hand_sides_grade_by_their_text() -> None:
    question = imported(SHARED)[0]
    assert grade_item(question, [0, 0, 2]).correct
    assert grade_item(question, [0, 1, 2]).correct  # either place holding 水果 is 水果
    assert grade_item(question, [0, 2, 2]).score == pytest.approx(2 / 3, abs=1e-3)
    assert grade_item(question, [3, 3, 3]).score == 0


def test_moodle_xml_matching_with_a_shared_answer() -> None:
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="matching"><name><text>分类</text></name>
    <questiontext format="html"><text>把工具归类。</text></questiontext>
    <subquestion format="html"><text>排列图</text><answer><text>QC 七工具</text></answer></subquestion>
    <subquestion format="html"><text>因果图</text><answer><text>QC 七工具</text></answer></subquestion>
    <subquestion format="html"><text>亲和图</text><answer><text>新七工具</text></answer></subquestion>
  </question>
</quiz>"""
    question = imported(xml, "moodlexml")[0]
    assert question.type is QType.MATCHING
    assert question.matches == ("QC 七工具", "QC 七工具", "新七工具")
    assert grade_item(question, [0, 0, 2]).correct


def test_the_checker_still_refuses_a_distractor_that_would_match() -> None:
    text = ("---\nbank: ex\ntitle: t\ncourse: c\ntags:\n  a: a\n---\n\n## ex-001\ntype: matching\ndifficulty: 中\n"
            "lesson: l\ntags: a\n\n配对。\n\n- 甲 => 一\n- 乙 => 一\n- => 一\n\n解析：因为。\n")
    problems: list[Problem] = []
    parse_bank(text, Path("ex.md"), Path(), problems)
    assert any("repeats a right-hand side" in p.message for p in problems)
    problems = []
    bank = parse_bank(text.replace("- => 一\n", ""), Path("ex.md"), Path(), problems)
    assert problems == []
    assert bank is not None
    assert bank.questions[0].matches == ("一", "一")


# -- cloze gaps -----------------------------------------------------------------------------------

def cloze(text: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="cloze"><name><text>完形</text></name>
    <questiontext format="html"><text><![CDATA[{text}]]></text></questiontext>
  </question>
</quiz>"""


def test_cloze_short_answer_gaps_keep_stars_underscores_and_feedback() -> None:
    question = imported(cloze("<p>{1:SHORTANSWER:=质量*#对~%50%品质#差不多} 与 {1:SA:=PDCA_循环}</p>"), "moodlexml")[0]
    assert question.type is QType.FILL
    assert question.blanks == (("质量*", "品质"), ("PDCA_循环",))
    assert question.blank_weights == ((1, 0.5), (1,))
    assert question.stem == "<p>____ 与 ____</p>"
    assert "第 1 空答「品质」：差不多" in question.explanation
    assert grade_item(question, ["质量管理", "pdca_循环"]).correct


def test_a_lone_numerical_gap_becomes_a_numeric_question() -> None:
    question = imported(cloze("过程能力指数 Cpk = {2:NUMERICAL:=1.33:0.01#对~%50%1.33:0.1~*#再算一遍}。"), "moodlexml")[0]
    assert question.type is QType.NUMERIC
    assert (question.low, question.high) == pytest.approx((1.32, 1.34))
    assert question.partial_ranges[0] == pytest.approx((0.5, 1.23, 1.43))
    assert question.stem == "过程能力指数 Cpk = ____。"
    assert "其他答案：再算一遍" in question.explanation
    assert grade_item(question, "1.335").correct


def test_a_lone_choice_gap_becomes_a_choice_question() -> None:
    single = imported(cloze("持续改进的循环是 {1:MCV:~DMAIC#六西格玛~=PDCA~%50%PDSA}。"), "moodlexml")[0]
    assert single.type is QType.SINGLE
    assert single.options == ("DMAIC", "PDCA", "PDSA")
    assert single.weights == (0, 1, 0.5)
    assert single.stem == "持续改进的循环是 ____。"
    several = imported(cloze("属于 QC 七工具的是 {1:MULTIRESPONSE:~%50%排列图~%50%因果图~%-100%亲和图}。"), "moodlexml")[0]
    assert several.type is QType.MULTIPLE
    assert several.correct == (0, 1)


def test_a_cloze_mixing_gap_kinds_is_rejected_naming_the_gap() -> None:
    result = import_questions(cloze("{1:SA:=甲} 与 {1:NUMERICAL:=3} 与 {1:MC:=乙~丙}"), "moodlexml",
                              bank_id="ex", course="c", lesson="l")
    assert result.converted == 0
    assert result.errors[0].line == 3
    assert "cloze gap 2 of 3 is NUMERICAL" in result.errors[0].reason
    unknown = import_questions(cloze("{1:ESSAY:=甲}"), "moodlexml", bank_id="ex", course="c", lesson="l")
    assert "cloze gap 1 has type ESSAY" in unknown.errors[0].reason
