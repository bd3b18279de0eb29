"""Bounded load on `fitcoach serve` over loopback: mixed questions, errors, p50/p95, memory.

    python bench/serve_load.py                              # 200 asks, 20 at a time, fake model
    python bench/serve_load.py --model bundled --requests 40 --concurrency 8
    python bench/serve_load.py --home /tmp/serve-bench      # keep (and reuse) the library

The server is the real app (`fitcoach.agent.serve.create_app`) under uvicorn in this process,
bound to 127.0.0.1 only, over a real library (the bundled embedder and starter notes). Three
kinds of question go to POST /v1/ask in a fixed rotation: `screen` (a red flag: the screen
refers and no model runs), `tool` (a calculator answers) and `model` (evidence: retrieval and
the chat model). `--model fake` answers with a canned cited sentence, so the figures measure
the server, queue and agent around the model; `--model bundled` uses the shipped model.
The run fails (exit 1) on any error.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import itertools
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run from a checkout without installing

QUESTIONS = {
    "screen": [
        ("I get chest pain when I run uphill. Can I start interval training?", None),
        ("Can I keep doing HIIT twice a week?",
         {"pregnant": True, "pregnancy_week": 30, "symptoms": ["vaginal bleeding"]}),
        ("I fainted during my last spin class. How hard should my next session be?", None),
    ],
    "tool": [
        ("I did 100 kg x 5, what is my 1RM?", None),
        ("I benched 80 kg for 6 reps at RPE 9. What is my estimated 1RM?", None),
        ("How much is 225 lb in kg?", None),
    ],
    "model": [
        ("How much protein do I need per day to build muscle?", None),
        ("How long should I rest between heavy sets for strength?", None),
        ("How much creatine should I take per day?", None),
    ],
}  # fmt: skip
FAKE_REPLY = (
    "Daily intake of 1.4-2.0 g of protein per kg of body weight is enough for most exercising "
    "people to build and maintain muscle [1]."
)


def rss_mb() -> float:
    """Resident memory of this process (server and client together), in MB."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux: the peak is the best we have
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(home: Path, model: str, concurrency: int) -> tuple[object, str]:
    """The real app under uvicorn in a thread, on loopback; returns (server, base URL)."""
    import uvicorn

    from fitcoach import Coach, Library, load_settings
    from fitcoach.agent.serve import create_app, warm_up

    settings = load_settings(home=home, serve={"max_concurrency": concurrency})
    library = Library(settings)
    llm = None
    if model == "fake":
        from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
        from langchain_core.messages import AIMessage

        llm = GenericFakeChatModel(messages=itertools.cycle([AIMessage(FAKE_REPLY)]))
    coach = Coach(settings, llm=llm, library=library)
    print(f"warming up (library at {home}) ...", flush=True)
    warm_up(coach, library, say=lambda text: print(f"  {text}", flush=True))
    app = create_app(settings, coach=coach, library=library)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", backlog=256)
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


async def load(base: str, requests: int, concurrency: int, timeout: float) -> list[tuple]:
    """Send `requests` asks, at most `concurrency` in flight; (kind, seconds, error) each."""
    import httpx

    kinds = itertools.cycle(["screen", "tool", "model"])
    picks = {kind: itertools.cycle(items) for kind, items in QUESTIONS.items()}
    plan = [(kind, next(picks[kind])) for kind in itertools.islice(kinds, requests)]
    gate = asyncio.Semaphore(concurrency)
    results: list[tuple] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits) as client:

        async def one(kind: str, question: str, profile: dict | None) -> None:
            body = {"question": question, **({"profile": profile} if profile else {})}
            async with gate:
                started = time.perf_counter()
                error = None
                try:
                    response = await client.post("/v1/ask", json=body)
                    if response.status_code != 200:
                        error = f"HTTP {response.status_code}: {response.text[:200]}"
                    elif kind == "screen" and not any(
                        f["action"] == "refer" for f in response.json()["safety_flags"]
                    ):
                        error = f"no referral for {question!r}"
                except httpx.HTTPError as exc:
                    error = f"{type(exc).__name__}: {exc}"
                results.append((kind, time.perf_counter() - started, error))

        await asyncio.gather(*(one(kind, q, p) for kind, (q, p) in plan))
    return results


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="Asks in all (default 200).")
    parser.add_argument("--concurrency", type=int, default=20, help="Clients at once (20).")
    parser.add_argument("--slots", type=int, default=2, help="serve.max_concurrency (2).")
    parser.add_argument("--model", choices=["fake", "bundled"], default="fake")
    parser.add_argument("--home", type=Path, help="Data directory to use and keep.")
    parser.add_argument("--timeout", type=float, default=600, help="Client timeout, seconds.")
    args = parser.parse_args()
    if not 1 <= args.requests <= 5000 or not 1 <= args.concurrency <= 200:
        parser.error("keep it bounded: 1-5000 requests, 1-200 concurrent")

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    home = args.home
    if home is None:
        home = Path(tempfile.mkdtemp(prefix="fitcoach-serve-bench-"))
        atexit.register(shutil.rmtree, home, ignore_errors=True)

    server, base = start_server(home, args.model, args.slots)
    before = rss_mb()
    started = time.perf_counter()
    results = asyncio.run(load(base, args.requests, args.concurrency, args.timeout))
    wall = time.perf_counter() - started
    after = rss_mb()
    import httpx

    health = httpx.get(base + "/healthz").json()
    server.should_exit = True

    errors = [(kind, error) for kind, _, error in results if error]
    print(
        f"\n{len(results)} requests, {args.concurrency} concurrent, {args.slots} model slots, "
        f"model={args.model}: {wall:.1f} s ({len(results) / wall:.1f} req/s)\n"
    )
    print("| kind | n | errors | p50 s | p95 s | max s |\n|---|---|---|---|---|---|")
    for kind in ("screen", "tool", "model"):
        times = [t for k, t, e in results if k == kind and e is None]
        n = sum(1 for k, _, _ in results if k == kind)
        bad = sum(1 for k, _ in errors if k == kind)
        if times:
            print(f"| {kind} | {n} | {bad} | {pct(times, 50):.3f} | {pct(times, 95):.3f} "
                  f"| {max(times):.3f} |")  # fmt: skip
        else:
            print(f"| {kind} | {n} | {bad} | - | - | - |")
    print(f"\nRSS before load {before:.0f} MB, after {after:.0f} MB ({after - before:+.0f} MB)")
    for lane in ("queue", "refer_queue"):
        stats = health[lane]
        print(f"server {lane}: served {stats['served']}, rejected {stats['rejected']}, "
              f"timed out {stats['timed_out']} (limit {stats['limit']})")  # fmt: skip
    print(f"errors: {len(errors)}")
    for kind, error in errors[:10]:
        print(f"  [{kind}] {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
