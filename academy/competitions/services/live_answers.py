"""What both answer paths of a live final share (the database path in ``live`` and the Redis path
in ``intake``): the refusal type, the grace for answers in transit, and each player's option order.

Its own module so that ``live`` and ``intake`` both import it and not each other.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from datetime import timedelta
from typing import Any

from flask import current_app

GRACE = timedelta(milliseconds=500)  # an answer sent just before the deadline is still in transit


class LiveError(Exception):
    """A refusal the player or host sees; ``reason`` is a stable code the pages translate."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def display_order(code: str, player_id: int, question_id: int, count: int, qtype: str) -> list[int]:
    """Derived, not stored: an HMAC of the app's secret over event, player and question seeds
    the shuffle, so every instance computes the same order and players cannot predict
    each other's.
    """
    if qtype not in ("single", "multiple"):
        return list(range(count))
    seed = hmac.new(str(current_app.secret_key).encode(), f"live-order:{code}:{player_id}:{question_id}".encode(),
                    hashlib.sha256).digest()
    order = list(range(count))
    random.Random(seed).shuffle(order)  # noqa: S311 - a display order, its secret is the seed
    return order


def stored_answer(order: list[int], given: Any) -> Any:
    """Positions as the player saw them → positions in the event's order."""
    if isinstance(given, list):
        return sorted(order[int(p)] for p in given)
    return order[int(given)]
