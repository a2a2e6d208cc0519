"""The Excel template for authors who keep questions in a spreadsheet.

The first sheet holds the questions (one example per type, importable as it is); the
second explains every column. ``flask quiz import FILE --format xlsx`` reads it back.
"""

from __future__ import annotations

import io

HEADERS = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案", "解析", "难度", "知识点"]
EXAMPLES = [
    ["单选", "PDCA 循环中的 C 指哪一个阶段？", "计划", "实施", "检查", "处置", "", "", "C",
     "C 是检查：把实施结果与计划目标比较，找出差距。", "易", "PDCA"],
    ["多选", "下列哪些属于质量管理原则？", "以顾客为关注焦点", "领导作用", "利润最大化", "循证决策", "", "", "ABD",
     "利润是经营结果，不是质量管理原则。", "中", "质量管理原则"],
    ["判断", "PDCA 循环转完一圈就结束了。", "", "", "", "", "", "", "错",
     "PDCA 是螺旋上升的持续改进循环，一圈结束又开始新的一圈。", "易", "PDCA"],
    ["填空", "PDCA 循环的第一个阶段是（ ），最后一个阶段是（ ）。", "", "", "", "", "", "", "计划|策划;处置|改进",
     "P 是计划，A 是处置：把有效做法标准化，遗留问题转入下一循环。", "易", "PDCA"],
    ["计算", "规格 10.0±0.6 mm，标准差 0.15 mm，过程居中，求 Cp（两位小数）。", "", "", "", "", "", "", "1.33±0.01",
     "Cp =（USL − LSL）/ 6σ = 1.2 / 0.9 ≈ 1.33。", "中", "过程能力"],
]
INSTRUCTIONS = [
    ["列", "怎么填"],
    ["题型", "单选、多选、判断、填空、计算（也可写 single、multiple、truefalse、fill、numeric）"],
    ["题干", "题目文字。填空题的空写成（ ）或 ____，一题可有多个空"],
    ["选项A–选项F", "单选、多选的选项，从 A 起连续填写，中间不留空列，至少两项"],
    ["答案", "单选写一个字母，如 C；多选写全部正确字母，如 ABD；判断写 对 或 错；"
             "填空每个空的答案用 ; 分隔，同一空的多个可接受答案用 | 分隔，如 计划|策划;处置；"
             "计算写 1.33±0.01（允许误差）或 1.30..1.36（范围）"],
    ["解析", "讲清为什么，不只是答案。空着的题导入后标为“待补充”"],
    ["难度", "易、中、难；空着按导入时指定的难度"],
    ["知识点", "一个或多个，用逗号、顿号或空格分隔"],
    ["导入", "flask quiz import 文件.xlsx --format xlsx --bank 题库编号 --course 课程 --lesson 课时；"
             "有问题的行会标出行号和列号，其余照常导入"],
]


def template_bytes() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "题目"
    sheet.append(HEADERS)
    for row in EXAMPLES:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = {"A": 8, "B": 48, "I": 20, "J": 48, "K": 8, "L": 14}
    for column in "CDEFGH":
        widths[column] = 16
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    guide = book.create_sheet("填写说明")
    for row in INSTRUCTIONS:
        guide.append(row)
    guide.column_dimensions["A"].width = 14
    guide.column_dimensions["B"].width = 100
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for row in guide.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
