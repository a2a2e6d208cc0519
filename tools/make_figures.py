"""Draws the lessons' figures into ``courses/<tier>/<course>/figures/``.

Charts are computed from the numbers the lesson itself gives (its worked example or table), so a
figure and its lesson cannot tell different stories; diagrams are drawn from the lesson's own
terms. Run ``python tools/make_figures.py`` after changing a figure; ``--check`` says which
committed files differ from what this script draws (the test suite runs it).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.svgkit import (
    BLUE,
    GREEN,
    GREY_FILL,
    GRID,
    INK,
    LIGHT_BLUE,
    LIGHT_GREEN,
    LIGHT_ORANGE,
    LIGHT_RED,
    MUTED,
    ORANGE,
    RED,
    Axes,
    Svg,
    normal_pdf,
    ticks,
)

ROOT = Path(__file__).resolve().parent.parent / "courses"
FIGURES: dict[str, Callable[[], Svg]] = {}


def figure(path: str) -> Callable[[Callable[[], Svg]], Callable[[], Svg]]:
    def register(draw: Callable[[], Svg]) -> Callable[[], Svg]:
        FIGURES[path] = draw
        return draw
    return register


def legend(s: Svg, x: float, y: float, items: list[tuple[str, str, str]]) -> None:
    """items: (colour, 'line'|'dot'|'box', label), laid out left to right."""
    for colour, kind, label in items:
        if kind == "line":
            s.line(x, y - 4, x + 22, y - 4, stroke=colour, width=2.5)
        elif kind == "dash":
            s.line(x, y - 4, x + 22, y - 4, stroke=colour, width=2, dash="6 4")
        elif kind == "dot":
            s.circle(x + 11, y - 4, 4.5, fill=colour)
        else:
            s.rect(x + 4, y - 11, 14, 14, fill=colour, stroke=None)
        s.text(x + 28, y, label, size=12, anchor="start")
        x += 34 + 13 * len(label)


def _percent_axis(s: Svg, ax: Axes, total: float) -> None:
    """A Pareto chart's right-hand scale: the cumulative share of the total, in quarters."""
    for value in (0, 25, 50, 75, 100):
        s.text(s.width - ax.right + 6, ax.y(total * value / 100) + 4, f"{value}%", size=12, anchor="start", fill=MUTED)


def _cumulative_line(s: Svg, ax: Axes, points: Sequence[tuple[float, float]], total: float) -> None:
    """A Pareto chart's cumulative line: (bar centre, running total) per bar, each marked with its share."""
    s.polyline([(ax.x(0), ax.y(0)), *[(x, ax.y(c)) for x, c in points]], stroke=RED, width=2)
    for x, c in points:
        s.circle(x, ax.y(c), 3.5, fill=RED)
        s.text(x + 4, ax.y(c) - 8, f"{round(c / total * 100)}%", size=11, anchor="start", fill=RED)


# ---------------------------------------------------------------- all-staff


@figure("all-staff/tqm-fundamentals/figures/pdca-staircase.svg")
def pdca_staircase() -> Svg:
    s = Svg(300)
    # the slope the wheels climb, and the wedges (standards) that hold each step
    s.polygon([(20, 270), (460, 270), (460, 90)], fill=GREY_FILL, stroke=GRID)
    s.text(440, 290, "管理水平不断提高", size=13, anchor="end", fill=MUTED)
    for i, (cx, cy) in enumerate([(120, 200), (250, 150), (380, 100)]):
        r = 46
        quadrants = [("P", "计划", -180, -90), ("D", "实施", -90, 0), ("C", "检查", 0, 90), ("A", "处置", 90, 180)]
        fills = [LIGHT_BLUE, LIGHT_GREEN, LIGHT_ORANGE, LIGHT_RED]
        for (letter, word, a0, a1), fill in zip(quadrants, fills, strict=True):
            x0, y0 = cx + r * math.cos(math.radians(a0)), cy + r * math.sin(math.radians(a0))
            x1, y1 = cx + r * math.cos(math.radians(a1)), cy + r * math.sin(math.radians(a1))
            s.path(f"M{cx},{cy} L{x0:.1f},{y0:.1f} A{r},{r} 0 0 1 {x1:.1f},{y1:.1f} Z", fill=fill, stroke=INK, width=1)
            mid = math.radians((a0 + a1) / 2)
            tx, ty = cx + r * 0.55 * math.cos(mid), cy + r * 0.55 * math.sin(mid)
            s.text(tx, ty + 1, letter, size=15, bold=True)
            if i == 0:
                s.text(tx, ty + 15, word, size=10, fill=MUTED)
        s.rect(cx - 34, cy + r + 2, 68, 14, fill=MUTED, stroke=None, rx=2)
        s.text(cx, cy + r + 13, "标准化", size=10, fill="#ffffff")
    s.arrow(170, 180, 200, 165, stroke=BLUE, width=2)
    s.arrow(300, 130, 330, 115, stroke=BLUE, width=2)
    s.text(20, 30, "每转一圈，A 阶段把有效做法写进标准，", size=13, anchor="start")
    s.text(20, 50, "下一圈从更高的台阶出发（阶梯式上升）", size=13, anchor="start")
    return s


@figure("all-staff/quality-safety-risk/figures/risk-matrix.svg")
def risk_matrix() -> Svg:
    s = Svg(440)
    cell, left, top = 64, 130, 30
    bands = [(4, "#dcf2e3", "低风险 1～4"), (9, "#fff4c2", "一般风险 5～9"), (16, "#fdd8b5", "较大风险 10～16"),
             (25, "#f6b8b1", "重大风险 20～25")]
    for row in range(5):
        severity = 5 - row
        s.text(left - 10, top + row * cell + cell / 2 + 5, f"严重 {severity}", size=12, anchor="end")
        for col in range(5):
            likelihood = col + 1
            score = likelihood * severity
            fill = next(colour for limit, colour, _ in bands if score <= limit)
            s.rect(left + col * cell, top + row * cell, cell, cell, fill=fill, stroke="#ffffff", stroke_width=2)
            s.text(left + col * cell + cell / 2, top + row * cell + cell / 2 + 6, str(score), size=16,
                   bold=score >= 20)
    for col in range(5):
        s.text(left + col * cell + cell / 2, top + 5 * cell + 18, str(col + 1), size=12)
    s.text(left + 2.5 * cell, top + 5 * cell + 38, "可能性分值 →", size=13)
    s.text(18, top + 12, "严重程度", size=13, anchor="start")
    for i, (_limit, colour, label) in enumerate(bands):
        x, y = 40 + (i % 2) * 220, top + 5 * cell + 62 + (i // 2) * 22
        s.rect(x, y - 12, 14, 14, fill=colour, stroke=MUTED)
        s.text(x + 20, y, label, size=12, anchor="start")
    return s


# ---------------------------------------------------------------- practitioner: SPC


@figure("practitioner/quality-tools-spc/figures/pareto-weld-defects.svg")
def pareto_weld_defects() -> Svg:
    s = Svg(320)
    data = [("气孔", 48), ("咬边", 30), ("未熔合", 12), ("焊瘤", 6), ("其他", 4)]
    total = sum(v for _, v in data)
    ax = Axes(s, 0, len(data), 0, total, right=52, top=30)
    ax.frame(x_ticks=[], y_ticks=ticks(0, 100, 25), y_label="缺陷数（处）")
    _percent_axis(s, ax, total)
    cumulative, points = 0, []
    for i, (name, value) in enumerate(data):
        cumulative += value
        x0, x1 = ax.x(i) + 6, ax.x(i + 1) - 6
        fill = BLUE if cumulative <= 80 else ("#6f9bd8" if cumulative <= 90 else "#aebfd6")
        s.rect(x0, ax.y(value), x1 - x0, ax.y(0) - ax.y(value), fill=fill, stroke=None)
        if value >= 20:
            s.text((x0 + x1) / 2, ax.y(value / 2) + 5, str(value), size=13, fill="#ffffff", bold=True)
        else:
            s.text((x0 + x1) / 2, ax.y(value) - 6, str(value), size=12)
        s.text((x0 + x1) / 2, ax.plot_bottom + 18, name, size=13)
        points.append(((x0 + x1) / 2, cumulative))
    _cumulative_line(s, ax, points, total)
    s.line(ax.x(0), ax.y(80), s.width - ax.right, ax.y(80), stroke=RED, width=1, dash="4 4")
    s.text(s.width - ax.right - 4, ax.y(80) + 14, "80%", size=11, anchor="end", fill=RED)
    s.text(s.width / 2, s.height - 6, "A 类：气孔、咬边　B 类：未熔合　C 类：焊瘤、其他", size=12, fill=MUTED)
    return s


@figure("practitioner/quality-tools-spc/figures/fishbone.svg")
def fishbone() -> Svg:
    s = Svg(260)
    spine_y, head_x = 130, 372
    s.line(30, spine_y, head_x, spine_y, stroke=INK, width=3)
    s.polygon([(head_x, spine_y - 8), (head_x + 14, spine_y), (head_x, spine_y + 8)], fill=INK)
    s.box(head_x + 16, spine_y - 30, 90, 60, ["结果", "（问题）"], fill=LIGHT_RED, stroke=RED, size=14, bold=True)
    for i, (top, bottom) in enumerate([("人", "法"), ("机", "环"), ("料", "测")]):
        x = 110 + i * 100
        s.line(x - 50, 40, x, spine_y, stroke=BLUE, width=2)
        s.line(x - 50, 220, x, spine_y, stroke=BLUE, width=2)
        s.box(x - 78, 14, 56, 28, [top], size=14, bold=True)
        s.box(x - 78, 218, 56, 28, [bottom], size=14, bold=True)
        for t in (0.35, 0.7):
            yt = 40 + (spine_y - 40) * t
            xt = x - 50 + 50 * t
            s.line(xt - 34, yt, xt, yt, stroke=MUTED, width=1)
            yb = 220 - (220 - spine_y) * t
            s.line(xt - 34, yb, xt, yb, stroke=MUTED, width=1)
    s.text(30, spine_y - 8, "逐层追问“为什么”", size=11, anchor="start", fill=MUTED)
    return s


@figure("practitioner/quality-tools-spc/figures/xbar-chart-valve-spool.svg")
def xbar_chart() -> Svg:
    means = [50.01, 49.98, 50.05, 50.00, 49.95, 50.21, 50.03, 49.99, 50.02, 49.97,
             50.04, 50.06, 50.03, 50.08, 50.05, 50.10, 50.07, 50.04, 50.09, 50.06]
    cl, ucl, lcl = 50.02, 50.193, 49.847
    sigma = (ucl - cl) / 3
    s = Svg(330)
    ax = Axes(s, 0.5, 20.5, 49.80, 50.25, right=72, top=20)
    ax.frame(x_ticks=[(i, str(i)) for i in (1, 5, 10, 15, 20)], y_ticks=ticks(49.8, 50.25, 0.1, "{:.2f}"),
             x_label="子组序号", y_label="子组均值 X̄（mm）", grid=False)
    right = s.width - ax.right
    for value, label, colour, dash in [(ucl, "UCL 50.193", RED, "6 4"), (cl, "CL 50.02", GREEN, None),
                                       (lcl, "LCL 49.847", RED, "6 4")]:
        s.line(ax.left, ax.y(value), right, ax.y(value), stroke=colour, width=1.5, dash=dash)
        s.text(right + 4, ax.y(value) + 4, label, size=11, anchor="start", fill=colour)
    for k in (1, 2):
        for sign in (1, -1):
            s.line(ax.left, ax.y(cl + sign * k * sigma), right, ax.y(cl + sign * k * sigma), stroke=GRID, width=1,
                   dash="2 4")
    s.text(right + 4, ax.y(cl + 2 * sigma) + 4, "B/A 区界", size=10, anchor="start", fill=MUTED)
    s.polyline([(ax.x(i + 1), ax.y(v)) for i, v in enumerate(means)], stroke=BLUE, width=1.5)
    for i, v in enumerate(means):
        colour = RED if v > ucl else (ORANGE if 10 <= i <= 18 else BLUE)
        s.circle(ax.x(i + 1), ax.y(v), 4 if colour != BLUE else 3, fill=colour)
    s.text(ax.x(6) + 8, ax.y(50.21) - 2, "第 6 组出界（准则 1）", size=12, anchor="start", fill=RED)
    s.text(ax.x(15), ax.y(49.86), "第 11～19 组连续 9 点在中心线上方（准则 2）", size=12, fill=ORANGE)
    return s


@figure("practitioner/quality-tools-spc/figures/capability-offset.svg")
def capability_offset() -> Svg:
    mean, sd, lsl, usl, target = 40.01, 0.012, 39.95, 40.05, 40.00
    s = Svg(300)
    ax = Axes(s, 39.93, 40.07, 0, 36, left=24, right=24, top=46)
    ax.frame(x_ticks=[(v, f"{v:.2f}") for v in (39.95, 40.00, 40.05)], y_ticks=[], x_label="螺杆直径（mm）",
             grid=False)
    steps = [39.93 + i * 0.0007 for i in range(201)]
    tail = [x for x in steps if x >= usl]
    s.polygon([(ax.x(usl), ax.y(0)), *[(ax.x(x), ax.y(normal_pdf(x, mean, sd))) for x in tail],
               (ax.x(tail[-1]), ax.y(0))], fill=RED, opacity=0.5)
    s.polyline([(ax.x(x), ax.y(normal_pdf(x, mean, sd))) for x in steps], stroke=BLUE, width=2.5)
    for value, label, colour in [(lsl, "LSL", RED), (usl, "USL", RED), (target, "目标 M", GREEN)]:
        s.line(ax.x(value), ax.top - 6, ax.x(value), ax.plot_bottom, stroke=colour, width=1.5,
               dash=None if colour == RED else "6 4")
        s.text(ax.x(value), ax.top - 12, label, size=12, fill=colour)
    s.line(ax.x(mean), ax.y(normal_pdf(mean, mean, sd)), ax.x(mean), ax.plot_bottom, stroke=BLUE, width=1, dash="3 3")
    s.text(ax.x(mean) + 10, ax.y(normal_pdf(mean, mean, sd)) + 4, "μ = 40.01", size=12, anchor="start", fill=BLUE)
    s.text(ax.x(40.062), ax.y(6), "约 430 ppm", size=11, fill=RED)
    s.text(ax.x(40.024), ax.y(22), "Cp ≈ 1.39", size=13, anchor="start")
    s.text(ax.x(40.024), ax.y(17), "Cpk ≈ 1.11", size=13, anchor="start", fill=RED)
    return s


@figure("practitioner/quality-tools-spc/figures/oc-curves.svg")
def oc_curves() -> Svg:
    def accept(n: int, ac: int, p: float) -> float:
        return sum(math.comb(n, d) * p ** d * (1 - p) ** (n - d) for d in range(ac + 1))

    s = Svg(320)
    ax = Axes(s, 0, 0.15, 0, 1, top=24)
    ax.frame(x_ticks=[(v / 100, f"{v}%") for v in range(0, 16, 3)], y_ticks=ticks(0, 1, 0.25, "{:.2f}"),
             x_label="批的不合格品率 p", y_label="接收概率 Pa")
    ps = [i * 0.0015 for i in range(101)]
    s.polyline([(ax.x(p), ax.y(accept(20, 0, p))) for p in ps], stroke=BLUE, width=2.5)
    s.polyline([(ax.x(p), ax.y(accept(50, 1, p))) for p in ps], stroke=ORANGE, width=2.5, dash="8 4")
    a = accept(20, 0, 0.05)
    s.circle(ax.x(0.05), ax.y(a), 4.5, fill=BLUE)
    s.text(ax.x(0.05) + 8, ax.y(a) - 6, f"p = 5% 时 Pa ≈ {a:.3f}", size=12, anchor="start", fill=BLUE)
    b = accept(50, 1, 0.02)
    s.circle(ax.x(0.02), ax.y(b), 4.5, fill=ORANGE)
    s.text(ax.x(0.02) + 8, ax.y(b) - 6, f"p = 2% 时 Pa ≈ {b:.3f}", size=12, anchor="start", fill=ORANGE)
    legend(s, 250, 60, [(BLUE, "line", "n = 20，Ac = 0")])
    legend(s, 250, 80, [(ORANGE, "dash", "n = 50，Ac = 1")])
    return s


# ---------------------------------------------------------------- practitioner: reliability, cost


@figure("practitioner/reliability-fmea/figures/bathtub-curve.svg")
def bathtub_curve() -> Svg:
    s = Svg(280)
    ax = Axes(s, 0, 10, 0, 10, top=30, left=40)
    ax.frame(x_ticks=[], y_ticks=[], x_label="工作时间 t", y_label="失效率 λ(t)", grid=False)

    def rate(t: float) -> float:
        return 2 + 6 * math.exp(-1.6 * t) + (0.9 * (t - 7) ** 2 if t > 7 else 0)

    ts = [i * 0.05 for i in range(193)]
    s.polyline([(ax.x(t), ax.y(rate(t))) for t in ts], stroke=BLUE, width=2.5)
    for x in (2, 7):
        s.line(ax.x(x), ax.top, ax.x(x), ax.plot_bottom, stroke=GRID, width=1, dash="4 4")
    s.text(ax.x(1), ax.y(9.2), "早期失效期", size=13)
    s.text(ax.x(1), ax.y(8.2), "迅速下降", size=11, fill=MUTED)
    s.text(ax.x(4.5), ax.y(4.2), "偶然失效期", size=13)
    s.text(ax.x(4.5), ax.y(3.2), "低且大致恒定", size=11, fill=MUTED)
    s.text(ax.x(8.5), ax.y(9.2), "耗损失效期", size=13)
    s.text(ax.x(8.5), ax.y(8.2), "逐渐上升", size=11, fill=MUTED)
    return s


@figure("practitioner/quality-cost/figures/loss-function.svg")
def loss_function() -> Svg:
    k, m = 80000, 20.00
    s = Svg(320)
    ax = Axes(s, 19.93, 20.07, 0, 260, top=30)
    ax.frame(x_ticks=[(v, f"{v:.2f}") for v in (19.95, 20.00, 20.05)], y_ticks=ticks(0, 250, 50),
             x_label="轴径 y（mm）", y_label="每根损失（元）")
    ys = [19.93 + i * 0.0007 for i in range(201)]
    s.polyline([(ax.x(y), ax.y(min(k * (y - m) ** 2, 260))) for y in ys], stroke=BLUE, width=2.5)
    goal = [(ax.x(19.93), ax.y(200)), (ax.x(19.95), ax.y(200)), (ax.x(19.95), ax.y(0)), (ax.x(20.05), ax.y(0)),
            (ax.x(20.05), ax.y(200)), (ax.x(20.07), ax.y(200))]
    s.polyline(goal, stroke=ORANGE, width=2, dash="6 4")
    y1 = 20.02
    s.circle(ax.x(y1), ax.y(k * (y1 - m) ** 2), 4.5, fill=RED)
    s.text(ax.x(y1) - 6, ax.y(k * (y1 - m) ** 2) - 10, "20.02 mm：32 元", size=12, anchor="end", fill=RED)
    legend(s, 150, 48, [(BLUE, "line", "L(y) = k(y − m)²")])
    legend(s, 150, 68, [(ORANGE, "dash", "“合格即好”：出公差才算损失")])
    return s


# ---------------------------------------------------------------- practitioner: ISO 9001


@figure("practitioner/iso9001-qms-audit/figures/clauses-pdca.svg")
def clauses_pdca() -> Svg:
    s = Svg(340)
    cx, cy = 260, 175
    s.box(10, 120, 110, 110, ["4 组织环境", "", "内外部因素", "相关方要求"], fill=GREY_FILL, stroke=MUTED, size=12)
    s.arrow(122, 175, 150, 175, stroke=MUTED)
    positions = [("6 策划", "P", cx, cy - 110, LIGHT_BLUE, BLUE), ("7 支持　8 运行", "D", cx + 130, cy, LIGHT_GREEN, GREEN),
                 ("9 绩效评价", "C", cx, cy + 110, LIGHT_ORANGE, ORANGE), ("10 改进", "A", cx - 100, cy, LIGHT_RED, RED)]
    for label, letter, x, y, fill, stroke in positions:
        w = 120 if letter != "D" else 96
        s.box(x - w / 2, y - 26, w, 52, [letter, label], fill=fill, stroke=stroke, size=13, bold=True)
    s.arrow(cx + 62, cy - 100, cx + 110, cy - 30, stroke=INK)
    s.arrow(cx + 110, cy + 30, cx + 62, cy + 100, stroke=INK)
    s.arrow(cx - 62, cy + 100, cx - 90, cy + 30, stroke=INK)
    s.arrow(cx - 90, cy - 30, cx - 62, cy - 100, stroke=INK)
    s.circle(cx + 10, cy, 38, fill="#ffffff", stroke=INK)
    s.text(cx + 10, cy - 2, "5", size=13, bold=True)
    s.text(cx + 10, cy + 14, "领导作用", size=12)
    s.text(470, 20, "第 1～3 章不提要求", size=11, anchor="end", fill=MUTED)
    return s


# ---------------------------------------------------------------- expert


@figure("expert/lean-six-sigma/figures/dmaic.svg")
def dmaic() -> Svg:
    s = Svg(200)
    phases = [("D", "界定", "项目章程"), ("M", "测量", "基线与 MSA"), ("A", "分析", "验证根因"), ("I", "改进", "试点方案"),
              ("C", "控制", "控制计划")]
    w, gap = 80, 14
    for i, (letter, word, output) in enumerate(phases):
        x = 12 + i * (w + gap)
        s.box(x, 40, w, 70, [letter, word], size=15, bold=True)
        s.text(x + w / 2, 134, output, size=11, fill=MUTED)
        if i < len(phases) - 1:
            s.arrow(x + w + 1, 75, x + w + gap - 1, 75, head=6)
        s.line(x + w / 2, 112, x + w / 2, 120, stroke=MUTED, width=1)
    s.text(240, 24, "每个阶段结束时做阶段评审，通过后才进入下一阶段", size=12, fill=INK)
    s.text(240, 176, "主要产出", size=11, fill=MUTED)
    return s


# ---------------------------------------------------------------- practitioner: statistics


@figure("practitioner/quality-statistics/figures/normal-sigma-bands.svg")
def normal_sigma_bands() -> Svg:
    s = Svg(300)
    ax = Axes(s, -3.6, 3.6, 0, 0.46, left=20, right=20, top=20)
    ax.frame(x_ticks=[(float(k), label) for k, label in zip(range(-3, 4), ["μ−3σ", "μ−2σ", "μ−σ", "μ", "μ+σ", "μ+2σ", "μ+3σ"],
                                                                   strict=True)], y_ticks=[], grid=False)
    for k, fill in [(3, "#e8eef7"), (2, "#c6d7ef"), (1, "#9dbbe4")]:
        xs = [-k + i * (2 * k) / 120 for i in range(121)]
        s.polygon([(ax.x(-k), ax.y(0)), *[(ax.x(x), ax.y(normal_pdf(x))) for x in xs], (ax.x(k), ax.y(0))], fill=fill)
    xs = [-3.6 + i * 0.06 for i in range(121)]
    s.polyline([(ax.x(x), ax.y(normal_pdf(x))) for x in xs], stroke=BLUE, width=2.5)
    for k, label, y in [(1, "约 68.27%", 0.2), (2, "约 95.45%", 0.085), (3, "约 99.73%", 0.03)]:
        s.arrow(ax.x(0) - 4, ax.y(y), ax.x(-k) + 2, ax.y(y), stroke=INK, width=1, head=6)
        s.arrow(ax.x(0) + 4, ax.y(y), ax.x(k) - 2, ax.y(y), stroke=INK, width=1, head=6)
        s.rect(ax.x(0) - 38, ax.y(y) - 11, 76, 16, fill="#ffffff", stroke=None, rx=3)
        s.text(ax.x(0), ax.y(y) + 2, label, size=12)
    return s


@figure("practitioner/quality-statistics/figures/t-test-thickness.svg")
def t_test_thickness() -> Svg:
    nu, critical, observed = 15, 2.131, 1.33

    def density(t: float) -> float:
        c = math.gamma((nu + 1) / 2) / (math.sqrt(nu * math.pi) * math.gamma(nu / 2))
        return c * (1 + t * t / nu) ** (-(nu + 1) / 2)

    s = Svg(300)
    ax = Axes(s, -4, 4, 0, 0.45, left=20, right=20, top=30)
    ax.frame(x_ticks=[(v, f"{v:g}") for v in (-4, -2, 0, 2, 4)], y_ticks=[], x_label="t（自由度 15）", grid=False)
    for lo, hi in [(-4.0, -critical), (critical, 4.0)]:
        xs = [lo + i * (hi - lo) / 40 for i in range(41)]
        s.polygon([(ax.x(lo), ax.y(0)), *[(ax.x(x), ax.y(density(x))) for x in xs], (ax.x(hi), ax.y(0))], fill=RED,
                  opacity=0.55)
    xs = [-4 + i * 0.08 for i in range(101)]
    s.polyline([(ax.x(x), ax.y(density(x))) for x in xs], stroke=BLUE, width=2.5)
    for v in (-critical, critical):
        s.line(ax.x(v), ax.y(0), ax.x(v), ax.y(0.2), stroke=RED, width=1.5, dash="5 4")
        s.text(ax.x(v), ax.y(0.2) - 6, f"{v:+.3f}".replace("+", ""), size=12, fill=RED)
    s.text(ax.x(3.3), ax.y(0.1), "拒绝域", size=12, fill=RED)
    s.text(ax.x(-3.3), ax.y(0.1), "拒绝域", size=12, fill=RED)
    s.text(ax.x(-3.3), ax.y(0.13), "各 2.5%", size=11, fill=RED)
    s.line(ax.x(observed), ax.y(0), ax.x(observed), ax.y(0.36), stroke=GREEN, width=2)
    s.text(ax.x(observed) + 6, ax.y(0.36) + 4, "t = 1.33：不拒绝 H₀", size=12, anchor="start", fill=GREEN)
    return s


@figure("practitioner/quality-statistics/figures/regression-hardness.svg")
def regression_hardness() -> Svg:
    xs, ys = [10, 20, 30, 40, 50], [52, 55, 59, 61, 65]
    s = Svg(300)
    ax = Axes(s, 0, 60, 48, 68, top=24)
    ax.frame(x_ticks=ticks(0, 60, 10), y_ticks=ticks(48, 68, 4), x_label="温度增量 x（°C）", y_label="硬度 y（HRC）")
    s.line(ax.x(5), ax.y(48.8 + 0.32 * 5), ax.x(55), ax.y(48.8 + 0.32 * 55), stroke=ORANGE, width=2)
    for x, y in zip(xs, ys, strict=True):
        s.circle(ax.x(x), ax.y(y), 5, fill=BLUE)
    s.circle(ax.x(35), ax.y(60.0), 5, fill="#ffffff", stroke=RED)
    s.line(ax.x(35), ax.y(60), ax.x(35), ax.y(48), stroke=RED, width=1, dash="3 3")
    s.text(ax.x(35) + 8, ax.y(60) + 18, "x = 35 时预测 60.0", size=12, anchor="start", fill=RED)
    s.text(ax.x(2), ax.y(66), "ŷ = 48.8 + 0.32x", size=13, anchor="start", fill=ORANGE)
    s.text(ax.x(2), ax.y(64), "r ≈ 0.996，R² ≈ 0.992", size=12, anchor="start", fill=MUTED)
    return s


@figure("practitioner/quality-statistics/figures/grr-components.svg")
def grr_components() -> Svg:
    rows = [("重复性", 0.012, BLUE), ("再现性", 0.009, "#6f9bd8"), ("测量系统 GRR", 0.015, RED),
            ("零件间", 0.060, GREEN), ("总波动", 0.0618, INK)]
    s = Svg(250)
    ax = Axes(s, 0, 0.07, 0, len(rows), left=110, right=60, top=10, bottom=40)
    ax.frame(x_ticks=[(v / 100, f"{v / 100:.2f}") for v in range(0, 8, 2)], y_ticks=[], x_label="标准差 σ（mm）")
    for i, (label, value, colour) in enumerate(rows):
        y0 = ax.y(len(rows) - i) + 6
        h = ax.y(0) - ax.y(1) - 12
        s.rect(ax.x(0), y0, ax.x(value) - ax.x(0), h, fill=colour, stroke=None)
        s.text(ax.left - 8, y0 + h / 2 + 5, label, size=12, anchor="end")
        s.text(ax.x(value) + 6, y0 + h / 2 + 5, f"{value:g}", size=12, anchor="start")
    s.text(ax.x(0.045), ax.y(2.6), "%GRR ≈ 24%", size=13, fill=RED, bold=True)
    return s


# ---------------------------------------------------------------- practitioner: quality cost


@figure("practitioner/quality-cost/figures/cost-structure-two-years.svg")
def cost_structure_two_years() -> Svg:
    years = [("第一年", [120, 480, 900, 500]), ("第二年", [300, 450, 500, 250])]
    kinds = [("预防", GREEN), ("鉴定", BLUE), ("内部损失", ORANGE), ("外部损失", RED)]
    s = Svg(320)
    ax = Axes(s, 0, 2, 0, 2200, left=64, right=150, top=24)
    ax.frame(x_ticks=[], y_ticks=ticks(0, 2000, 500), y_label="质量成本（万元）")
    for i, (name, values) in enumerate(years):
        x0, x1 = ax.x(i) + 30, ax.x(i + 1) - 30
        base = 0
        for value, (_kind, colour) in zip(values, kinds, strict=True):
            s.rect(x0, ax.y(base + value), x1 - x0, ax.y(base) - ax.y(base + value), fill=colour, stroke="#ffffff")
            if value >= 250:
                s.text((x0 + x1) / 2, ax.y(base + value / 2) + 5, str(value), size=12, fill="#ffffff", bold=True)
            base += value
        s.text((x0 + x1) / 2, ax.y(base) - 8, f"合计 {base}", size=12, bold=True)
        s.text((x0 + x1) / 2, ax.plot_bottom + 18, name, size=13)
    for i, (kind, colour) in enumerate(reversed(kinds)):
        s.rect(s.width - 140, 50 + i * 26, 14, 14, fill=colour, stroke=None)
        s.text(s.width - 120, 62 + i * 26, kind, size=12, anchor="start")
    s.text(s.width - 140, 180, "质量成本率", size=12, anchor="start", fill=MUTED)
    s.text(s.width - 140, 198, "4.0% → 约 2.88%", size=12, anchor="start", fill=MUTED)
    return s


@figure("practitioner/quality-cost/figures/pareto-internal-loss.svg")
def pareto_internal_loss() -> Svg:
    data = [("焊接缺陷", 380), ("尺寸超差", 250), ("表面处理", 130), ("材料问题", 90), ("其他", 50)]
    total = sum(v for _, v in data)
    s = Svg(320)
    ax = Axes(s, 0, len(data), 0, total, right=52, top=30)
    ax.frame(x_ticks=[], y_ticks=[(v, f"{v:g}") for v in (0, 225, 450, 675, 900)], y_label="内部损失（万元）")
    _percent_axis(s, ax, total)
    cumulative, points = 0, []
    for i, (name, value) in enumerate(data):
        cumulative += value
        x0, x1 = ax.x(i) + 6, ax.x(i + 1) - 6
        s.rect(x0, ax.y(value), x1 - x0, ax.y(0) - ax.y(value), fill=BLUE if i < 2 else "#9db5d8", stroke=None)
        s.text((x0 + x1) / 2, ax.y(value / 2) + 5 if value >= 200 else ax.y(value) - 6, str(value), size=12,
               fill="#ffffff" if value >= 200 else INK)
        s.text((x0 + x1) / 2, ax.plot_bottom + 18, name, size=12)
        points.append(((x0 + x1) / 2, cumulative))
    _cumulative_line(s, ax, points, total)
    s.text(s.width / 2, s.height - 6, "前两项合计 630 万元，约占 70%", size=12, fill=MUTED)
    return s


# ---------------------------------------------------------------- expert: lean six sigma


@figure("expert/lean-six-sigma/figures/interaction-plot.svg")
def interaction_plot() -> Svg:
    s = Svg(300)
    ax = Axes(s, -0.3, 1.3, 15, 50, top=24, right=110)
    ax.frame(x_ticks=[(0, "温度低"), (1, "温度高")], y_ticks=ticks(15, 50, 5), y_label="粘接强度（MPa）")
    for (lo, hi), colour, label, dash in [((20, 30), BLUE, "压力低", None), ((24, 46), RED, "压力高", "7 4")]:
        s.polyline([(ax.x(0), ax.y(lo)), (ax.x(1), ax.y(hi))], stroke=colour, width=2.5, dash=dash)
        for x, y in ((0, lo), (1, hi)):
            s.circle(ax.x(x), ax.y(y), 4.5, fill=colour)
            s.text(ax.x(x) + (-10 if x == 0 else 10), ax.y(y) + 4, str(y), size=12, anchor="end" if x == 0 else "start",
                   fill=colour)
        s.text(ax.x(1) + 34, ax.y(hi) + 4, f"{label}：+{hi - lo}", size=12, anchor="start", fill=colour)
    s.text(ax.x(0.5), ax.y(48), "两线不平行：温度的效果取决于压力", size=12, fill=INK)
    return s


@figure("expert/lean-six-sigma/figures/main-effects-blade.svg")
def main_effects_blade() -> Svg:
    effects = [("固化温度 低→高", 2.0), ("打磨 手工→机械", 1.3), ("胶层 薄→厚", -0.9)]
    s = Svg(220)
    ax = Axes(s, -1.5, 2.5, 0, 3, left=130, right=40, top=10, bottom=40)
    ax.frame(x_ticks=[(v, f"{v:g}") for v in (-1, 0, 1, 2)], y_ticks=[], x_label="主效应（兆帕）", grid=False)
    s.line(ax.x(0), ax.top, ax.x(0), ax.plot_bottom, stroke=MUTED, width=1)
    for i, (label, value) in enumerate(effects):
        y0 = ax.y(3 - i) + 10
        h = ax.y(0) - ax.y(1) - 20
        left, right = sorted((ax.x(0), ax.x(value)))
        s.rect(left, y0, right - left, h, fill=BLUE if value > 0 else ORANGE, stroke=None)
        s.text(ax.left - 8, y0 + h / 2 + 5, label, size=12, anchor="end")
        s.text(ax.x(value) + (6 if value > 0 else -6), y0 + h / 2 + 5, f"{value:+.1f}", size=12,
               anchor="start" if value > 0 else "end")
    return s


@figure("expert/lean-six-sigma/figures/vsm-timeline.svg")
def vsm_timeline() -> Svg:
    steps = [("原材料", None, 5.0), ("下料", 6, 2.0), ("折弯", 8, 1.5), ("焊接", 15, 1.0), ("喷涂", 20, 3.0), ("装配", 90, 0.5),
             ("试验", 30, 2.0)]
    s = Svg(230)
    x, scale = 14.0, 12.5
    s.text(240, 24, "库存停留合计 15 天，增值时间合计 169 分钟", size=13, bold=True)
    for name, minutes, days in steps:
        if minutes is not None:
            s.box(x, 40, 44, 40, [name], size=12)
            s.line(x, 150, x + 44, 150, stroke=GREEN, width=3)
            s.text(x + 22, 170, f"{minutes}", size=12, fill=GREEN)
            x += 44
        width = days * scale
        s.polygon([(x + width / 2, 48), (x + width / 2 - 10, 72), (x + width / 2 + 10, 72)], fill=LIGHT_ORANGE,
                  stroke=ORANGE)
        s.text(x + width / 2, 68, "I", size=11, fill=ORANGE)
        s.line(x, 110, x + width, 110, stroke=ORANGE, width=3)
        s.text(x + width / 2, 102, f"{days:g} 天", size=11, fill=ORANGE)
        if minutes is None:
            s.text(x + width / 2, 90, name, size=11, fill=MUTED)
        s.line(x + width, 110, x + width, 150, stroke=MUTED, width=1)
        s.line(x, 110, x, 150, stroke=MUTED, width=1)
        x += width
    s.text(20, 200, "上：库存停留（天）　下：增值时间（分钟/台）", size=12, anchor="start", fill=MUTED)
    s.text(20, 220, "过程周期效率 = 169 ÷ 21 600 ≈ 0.78%", size=12, anchor="start", fill=INK)
    return s


# ---------------------------------------------------------------- diagrams drawn from the lessons' own terms


def flow(s: Svg, labels: list[list[str]], *, y: float, h: float = 56, x0: float = 10, width: float = 460,
         fill: str = LIGHT_BLUE, stroke: str = BLUE, size: float = 13) -> list[tuple[float, float]]:
    """Boxes left to right joined by arrows; returns each box's (left, right)."""
    gap = 16
    w = (width - gap * (len(labels) - 1)) / len(labels)
    spans = []
    for i, lines in enumerate(labels):
        x = x0 + i * (w + gap)
        s.box(x, y, w, h, lines, fill=fill, stroke=stroke, size=size, bold=True)
        if i:
            s.arrow(x - gap + 1, y + h / 2, x - 1, y + h / 2, head=6)
        spans.append((x, x + w))
    return spans


@figure("practitioner/nqi-metrology-conformity/figures/traceability-chain.svg")
def traceability_chain() -> Svg:
    s = Svg(330)
    levels = [("国家计量基准", "国务院计量行政部门"), ("社会公用计量标准", "地方法定计量技术机构"),
              ("企业最高计量标准", "企业计量室"), ("工作计量器具", "车间的压力表、千分尺")]
    for i, (name, who) in enumerate(levels):
        w = 220 + i * 30
        x = 240 - w / 2
        y = 20 + i * 74
        s.box(x, y, w, 52, [name, who], fill=LIGHT_BLUE if i < 3 else LIGHT_GREEN, stroke=BLUE if i < 3 else GREEN,
              size=13, bold=True)
    s.arrow(40, 30, 40, 300, stroke=BLUE, width=2.5)
    s.arrow(440, 300, 440, 30, stroke=ORANGE, width=2.5)
    for i, (left_char, right_char) in enumerate(zip("量值传递", "量值溯源", strict=True)):
        s.text(20, 130 + i * 20, left_char, size=14, fill=BLUE, bold=True)
        s.text(460, 130 + i * 20, right_char, size=14, fill=ORANGE, bold=True)
    s.text(240, 322, "传递自上而下，溯源自下而上；每一级校准都有相应的测量不确定度", size=12, fill=MUTED)
    return s


@figure("practitioner/supplier-quality/figures/apqp-phases.svg")
def apqp_phases() -> Svg:
    phases = ["1 计划和确定项目", "2 产品设计和开发", "3 过程设计和开发", "4 产品和过程确认", "5 反馈、评定和纠正措施"]
    s = Svg(290)
    for i, name in enumerate(phases):
        x = 14 + i * 58
        y = 16 + i * 40
        w = 160 if i < 4 else 196
        s.rect(x, y, w, 32, fill=LIGHT_BLUE if i != 3 else LIGHT_ORANGE, stroke=BLUE if i != 3 else ORANGE, rx=5)
        s.text(x + 8, y + 21, name, size=12, anchor="start", bold=True)
        dx, dy = x + w + 12, y + 16
        s.polygon([(dx, dy - 7), (dx + 7, dy), (dx, dy + 7), (dx - 7, dy)], fill=INK)
    s.polygon([(20, 232), (27, 239), (20, 246), (13, 239)], fill=INK)
    s.text(34, 244, "阶段评审：输出完成、风险可控才进入下一阶段", size=12, anchor="start", fill=MUTED)
    s.text(14, 264, "各阶段常有重叠，并非严格串行", size=12, anchor="start", fill=MUTED)
    s.text(14, 284, "第 4 阶段：试生产、MSA、初始过程能力研究，提交生产件批准（PPAP）", size=12, anchor="start",
           fill=ORANGE)
    return s


@figure("expert/quality-by-design/figures/house-of-quality-seat.svg")
def house_of_quality_seat() -> Svg:
    s = Svg(420)
    left, top, col, row = 170, 150, 96, 44
    techs = ["座垫回弹率", "面料耐磨次数", "表面拒污等级"]
    needs = [("乘坐舒适", 5, [9, 1, 0]), ("耐用不易损坏", 4, [3, 9, 1]), ("容易清洁", 3, [0, 3, 9])]
    right = left + col * 3
    # roof: the technical characteristics' correlations, a triangle over the ceiling
    s.polygon([(left, top - 44), (left + col * 1.5, top - 110), (right, top - 44)], fill=GREY_FILL, stroke=MUTED)
    s.text(left + col * 1.5, top - 62, "屋顶：技术特性之间的相关", size=12, fill=MUTED)
    for i, name in enumerate(techs):
        s.rect(left + i * col, top - 44, col, 44, fill=LIGHT_BLUE, stroke=BLUE)
        s.text(left + i * col + col / 2, top - 17, name, size=12)
    s.text(10, top - 60, "天花板：技术特性", size=12, anchor="start", fill=BLUE)
    for r, (need, weight, marks) in enumerate(needs):
        y = top + r * row
        s.rect(10, y, left - 10, row, fill=LIGHT_GREEN, stroke=GREEN)
        s.text(18, y + 27, f"{need}（{weight}）", size=12, anchor="start")
        for c, mark in enumerate(marks):
            s.rect(left + c * col, y, col, row, fill="#ffffff", stroke=GRID)
            if mark:
                s.text(left + c * col + col / 2, y + 28, str(mark), size=15, bold=mark == 9, fill=INK if mark == 9 else MUTED)
    s.text(18, top - 8, "左墙：顾客需求（重要度）", size=12, anchor="start", fill=GREEN)
    y = top + 3 * row
    scores = [57, 50, 31]
    for c, score in enumerate(scores):
        s.rect(left + c * col, y, col, row, fill=LIGHT_ORANGE, stroke=ORANGE)
        s.text(left + c * col + col / 2, y + 28, str(score), size=15, bold=c == 0)
    s.rect(10, y, left - 10, row, fill=LIGHT_ORANGE, stroke=ORANGE)
    s.text(18, y + 27, "地下室：技术重要度", size=12, anchor="start")
    s.text(left + col * 1.5, y + row + 22, "房间：关系强度 9（强）、3（中）、1（弱），空格为无关系", size=12, fill=MUTED)
    s.text(left + col * 1.5, y + row + 42, "重要度 = Σ（需求重要度 × 关系强度），如 5×9 + 4×3 = 57", size=12, fill=MUTED)
    return s


@figure("expert/quality-by-design/figures/qfd-four-phases.svg")
def qfd_four_phases() -> Svg:
    s = Svg(250)
    stages = [("产品规划", "顾客需求", "产品技术特性"), ("零部件展开", "产品技术特性", "零部件特性"),
              ("工艺规划", "零部件特性", "关键工艺参数"), ("生产控制", "关键工艺参数", "控制方法")]
    for i, (name, wall, ceiling) in enumerate(stages):
        x, y = 12 + i * 116, 30 + i * 44
        s.rect(x, y, 104, 60, fill=LIGHT_BLUE, stroke=BLUE, rx=4)
        s.text(x + 52, y + 20, name, size=13, bold=True)
        s.text(x + 52, y + 38, f"{wall} →", size=10, fill=MUTED)
        s.text(x + 52, y + 52, ceiling, size=10, fill=BLUE)
        if i < 3:
            s.arrow(x + 104, y + 30, x + 116, y + 52, stroke=ORANGE, width=2)
    s.text(240, 18, "上一阶段的“天花板”成为下一阶段的“左墙”", size=12, fill=INK)
    return s


@figure("practitioner/iso9001-qms-audit/figures/audit-steps.svg")
def audit_steps() -> Svg:
    s = Svg(260)
    flow(s, [["第一步", "策划审核方案"], ["第二步", "准备一次审核"], ["第三步", "实施审核"]], y=20, h=56)
    onsite = ["首次会议", "收集和验证信息", "形成审核发现", "准备审核结论", "末次会议"]
    for i, step in enumerate(onsite):
        y = 100 + i * 30
        s.rect(300, y, 160, 24, fill=LIGHT_GREEN, stroke=GREEN, rx=4)
        s.text(380, y + 17, step, size=12)
        if i:
            s.arrow(380, y - 6, 380, y, head=5)
    s.line(380, 78, 380, 100, stroke=MUTED, width=1)
    s.text(20, 120, "收集信息的三种方法：", size=12, anchor="start")
    for i, (name, note) in enumerate([("面谈", "问开放式问题"), ("观察", "看现场实际怎么做"), ("查阅", "查记录、文件和数据")]):
        s.box(20, 132 + i * 38, 64, 30, [name], fill=LIGHT_ORANGE, stroke=ORANGE, size=12, bold=True)
        s.text(92, 152 + i * 38, note, size=12, anchor="start", fill=MUTED)
    return s


@figure("all-staff/shopfloor-qc-circles/figures/problem-solving-steps.svg")
def problem_solving_steps() -> Svg:
    s = Svg(300)
    rows = [("P 计划", ["1 选择课题", "2 现状调查", "3 设定目标", "4 原因分析", "5 确定主要原因", "6 制定对策"], LIGHT_BLUE, BLUE),
            ("D 实施", ["7 对策实施"], LIGHT_GREEN, GREEN), ("C 检查", ["8 效果检查"], LIGHT_ORANGE, ORANGE),
            ("A 处置", ["9 制定巩固措施", "10 总结和下一步打算"], LIGHT_RED, RED)]
    y = 14
    for name, steps, fill, stroke in rows:
        height = 28 * ((len(steps) + 1) // 2) + 8
        s.rect(10, y, 90, height, fill=fill, stroke=stroke, rx=5)
        s.text(55, y + height / 2 + 5, name, size=13, bold=True)
        for i, step in enumerate(steps):
            x = 112 + (i % 2) * 180
            yy = y + 4 + (i // 2) * 28
            s.rect(x, yy, 170, 24, fill="#ffffff", stroke=stroke, rx=4)
            s.text(x + 10, yy + 17, step, size=12, anchor="start")
        y += height + 10
    return s


@figure("practitioner/standardization-practice/figures/five-kinds-of-standards.svg")
def five_kinds_of_standards() -> Svg:
    s = Svg(270)
    s.rect(10, 30, 290, 220, fill=GREY_FILL, stroke=MUTED, rx=8)
    s.text(155, 22, "政府主导制定", size=13, bold=True)
    s.rect(312, 30, 158, 220, fill=LIGHT_GREEN, stroke=GREEN, rx=8)
    s.text(391, 22, "市场主体自主制定", size=13, bold=True, fill=GREEN)
    s.box(24, 44, 262, 74, ["国家标准", "强制性 GB ／ 推荐性 GB/T"], size=13, bold=True)
    s.box(24, 128, 126, 56, ["行业标准", "推荐性"], size=13, bold=True)
    s.box(160, 128, 126, 56, ["地方标准", "推荐性"], size=13, bold=True)
    s.box(326, 44, 130, 74, ["团体标准", "T/ 社会团体代号"], fill="#ffffff", stroke=GREEN, size=13, bold=True)
    s.box(326, 128, 130, 56, ["企业标准", "Q/ 企业代号"], fill="#ffffff", stroke=GREEN, size=13, bold=True)
    s.text(155, 212, "行业、地方标准如 TB/T、DL/T、DB××/T", size=11, fill=MUTED)
    s.text(391, 212, "都不得低于强制性", size=11, fill=MUTED)
    s.text(391, 228, "国家标准的要求", size=11, fill=MUTED)
    return s


@figure("expert/green-low-carbon/figures/ghg-categories.svg")
def ghg_categories() -> Svg:
    s = Svg(300)
    rows = [("类别 1", "直接排放与清除：燃烧、自有车辆、工艺与逸散排放", "范围一", RED, LIGHT_RED),
            ("类别 2", "输入能源的间接排放：外购电力、热力、蒸汽", "范围二", ORANGE, LIGHT_ORANGE),
            ("类别 3", "运输产生的间接排放", "范围三", BLUE, LIGHT_BLUE),
            ("类别 4", "组织使用的产品产生的间接排放", "范围三", BLUE, LIGHT_BLUE),
            ("类别 5", "与使用组织产品相关的间接排放", "范围三", BLUE, LIGHT_BLUE),
            ("类别 6", "其他来源的间接排放", "范围三", BLUE, LIGHT_BLUE)]
    s.text(10, 20, "ISO 14064-1 的六个类别", size=13, anchor="start", bold=True)
    s.text(470, 20, "对照的“范围”说法", size=13, anchor="end", bold=True)
    for i, (name, text, scope, stroke, fill) in enumerate(rows):
        y = 32 + i * 42
        s.rect(10, y, 380, 34, fill=fill, stroke=stroke, rx=4)
        s.text(18, y + 22, name, size=12, anchor="start", bold=True)
        s.text(74, y + 22, text, size=12, anchor="start")
        if i < 3:
            h = 34 if i < 2 else 34 + 42 * 3
            s.rect(400, y, 70, h, fill=fill, stroke=stroke, rx=4)
            s.text(435, y + h / 2 + 5, scope, size=13, bold=True, fill=stroke)
    return s



@figure("practitioner/reliability-fmea/figures/block-diagrams.svg")
def block_diagrams() -> Svg:
    s = Svg(330)

    def unit(x: float, y: float, r: str) -> None:
        s.box(x, y, 60, 30, [r], size=13)

    s.text(10, 22, "串联：Rs = 0.99 × 0.98 × 0.95 ≈ 0.922", size=13, anchor="start", bold=True)
    s.line(20, 55, 290, 55, stroke=INK, width=1.5)
    for i, r in enumerate(["0.99", "0.98", "0.95"]):
        unit(40 + i * 86, 40, r)
    s.text(10, 118, "并联：Rs = 1 − 0.05² = 0.9975", size=13, anchor="start", bold=True)
    for y in (132, 172):
        unit(110, y, "0.95")
        s.line(80, y + 15, 110, y + 15, stroke=INK, width=1.5)
        s.line(170, y + 15, 200, y + 15, stroke=INK, width=1.5)
    s.line(80, 147, 80, 187, stroke=INK, width=1.5)
    s.line(200, 147, 200, 187, stroke=INK, width=1.5)
    s.line(20, 167, 80, 167, stroke=INK, width=1.5)
    s.line(200, 167, 290, 167, stroke=INK, width=1.5)
    s.text(10, 234, "三取二表决：Rs = 3R² − 2R³ ≈ 0.993（R = 0.95）", size=13, anchor="start", bold=True)
    for i in range(3):
        y = 246 + i * 28
        s.box(110, y, 60, 24, ["0.95"], size=12)
        s.line(80, y + 12, 110, y + 12, stroke=INK, width=1.5)
        s.line(170, y + 12, 230, 288, stroke=INK, width=1.5)
    s.line(80, 258, 80, 314, stroke=INK, width=1.5)
    s.line(20, 286, 80, 286, stroke=INK, width=1.5)
    s.box(230, 272, 50, 30, ["2/3"], fill=LIGHT_ORANGE, stroke=ORANGE, size=13, bold=True)
    s.line(280, 287, 300, 287, stroke=INK, width=1.5)
    s.text(316, 60, "任一单元失效，系统就失效", size=12, anchor="start", fill=MUTED)
    s.text(316, 172, "全部单元失效，系统才失效", size=12, anchor="start", fill=MUTED)
    s.text(316, 292, "至少 2 个正常，系统才正常", size=12, anchor="start", fill=MUTED)
    return s


@figure("practitioner/reliability-fmea/figures/fmea-seven-steps.svg")
def fmea_seven_steps() -> Svg:
    s = Svg(250)
    steps = [["策划", "和准备"], ["结构", "分析"], ["功能", "分析"], ["失效", "分析"], ["风险", "分析"], ["优化"], ["结果", "文件化"]]
    groups = [(0, 3, "建立基础：系统是什么、该做什么", BLUE, LIGHT_BLUE), (3, 6, "分析和降低风险", ORANGE, LIGHT_ORANGE),
              (6, 7, "沟通", GREEN, LIGHT_GREEN)]
    w, gap = 58, 8
    for start, stop, label, stroke, fill in groups:
        x0 = 12 + start * (w + gap)
        x1 = 12 + stop * (w + gap) - gap
        s.rect(x0 - 4, 30, x1 - x0 + 8, 150, fill=fill, stroke=stroke, rx=6)
        s.text((x0 + x1) / 2, 200, label, size=12, fill=stroke)
    for i, name in enumerate(steps):
        x = 12 + i * (w + gap)
        s.rect(x, 50, w, 110, fill="#ffffff", stroke=MUTED, rx=4)
        s.text(x + w / 2, 80, str(i + 1), size=18, bold=True)
        for j, part in enumerate(name):
            s.text(x + w / 2, 108 + j * 18, part, size=13)
    s.text(240, 22, "AIAG-VDA FMEA 的七个步骤", size=13, bold=True)
    s.text(240, 236, "跳过结构分析和功能分析直接填表，失效模式往往列不全", size=12, fill=MUTED)
    return s


@figure("practitioner/reliability-fmea/figures/failure-chain.svg")
def failure_chain() -> Svg:
    s = Svg(200)
    items = [("失效原因", "下一层级", "焊接电流偏低", LIGHT_ORANGE, ORANGE), ("失效模式", "分析的焦点", "焊缝未焊透", LIGHT_BLUE, BLUE),
             ("失效影响", "上一层级直至用户", "高压下焊缝开裂漏油", LIGHT_RED, RED)]
    for i, (name, level, example, fill, stroke) in enumerate(items):
        x = 10 + i * 160
        s.box(x, 30, 140, 60, [name, level], fill=fill, stroke=stroke, size=14, bold=True)
        s.text(x + 70, 120, "例：", size=12, fill=MUTED)
        s.text(x + 70, 140, example, size=12)
        if i:
            s.arrow(x - 19, 60, x - 1, 60, head=6, width=2)
    s.text(240, 185, "对整机而言的失效原因，在分析零件时就是失效模式", size=12, fill=MUTED)
    return s


@figure("all-staff/shopfloor-qc-circles/figures/five-s-steps.svg")
def five_s_steps() -> Svg:
    s = Svg(300)
    steps = [("整理", "区分要与不要"), ("整顿", "要的东西摆放有序"), ("清扫", "清除脏污并顺带点检"), ("清洁", "把前三步变成制度"),
             ("素养", "养成按规矩做事的习惯")]
    for i, (name, note) in enumerate(steps):
        x, y = 10 + i * 92, 210 - i * 40
        s.rect(x, y, 86, 292 - y, fill=LIGHT_BLUE if i < 3 else (LIGHT_GREEN if i == 3 else LIGHT_ORANGE),
               stroke=BLUE if i < 3 else (GREEN if i == 3 else ORANGE), rx=4)
        s.text(x + 43, y + 24, name, size=16, bold=True)
        for j, part in enumerate([note[k:k + 5] for k in range(0, len(note), 5)]):
            s.text(x + 43, y + 46 + j * 17, part, size=11, fill=MUTED)
    s.text(10, 24, "前一步是后一步的基础", size=13, anchor="start", bold=True)
    return s


@figure("practitioner/supplier-quality/figures/eight-d.svg")
def eight_d() -> Svg:
    s = Svg(220)
    steps = ["成立小组", "描述问题", "临时遏制措施", "分析根本原因", "选择并验证永久纠正措施", "实施措施", "预防再发生", "总结表彰"]
    for i, name in enumerate(steps):
        row, col = divmod(i, 4)
        x, y = 10 + col * 117, 20 + row * 96
        stroke, fill = (ORANGE, LIGHT_ORANGE) if i in (2, 3) else (BLUE, LIGHT_BLUE)
        s.rect(x, y, 105, 70, fill=fill, stroke=stroke, rx=5)
        s.text(x + 52, y + 22, f"D{i + 1}", size=15, bold=True, fill=stroke)
        for j, part in enumerate([name[k:k + 6] for k in range(0, len(name), 6)]):
            s.text(x + 52, y + 42 + j * 16, part, size=12)
        if col < 3:
            s.arrow(x + 105, y + 35, x + 116, y + 35, head=5)
    s.text(240, 212, "整机企业审查根因是否找准，用后续批次的数据验证措施有效后才关闭", size=12, fill=MUTED)
    return s



@figure("expert/quality-by-design/figures/tolerance-stack.svg")
def tolerance_stack() -> Svg:
    parts = [0.03, 0.04, 0.12]
    worst = sum(parts)
    rss = math.sqrt(sum(t * t for t in parts))
    s = Svg(280)
    ax = Axes(s, 0, 0.22, 0, 3, left=120, right=60, top=20, bottom=110)
    ax.frame(x_ticks=[(v / 100, f"±{v / 100:.2f}") for v in (0, 5, 10, 15, 20)], y_ticks=[])
    s.text(ax.x(0.11), ax.plot_bottom + 36, "装配公差（mm）", size=13)
    rows = [("极值法", worst, ORANGE), ("统计法（RSS）", rss, BLUE)]
    for i, (label, value, colour) in enumerate(rows):
        y0 = ax.y(3 - i) + 14
        h = ax.y(0) - ax.y(1) - 28
        s.rect(ax.x(0), y0, ax.x(value) - ax.x(0), h, fill=colour, stroke=None)
        s.text(ax.left - 8, y0 + h / 2 + 5, label, size=12, anchor="end")
        s.text(ax.x(value) + 6, y0 + h / 2 + 5, f"±{value:.2f}", size=12, anchor="start")
    s.line(ax.x(0.15), ax.top, ax.x(0.15), ax.plot_bottom, stroke=RED, width=2, dash="6 4")
    s.text(ax.x(0.15), ax.y(0.55), "要求 ±0.15", size=12, fill=RED)
    total = sum(t * t for t in parts)
    s.text(10, 228, "方和根中各零件所占份额：", size=12, anchor="start")
    x = 10.0
    for i, t in enumerate(parts):
        w = 460 * t * t / total
        s.rect(x, 236, w, 22, fill=[GREEN, "#6f9bd8", BLUE][i], stroke="#ffffff")
        if w > 60:
            s.text(x + w / 2, 252, f"零件 3：±{t}（约 {t * t / total:.0%}）", size=12, fill="#ffffff", bold=True)
        x += w
    s.text(10, 274, "零件 1、2 合计不到 15%：收紧零件 3 最有效", size=12, anchor="start", fill=MUTED)
    return s


@figure("expert/quality-by-design/figures/p-diagram.svg")
def p_diagram() -> Svg:
    s = Svg(280)
    s.box(170, 110, 140, 70, ["产品或过程", "（电源模块）"], size=14, bold=True)
    s.box(10, 118, 130, 54, ["可控因素", "电路拓扑、元件标称值"], fill=LIGHT_GREEN, stroke=GREEN, size=12, bold=True)
    s.arrow(140, 145, 168, 145, width=2)
    s.box(340, 118, 130, 54, ["输出", "输出电压"], fill=LIGHT_ORANGE, stroke=ORANGE, size=12, bold=True)
    s.arrow(310, 145, 338, 145, width=2)
    noises = [("外部噪声", "温度、湿度、振动"), ("内部噪声", "老化、磨损、漂移"), ("产品间噪声", "制造差异")]
    for i, (name, note) in enumerate(noises):
        x = 40 + i * 140
        s.box(x, 12, 120, 50, [name, note], fill=LIGHT_RED, stroke=RED, size=12, bold=True)
        s.arrow(x + 60, 64, 240 + (i - 1) * 40, 108, stroke=RED, width=1.5)
    s.text(240, 220, "稳健设计：找出在各种噪声条件下", size=13)
    s.text(240, 240, "输出都稳定的可控因素组合", size=13)
    return s


@figure("practitioner/quality-cost/figures/copq-iceberg.svg")
def copq_iceberg() -> Svg:
    s = Svg(340)
    s.rect(0, 96, 480, 244, fill="#e6f0fa", stroke=None)
    s.line(0, 96, 480, 96, stroke=BLUE, width=2)
    s.polygon([(190, 20), (290, 20), (320, 96), (160, 96)], fill="#ffffff", stroke=BLUE)
    s.polygon([(160, 96), (320, 96), (420, 320), (60, 320)], fill="#cfe0f3", stroke=BLUE)
    above = ["报废", "返工返修", "保修、退换货", "索赔、召回"]
    for i, item in enumerate(above):
        s.text(240, 40 + i * 16, item, size=11)
    below = ["未登记的返工和在线修理", "为弥补良率加班、多开设备", "多备的原材料和在制品", "计划被打乱的等待和切换",
             "用户流失、品牌受损", "处理质量问题的管理时间"]
    for i, item in enumerate(below):
        s.text(240, 130 + i * 30, item, size=13)
    s.text(470, 86, "显性损失：通常入账", size=12, anchor="end", fill=BLUE, bold=True)
    s.text(470, 116, "隐性损失：通常不入账", size=12, anchor="end", fill=BLUE, bold=True)
    return s


@figure("practitioner/quality-cost/figures/four-cost-categories.svg")
def four_cost_categories() -> Svg:
    s = Svg(250)
    s.line(20, 130, 460, 130, stroke=MUTED, width=2)
    s.arrow(440, 130, 470, 130, stroke=MUTED, width=2)
    s.line(330, 40, 330, 220, stroke=RED, width=2, dash="6 4")
    s.text(330, 32, "交付", size=13, fill=RED, bold=True)
    s.box(20, 56, 130, 60, ["预防成本", "不让问题发生"], fill=LIGHT_GREEN, stroke=GREEN, size=13, bold=True)
    s.box(170, 56, 140, 60, ["鉴定成本", "及时发现问题"], size=13, bold=True)
    s.box(170, 146, 140, 60, ["内部损失成本", "交付前发现的不合格"], fill=LIGHT_ORANGE, stroke=ORANGE, size=13, bold=True)
    s.box(345, 146, 125, 60, ["外部损失成本", "交付后暴露的问题"], fill=LIGHT_RED, stroke=RED, size=13, bold=True)
    s.text(85, 150, "问题出现之前", size=12, fill=MUTED)
    s.text(240, 236, "越晚发现，损失越大", size=12, fill=MUTED)
    return s


@figure("leadership/assessment-incentives-talent/figures/four-tiers.svg")
def four_tiers() -> Svg:
    s = Svg(260)
    tiers = [("领导干部", "主要负责人和分管领导", RED, LIGHT_RED), ("骨干专家", "改进项目负责人、高级工程师", ORANGE, LIGHT_ORANGE),
             ("专业人员", "质量工程师、内审员、标准化人员", BLUE, LIGHT_BLUE), ("全员通识", "全体员工", GREEN, LIGHT_GREEN)]
    for i, (name, who, stroke, fill) in enumerate(tiers):
        top_half, bottom_half = 56 + i * 44, 56 + (i + 1) * 44
        y = 20 + i * 56
        s.polygon([(240 - top_half, y), (240 + top_half, y), (240 + bottom_half, y + 52), (240 - bottom_half, y + 52)],
                  fill=fill, stroke=stroke)
        s.text(240, y + 22, name, size=14, bold=True, fill=stroke)
        s.text(240, y + 41, who, size=12)
    return s


@figure("leadership/assessment-incentives-talent/figures/training-evaluation-levels.svg")
def training_evaluation_levels() -> Svg:
    s = Svg(250)
    levels = [("1 反应", "是否满意、是否认为有用"), ("2 学习", "是否掌握知识和技能（考试）"), ("3 行为", "回到岗位后做法是否改变"),
              ("4 结果", "组织绩效是否改善")]
    for i, (name, note) in enumerate(levels):
        x, y = 10 + i * 30, 200 - i * 50
        s.rect(x, y, 300, 42, fill=[LIGHT_GREEN, LIGHT_BLUE, LIGHT_ORANGE, LIGHT_RED][i],
               stroke=[GREEN, BLUE, ORANGE, RED][i], rx=5)
        s.text(x + 12, y + 27, name, size=14, anchor="start", bold=True)
        s.text(x + 80, y + 27, note, size=12, anchor="start")
    s.arrow(440, 236, 440, 40, stroke=MUTED, width=2)
    s.text(448, 130, "越", size=12, anchor="start", fill=MUTED)
    s.text(448, 146, "难", size=12, anchor="start", fill=MUTED)
    s.text(448, 162, "评", size=12, anchor="start", fill=MUTED)
    s.text(448, 178, "价", size=12, anchor="start", fill=MUTED)
    s.text(400, 28, "越有价值", size=12, fill=MUTED)
    return s


@figure("all-staff/quality-safety-risk/figures/two-directions.svg")
def two_directions() -> Svg:
    s = Svg(230)
    chain = ["原材料批次", "零部件", "生产工序", "成品", "用户"]
    for i, name in enumerate(chain):
        x = 10 + i * 94
        s.box(x, 90, 80, 44, [name], size=13, bold=True)
        if i:
            s.line(x - 14, 112, x, 112, stroke=MUTED, width=1.5)
    s.arrow(40, 70, 440, 70, stroke=GREEN, width=2.5)
    s.text(240, 56, "正向追踪：这批材料用在了哪些产品上、在哪里 → 确定影响范围、召回", size=12, fill=GREEN)
    s.arrow(440, 156, 40, 156, stroke=ORANGE, width=2.5)
    s.text(240, 180, "逆向追溯：这件产品用了什么材料、谁在什么条件下做的 → 分析原因", size=12, fill=ORANGE)
    s.text(240, 214, "两个方向都要能走通", size=12, fill=MUTED, bold=True)
    return s



@figure("practitioner/supplier-quality/figures/safety-event-steps.svg")
def safety_event_steps() -> Svg:
    s = Svg(250)
    steps = [("发现与报告", "立即上报"), ("评估与分级", "定等级和负责人"), ("遏制", "停发、隔离、通知"), ("调查与定界", "查原因、定范围"),
             ("决策", "召回或整改"), ("实施与跟踪", "逐台登记"), ("关闭与总结", "验证、修订文件")]
    for i, (name, note) in enumerate(steps):
        row, col = divmod(i, 4)
        x = 10 + col * 117 if row == 0 else 68 + col * 117
        y = 30 + row * 110
        stroke, fill = (RED, LIGHT_RED) if i == 2 else (BLUE, LIGHT_BLUE)
        s.box(x, y, 104, 62, [name, note], fill=fill, stroke=stroke, size=13, bold=True)
        if i not in (3, 6):
            s.arrow(x + 104, y + 31, x + 116, y + 31, head=5)
    s.path("M 412 94 L 412 112 L 120 112 L 120 138", stroke=INK, width=1.5)
    s.polygon([(115, 132), (125, 132), (120, 140)], fill=INK)
    s.text(240, 18, "先遏制风险，再查原因；调查原因与确定范围同时进行", size=12, fill=MUTED)
    s.text(240, 236, "定界依靠追溯记录：记录越细，处置范围越小", size=12, fill=MUTED)
    return s



@figure("expert/digital-quality/figures/lifecycle-data.svg")
def lifecycle_data() -> Svg:
    s = Svg(250)
    stages = [("设计", "关键特性", "FMEA"), ("采购", "来料检验", "批次证书"), ("制造", "工艺参数", "过程检验"),
              ("检验试验", "出厂检验", "型式试验"), ("交付服务", "故障记录", "维修更换")]
    for i, (name, a, b) in enumerate(stages):
        x = 10 + i * 94
        s.box(x, 40, 84, 90, [name, a, b], size=13, bold=True)
        if i:
            s.arrow(x - 10, 85, x - 1, 85, head=5)
    s.rect(70, 150, 340, 30, fill=LIGHT_GREEN, stroke=GREEN, rx=5)
    s.text(240, 170, "唯一标识与批次号把各阶段的数据关联起来", size=13, fill=GREEN, bold=True)
    s.path("M 428 132 L 428 220 L 52 220 L 52 132", stroke=ORANGE, width=2)
    s.polygon([(47, 138), (57, 138), (52, 130)], fill=ORANGE)
    s.text(240, 240, "现场数据反馈设计：数据链断在哪里，改进就停在哪里", size=12, fill=ORANGE)
    s.text(240, 24, "产品全生命周期的质量数据", size=13, bold=True)
    return s


@figure("expert/digital-quality/figures/alarm-loop.svg")
def alarm_loop() -> Svg:
    s = Svg(300)
    cx, cy, r = 240, 150, 100
    steps = ["报警推送", "按 OCAP 确认检查", "查明原因或判定误报", "采取措施并记录", "关闭报警"]
    points = []
    for i, name in enumerate(steps):
        angle = math.radians(-90 + i * 72)
        x, y = cx + r * math.cos(angle) * 1.6, cy + r * math.sin(angle)
        points.append((x, y))
        s.box(x - 70, y - 18, 140, 36, [name], size=12, bold=True)
    for i in range(len(points)):
        (x1, y1), (x2, y2) = points[i], points[(i + 1) % len(points)]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        ux, uy = dx / length, dy / length
        s.arrow(x1 + ux * 60, y1 + uy * 26, x2 - ux * 60, y2 - uy * 26, head=6)
    s.box(cx - 80, cy - 24, 160, 48, ["统计报警原因和", "响应时间，立项改进"], fill=LIGHT_ORANGE, stroke=ORANGE, size=12)
    return s



@figure("practitioner/construction-service-quality/figures/acceptance-levels.svg")
def acceptance_levels() -> Svg:
    s = Svg(250)
    levels = [("单位工程", "一座主控楼", RED, LIGHT_RED), ("分部工程", "主体结构", ORANGE, LIGHT_ORANGE),
              ("分项工程", "钢筋工程", BLUE, LIGHT_BLUE), ("检验批", "一层楼的钢筋安装", GREEN, LIGHT_GREEN)]
    for i, (name, example, stroke, fill) in enumerate(levels):
        y = 14 + i * 56
        w = 170 + i * 60
        s.box(240 - w / 2, y, w, 44, [name, example], fill=fill, stroke=stroke, size=13, bold=True)
    s.arrow(450, 220, 450, 20, stroke=MUTED, width=2)
    for i, ch in enumerate("逐级验收"):
        s.text(466, 90 + i * 18, ch, size=12, fill=MUTED)
    s.text(20, 244, "下一层合格是上一层验收的前提；最后由建设单位组织竣工验收", size=12, anchor="start", fill=MUTED)
    return s


@figure("practitioner/construction-service-quality/figures/importance-satisfaction.svg")
def importance_satisfaction() -> Svg:
    items = [("响应速度", 0.30, 72), ("一次修复", 0.30, 85), ("服务态度", 0.15, 90), ("进度告知", 0.15, 65),
             ("上门准时", 0.10, 76)]
    s = Svg(330)
    ax = Axes(s, 60, 95, 0.05, 0.35, left=56, right=20, top=20, bottom=46)
    ax.frame(x_ticks=ticks(60, 95, 5, "{:g}"), y_ticks=[(v, f"{v:.2f}") for v in (0.1, 0.2, 0.3)],
             x_label="满意度得分", y_label="重要性（权重）", grid=False)
    s.line(ax.x(78), ax.top, ax.x(78), ax.plot_bottom, stroke=GRID, width=1.5, dash="5 4")
    s.line(ax.left, ax.y(0.2), s.width - ax.right, ax.y(0.2), stroke=GRID, width=1.5, dash="5 4")
    for x, y, label, colour in [(61, 0.33, "优先改进", RED), (94, 0.33, "保持优势", GREEN), (94, 0.07, "维持", BLUE),
                                (61, 0.07, "择机改进", ORANGE)]:
        s.text(ax.x(x), ax.y(y), label, size=13, anchor="start" if x < 78 else "end", fill=colour, bold=True)
    for name, weight, score in items:
        colour = RED if weight > 0.2 and score < 78 else (GREEN if weight > 0.2 else (BLUE if score >= 78 else ORANGE))
        s.circle(ax.x(score), ax.y(weight), 6, fill=colour)
        right = score > 88  # labels of points near the right edge go to their left
        s.text(ax.x(score) + (-9 if right else 9), ax.y(weight) + 5, f"{name} {score}", size=12,
               anchor="end" if right else "start")
    return s


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for relative, draw in sorted(FIGURES.items()):
        path = ROOT / relative
        text = draw().render()
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(relative)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for relative in stale:
        sys.stderr.write(f"courses/{relative}: differs from what tools/make_figures.py draws; run it\n")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
