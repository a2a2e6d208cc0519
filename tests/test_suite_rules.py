"""Rules the test suite keeps about itself: shared helpers live in ``tests/support`` and ``conftest.py``,
so no test module imports another (one module's helpers used by six others made every change to
it a change to them)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def _imported_test_modules(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""] + [f"{node.module}.{a.name}" if node.module else a.name for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found += [n for n in names if any(part.startswith("test_") for part in n.split("."))]
    return found


def test_no_test_module_imports_another() -> None:
    offenders = {p.name: names for p in sorted(TESTS.glob("test_*.py")) if (names := _imported_test_modules(p))}
    assert offenders == {}


def test_the_rule_sees_both_import_forms(tmp_path: Path) -> None:
    module = tmp_path / "test_x.py"
    module.write_text("from .test_other import helper\nimport tests.test_third\nfrom .support import quiz\n")
    assert _imported_test_modules(module) == ["test_other", "test_other.helper", "tests.test_third"]
