"""Cost of saving one answer, in one process: ``BENCH_DATABASE_URL=postgresql://… python -m bench.save``.

An online round with a ``--questions`` paper (as ``bench.online_load`` draws it) and
``--participants`` attempts, set up first and not timed. Then, through the test client and
on PostgreSQL, every participant saves question 1, then every participant question 2, and so
on (inserts, as in a real round), then the same answers once more (updates). ``GET /healthz``
with the same session cookie is the baseline in the same run. Printed per request: wall
time and this process's CPU time (the database server's own CPU is not in it), and the
ratio against the baseline. The database named in BENCH_DATABASE_URL is wiped.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable

from academy import create_app
from academy.config import Defaults
from bench.online_load import AGENT, SECRET, URL, prepare


def _measure(label: str, calls: list[Callable[[], int]], expect: int) -> tuple[float, float]:
    """(wall ms, CPU ms) per call."""
    wall, cpu = time.perf_counter(), time.process_time()
    for call in calls:
        status = call()
        if status != expect:
            raise SystemExit(f"{label}: status {status}, expected {expect}")
    wall_ms = 1000 * (time.perf_counter() - wall) / len(calls)
    cpu_ms = 1000 * (time.process_time() - cpu) / len(calls)
    print(f"{label:<28} {len(calls):6d} requests   wall {wall_ms:6.2f} ms   CPU {cpu_ms:6.2f} ms", flush=True)
    return wall_ms, cpu_ms


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.save")
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--questions", type=int, default=100)
    args = parser.parse_args(sys.argv[1:] if __name__ == "__main__" else [])
    if not URL.startswith("postgres"):
        print("bench.save skipped: set BENCH_DATABASE_URL=postgresql://… (its database is wiped)")
        return
    print(f"preparing {args.participants} participants with a {args.questions}-question paper each …", flush=True)
    plan, _expected = prepare(URL, args.participants, args.questions, 10)
    # the limits are counted as in production, only set high enough that one client replaying many
    # participants' saves back to back never meets them
    limits = {**Defaults.LIVE_RATE_LIMITS, "quiz_save": (10_000, 10)}
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": URL, "WTF_CSRF_ENABLED": False,
                      "LIVE_RATE_LIMITS": limits})
    client = app.test_client(use_cookies=False)
    headers = [{"Cookie": f"session={p['cookie']}", "User-Agent": AGENT} for p in plan]
    forms = [{**h, "Content-Type": "application/x-www-form-urlencoded"} for h in headers]

    def health(n: int) -> Callable[[], int]:
        return lambda: client.get("/healthz", headers=headers[n]).status_code

    def save(n: int, q: int) -> Callable[[], int]:
        question, fields = plan[n]["answers"][q]  # type: ignore[index]
        path = f"/attempts/{plan[n]['attempt']}/answers/{question}"
        return lambda: client.post(path, headers=forms[n], data=fields).status_code

    everyone = range(len(plan))
    _measure("warm-up", [health(n) for n in everyone] + [save(n, 0) for n in everyone], 200)
    base = _measure("baseline GET /healthz", [health(n) for n in everyone] * 20, 200)
    first = _measure("save (insert)", [save(n, q) for q in range(1, args.questions) for n in everyone], 200)
    again = _measure("save (update)", [save(n, q) for q in range(1, min(args.questions, 30)) for n in everyone], 200)
    print(f"ratio to /healthz: insert wall ×{first[0] / base[0]:.1f} CPU ×{first[1] / base[1]:.1f};"
          f" update wall ×{again[0] / base[0]:.1f} CPU ×{again[1] / base[1]:.1f}")
    print("load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
