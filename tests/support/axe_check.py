"""axe-core (vendored, tests only: tests/support/vendor/axe.min.js, axe-core 4.10.2, MPL-2.0) run in a page."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def serious_violations(page: object) -> list[str]:
    """Serious and critical WCAG 2 A/AA violations on the page, as "rule: target" lines."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})")
    return [f"{v['id']}: {n['target']}" for v in result["violations"] if v["impact"] in ("serious", "critical")
            for n in v["nodes"]]
