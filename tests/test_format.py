from __future__ import annotations

import pytest

from academy import format_hours


@pytest.mark.parametrize(("value", "shown"), [(4, "4"), (4.0, "4"), (2.5, "2.5"), (0, "0"), (None, "0"), (12.04, "12")])
def test_training_hours_are_shown_without_a_trailing_zero(value: float | None, shown: str) -> None:
    assert format_hours(value) == shown
