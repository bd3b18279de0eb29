"""Search latency p50/p95 over a 20,000-chunk library, query embedding included.

    python bench/search_latency.py                    # build a synthetic library, then time
    python bench/search_latency.py --home /tmp/lat    # keep (and reuse) the library there
    python bench/search_latency.py --threads 1        # torch intra-op threads for the query

The library is synthetic for size: chunk texts are drawn from the starter notes' vocabulary
and their vectors are random unit vectors (so building it needs no embedding work), stored
through the same writer the ingest pipeline uses, so Chroma's HNSW index and the BM25 index
are the real ones. Queries are the labelled retrieval questions, embedded for real with
MiniLM on every call.
"""

from __future__ import annotations

import argparse
import atexit
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def build(lib, n_chunks: int, per_doc: int, seed: int = 0) -> None:
    import numpy as np

    from fitcoach.knowledge.library import starter_files
    from fitcoach.knowledge.types import Chunk, DocumentMeta

    words = sorted(
        {w for f in starter_files() for w in re.findall(r"[A-Za-z][a-z]+", f.read_text())}
    )
    rng = random.Random(seed)
    vectors = np.random.default_rng(seed).standard_normal((n_chunks, lib.embedder.dimension))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    with lib.writer() as writer:
        for d in range(n_chunks // per_doc):
            doc_id = f"{d:016x}"
            doc = DocumentMeta(
                doc_id=doc_id,
                title=" ".join(rng.choices(words, k=8)).capitalize(),
                authors=["Synthetic A"],
                year=1990 + d % 35,
                source=f"synthetic:{d}",
                pages=10,
            )
            chunks = [
                Chunk(
                    chunk_id=f"{doc_id}-{i:05d}",
                    doc_id=doc_id,
                    index=i,
                    text=" ".join(rng.choices(words, k=150)),
                    page_start=1 + i // 5,
                    page_end=1 + i // 5,
                )
                for i in range(per_doc)
            ]
            writer.add(doc, chunks, vectors[d * per_doc : (d + 1) * per_doc].tolist())


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=20_000)
    parser.add_argument("--per-doc", type=int, default=50)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if args.home is None:
        args.home = Path(tempfile.mkdtemp(prefix="fc-latency-"))
        atexit.register(shutil.rmtree, args.home, ignore_errors=True)
    os.environ["FITCOACH_HOME"] = str(args.home)
    sys.path.insert(0, str(HERE))
    from retrieval import load_questions

    from fitcoach import Library, load_settings

    lib = Library(load_settings(library={"starter": False}))
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    if lib.stats().chunks < args.chunks:
        build(lib, args.chunks, args.per_doc)
    built = time.perf_counter() - t0
    stats = lib.stats()
    questions = [q["question"] for q in load_questions(HERE / "data" / "retrieval")]
    queries = [
        questions[i % len(questions)] + ("" if i < len(questions) else f" {i}")
        for i in range(args.queries)
    ]
    lib.search("warm up")  # load model, HNSW segment and BM25 index before timing

    timings: dict[str, list[float]] = {"embed only": [], "dense": [], "bm25": [], "hybrid": []}
    for query in queries:
        t = time.perf_counter()
        lib.embedder.embed_query(query)
        timings["embed only"].append(time.perf_counter() - t)
        for mode in ("dense", "bm25", "hybrid"):
            t = time.perf_counter()
            lib.search(query, k=5, mode=mode)
            timings[mode].append(time.perf_counter() - t)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    import torch

    print(
        f"library: {stats.documents} documents, {stats.chunks} chunks (synthetic, built in "
        f"{built:.0f} s); {len(queries)} queries, k=5; torch threads {torch.get_num_threads()}; "
        f"{os.cpu_count()} CPUs, load average {load:.1f}"
    )
    print()
    print("| step | p50 ms | p95 ms | mean ms |")
    print("| --- | --- | --- | --- |")
    for name, values in timings.items():
        ms = [1000 * v for v in values]
        print(f"| {name} | {pct(ms, 0.5):.1f} | {pct(ms, 0.95):.1f} | {statistics.mean(ms):.1f} |")
    print()
    print("dense, bm25 and hybrid include embedding the query (every mode reports similarity).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
