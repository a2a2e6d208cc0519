"""The per-bank shares authors watch: choice items set in a situation, and items about dates."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from academy.content import item_kinds
from academy.content.quizbank import QType

from .support.grading import make


@pytest.mark.parametrize(("stem", "scenario"), [
    ("某工程机械企业连续三批来料的硬度偏低，SQE 首先应做什么？", True),
    ("控制图上连续 9 点落在中心线同一侧，这说明了什么？", True),
    ("质量屋的屋顶显示两项技术特性强负相关。这提示设计团队：", True),
    ("一批 500 件中抽取 20 件，发现 2 件不合格，不合格品率估计为多少？", True),
    ("在质量屋中，“左墙”应填写的是：", False),
    ("下列哪一项属于 PDCA 的检查阶段？", False),
])
def test_a_choice_item_is_a_situation_when_the_stem_sets_one(stem: str, scenario: bool) -> None:
    assert item_kinds.is_scenario(make(QType.SINGLE, stem=stem, options=("a", "b"), correct=(0,))) is scenario


def test_a_number_to_compute_is_always_a_situation() -> None:
    assert item_kinds.is_scenario(make(QType.NUMERIC, stem="求 Cp。", low=1.0, high=1.1)) is True


@pytest.mark.parametrize(("stem", "options", "date"), [
    ("2017 年修订的《标准化法》自何时起施行？", ("2018 年 1 月 1 日", "2017 年 11 月 4 日"), True),
    ("《质量强国建设纲要》于哪一年印发？", ("2021", "2023"), True),
    ("下列标准中哪一项是推荐性国家标准？", ("2018 年", "2019 年"), True),
    ("下列标准中哪一项是推荐性国家标准？", ("GB 6675", "GB/T 19001"), False),
    ("某企业 2023 年的质量成本率为 4%，说明了什么？", ("a", "b"), False),
])
def test_an_item_about_dates_is_recognised(stem: str, options: tuple[str, ...], date: bool) -> None:
    assert item_kinds.is_date_item(make(QType.SINGLE, stem=stem, options=options, correct=(0,))) is date


def test_shares_count_choice_items_only() -> None:
    questions = [
        make(QType.SINGLE, stem="某车间发现焊缝气孔增多，首先应：", options=("a", "b"), correct=(0,)),
        make(QType.TRUEFALSE, stem="标准是强制执行的。", truth=False),
        make(QType.FILL, stem="某企业的一次合格率为 ____。", blanks=(("95%",),)),
        make(QType.MULTIPLE, stem="《标准化法》于哪一年修订？", options=("2017 年", "2018 年"), correct=(0, 1)),
    ]
    assert item_kinds.shares(questions) == {"choice_items": 3, "scenario_share": 0.333, "date_items": 1}


def test_content_stats_reports_the_shares_per_bank(app: Flask) -> None:
    rows = json.loads(app.test_cli_runner().invoke(args=["content", "stats", "--json"]).output)
    sample = next(row for row in rows if row["slug"] == "sample-course")
    assert set(sample) >= {"choice_items", "scenario_share", "date_items"}
    assert 0 < sample["choice_items"] <= sample["questions"]
    text = app.test_cli_runner().invoke(args=["content", "stats"]).output
    assert "choice items, dates" in text
