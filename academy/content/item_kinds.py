"""What a question asks of the learner: to judge a situation, or to recall a fact such as a date.

A certification exam should certify competence, so authors watch two shares per bank: choice
items that put the learner in a situation (a case to classify, a number to compute, a record or
chart to read) and items about dates of issue. The signals below are what our banks' writing
conventions make visible in a stem; they are a guide for authors, not a grade.
"""

from __future__ import annotations

import re

from academy.content.quizbank import QType, Question

CHOICE_TYPES = frozenset({QType.SINGLE, QType.MULTIPLE, QType.TRUEFALSE})

# A situation: an organisation, a person at work or a record the learner must read, or data to use.
_SCENARIO = re.compile(
    r"某[^\s，。、]{0,12}(企业|公司|工厂|车间|班组|项目|小组|单位|集团|供应商|工序|产品|批|检验员|工程师|员工|岗位|生产线|电站|医院|部门)"
    r"|案例|情境|场景|下表|上表|如图|如下数据|显示|测得|实测|抽取|抽检|抽样|算得|计算|发现|若|如果|假设|现场|一批|一台|一名|接上题|"
    r"班组长|检验员|审核员|操作工|工程师|项目组|团队|样机|你是|你作为|你所在|应当怎样|应怎样|应该怎么|最恰当|最合适|首先应|下一步|"
    r"最可能|意味着|说明了什么|这提示|隐患|属于哪一类|属于哪种|属于哪类|"
    r"采购员|计量员|质量经理|项目经理|技术员|装配工|施工员|总监|SQE|(?:说|认为|主张)：|一位"
)
_NUMBERS = re.compile(r"\d+(?:\.\d+)?\s*(?:%|mm|MPa|兆帕|万元|元|件|台|个|次|小时|天|分钟|ppm|μm|°C|kg|吨)")
# A date of issue: which year, or when something was issued or took effect.
_DATE = re.compile(
    r"(哪一年|哪年|何年|年份|什么时候|何时)"
    r"|(\d{4}\s*年.{0,12}(发布|印发|施行|实施|生效|通过|修订|颁布))"
    r"|((发布|印发|施行|实施|生效|颁布)(的)?(时间|日期|年份))"
)


def is_choice(question: Question) -> bool:
    return question.type in CHOICE_TYPES


def is_scenario(question: Question) -> bool:
    if question.type is QType.NUMERIC:
        return True
    return bool(_SCENARIO.search(question.stem) or len(_NUMBERS.findall(question.stem)) >= 2)


def is_date_item(question: Question) -> bool:
    if _DATE.search(question.stem):
        return True
    options = [o for o in question.options if o.strip()]
    return len(options) >= 2 and all(re.fullmatch(r"\s*\d{4}\s*年?\s*(\d{1,2}\s*月)?\s*", o) for o in options)


def shares(questions: tuple[Question, ...] | list[Question]) -> dict[str, float | int]:
    """Per bank: choice items, the share of them that put the learner in a situation, and date items."""
    choice = [q for q in questions if is_choice(q)]
    scenario = [q for q in choice if is_scenario(q)]
    return {
        "choice_items": len(choice),
        "scenario_share": round(len(scenario) / len(choice), 3) if choice else 0.0,
        "date_items": sum(1 for q in questions if is_date_item(q)),
    }
