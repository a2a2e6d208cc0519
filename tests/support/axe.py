"""axe-core (vendored, tests only) run in a Playwright page: the accessibility rules a page breaks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core 4.10.2 (MPL-2.0), from the npm package


def violations(page: Any, *, tags: tuple[str, ...] = ("wcag2a", "wcag2aa")) -> list[str]:
    """Rule id and the first offending element of each violation. ``evaluate`` runs outside the
    page's Content-Security-Policy, so the page needs no inline script for it."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
                          ".then(r => r.violations.map(v => v.id + ': ' + (v.nodes[0] ? v.nodes[0].html : '')))",
                          list(tags))
    return list(found)
