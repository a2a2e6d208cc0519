"""Grading throughput in one process: ``python -m bench.grading``.

Grades papers drawn from the real banks in ``quiz/`` with a realistic mix of right,
wrong and empty answers, and compares with a baseline measured in the same run: a
loop that only compares each answer with its key (the least any grader must do).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

from academy.content.quizbank import QType, Question, load_banks
from academy.grading import MultiplePolicy, grade

ROOT = Path(__file__).resolve().parent.parent


def right_answer(q: Question) -> Any:
    if q.type is QType.SINGLE:
        return q.correct[0]
    if q.type is QType.MULTIPLE:
        return list(q.correct)
    if q.type is QType.TRUEFALSE:
        return q.truth
    if q.type is QType.FILL:
        return [variants[0].upper() + " " for variants in q.blanks]
    if q.type is QType.NUMERIC:
        return str(((q.low or 0) + (q.high or 0)) / 2)
    if q.type is QType.ORDERING:
        return list(range(len(q.options)))
    return list(range(len(q.matches)))


def answer_for(q: Question, rnd: random.Random) -> Any:
    roll = rnd.random()
    if roll < 0.1:
        return None
    if roll < 0.7:
        return right_answer(q)
    if q.type is QType.SINGLE:
        return rnd.randrange(len(q.options))
    if q.type is QType.MULTIPLE:
        return rnd.sample(range(len(q.options)), 2)
    if q.type is QType.TRUEFALSE:
        return not q.truth
    if q.type is QType.FILL:
        return ["不知道"] * len(q.blanks)
    if q.type is QType.NUMERIC:
        return "0"
    return rnd.sample(range(len(q.options)), len(q.options))


def timed(work: Any, seconds: float = 1.0) -> tuple[int, float]:
    rounds, start = 0, time.perf_counter()
    while True:
        work()
        rounds += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return rounds, elapsed


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    seconds = float(args[0]) if args else 2.0
    banks, _ = load_banks(ROOT / "quiz")
    pool = [q for bank in banks.values() for q in bank.questions]
    rnd = random.Random(7)
    papers = []
    for _ in range(200):
        paper = rnd.sample(pool, min(50, len(pool)))
        papers.append((paper, {q.id: answer_for(q, rnd) for q in paper}))
    answers_per_round = sum(len(p) for p, _ in papers)
    keys = [[(a.get(q.id), right_answer(q)) for q in p] for p, a in papers]

    def grade_all() -> None:
        for paper, answers in papers:
            grade(paper, answers, MultiplePolicy.PARTIAL)

    def baseline() -> None:
        for pairs in keys:
            sum(1 for given, key in pairs if given == key)

    rounds, elapsed = timed(grade_all, seconds)
    rate = rounds * answers_per_round / elapsed
    b_rounds, b_elapsed = timed(baseline, seconds)
    b_rate = b_rounds * answers_per_round / b_elapsed
    types = sorted({q.type.value for q in pool})
    print(f"pool: {len(pool)} questions from {len(banks)} banks, types {', '.join(types)}")
    print(f"grading:  {rate:,.0f} answers/s ({rounds * len(papers):,} papers of 50 in {elapsed:.2f}s)")
    print(f"baseline: {b_rate:,.0f} answers/s (answer == key only)")
    print(f"ratio:    grading runs at {rate / b_rate:.3f} of the baseline ({b_rate / rate:.1f}x slower)")
    print(f"target:   20,000 answers/s -> {'met' if rate >= 20_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
