"""Latency of the coaching agent with the bundled model, llama.cpp and transformers side by side.

    python bench/latency.py                          # both runtimes: 3 cold CLI runs, 12 warm asks
    python bench/latency.py --cold 1 --warm 10 --out runs/latency.json
    python bench/latency.py --runtimes llama.cpp --threads 1,2,0 --compete   # thread study
    python bench/latency.py --drafts 12      # same prompts on both runtimes: identical drafts?
    python bench/latency.py --prompt-speed   # llama.cpp alone: GGUF type x threads

Cold = a new `fitcoach ask --json` process (imports, library open, model load, answer); the
library is ingested and the models converted before any timing, as after a first use.
Warm = `Coach.ask` on a coach that has already answered once, same questions for every
runtime; per-step medians come from `CoachAnswer.timings` (answer = generation).
`--threads` repeats the warm runs per `agent.threads` value (0 = chosen per answer from free
cores); `--compete` runs a CPU-bound process (`while True: pass`, ended with the bench and by
its own time limit) for the whole run, as another user of the machine would.
The load average (1 min) is printed before and after: the machine is shared.
`--drafts N` captures the prompts the graph sends the model for the first N evidence and
arithmetic questions of bench/data/agent_eval.jsonl on llama.cpp, writes each again on
transformers (torch on 1 thread, so that a busy machine cannot stall it), and compares.
`--prompt-speed` times llama.cpp reading a 750-token prompt and writing 40 tokens, for the
bundled Q4_1 file as shipped and the float16 copy the runtime uses, on 1 and 2 threads
(alternating, 3 rounds, medians): why `fitcoach.models.RUNTIME_GGUF_TYPE` is float16.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
RUNTIMES = ("llama.cpp", "transformers")


@contextlib.contextmanager
def competing_process(enabled: bool, limit_s: float = 3600) -> Iterator[None]:
    """A CPU-bound loop in another process while the block runs (it also stops by itself)."""
    if not enabled:
        yield
        return
    code = f"import time\nend = time.time() + {limit_s}\nwhile time.time() < end: pass"
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        time.sleep(0.5)  # let it show up in the scheduler and /proc/stat
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def cold_runs(n: int, runtime: str) -> list[float]:
    env = {**os.environ, "FITCOACH_AGENT__RUNTIME": runtime}
    times = []
    for question in QUESTIONS[:n]:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "fitcoach.cli", "ask", question, "--json"],
            check=True, capture_output=True, env=env,
        )  # fmt: skip
        times.append(time.perf_counter() - start)
    return times


def warm_runs(runtime: str, threads: int, n: int) -> dict[str, Any]:
    from fitcoach.agent import Coach
    from fitcoach.settings import load_settings

    coach = Coach(settings=load_settings(agent={"runtime": runtime, "threads": threads}))
    start = time.perf_counter()
    coach.ask("How heavy should a novice squat?")  # loads library, embedder and model
    first = time.perf_counter() - start
    warm, steps, used = [], {}, []
    for question in (QUESTIONS * 2)[:n]:
        start = time.perf_counter()
        answer = coach.ask(question)
        warm.append(time.perf_counter() - start)
        for step, seconds in answer.timings.items():
            steps.setdefault(step, []).append(seconds)
        used.append(getattr(coach.llm, "last_threads", None))
    return {
        "model": coach.model_label,
        "first_call_in_process": round(first, 2),
        "warm_median": round(statistics.median(warm), 2),
        "warm_max": round(max(warm), 2),
        "answer_step_median": round(statistics.median(steps.get("answer", [0.0])), 2),
        "warm_step_medians": {k: round(statistics.median(v), 3) for k, v in steps.items()},
        "threads_used": sorted({t for t in used if t is not None}),
    }


def compare_drafts(n: int) -> dict[str, Any]:
    import torch

    from fitcoach.agent import Coach
    from fitcoach.agent.llm import make_chat_model
    from fitcoach.settings import load_settings

    torch.set_num_threads(1)
    data = Path(__file__).resolve().parent / "data" / "agent_eval.jsonl"
    rows = [json.loads(line) for line in data.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r["category"] in ("evidence", "arithmetic")][:n]
    coach = Coach(settings=load_settings(agent={"runtime": "llama.cpp"}))
    fast = coach.llm
    prompts: list[tuple[Any, str]] = []
    real = type(fast)._generate

    def capture(self: Any, messages: Any, *args: Any, **kwargs: Any) -> Any:
        result = real(self, messages, *args, **kwargs)
        prompts.append((messages, result.generations[0].message.content))
        return result

    type(fast)._generate = capture
    try:
        for row in rows:
            coach.ask(row["question"], row.get("profile"))
    finally:
        type(fast)._generate = real
    reference, _ = make_chat_model(load_settings(agent={"runtime": "transformers"}))
    split_at = []
    for messages, draft in prompts:
        a, b = draft.split(), reference.invoke(messages).content.split()
        pairs = enumerate(zip(a, b, strict=False))
        split_at.append(
            None if a == b else next((i for i, (x, y) in pairs if x != y), min(len(a), len(b)))
        )
    return {
        "prompts": len(prompts),
        "identical_drafts": sum(s is None for s in split_at),
        "first_differing_word": [s for s in split_at if s is not None],
    }


def prompt_speed(rounds: int = 3) -> str:
    import llama_cpp
    import numpy as np

    from fitcoach.models import LLMS, bundled_path, runtime_gguf
    from fitcoach.settings import load_settings

    name = "smollm2-135m-instruct"
    files = {
        "Q4_1 (shipped)": bundled_path(LLMS[name]),
        "F16 (runtime copy)": runtime_gguf(name, load_settings().models_dir),
    }
    text = " ".join(QUESTIONS * 20)
    times: dict[tuple[str, int], list[tuple[float, float]]] = {}
    models = {k: llama_cpp.Llama(str(f), n_ctx=2048, verbose=False) for k, f in files.items()}
    for _ in range(rounds):
        for kind, llm in models.items():
            tokens = llm.tokenize(text.encode())[:750]
            for threads in (1, 2):
                llama_cpp.llama_set_n_threads(llm.ctx, threads, threads)
                llm.reset()
                start = time.perf_counter()
                llm.eval(tokens)
                read = time.perf_counter() - start
                start = time.perf_counter()
                for _ in range(40):
                    logits = np.ctypeslib.as_array(
                        llama_cpp.llama_get_logits_ith(llm.ctx, -1), shape=(llm.n_vocab(),)
                    )
                    llm.eval([int(logits.argmax())])
                times.setdefault((kind, threads), []).append((read, time.perf_counter() - start))
    lines = [
        f"load average {load()}",
        "",
        "| GGUF | threads | read 750 tokens s | write 40 tokens s |",
        "| --- | ---: | ---: | ---: |",
    ]
    for (kind, threads), runs in times.items():
        read = statistics.median(r for r, _ in runs)
        write = statistics.median(w for _, w in runs)
        lines.append(f"| {kind} | {threads} | {read:.2f} | {write:.2f} |")
    return "\n".join(lines)


def load() -> float:
    return round(os.getloadavg()[0], 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runtimes", default=",".join(RUNTIMES), help="Comma-separated.")
    parser.add_argument("--cold", type=int, default=3, help="Cold CLI runs per runtime.")
    parser.add_argument("--warm", type=int, default=12, help="Warm Coach.ask calls (>= 10).")
    parser.add_argument(
        "--threads", default="0", help="agent.threads values for llama.cpp, e.g. 1,2,0."
    )
    parser.add_argument("--compete", action="store_true", help="Run a CPU-bound competitor.")
    parser.add_argument("--drafts", type=int, default=0, help="Compare drafts on N questions.")
    parser.add_argument("--prompt-speed", action="store_true", help="GGUF type x threads.")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.prompt_speed:
        print(prompt_speed())
        return 0
    if args.drafts:
        result = compare_drafts(args.drafts)
        result["load_average"] = load()
        print(json.dumps(result, indent=2))
        print(f"identical drafts on both runtimes: {result['identical_drafts']}/{result['prompts']}")
        return 0
    runtimes = [r.strip() for r in args.runtimes.split(",") if r.strip()]
    thread_values = [int(t) for t in args.threads.split(",")]

    report: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "competing_process": args.compete,
        "load_average_before": load(),
        "runs": [],
    }
    from fitcoach.agent import Coach
    from fitcoach.settings import load_settings

    for runtime in runtimes:  # ingest, convert and derive once, untimed
        Coach(settings=load_settings(agent={"runtime": runtime})).ask("What is an RPE?")

    with competing_process(args.compete):
        for runtime in runtimes:
            cold = cold_runs(args.cold, runtime) if args.cold else []
            for threads in thread_values if runtime == "llama.cpp" else [0]:
                row = {"runtime": runtime, "threads_setting": threads, "load_average": load()}
                row.update(warm_runs(runtime, threads, args.warm))
                row["cold_cli_seconds"] = [round(t, 1) for t in cold]
                row["cold_cli_median"] = round(statistics.median(cold), 1) if cold else None
                report["runs"].append(row)
                print(f"[bench] {runtime} threads={threads}: warm median {row['warm_median']} s"
                      f" (load {row['load_average']})", file=sys.stderr, flush=True)  # fmt: skip
    report["load_average_after"] = load()

    print(json.dumps(report, indent=2))
    print(table(report))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=2))
    return 0


def table(report: dict[str, Any]) -> str:
    runs = report["runs"]
    slowest = {r["runtime"]: r["warm_median"] for r in runs if r["runtime"] == "transformers"}
    lines = [
        f"cores {report['cpu_count']}, competing process: {report['competing_process']}, "
        f"load average {report['load_average_before']} -> {report['load_average_after']}",
        "",
        "| runtime | threads | warm median s | warm max s | answer step s | speed-up "
        "| cold CLI median s | load |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    base = slowest.get("transformers")
    for r in runs:
        threads = r["threads_setting"] or f"auto {r['threads_used']}"
        if r["runtime"] == "transformers":
            threads = "torch default"
        speed = f"{base / r['warm_median']:.1f}x" if base and r["warm_median"] else "n/a"
        lines.append(
            f"| {r['runtime']} | {threads} | {r['warm_median']} | {r['warm_max']} "
            f"| {r['answer_step_median']} | {speed} | {r['cold_cli_median']} "
            f"| {r['load_average']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
