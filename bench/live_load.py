"""A live final at hall scale: PostgreSQL + Redis, gunicorn (gevent workers), locust phones.

``python -m bench.live_load --players 200 1000 2000 [--mode sse|poll] [--workers 4]``

For each player count: a fresh event of three 8-second single-choice questions, every
player joined through the service, a private ``redis-server``, gunicorn with gevent
workers, and locust (headless, its own process: ``bench/_locust_live.py``) simulating the
phones. The host opens and reveals the questions over HTTP. Printed per run:

* baseline: ``/healthz`` requests/s and latency from 20 client threads, same server, same run;
* open → 95% of players saw the question (server's opening time to the phone's receipt);
* answer capture p50/p99 (the phone's POST round trip), as multiples of the baseline;
* answers sent before the deadline vs answers counted in the database (must be equal),
  and refusals of answers sent in time;
* the load average (``os.getloadavg``) at the start and end of the run.

``BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1/qs_bench``) is wiped.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from statistics import quantiles
from typing import Any

from sqlalchemy import func, select

from academy import create_app
from academy.competitions.services import live
from academy.config import ROOT
from academy.content.quizbank import QType, load_banks
from academy.database import db
from academy.models import LiveAnswer, LivePlayer, LiveQuestion, Role, User, UserRole
from bench import signed_in

QUESTIONS = 3
SECONDS = 8
SECRET = "bench-live-load"  # noqa: S105 - a throw-away benchmark server
# As the README's production command: a fixed pool per worker. Overflow connections are closed
# when returned, and opening one costs PostgreSQL a process: under a burst that churn stalled workers.
POOL = '{"pool_size": 12, "max_overflow": 0, "pool_timeout": 120, "pool_pre_ping": true}'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, seconds: float = 90.0) -> None:
    """Until the URL answers; a worker that accepted but is still booting times out, and we retry."""
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310 - loopback http only
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def _redis() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    process = subprocess.Popen(["/usr/bin/redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    raise RuntimeError("redis-server did not start")


def _setup(app: Any, players: int) -> tuple[str, str, list[dict[str, Any]]]:
    """A fresh event with everyone joined; each phone's cookie and where it sees each right answer."""
    banks, _ = load_banks(ROOT / "quiz")
    singles = [q for bank in banks.values() for q in bank.questions if q.type is QType.SINGLE][:QUESTIONS]
    with app.app_context():
        db.drop_all()
        db.create_all()
        host = User(employee_no="HOST", name="主持人")
        host.roles.append(UserRole(role=Role.HOST))
        people = [User(employee_no=f"P{i:05d}", name=f"选手{i}") for i in range(players)]
        db.session.add_all([host, *people])
        db.session.commit()
        event = live.create_event(host, "bench", [live.Item(q, seconds=SECONDS) for q in singles])
        sign = app.session_interface.get_signing_serializer(app).dumps  # type: ignore[attr-defined]
        phones = []
        for person in people:
            player, device = live.join(event, person)
            answers = {}
            for q in event.questions:
                order = live.player_order(event, player, q)
                answers[str(q.position)] = order.index(int(q.key["correct"][0]))
            phones.append({"cookie": sign(signed_in(person.id, **{f"live:{event.code}": device})),
                           "answers": answers})
        host_cookie = sign(signed_in(host.id))
        return event.code, host_cookie, phones


def _gunicorn(url: str, redis_url: str, workers: int, keepalive: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "FLASK_SECRET_KEY": SECRET, "DATABASE_URL": url, "REDIS_URL": redis_url,
           "FLASK_WTF_CSRF_ENABLED": "false", "FLASK_SQLALCHEMY_ENGINE_OPTIONS": POOL}
    command = [sys.executable, "-m", "gunicorn", "--worker-class", "gevent", "--workers", str(workers),
               "--worker-connections", "4000", "--backlog", "4096", "--keep-alive", str(keepalive), "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", "app:app"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    _wait(f"{base}/healthz")
    return process, base


def _stop(process: subprocess.Popen[bytes]) -> None:
    """The whole process group: gunicorn's workers and locust's greenlets go with their parent."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return quantiles(values, n=100, method="inclusive")[q - 1]


def _baseline(base: str, seconds: float = 3.0, threads: int = 20) -> tuple[float, float, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def run() -> None:
        while time.perf_counter() < stop:
            start = time.perf_counter()
            urllib.request.urlopen(f"{base}/healthz", timeout=30).close()  # noqa: S310 - loopback http only
            with lock:
                latencies.append(time.perf_counter() - start)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return len(latencies) / seconds, _pct(latencies, 50), _pct(latencies, 99)


def _host(base: str, cookie: str, code: str, action: str) -> None:
    request = urllib.request.Request(f"{base}/live/{code}/host/{action}", data=b"",  # noqa: S310 - loopback http only
                                     headers={"Cookie": f"session={cookie}"})

    class Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    for _attempt in range(3):  # an overloaded server may take long; a repeated step is refused harmlessly
        try:
            urllib.request.build_opener(Keep).open(request, timeout=120).close()
            return
        except urllib.error.HTTPError as error:
            if error.code == 303:
                return
            raise
        except OSError:
            continue
    raise RuntimeError(f"the host's {action} did not get through")


def run(players: int, mode: str, workers: int, keepalive: int = 75) -> dict[str, Any]:
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/qs_bench")
    # Redis first: the phones' sign-in sessions are mirrored there as a real login mirrors them,
    # else every answer misses the mirror and takes the database path
    redis_process, redis_url = _redis()
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_url})
    folder = Path(tempfile.mkdtemp(prefix="live_load_"))
    try:
        code, host_cookie, phones = _setup(app, players)
        (folder / "players.json").write_text(json.dumps(phones))
        results = folder / "results.jsonl"
        load_start = os.getloadavg()
        server, base = _gunicorn(url, redis_url, workers, keepalive)
    except BaseException:
        redis_process.terminate()
        raise
    locust = None
    try:
        healthz_rate, b50, b99 = _baseline(base)
        env = {**os.environ, "LIVE_CODE": code, "LIVE_MODE": mode, "LIVE_PLAYERS": str(folder / "players.json"),
               "LIVE_RESULTS": str(results)}
        locust = subprocess.Popen(
            [sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "_locust_live.py"), "--headless",
             "-u", str(players), "-r", str(max(players // 10, 50)), "--host", base, "--only-summary",
             "--loglevel", "WARNING"], cwd=ROOT, env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(players / max(players // 10, 50) + 5)  # spawn, then let every stream open
        for _position in range(1, QUESTIONS + 1):
            _host(base, host_cookie, code, "next")
            time.sleep(2.0)
            _host(base, host_cookie, code, "open")
            time.sleep(SECONDS + 1.0)
            _host(base, host_cookie, code, "reveal")
            time.sleep(3.0)
        load_end = os.getloadavg()
    finally:
        if locust is not None:
            _stop(locust)
        _stop(server)
        redis_process.terminate()
        redis_process.wait(timeout=10)
    with app.app_context():
        counted = db.session.execute(select(func.count()).select_from(LiveAnswer)).scalar_one()
        joined = db.session.execute(select(func.count()).select_from(LivePlayer)).scalar_one()
        stamped = {(int(number[1:]), position): at.timestamp() for number, position, at in db.session.execute(
            select(User.employee_no, LiveQuestion.position, LiveAnswer.answered_at)
            .join(LivePlayer, LivePlayer.id == LiveAnswer.player_id).join(User, User.id == LivePlayer.user_id)
            .join(LiveQuestion, LiveQuestion.id == LiveAnswer.question_id))}
        db.session.remove()
        db.engine.dispose()
    lines = [json.loads(line) for line in results.read_text().splitlines() if line.strip()]
    for line in lines:  # the server's receipt stamp, where the answer was stored
        if line["kind"] == "answer" and (line["player"], line["position"]) in stamped:
            line["lag"] = stamped[(line["player"], line["position"])] - line["sent"]
    shutil.rmtree(folder, ignore_errors=True)
    return {"keepalive": keepalive, **_summary(players, mode, workers, lines, counted, joined, (healthz_rate, b50, b99), load_start, load_end)}


def _summary(players: int, mode: str, workers: int, lines: list[dict[str, Any]], counted: int, joined: int,
             baseline: tuple[float, float, float], load_start: tuple[float, ...], load_end: tuple[float, ...]) -> dict[str, Any]:
    rate, b50, b99 = baseline
    seen = [x for x in lines if x["kind"] == "seen"]
    answers = [x for x in lines if x["kind"] == "answer"]
    delays = {p: sorted(x["at"] - x["opened"] for x in seen if x["position"] == p) for p in range(1, QUESTIONS + 1)}
    p95 = [(_pct(d, 95) if len(d) >= 0.95 * players else float("inf")) for d in delays.values()]
    took = [x["took"] for x in answers]
    lag = [x["lag"] for x in answers if "lag" in x]
    own = [x["lag"] for x in lines if x["kind"] == "client_lag"]
    # counted from what left the phones, so answers still waiting when the run stops count too
    in_time = sum(1 for x in lines if x["kind"] == "sent" and x["in_time"])
    refused_in_time = sum(1 for x in answers if x["in_time"] and x["status"] not in (200, 0))
    accepted = sum(1 for x in answers if x["status"] == 200)
    return {
        "players": players, "joined": joined, "mode": mode, "workers": workers,
        "healthz_rps": round(rate, 1), "healthz_p50_ms": round(b50 * 1000, 1), "healthz_p99_ms": round(b99 * 1000, 1),
        "saw": [len(d) for d in delays.values()], "open_to_95_s": [round(v, 2) for v in p95],
        "capture_p50_ms": round(_pct(took, 50) * 1000, 1), "capture_p99_ms": round(_pct(took, 99) * 1000, 1),
        "capture_p99_x_baseline": round(_pct(took, 99) / b99, 1),
        "stamp_lag_p50_ms": round(_pct(lag, 50) * 1000, 1), "stamp_lag_p99_ms": round(_pct(lag, 99) * 1000, 1),
        "client_lag_p99_ms": round(_pct(own, 99) * 1000, 1), "client_lag_max_ms": round(max(own, default=0) * 1000, 1),
        "sent_in_time": in_time, "accepted": accepted, "counted": counted, "refused_in_time": refused_in_time,
        "statuses": {str(k): sum(1 for x in answers if x["status"] == k) for k in sorted({x["status"] for x in answers})},
        "refusals_in_time": {str(k): sum(1 for x in answers if x["in_time"] and x.get("error") == k)
                             for k in sorted({str(x.get("error")) for x in answers if x["in_time"] and x.get("error")})},
        "streams_refused": sum(1 for x in lines if x["kind"] == "stream_refused"),
        "stream_errors": sum(1 for x in lines if x["kind"] == "stream_error"),
        "load_start": [round(v, 2) for v in load_start], "load_end": [round(v, 2) for v in load_end],
    }


def _print(result: dict[str, Any]) -> None:
    r = result
    print(f"{r['players']} players ({r['joined']} joined), {r['mode']}, gunicorn {r['workers']} gevent workers, "
          f"keep-alive {r['keepalive']} s; "
          f"load average {r['load_start'][0]} → {r['load_end'][0]}")
    print(f"  baseline /healthz: {r['healthz_rps']} req/s, p50 {r['healthz_p50_ms']} ms, p99 {r['healthz_p99_ms']} ms")
    print(f"  saw each question: {r['saw']}; open → 95% saw it: {r['open_to_95_s']} s")
    print(f"  answer capture p50 {r['capture_p50_ms']} ms, p99 {r['capture_p99_ms']} ms "
          f"(×{r['capture_p99_x_baseline']} of the baseline p99)")
    print(f"  sent → receipt time stored with the answer: p50 {r['stamp_lag_p50_ms']} ms, "
          f"p99 {r['stamp_lag_p99_ms']} ms; the simulator's own wake-up lag p99 {r['client_lag_p99_ms']} ms, "
          f"max {r['client_lag_max_ms']} ms")
    print(f"  answers sent before the deadline {r['sent_in_time']}, accepted {r['accepted']}, counted in the database "
          f"{r['counted']}, refused although sent in time {r['refused_in_time']} (statuses {r['statuses']}; "
          f"reasons {r['refusals_in_time']})")
    print(f"  streams refused {r['streams_refused']}, stream errors {r['stream_errors']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.live_load")
    parser.add_argument("--players", type=int, nargs="+", default=[200])
    parser.add_argument("--mode", choices=("sse", "poll"), default="sse")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--keep-alive", type=int, default=75, help="gunicorn --keep-alive: phones keep their connection")
    parser.add_argument("--json", action="store_true", help="one JSON line per run instead of text")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:] if __name__ == "__main__" else [])
    random.seed(8)
    for players in args.players:
        result = run(players, args.mode, args.workers, args.keep_alive)
        print(json.dumps(result, ensure_ascii=False)) if args.json else _print(result)


if __name__ == "__main__":
    main()
