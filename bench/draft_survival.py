"""How much of the answer model's draft survives the agent's verifier, per adapter.

    python bench/draft_survival.py                                   # shipped adapter vs none
    python bench/draft_survival.py --adapters none default path/to/adapter --limit 20
    python bench/draft_survival.py --runtimes llama.cpp transformers --out runs/survival.json
    python bench/draft_survival.py --data bench/data/answer_quality/*.jsonl

Asks the evidence and arithmetic questions of bench/data/agent_eval.jsonl (the ones where the
model drafts), or the `expect: answer` questions of other sets (the answer-quality set; those
that need the shared PDFs are skipped), with each adapter (and runtime) in one process, so every
run sees the same code and library. Nothing in the agent changes: `fitcoach.agent.nodes.check`
is wrapped, and so is the `compose` it calls, to read what check keeps.

Per draft sentence, two counts: `verified` = check kept it as a supporting sentence (cited, on
the chosen evidence, saying what a chosen sentence says; one restating the lead sentence counts
once, from the `composed` flag), and `verbatim` = its text (citation marks aside) is in the
final answer. Per adapter: questions drafted, draft sentences, both counts and shares, answers
with at least one verified sentence, and answers composed without the draft.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "agent_eval.jsonl"
CATEGORIES = ("evidence", "arithmetic")


def _norm(text: str) -> str:
    from fitcoach.text import strip_citations

    return " ".join(strip_citations(text).lower().rstrip(". ").split())


def survival(draft: str | None, verified: str) -> tuple[int, int]:
    """(draft sentences, of which in the verified answer), citation marks ignored.

    >>> survival("Rest 2-5 min [1]. I think so.", "Rest 2-5 min [2]. See a coach.")
    (2, 1)
    """
    from fitcoach.text import split_sentences

    sentences = [s for s in split_sentences(draft or "") if _norm(s)]
    answer = _norm(verified)
    return len(sentences), sum(_norm(s) in answer for s in sentences)


def _drafts(row: dict[str, Any]) -> bool:
    """A question the agent answers from evidence (so the model drafts)."""
    if "category" in row:
        return row["category"] in CATEGORIES
    return row.get("expect") == "answer" and not row.get("needs")


def run(adapter: str, rows: list[dict[str, Any]], runtime: str | None) -> dict[str, Any]:
    from fitcoach.agent import Coach, graph, nodes
    from fitcoach.settings import load_settings

    records: list[dict[str, Any]] = []
    original_check, original_compose = graph.STEPS["check"], nodes.compose
    support: list[int] = []

    def compose(*args: Any, **kwargs: Any) -> Any:
        support.append(len(kwargs.get("drafted") or []))
        return original_compose(*args, **kwargs)

    def check(state: Any, deps: Any) -> dict[str, Any]:
        support.clear()
        update = original_check(state, deps)
        n, verbatim = survival(state.get("draft"), update["verified"].text)
        kept = support[-1] if support else 0
        if not update["composed"] and kept == 0:
            kept = 1  # the draft only restated the lead sentence: check kept that one
        records.append(
            {"draft_sentences": n, "verified": min(kept, n), "verbatim": verbatim,
             "composed": update["composed"]}
        )  # fmt: skip
        return update

    settings = load_settings()
    if runtime:
        agent = settings.agent.model_copy(update={"runtime": runtime})
        settings = settings.model_copy(update={"agent": agent})
    graph.STEPS["check"], nodes.compose = check, compose
    try:
        coach = Coach(settings, adapter=adapter)
        seconds = []
        for row in rows:
            t0 = time.perf_counter()
            before = len(records)
            coach.ask(row["question"], row.get("profile"))
            seconds.append(time.perf_counter() - t0)
            if len(records) > before:
                records[-1]["id"] = row["id"]
    finally:
        graph.STEPS["check"], nodes.compose = original_check, original_compose
    drafted = [r for r in records if r["draft_sentences"]]
    total = sum(r["draft_sentences"] for r in drafted)

    def share(key: str) -> float | None:
        return sum(r[key] for r in drafted) / total if total else None

    return {
        "adapter": adapter,
        "runtime": runtime or "auto",
        "model": coach.model_label,
        "questions": len(rows),
        "drafted": len(drafted),
        "draft_sentences": total,
        "verified": sum(r["verified"] for r in drafted),
        "verified_share": share("verified"),
        "verbatim": sum(r["verbatim"] for r in drafted),
        "verbatim_share": share("verbatim"),
        "answers_with_a_verified_sentence": sum(r["verified"] > 0 for r in drafted),
        "composed_fallback": sum(r["composed"] for r in records),
        "median_seconds": round(statistics.median(seconds), 2) if seconds else None,
        "per_question": records,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapters", nargs="+", default=["none", "default"])
    parser.add_argument("--data", type=Path, nargs="+", default=[DATA])
    parser.add_argument("--limit", type=int, default=None, help="Only the first N questions.")
    parser.add_argument(
        "--runtimes", nargs="+", choices=["auto", "llama.cpp", "transformers"], default=["auto"]
    )
    parser.add_argument("--out", type=Path, default=None, help="Write every record (JSON).")
    args = parser.parse_args(argv)
    rows = [json.loads(line) for path in args.data for line in path.read_text().splitlines()
            if line.strip()]  # fmt: skip
    rows = [r for r in rows if _drafts(r)][: args.limit]
    results = [
        run(a, rows, None if rt == "auto" else rt) for rt in args.runtimes for a in args.adapters
    ]
    print(f"{'adapter':<32} {'runtime':<12} {'drafted':>7} {'sentences':>9} {'verified':>13} "
          f"{'verbatim':>13} {'answers':>7} {'composed':>8} {'median s':>8}")  # fmt: skip
    for r in results:
        cells = []
        for key in ("verified", "verbatim"):
            pct = "n/a" if r[f"{key}_share"] is None else f"{100 * r[f'{key}_share']:.1f}%"
            cells.append(f"{r[key]} ({pct})")
        print(f"{r['adapter'][-32:]:<32} {r['runtime']:<12} {r['drafted']:>7} "
              f"{r['draft_sentences']:>9} {cells[0]:>13} {cells[1]:>13} "
              f"{r['answers_with_a_verified_sentence']:>7} {r['composed_fallback']:>8} "
              f"{r['median_seconds']:>8}")  # fmt: skip
    names = ", ".join(p.name for p in args.data)
    print(f"({len(rows)} questions that get an evidence answer, from {names})", file=sys.stderr)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
