"""A small SVG writer for lesson figures: shapes, text and simple charts, nothing else.

It writes only what the lesson sanitiser keeps (see ``academy/content/sanitize.py``) and formats
every number the same way, so running ``tools/make_figures.py`` twice gives the same bytes.
Figures are 480 units wide: on a 360 px phone the text stays about 11 px high.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

WIDTH = 480
INK = "#1f2328"
MUTED = "#57606a"
GRID = "#d0d7de"
BLUE = "#1a5fb4"
LIGHT_BLUE = "#dbe8f9"
RED = "#b42318"
LIGHT_RED = "#fbe3e1"
GREEN = "#1a7f37"
LIGHT_GREEN = "#dcf2e3"
ORANGE = "#9a4a00"
LIGHT_ORANGE = "#fdebd3"
GREY_FILL = "#eef1f4"


def num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@dataclass
class Svg:
    height: int
    width: int = WIDTH
    parts: list[str] = field(default_factory=list)

    def _add(self, tag: str, attrs: dict[str, object], text: str | None = None) -> None:
        rendered = "".join(f" {k.replace('_', '-')}={quoteattr(num(v) if isinstance(v, float | int) and not isinstance(v, bool) else str(v))}"
                           for k, v in attrs.items() if v is not None)
        if text is None:
            self.parts.append(f"<{tag}{rendered}/>")
        else:
            self.parts.append(f"<{tag}{rendered}>{escape(text)}</{tag}>")

    def rect(self, x: float, y: float, w: float, h: float, *, fill: str = "none", stroke: str | None = INK,
             rx: float | None = None, stroke_width: float | None = None) -> None:
        self._add("rect", {"x": x, "y": y, "width": w, "height": h, "rx": rx, "fill": fill, "stroke": stroke,
                           "stroke_width": stroke_width})

    def line(self, x1: float, y1: float, x2: float, y2: float, *, stroke: str = INK, width: float = 1.5,
             dash: str | None = None) -> None:
        self._add("line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke": stroke, "stroke_width": width,
                           "stroke_dasharray": dash})

    def polyline(self, points: Iterable[tuple[float, float]], *, stroke: str = BLUE, width: float = 2,
                 fill: str = "none", dash: str | None = None) -> None:
        self._add("polyline", {"points": " ".join(f"{num(x)},{num(y)}" for x, y in points), "fill": fill,
                               "stroke": stroke, "stroke_width": width, "stroke_dasharray": dash})

    def polygon(self, points: Iterable[tuple[float, float]], *, fill: str, stroke: str | None = None,
                opacity: float | None = None) -> None:
        self._add("polygon", {"points": " ".join(f"{num(x)},{num(y)}" for x, y in points), "fill": fill,
                              "stroke": stroke, "fill_opacity": opacity})

    def circle(self, cx: float, cy: float, r: float, *, fill: str = BLUE, stroke: str | None = None) -> None:
        self._add("circle", {"cx": cx, "cy": cy, "r": r, "fill": fill, "stroke": stroke})

    def path(self, d: str, *, fill: str = "none", stroke: str = INK, width: float = 1.5) -> None:
        self._add("path", {"d": d, "fill": fill, "stroke": stroke, "stroke_width": width})

    def text(self, x: float, y: float, text: str, *, size: float = 14, anchor: str = "middle", fill: str = INK,
             bold: bool = False) -> None:
        self._add("text", {"x": x, "y": y, "font_size": size, "text_anchor": anchor, "fill": fill,
                           "font_weight": "bold" if bold else None}, text)

    def arrow(self, x1: float, y1: float, x2: float, y2: float, *, stroke: str = INK, width: float = 1.5,
              head: float = 8) -> None:
        """A line with a drawn head (no markers: ids would clash when a page shows two figures)."""
        angle = math.atan2(y2 - y1, x2 - x1)
        bx, by = x2 - head * math.cos(angle), y2 - head * math.sin(angle)
        self.line(x1, y1, bx, by, stroke=stroke, width=width)
        left = (bx + head * 0.5 * math.sin(angle), by - head * 0.5 * math.cos(angle))
        right = (bx - head * 0.5 * math.sin(angle), by + head * 0.5 * math.cos(angle))
        self.polygon([(x2, y2), left, right], fill=stroke)

    def box(self, x: float, y: float, w: float, h: float, lines: Sequence[str], *, fill: str = LIGHT_BLUE,
            stroke: str = BLUE, size: float = 14, bold: bool = False) -> None:
        """A rounded box with one or more centred lines of text."""
        self.rect(x, y, w, h, fill=fill, stroke=stroke, rx=6)
        step = size * 1.3
        top = y + h / 2 - step * (len(lines) - 1) / 2 + size * 0.35
        for i, text in enumerate(lines):
            self.text(x + w / 2, top + i * step, text, size=size, bold=bold and i == 0)

    def render(self) -> str:
        head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height}" '
                f'width="{self.width}" height="{self.height}">')
        return head + "\n" + "\n".join(self.parts) + "\n</svg>\n"


@dataclass
class Axes:
    """A plotting area mapping data to figure units, with ticks and labels."""

    svg: Svg
    x0: float
    x1: float
    y0: float
    y1: float
    left: float = 56
    right: float = 16
    top: float = 16
    bottom: float = 44

    @property
    def plot_bottom(self) -> float:
        return self.svg.height - self.bottom

    def x(self, value: float) -> float:
        span = self.svg.width - self.left - self.right
        return self.left + (value - self.x0) / (self.x1 - self.x0) * span

    def y(self, value: float) -> float:
        span = self.plot_bottom - self.top
        return self.plot_bottom - (value - self.y0) / (self.y1 - self.y0) * span

    def frame(self, *, x_ticks: Sequence[tuple[float, str]], y_ticks: Sequence[tuple[float, str]],
              x_label: str = "", y_label: str = "", grid: bool = True) -> None:
        s = self.svg
        for value, label in y_ticks:
            if grid:
                s.line(self.left, self.y(value), s.width - self.right, self.y(value), stroke=GRID, width=1)
            s.text(self.left - 6, self.y(value) + 4, label, size=12, anchor="end", fill=MUTED)
        for value, label in x_ticks:
            s.line(self.x(value), self.plot_bottom, self.x(value), self.plot_bottom + 4, stroke=MUTED, width=1)
            s.text(self.x(value), self.plot_bottom + 18, label, size=12, fill=MUTED)
        s.line(self.left, self.top, self.left, self.plot_bottom, stroke=MUTED, width=1)
        s.line(self.left, self.plot_bottom, s.width - self.right, self.plot_bottom, stroke=MUTED, width=1)
        if x_label:
            s.text((self.left + s.width - self.right) / 2, s.height - 6, x_label, size=13, fill=INK)
        if y_label:
            s.text(self.left + 4, self.top - 4, y_label, size=13, anchor="start", fill=INK)


def normal_pdf(x: float, mean: float = 0.0, sd: float = 1.0) -> float:
    z = (x - mean) / sd
    return math.exp(-0.5 * z * z) / (sd * math.sqrt(2 * math.pi))


def ticks(start: float, stop: float, step: float, fmt: str = "{:g}") -> list[tuple[float, str]]:
    count = round((stop - start) / step)
    return [(start + i * step, fmt.format(round(start + i * step, 6))) for i in range(count + 1)]
