"""Ingest throughput: fitcoach's pipeline vs the usual LangChain one, same PDFs, same embedder.

    python bench/ingest_throughput.py                       # ../shared/data/pdfs, MiniLM
    python bench/ingest_throughput.py --pdfs DIR --rounds 2

LangChain baseline: PyPDFLoader -> RecursiveCharacterTextSplitter(1000 chars, 200 overlap) ->
Chroma.from_documents (needs `pip install langchain-community langchain-text-splitters
langchain-chroma`). Both sides use the same loaded embedder object (batches of 64) and a fresh
temporary store per round; rounds alternate the order to share out machine noise. The re-ingest
of the unchanged folder is timed for fitcoach only (LangChain has no notion of it: it would
embed everything again), twice: in the same process, and as a whole `fitcoach ingest` command
in a fresh process (interpreter start, imports, lock, hashing), which is what a person waits for.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_PDFS = HERE.parent.parent / "shared" / "data" / "pdfs"


def run_fitcoach(pdfs: list[Path], embedder) -> dict[str, float]:
    from fitcoach import Library, load_settings

    home = tempfile.mkdtemp(prefix="fc-ingest-")
    os.environ["FITCOACH_HOME"] = home
    try:
        lib = Library(load_settings(library={"starter": False}), embedder=embedder)
        t0 = time.perf_counter()
        report = lib.ingest(pdfs)
        first = time.perf_counter() - t0
        assert report.failed == 0, [f.message for f in report.files if f.status == "failed"]
        t0 = time.perf_counter()
        again = lib.ingest(pdfs)
        second = time.perf_counter() - t0
        assert again.skipped == len(pdfs) and again.embedded_chunks == 0
        command = _command_seconds(pdfs, home)
        pages = sum(f.pages or 0 for f in report.files)
        chunks = sum(f.chunks for f in report.files)
        over = _over_limit(embedder, [c.text for c in lib.store.all_chunks(lib.collection())])
        return {
            "seconds": first,
            "reingest": second,
            "command": command,
            "pages": pages,
            "chunks": chunks,
            "over": over,
        }
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _command_seconds(pdfs: list[Path], home: str) -> float:
    """Wall time of `fitcoach ingest <unchanged files>` run as its own process."""
    env = {**os.environ, "FITCOACH_HOME": home, "FITCOACH_LIBRARY__STARTER": "false"}
    command = [sys.executable, "-m", "fitcoach.cli", "ingest", *map(str, pdfs)]
    t0 = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if done.returncode != 0 or f"{len(pdfs)} skipped" not in done.stdout:
        raise RuntimeError(f"re-ingest command failed: {done.stdout}{done.stderr}")
    return seconds


def run_langchain(pdfs: list[Path], embedder) -> dict[str, float]:
    from langchain_chroma import Chroma
    from langchain_community.document_loaders import PyPDFLoader
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    class Wrapped(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed(texts)

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_query(text)

    folder = tempfile.mkdtemp(prefix="lc-ingest-")
    try:
        t0 = time.perf_counter()
        pages = [page for pdf in pdfs for page in PyPDFLoader(str(pdf)).load()]
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        chunks = splitter.split_documents(pages)
        Chroma.from_documents(chunks, Wrapped(), persist_directory=folder, collection_name="bench")
        seconds = time.perf_counter() - t0
        over = _over_limit(embedder, [c.page_content for c in chunks])
        return {"seconds": seconds, "pages": len(pages), "chunks": len(chunks), "over": over}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _over_limit(embedder, texts: list[str]) -> int:
    """Chunks longer than the model reads (silently truncated in their embedding)."""
    return sum(n > embedder.max_tokens for n in embedder.count_tokens_batch(texts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=Path, default=DEFAULT_PDFS)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    pdfs = sorted(args.pdfs.glob("*.pdf"))
    if not pdfs:
        print(f"no PDFs in {args.pdfs}", file=sys.stderr)
        return 1
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    from fitcoach.models import load_embedder

    embedder = load_embedder("minilm-l6")
    embedder.embed(["warm-up"])
    ours: list[dict] = []
    theirs: list[dict] = []
    baseline = all(
        importlib.util.find_spec(m)
        for m in ("langchain_community", "langchain_text_splitters", "langchain_chroma")
    )
    if not baseline:
        print("LangChain baseline skipped: its packages are not installed", file=sys.stderr)
    for round_ in range(args.rounds):
        order = [(run_fitcoach, ours)] + ([(run_langchain, theirs)] if baseline else [])
        for func, sink in order if round_ % 2 == 0 else reversed(order):
            sink.append(func(pdfs, embedder))

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{len(pdfs)} PDFs from {args.pdfs}; embedder minilm-l6; median of {args.rounds} rounds; "
        f"{os.cpu_count()} CPUs, load average {load:.1f}"
    )
    print()
    print("| pipeline | pages | chunks | chunks > 254 word pieces | seconds | pages/s | chunks/s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, rows in (("fitcoach", ours), ("LangChain", theirs)):
        if not rows:
            continue
        s, p, c = med(rows, "seconds"), med(rows, "pages"), med(rows, "chunks")
        print(
            f"| {name} | {p:.0f} | {c:.0f} | {med(rows, 'over'):.0f} | {s:.1f} | {p / s:.2f} | {c / s:.1f} |"
        )
    re = med(ours, "reingest")
    if theirs:
        speed = (med(ours, "pages") / med(ours, "seconds")) / (
            med(theirs, "pages") / med(theirs, "seconds")
        )
        print()
        print(f"fitcoach vs LangChain, pages/s: {speed:.2f}x")
    print()
    print("| fitcoach, same PDFs | wall seconds |")
    print("| --- | --- |")
    print(f"| first ingest (in process, embedder loaded) | {med(ours, 'seconds'):.2f} |")
    print(f"| unchanged re-ingest, in process | {re:.3f} |")
    print(f"| unchanged re-ingest, whole `fitcoach ingest` command | {med(ours, 'command'):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
