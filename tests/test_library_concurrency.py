"""Nothing half-written: a killed ingest leaves no partial or duplicate document, and two
processes writing one embedded library take turns (or the second says why it cannot)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from fitcoach import Library, load_settings
from tests.fakes import HashEmbedder

REPO = Path(__file__).resolve().parents[1]

# Runs in a child process: ingest a folder with the fake embedder. With CRASH_AT=n the process
# dies (os._exit, no cleanup at all) right before the n-th catalogue commit, i.e. with that
# document's chunks already stored: the worst moment to be killed.
CHILD = textwrap.dedent(
    """
    import os, sys
    from fitcoach import Library, load_settings
    from fitcoach.knowledge import store
    from tests.fakes import HashEmbedder

    crash_at = int(os.environ.get("CRASH_AT", "0"))
    commits = 0
    original = store.ChromaStore.commit_document

    def commit(self, doc):
        global commits
        commits += 1
        if commits == crash_at:
            os._exit(9)
        original(self, doc)

    store.ChromaStore.commit_document = commit
    lib = Library(load_settings(library={"starter": False}), embedder=HashEmbedder())
    report = lib.ingest([sys.argv[1]], progress=lambda e: print(e.stage, flush=True))
    print("RESULT", report.added, report.skipped, report.failed, flush=True)
    """
)


def make_corpus(folder: Path, n: int = 12) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = " ".join(
            f"Finding {i}.{j}: athletes in group {i} improved measure {j}." for j in range(40)
        )
        (folder / f"note{i:02d}.md").write_text(
            f"---\ntitle: Note {i}\nyear: {2000 + i}\n---\n## Body\n\n{body}\n"
        )
    return folder


def run_child(folder: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, str(folder)],
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=240,
    )


def assert_consistent(lib: Library) -> None:
    docs = lib.documents()
    chunks = lib.store.all_chunks(lib.collection())
    assert len(chunks) == sum(d.n_chunks for d in docs)
    assert {c.doc_id for c in chunks} == {d.doc_id for d in docs}
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    assert len({d.source for d in docs}) == len(docs)  # no duplicate documents


def library() -> Library:
    return Library(load_settings(library={"starter": False}), embedder=HashEmbedder())


def test_crash_between_chunks_and_commit_then_resume(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", n=4)
    crashed = run_child(corpus, CRASH_AT="3")
    assert crashed.returncode == 9, crashed.stderr
    lib = library()
    assert len(lib.documents()) == 2  # the third document's chunks are stored but invisible
    stored = lib.collection().count()
    assert stored > sum(d.n_chunks for d in lib.documents())  # debris exists...
    assert all(
        h.doc_id in {d.doc_id for d in lib.documents()} for h in lib.search("athletes", k=20)
    )

    report = lib.ingest([corpus])  # ...and the next run removes it and finishes the job
    assert (report.added, report.skipped) == (2, 2)
    assert len(lib.documents()) == 4
    assert_consistent(lib)


def test_sigkill_mid_run_leaves_no_partial_document(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", n=30)
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(corpus)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # kill as soon as the first document is committed
            if line.startswith("committed"):
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    lib = library()
    assert 1 <= len(lib.documents()) < 30
    report = lib.ingest([corpus])
    assert report.added + report.skipped == 30 and report.failed == 0
    assert len(lib.documents()) == 30
    assert_consistent(lib)


def test_two_processes_ingesting_at_once(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", n=12)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(corpus)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
        outputs.append(next(line for line in out.splitlines() if line.startswith("RESULT")))
    added = sorted(int(line.split()[1]) for line in outputs)
    assert added == [0, 12]  # one did the work; the other waited, then found it all there
    lib = library()
    assert len(lib.documents()) == 12
    assert_consistent(lib)


def test_second_writer_gives_up_with_a_reason(tmp_path: Path) -> None:
    from filelock import FileLock

    from fitcoach.errors import LibraryLockedError

    settings = load_settings(library={"starter": False, "lock_timeout": 0.2})
    note = tmp_path / "n.txt"
    note.write_text("Heavy loads build strength.\n")
    settings.library_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(settings.library_dir / "write.lock")):
        start = time.monotonic()
        with pytest.raises(LibraryLockedError) as info:
            Library(settings, embedder=HashEmbedder()).ingest([note])
        assert time.monotonic() - start < 10
    assert "another process" in info.value.message and "chroma_url" in info.value.hint
    assert Library(settings, embedder=HashEmbedder()).ingest([note]).added == 1
