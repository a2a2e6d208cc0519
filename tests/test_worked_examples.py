"""The worked examples in the lessons: each result the text states is recomputed from the inputs it
states, so an edit to one number without the others fails here."""

from __future__ import annotations

from math import log10, sqrt
from statistics import NormalDist

import pytest

from academy.config import ROOT

COURSES = ROOT / "courses"
PHI = NormalDist().cdf

# (lesson file, what the text says, the arithmetic that gives it)
EXAMPLES = [
    ("practitioner/quality-cost/02-cost-accounting.md", "4.0%", f"{2000 / 50000 * 100:.1f}%"),
    ("practitioner/quality-cost/02-cost-accounting.md", "≈ 2.88%", f"≈ {1500 / 52000 * 100:.2f}%"),
    ("practitioner/quality-cost/02-cost-accounting.md", "630 ÷ 900 = 70%", f"630 ÷ 900 = {630 / 900 * 100:.0f}%"),
    ("practitioner/quality-cost/03-poor-quality-loss.md", "80 000 元/mm²", f"{200 / 0.05 ** 2:,.0f}".replace(",", " ") + " 元/mm²"),
    ("practitioner/quality-cost/03-poor-quality-loss.md", "= 32 元", f"= {80000 * 0.02 ** 2:.0f} 元"),
    ("practitioner/quality-cost/03-poor-quality-loss.md", "= 16 元", f"= {80000 * (0.01 ** 2 + 0.01 ** 2):.0f} 元"),
    ("practitioner/quality-cost/03-poor-quality-loss.md", "≈ 83.8%", f"≈ {0.95 * 0.90 * 0.98 * 100:.1f}%"),
    ("practitioner/quality-cost/04-cost-improvement.md", "160 ÷ 80 = 2.0", f"160 ÷ 80 = {(600 - 360 - 80) / 80:.1f}"),
    ("practitioner/quality-statistics/01-data-and-distributions.md", "s ≈ 0.0158 mm", f"s ≈ {sqrt(0.0010 / 4):.4f} mm"),
    ("practitioner/quality-statistics/01-data-and-distributions.md", "约为 0.0082", f"约为 {1 - PHI((50.12 - 50.00) / 0.05):.4f}"),
    ("practitioner/quality-statistics/02-estimation.md", "2.064 × 0.5 ≈ 1.03", f"2.064 × 0.5 ≈ {2.064 * 2.5 / sqrt(25):.2f}"),
    ("practitioner/quality-statistics/02-estimation.md", "≈ 96", f"≈ {(1.96 * 2.5 / 0.5) ** 2:.0f}"),
    ("practitioner/quality-statistics/02-estimation.md", "≈ 1.37%", f"≈ {1.96 * sqrt(0.02 * 0.98 / 400) * 100:.2f}%"),
    ("practitioner/quality-statistics/03-hypothesis-tests.md", "≈ 1.33", f"≈ {0.4 / (1.2 / 4):.2f}"),
    ("practitioner/quality-statistics/04-regression-anova.md", "≈ 0.996", f"≈ {320 / sqrt(1000 * 103.2):.3f}"),
    ("practitioner/quality-statistics/04-regression-anova.md", "F = 4 ÷ 0.667 = 6.0", f"F = 4 ÷ 0.667 = {(8 / 2) / (6 / 9):.1f}"),
    ("practitioner/quality-statistics/05-measurement-systems.md", "%GRR = 0.015 ÷ 0.0618 ≈ 24%",
     f"%GRR = 0.015 ÷ 0.0618 ≈ {0.015 / sqrt(0.015 ** 2 + 0.06 ** 2) * 100:.0f}%"),
    ("practitioner/quality-statistics/05-measurement-systems.md", "≈ 5.6", f"≈ {1.41 * 0.060 / 0.015:.1f}"),
    ("expert/quality-by-design/01-qfd.md", "5×9+4×3 = 57", f"5×9+4×3 = {5 * 9 + 4 * 3}"),
    ("expert/quality-by-design/02-robust-design.md", "≈ 46.0 dB", f"≈ {10 * log10(20 ** 2 / 0.1 ** 2):.1f} dB"),
    ("expert/quality-by-design/03-dfss-tolerance.md", "±√0.0169 = ±0.13 mm", f"±√0.0169 = ±{sqrt(0.03 ** 2 + 0.04 ** 2 + 0.12 ** 2):.2f} mm"),
    ("expert/quality-by-design/04-reliability-in-design.md", "≈ 0.983", f"≈ {0.95 ** (1 / 3):.3f}"),
    ("expert/lean-six-sigma/05-improve-control.md", "33 − 27 = 6", f"33 − 27 = {(20 + 46) / 2 - (30 + 24) / 2:.0f}"),
    ("expert/lean-six-sigma/05-improve-control.md", "≈ 0.83", f"≈ {0.10 / (3 * 0.040):.2f}"),
    ("expert/lean-six-sigma/05-improve-control.md", "≈ 1.87", f"≈ {0.14 / (3 * 0.025):.2f}"),
    ("practitioner/supplier-quality/01-supplier-selection.md", "= 500 PPM", f"= {20 / 40000 * 1_000_000:.0f} PPM"),
    ("practitioner/supplier-quality/05-safety-events-and-recall.md", "已装机 480 套", f"已装机 {600 - 120} 套"),
    ("practitioner/construction-service-quality/03-service-quality-and-satisfaction.md", "0.10 × 76 = 77.95",
     f"0.10 × 76 = {0.30 * 72 + 0.30 * 85 + 0.15 * 90 + 0.15 * 65 + 0.10 * 76:.2f}"),
    ("practitioner/construction-service-quality/03-service-quality-and-satisfaction.md", "0.15 × 7 = 81.4",
     f"0.15 × 7 = {77.95 + 0.30 * 8 + 0.15 * 7:.1f}"),
    ("expert/digital-quality/01-full-data-and-governance.md", "2 064 ÷ 2 400 = 86%", f"2 064 ÷ 2 400 = {2064 / 2400:.0%}"),
    ("expert/digital-quality/02-online-spc-and-alarms.md", "ARL₀ ≈ 1 ÷ 0.0027 ≈ 370", f"ARL₀ ≈ 1 ÷ 0.0027 ≈ {1 / 0.0027:.0f}"),
    ("expert/digital-quality/02-online-spc-and-alarms.md", "50 × 24 × 0.0027 ≈ 3.2", f"50 × 24 × 0.0027 ≈ {50 * 24 * 0.0027:.1f}"),
    ("expert/digital-quality/02-online-spc-and-alarms.md", "120 × 24 × 0.0027 ≈ 7.8", f"120 × 24 × 0.0027 ≈ {120 * 24 * 0.0027:.1f}"),
    ("expert/digital-quality/02-online-spc-and-alarms.md", "20 × 24 × 0.0027 ≈ 1.3", f"20 × 24 × 0.0027 ≈ {20 * 24 * 0.0027:.1f}"),
    ("expert/digital-quality/03-quality-data-platform.md", "0.98 × 0.95 × 0.99 ≈ 92.2%", f"0.98 × 0.95 × 0.99 ≈ {0.98 * 0.95 * 0.99:.1%}"),
]


@pytest.mark.parametrize(("lesson", "stated", "recomputed"), EXAMPLES)
def test_the_lesson_states_what_its_arithmetic_gives(lesson: str, stated: str, recomputed: str) -> None:
    assert stated == recomputed
    assert stated in (COURSES / lesson).read_text(encoding="utf-8")
