"""Live-final scoring: pure tables, no app."""

from __future__ import annotations

import pytest

from academy import scoring


@pytest.mark.parametrize(("elapsed", "points"), [
    (0, 1000), (10, 750), (20, 500), (25, 500), (-1, 1000), (5, 875), (19.99, 500),
])
def test_speed_points_fall_from_base_to_half_over_the_round(elapsed: float, points: int) -> None:
    assert scoring.speed_points(1000, elapsed, 20) == points


@pytest.mark.parametrize(("streak", "bonus"), [(0, 0), (1, 0), (2, 100), (3, 200), (5, 400), (6, 500), (9, 500)])
def test_streak_bonus_grows_per_answer_in_a_row_and_is_capped(streak: int, bonus: int) -> None:
    assert scoring.streak_bonus(100, streak) == bonus


@pytest.mark.parametrize(("qtype", "answer", "valid"), [
    ("single", 3, True), ("single", 4, False), ("single", -1, False), ("single", None, False),
    ("multiple", [0, 3], True), ("multiple", [], False), ("multiple", [0, 9], False),
    ("numeric", "12.5", True), ("numeric", "x" * 50, False),
])
def test_valid_answer_checks_shape_only(qtype: str, answer: object, valid: bool) -> None:
    assert scoring.valid_answer(qtype, 4, answer) is valid
