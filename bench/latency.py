"""Latency of the coaching agent with the bundled model on this machine: where the time goes.

    python bench/latency.py                 # 3 cold CLI runs + 12 warm Coach.ask calls
    python bench/latency.py --cold 1 --warm 10 --out runs/latency.json

Cold = a new `fitcoach ask --json` process (imports, library open, model load, answer).
Warm = `Coach.ask` on a coach that has already answered once; per-step medians come from
`CoachAnswer.timings` (retrieve = hybrid search, answer = generation, verify = checks and any
composed fallback).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUESTIONS = [
    "How much protein per day do I need to build muscle?",
    "How long should I rest between sets for strength?",
    "I did 100 kg x 5 on the bench press. What is my estimated 1RM?",
    "I squatted 140 kg for 5 reps at RPE 8. What load for a triple at RPE 9?",
    "Does creatine improve strength?",
    "How many sets per week are best for muscle growth?",
    "Does HIIT improve VO2max more than continuous running?",
    "How should older adults do resistance training?",
    "Convert 100 kg to lb.",
    "Does static stretching before lifting reduce strength?",
    "How should I load a painful Achilles tendon?",
    "Is exercise good for knee osteoarthritis?",
]


def cold_runs(n: int) -> list[float]:
    times = []
    for question in QUESTIONS[:n]:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "fitcoach.cli", "ask", question, "--json"],
            check=True, capture_output=True, env=os.environ.copy(),
        )  # fmt: skip
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=int, default=3, help="Cold CLI runs (new processes).")
    parser.add_argument("--warm", type=int, default=12, help="Warm Coach.ask calls (>= 10).")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    cold = cold_runs(args.cold) if args.cold else []

    from fitcoach.agent import Coach

    coach = Coach()
    start = time.perf_counter()
    coach.ask("How heavy should a novice squat?")  # loads library, embedder and model
    first = time.perf_counter() - start
    warm, steps, tokens = [], {}, []
    for question in (QUESTIONS * 2)[: args.warm]:
        start = time.perf_counter()
        answer = coach.ask(question)
        warm.append(time.perf_counter() - start)
        for step, seconds in answer.timings.items():
            steps.setdefault(step, []).append(seconds)
        tokens.append(len((answer.draft or "").split()))
    report = {
        "model": coach.model_label,
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
        "cold_cli_seconds": [round(t, 1) for t in cold],
        "cold_cli_median": round(statistics.median(cold), 1) if cold else None,
        "first_call_in_process": round(first, 1),
        "warm_median": round(statistics.median(warm), 2),
        "warm_max": round(max(warm), 2),
        "warm_step_medians": {k: round(statistics.median(v), 3) for k, v in steps.items()},
        "warm_step_share": {
            k: f"{100 * sum(v) / sum(warm):.0f}%" for k, v in sorted(steps.items())
        },
        "draft_words_median": statistics.median(tokens) if tokens else 0,
    }
    print(json.dumps(report, indent=2))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
