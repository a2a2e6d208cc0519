"""axe-core in the browser tests: the npm package in tests/axe (``npm ci --prefix tests/axe``,
run by ``make test``), evaluated into the page through the browser's debugging protocol, so the
page's Content-Security-Policy stays as strict as in production."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent.parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@cache
def _source() -> str:
    if not AXE.is_file():
        raise RuntimeError(f"{AXE} is missing: run `npm ci --prefix tests/axe` (make test does)")
    return AXE.read_text(encoding="utf-8")


def serious_violations(page: Any) -> list[str]:
    """WCAG 2.1 AA violations of impact serious or critical on the page as it is now, one line each."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source() + "\n;undefined")
    results = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    return [f"{page.url}: {v['id']} ({v['impact']}): {v['help']} at "
            + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


def violations(page: Any, *, tags: tuple[str, ...] = ("wcag2a", "wcag2aa")) -> list[str]:
    """Every violation of the given WCAG tags, whatever its impact: rule id and the first offending element."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source() + "\n;undefined")
    found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                          ".then(r => r.violations.map(v => v.id + ': ' + (v.nodes[0] ? v.nodes[0].html : '')))",
                          list(tags))
    return list(found)
