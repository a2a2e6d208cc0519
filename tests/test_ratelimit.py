"""Rate-limit windows open with the first attempt, in the process and in Redis alike."""

from __future__ import annotations

from flask import Flask

from academy import ratelimit


def _limited(app: Flask) -> None:
    app.config["LIVE_RATE_LIMITS"] = {**app.config["LIVE_RATE_LIMITS"], "buzz": (3, 10)}


def test_a_window_opens_with_the_first_attempt_and_ends_its_seconds_later(app: Flask) -> None:
    _limited(app)
    with app.test_request_context():
        start = 1_000_009.5  # a clock-cut window of 10 s would end half a second from here
        assert [ratelimit.allow("buzz", "EVT", 1, now=start + t) for t in (0, 0.4, 0.8, 1.2)] == [True, True, True, False]
        assert ratelimit.allow("buzz", "EVT", 2, now=start + 1.2)  # another player counts alone
        assert not ratelimit.allow("buzz", "EVT", 1, now=start + 9.9)
        assert ratelimit.allow("buzz", "EVT", 1, now=start + 10.0)  # a new window


def test_redis_counts_one_window_for_every_instance(redis_app: Flask) -> None:  # type: ignore[no-untyped-def]
    _limited(redis_app)
    with redis_app.test_request_context():
        assert [ratelimit.allow("buzz", "EVT2", 7) for _ in range(4)] == [True, True, True, False]
        from academy import realtime

        connection = realtime.client()
        assert connection is not None
        assert 0 < connection.ttl("rate:buzz:EVT2:7") <= 10  # the first attempt set the end, once
