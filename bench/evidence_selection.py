"""Does the answer lead with the right paper? Evidence selection on the labelled questions.

    python bench/evidence_selection.py                  # held-out questions, real MiniLM
    python bench/evidence_selection.py --split tune --limit 100

For each labelled question (bench/data/retrieval/{questions,heldout}_*.jsonl, the DOIs that
answer it) the agent's retrieve step runs as in an answer (no model needed): the lead
sentence must come from one of those papers, and so should the supporting ones. Prints lead
precision, share of chosen sentences from a relevant paper, honest-gap rate (questions with
nothing chosen) and milliseconds per question. The starter library is ingested into a
temporary data directory (or $FITCOACH_HOME when set, to reuse one).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load(split: str) -> list[dict]:
    prefix = "heldout_" if split == "heldout" else "questions_"
    rows = []
    for file in sorted((HERE / "data" / "retrieval").glob(f"{prefix}*.jsonl")):
        rows += [json.loads(line) for line in file.read_text().splitlines() if line.strip()]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["heldout", "tune"], default="heldout")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--show", type=int, default=0, help="print this many misses")
    args = parser.parse_args()
    temp = None
    if "FITCOACH_HOME" not in os.environ:
        temp = tempfile.mkdtemp(prefix="fitcoach-bench-")
        os.environ["FITCOACH_HOME"] = temp
    try:
        import fitcoach
        from fitcoach.agent import nodes
        from fitcoach.agent.state import Plan
        from fitcoach.text import normalize_doi

        coach = fitcoach.Coach()
        deps = coach._deps()
        deps.library.ensure_starter()
        rows = load(args.split)[: args.limit or None]
        lead_ok = chosen_ok = chosen_n = gaps = 0
        times = []
        misses = []
        for row in rows:
            relevant = {normalize_doi(d) for d in row["relevant_dois"]}
            state = {"question": row["question"], "profile": None, "screen": None,
                     "plan": Plan(queries=[row["question"]])}  # fmt: skip
            start = time.perf_counter()
            update = nodes.retrieve(state, deps)
            times.append(time.perf_counter() - start)
            chosen = update["chosen"]
            doi = {e.n: e.doi for e in update["evidence"]}
            if not chosen:
                gaps += 1
                misses.append((row["question"], "(gap)"))
                continue
            lead_ok += doi[chosen[0].n] in relevant
            if doi[chosen[0].n] not in relevant:
                misses.append((row["question"], chosen[0].text[:100]))
            chosen_ok += sum(doi[s.n] in relevant for s in chosen)
            chosen_n += len(chosen)
        n = len(rows)
        print(f"{'split':<8} {'questions':>9} {'lead ok':>8} {'chosen ok':>10} {'gaps':>6} {'ms/q':>7}")
        print(f"{args.split:<8} {n:>9} {lead_ok / n:>8.3f} {chosen_ok / max(chosen_n, 1):>10.3f} "
              f"{gaps / n:>6.3f} {1000 * statistics.median(times):>7.0f}")  # fmt: skip
        for question, lead in misses[: args.show]:
            print(f"  miss: {question}\n        -> {lead}")
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
