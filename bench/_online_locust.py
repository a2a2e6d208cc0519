"""Locust users for ``bench.online_load``: run by the ``locust`` command, never imported elsewhere.

Each participant takes the next plan from ONLINE_LOAD_PLAN (session cookie, attempt and its
answers as form fields), saves one answer per pacing interval, then submits. What the server
acknowledged and every response time go to ONLINE_LOAD_LOG when the run stops, so the
benchmark can check every acknowledged answer against the database.
"""

from __future__ import annotations

import itertools
import json
import os
from typing import Any

from locust import FastHttpUser, constant, constant_pacing, events, task
from locust.exception import StopUser

PLAN: list[dict[str, Any]] = json.loads(open(os.environ["ONLINE_LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
PACE = float(os.environ.get("ONLINE_LOAD_PACE", "5"))
NEXT = itertools.count()
ACKED: list[tuple[int, str]] = []
TIMES: dict[str, list[float]] = {}
SUBMITTED: list[int] = []


@events.request.add_listener
def _timed(request_type: str, name: str, response_time: float, exception: Any, **_: Any) -> None:
    if exception is None:
        TIMES.setdefault(name, []).append(response_time)


@events.test_stop.add_listener
def _dump(**_: Any) -> None:
    with open(os.environ["ONLINE_LOAD_LOG"], "w", encoding="utf-8") as out:
        json.dump({"acked": ACKED, "times": TIMES, "submitted": SUBMITTED}, out)


class Participant(FastHttpUser):
    wait_time = constant_pacing(PACE)

    def on_start(self) -> None:
        index = next(NEXT)
        if index >= len(PLAN):
            raise StopUser
        self.plan = PLAN[index]
        self.answers = iter(self.plan["answers"])
        self.headers = {"Cookie": f"session={self.plan['cookie']}", "User-Agent": "qs-bench-participant"}
        self.form = {**self.headers, "Content-Type": "application/x-www-form-urlencoded"}

    @task
    def answer(self) -> None:
        attempt = self.plan["attempt"]
        step = next(self.answers, None)
        if step is None:
            with self.client.post(f"/attempts/{attempt}/submit", headers=self.headers, name="submit",
                                  allow_redirects=False, catch_response=True) as response:
                if response.status_code == 303:
                    SUBMITTED.append(attempt)
                else:
                    response.failure(f"submit: {response.status_code} {response.error!r}"[:120])
            raise StopUser
        question, fields = step  # fields: the form already URL-encoded
        with self.client.post(f"/attempts/{attempt}/answers/{question}", headers=self.form, data=fields,
                              name="save answer", catch_response=True) as response:
            if response.status_code == 200 and (response.json() or {}).get("saved"):
                ACKED.append((attempt, question))
            else:
                response.failure(f"not saved: {response.status_code} {response.error!r}"[:120])


class Watcher(FastHttpUser):
    """The baseline in the same run: a minimal endpoint under the same load."""

    fixed_count = 4
    wait_time = constant(1)

    @task
    def health(self) -> None:
        self.client.get("/healthz", name="healthz")
