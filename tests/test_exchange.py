"""Question exchange: GIFT read with Moodle's meaning, Moodle XML, Aiken, the Excel template,
safe writing, and lossless round trips over every shipped bank."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from academy.content import importers
from academy.content.gift import parse_gift, to_gift
from academy.content.importers import import_questions
from academy.content.moodlexml import parse_moodle_xml, to_moodle_xml
from academy.content.problems import Problem
from academy.content.quizbank import QType, Question, load_banks, parse_bank
from academy.content.sheet_template import template_bytes
from academy.grading import MultiplePolicy, grade_item
from academy.models import Role

from .conftest import log_in

ROOT = Path(__file__).resolve().parent.parent
COMPARED = ("type", "stem", "options", "correct", "weights", "truth", "blanks", "blank_weights", "low", "high",
            "matches", "explanation", "score", "difficulty", "lesson", "tags", "compute")


def one(text: str) -> importers.Draft:
    imported = parse_gift(text)
    assert imported.rejected == [], imported.rejected
    assert len(imported.drafts) == 1
    return imported.drafts[0]


def bank_of(markdown: str, bank_id: str = "ex") -> tuple[object, list[Problem]]:
    problems: list[Problem] = []
    return parse_bank(markdown, Path(f"{bank_id}.md"), Path(), problems), problems


# -- GIFT with Moodle's meaning -------------------------------------------------------------------

def test_one_answer_with_weighted_wrong_options_stays_single_choice_with_partial_credit() -> None:
    draft = one("哪座城市？{~甲城 ~%25%乙城 ~%50%丙城 =丁城}")
    assert draft.type is QType.SINGLE
    assert draft.correct == [3]
    assert draft.weights == [0, 0.25, 0.5, 1]


def test_several_equals_in_a_choice_mean_any_one_of_them_is_right() -> None:
    draft = one("选一个正确的。{=甲 =乙 ~丙}")
    assert draft.type is QType.SINGLE
    assert draft.correct == [0, 1]
    result = import_questions("选一个正确的。{=甲 =乙 ~丙}", "gift", bank_id="ex", course="c", lesson="l")
    question = result.bank.questions[0]  # type: ignore[union-attr]
    assert grade_item(question, 1).correct
    assert grade_item(question, 0).correct
    assert grade_item(question, 2).score == 0


def test_no_equals_means_several_answers_whose_weights_add_up() -> None:
    draft = one("哪些是？{~%50%甲 ~%50%乙 ~%-100%丙}")
    assert draft.type is QType.MULTIPLE
    assert draft.weights == [0.5, 0.5, -1]
    assert "add up to 60%" in parse_gift("哪些是？{~%60%甲 ~%-50%乙}").rejected[0].reason


@pytest.mark.parametrize(("answer", "low", "high"), [
    ("#.5", 0.5, 0.5), ("#1e3", 1000, 1000), ("#+3", 3, 3), ("#1.5:0.5", 1.0, 2.0), ("#1..5", 1, 5), ("#-2..-1", -2, -1),
])
def test_every_numeric_form_moodle_reads(answer: str, low: float, high: float) -> None:
    draft = one(f"多少？{{{answer}}}")
    assert draft.type is QType.NUMERIC
    assert (draft.low, draft.high) == pytest.approx((low, high))


def test_short_answer_without_equals_and_with_weights() -> None:
    assert one("质量之父是谁？{戴明}").blanks == [["戴明"]]
    draft = one("首都？{=北京 =%50%北平 #旧称}")
    assert draft.blank_weights == [[1, 0.5]]


def test_matching_with_a_distractor_and_arrows_inside_choice_text() -> None:
    draft = one("配对。{=甲 -> 一 =乙 -> 二 = -> 三}")
    assert (draft.options, draft.matches, draft.distractors) == (["甲", "乙"], ["一", "二"], ["三"])
    arrow = one("哪个箭头对？{=a -> b ~c}")  # a '~' makes it a choice, so '->' is plain text
    assert arrow.type is QType.SINGLE
    assert arrow.options[0] == "a -> b"


def test_comments_inside_braces_and_escapes_in_the_right_order() -> None:
    draft = one("::t::公式 \\\\neq 与 \\{1\\} 和 a\\=b。{\n// 这一行是注释\n=对\n~错\n}")
    assert draft.options == ["对", "错"]
    assert draft.stem == "公式 \\\\neq 与 {1} 和 a=b。"  # one backslash, escaped for Markdown
    assert "\x01" not in draft.stem


def test_text_formats_keep_their_meaning() -> None:
    html = one("[html]<p>3 < 5 and 7 > 2<br>下一句</p>{T}")
    assert html.stem == "<p>3 < 5 and 7 > 2<br>下一句</p>"
    plain = one("[plain]用 <b> 标签 *不* 加粗{T}")
    assert plain.stem == "用 &lt;b&gt; 标签 \\*不\\* 加粗"
    markdown = one("[markdown]**粗体** 与 H<sub>2</sub>O{T}")
    assert markdown.stem == "**粗体** 与 H<sub>2</sub>O"
    moodle = one("第一行\\n第二行{T}")
    assert moodle.stem == "第一行<br>\n第二行"


def test_a_broken_question_is_rejected_alone_with_its_line() -> None:
    text = "::a::第一题 {=对 ~错}\n\n::b::没有闭合 {=对 ~错\n\n::c::多余的 } 括号 {=对 ~错}\n\n::d::第四题 {T}\n"
    imported = parse_gift(text)
    assert [d.title for d in imported.drafts] == ["a", "d"]
    assert [(r.line, r.reason.split(" ")[0]) for r in imported.rejected] == [(3, "an"), (5, "a")]


def test_what_cannot_be_carried_is_never_silent() -> None:
    imported = parse_gift("谈谈体会。{}\n\n只是说明。\n\n<img src=\"@@PLUGINFILE@@/a.png\"> 图中是什么？{=甲 ~乙}\n\n"
                          "年份？{#=1822 =1900}\n\n名称？{=质量*}")
    reasons = [r.reason for r in imported.rejected]
    assert any("essay" in r for r in reasons)
    assert any("description" in r for r in reasons)
    assert any("several different answers worth 100%" in r for r in reasons)
    warnings = {w.line: w.reason for w in imported.warnings}
    assert "a.png" in warnings[5]
    assert 9 not in warnings  # '*' is a wildcard here too: nothing lost
    script = parse_gift('[html]<p onclick="x()">看</p><script>alert(1)</script>{T}')
    assert [w.reason for w in script.warnings] == ["HTML '<script' is removed when the question is shown",
                                                   "HTML 'onclick=' is removed when the question is shown"]


def test_numeric_near_misses_earn_their_share() -> None:
    result = import_questions("年份？{#=1822:0 =%50%1822:2 #接近}", "gift", bank_id="ex", course="c", lesson="l")
    assert "answer: 1822 | [50%] 1820..1824" in result.markdown
    question = result.bank.questions[0]  # type: ignore[union-attr]
    assert [grade_item(question, n).score for n in ("1822", "1821", "1830")] == [1, 0.5, 0]
    again = import_questions(to_moodle_xml(result.bank), "moodlexml", bank_id="ex", course="c", lesson="l")  # type: ignore[arg-type]
    assert again.bank.questions[0].partial_ranges == question.partial_ranges  # type: ignore[union-attr]


# -- the bank format grew partial credit; grading follows it ---------------------------------------

def test_weighted_questions_grade_as_moodle_does() -> None:
    markdown = import_questions(
        "::ex-001::单选 {~%50%半对 =全对 ~%-50%扣分}\n\n::ex-002::多选 {~%50%甲 ~%50%乙 ~%-100%丙}\n\n"
        "::ex-003::填空 {=北京 =%50%北平}\n\n::ex-004::配对 {=甲 -> 一 =乙 -> 二 = -> 三}",
        "gift", bank_id="ex", course="c", lesson="l").markdown
    assert "- [50%] 半对" in markdown
    assert "- [ ] => 三" not in markdown
    assert "- => 三" in markdown
    bank, problems = bank_of(markdown)
    assert problems == []
    single, multiple, fill, matching = bank.questions  # type: ignore[attr-defined]
    assert grade_item(single, 0).score == 0.5
    assert grade_item(single, 1).score == 1
    assert grade_item(single, 2).score == 0
    for policy in MultiplePolicy:
        assert grade_item(multiple, [0], policy).score == 0.5
        assert grade_item(multiple, [0, 1, 2], policy).score == 0
    assert grade_item(fill, ["北平"]).score == 0.5
    assert matching.matches == ("一", "二", "三")
    assert grade_item(matching, [0, 1]).score == 1
    assert grade_item(matching, [2, 1]).score == 0.5


@pytest.mark.parametrize(("body", "expected"), [
    ("- [x] 甲\n- [150%] 乙", "between -100% and 100%"),
    ("- [x] 甲\n- [50%] 乙", "with percentages marks every key"),
])
def test_the_checker_refuses_impossible_weights(body: str, expected: str) -> None:
    qtype = "single" if "150" in body else "multiple"
    text = f"---\nbank: ex\ntitle: T\ncourse: c\ntags:\n  t: 标签\n---\n\n## ex-001\ntype: {qtype}\ndifficulty: 中\n" \
           f"lesson: l\ntags: t\n\n题？\n\n{body}\n\n解析：因为。\n"
    _, problems = bank_of(text)
    assert expected in problems[0].message


# -- never an invalid bank --------------------------------------------------------------------------

def test_titles_categories_ids_and_feedback_are_written_safely() -> None:
    text = ("$CATEGORY: $course$/top/Yes\n\n::q::题一 {=对 ~错 ####解析里有\n## 标题行\n- [x] 像选项的行}\n\n"
            "$CATEGORY: 2024\n\n题二 {T}\n\n$CATEGORY: Chapter 1: Basics\n\n题三 {F}")
    result = import_questions(text, "gift", bank_id="My Bank", course="Course: One", lesson="l",
                              title="Chapter 1: Basics")
    assert result.bank_id == "my-bank"
    bank, problems = bank_of(result.markdown, "my-bank")
    assert problems == []
    assert result.errors == []
    assert bank.title == "Chapter 1: Basics"
    assert bank.course == "Course: One"
    assert set(bank.tags.values()) == {"Yes", "2024", "Chapter 1: Basics"}  # type: ignore[attr-defined]
    assert "## 标题行" in bank.questions[0].explanation  # type: ignore[attr-defined]
    assert len(bank.questions) == 3  # type: ignore[attr-defined]


def test_cli_import_exits_non_zero_with_located_rejections(app: Flask, tmp_path: Path) -> None:
    source = tmp_path / "in.gift"
    source.write_text("好题 {=对 ~错}\n\n坏题 {=对 ~错\n", encoding="utf-8")
    out = tmp_path / "ex.md"
    result = app.test_cli_runner().invoke(args=["quiz", "import", str(source), "--format", "gift", "--bank", "ex",
                                                "--course", "c", "--lesson", "l", "--output", str(out)])
    assert result.exit_code == 1
    assert f"{source}:3: rejected:" in result.output
    assert bank_of(out.read_text(encoding="utf-8"))[1] == []


# -- lossless round trips over every shipped bank -----------------------------------------------

def _same(original: Question, again: Question) -> list[str]:
    return [f"{original.id}.{name}" for name in COMPARED if getattr(original, name) != getattr(again, name)]


@pytest.mark.parametrize("fmt", ["gift", "moodlexml"])
def test_every_shipped_bank_round_trips_and_a_second_cycle_changes_nothing(fmt: str) -> None:
    banks, problems = load_banks(ROOT / "quiz")
    assert problems == []
    checked = 0
    for bank in banks.values():
        text = to_gift(bank)[0] if fmt == "gift" else to_moodle_xml(bank)
        first = import_questions(text, fmt, bank_id=bank.id, course=bank.course, lesson="unused", title=bank.title)
        assert first.errors == [], (bank.id, first.errors[:3])
        assert first.bank is not None
        again = {q.id: q for q in first.bank.questions}
        for question in bank.questions:
            if fmt == "gift" and question.id not in again:  # ordering and multi-blank fill-ins have no GIFT form
                assert question.type is QType.ORDERING or len(question.blanks) > 1
                continue
            assert _same(question, again[question.id]) == []
            checked += 1
        text2 = to_gift(first.bank)[0] if fmt == "gift" else to_moodle_xml(first.bank)
        second = import_questions(text2, fmt, bank_id=bank.id, course=bank.course, lesson="unused", title=bank.title)
        assert second.markdown == first.markdown
    total = sum(len(b.questions) for b in banks.values())
    assert checked == total if fmt == "moodlexml" else checked > total * 0.9


# -- Moodle XML ---------------------------------------------------------------------------------

PIXEL = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/质量基础</text></category></question>
  <question type="multichoice">
    <name><text>图示</text></name>
    <questiontext format="html"><text><![CDATA[<p>图中是哪种图？<img src="@@PLUGINFILE@@/chart.png"></p>]]></text>
      <file name="chart.png" path="/" encoding="base64">{PIXEL}</file></questiontext>
    <generalfeedback format="html"><text>看横轴。</text></generalfeedback>
    <defaultgrade>2</defaultgrade><penalty>0.3333333</penalty><single>true</single>
    <answer fraction="100" format="html"><text>排列图</text><feedback format="html"><text>对</text></feedback></answer>
    <answer fraction="50" format="html"><text>直方图</text></answer>
    <answer fraction="0" format="html"><text>散布图</text></answer>
  </question>
  <question type="essay"><name><text>作文</text></name><questiontext format="html"><text>谈谈。</text></questiontext></question>
</quiz>
"""


def test_moodle_xml_import_carries_fractions_feedback_and_images() -> None:
    result = import_questions(XML, "moodlexml", bank_id="ex", course="c", lesson="l")
    assert [e.line for e in result.errors] == [XML.splitlines().index(
        next(x for x in XML.splitlines() if 'type="essay"' in x)) + 1]
    question = result.bank.questions[0]  # type: ignore[union-attr]
    assert question.weights == (1, 0.5, 0)
    assert question.score == 2
    assert "选项「排列图」：对" in question.explanation
    assert result.files == {"ex-files/chart.png": base64.b64decode(PIXEL)}
    assert 'src="ex-files/chart.png"' in question.stem
    assert any("penalties" in w.reason for w in result.warnings)


def test_moodle_xml_refuses_entities_and_broken_files() -> None:
    assert "DOCTYPE" in parse_moodle_xml('<!DOCTYPE x [<!ENTITY a "b">]><quiz/>').rejected[0].reason
    assert "well-formed" in parse_moodle_xml("<quiz><question>").rejected[0].reason


def test_cli_exports_moodle_xml(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["quiz", "export", "sample-course", "--format", "moodlexml"])
    assert result.exit_code == 0
    assert '<question type="ordering">' in result.output


# -- Aiken ------------------------------------------------------------------------------------

def test_aiken_tolerates_blank_lines_and_full_width_punctuation() -> None:
    text = "质量是什么？\n\nＡ．价格\nB、要求\n\nC）包装\nANSWER：B\n\n第二题\nA. 甲\nB. 乙\nANSWER: C\n"
    imported = importers.parse_aiken(text)
    assert [(d.options, d.correct) for d in imported.drafts] == [(["价格", "要求", "包装"], [1])]
    assert imported.rejected[0].line == 12
    assert "answer 'C' is not among the options A–B" in imported.rejected[0].reason


# -- Excel template -----------------------------------------------------------------------------

def test_the_excel_template_imports_one_question_per_type(app: Flask, tmp_path: Path) -> None:
    result = import_questions(template_bytes(), "xlsx", bank_id="ex", course="c", lesson="l")
    assert result.errors == []
    assert result.warnings == []
    assert [q.type for q in result.bank.questions] == [  # type: ignore[union-attr]
        QType.SINGLE, QType.MULTIPLE, QType.TRUEFALSE, QType.FILL, QType.NUMERIC]
    target = tmp_path / "template.xlsx"
    assert app.test_cli_runner().invoke(args=["quiz", "template", str(target)]).exit_code == 0
    from openpyxl import load_workbook

    assert load_workbook(target).sheetnames == ["题目", "填写说明"]


def test_the_template_downloads_for_authors_and_hr_only(app: Flask, make_user: Any) -> None:
    url = "/quiz-admin/question-template.xlsx"
    for roles, status in (((), 403), ((Role.AUTHOR,), 200), ((Role.HR,), 200)):
        client = app.test_client()
        log_in(client, make_user(roles=roles))
        response = client.get(url)
        assert response.status_code == status
        if status == 200:
            assert response.headers["Content-Disposition"].startswith("attachment")
            result = import_questions(response.data, "xlsx", bank_id="ex", course="c", lesson="l")
            assert result.converted == 5
    assert app.test_client().get(url).status_code in (302, 401)


# -- properties ---------------------------------------------------------------------------------

GIFT_ALPHABET = st.sampled_from([*list("{}=~#%:->\\/[]\n 甲乙 abc 123.5 T"), "TRUE", "\n\n", "//", "####", "%50%", "[html]", "<b>", "::t::", "$CATEGORY: 1"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(GIFT_ALPHABET, max_size=40).map("".join))
def test_gift_imports_never_crash_and_never_write_an_invalid_bank(text: str) -> None:
    result = import_questions(text, "gift", bank_id="ex", course="c", lesson="l")
    if result.markdown:
        _, problems = bank_of(result.markdown)
        assert problems == []
        again = import_questions(to_gift(result.bank)[0], "gift", bank_id="ex", course="c", lesson="l")  # type: ignore[arg-type]
        assert again.markdown == result.markdown
        xml = import_questions(to_moodle_xml(result.bank), "moodlexml", bank_id="ex", course="c", lesson="l")  # type: ignore[arg-type]
        assert xml.markdown == result.markdown


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["aiken", "moodlexml", "csv"]))
def test_other_imports_never_crash(text: str, fmt: str) -> None:
    result = import_questions(text, fmt, bank_id="ex", course="c", lesson="l")
    if result.markdown:
        assert bank_of(result.markdown)[1] == []
