"""Re-ingesting: unchanged files cost nothing heavy, new metadata updates without re-embedding,
and the catalogue snapshot that makes the no-op cheap never hides a change."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fitcoach import Library, load_settings
from tests.fakes import HashEmbedder

NOTE = (
    "---\ntitle: Protein and exercise\nyear: 2016\n---\n## Numbers\n\n"
    "Daily protein intake of 1.4-2.0 g per kg body weight supports muscle growth.\n"
)
HEAVY = ("torch", "transformers", "sentence_transformers", "chromadb")


class CountingEmbedder(HashEmbedder):
    """The fake embedder, counting the texts it embeds."""

    def __init__(self) -> None:
        self.embedded = 0

    def embed(self, texts: list[str], batch_size: int = 64) -> list[list[float]]:
        self.embedded += len(texts)
        return super().embed(texts, batch_size)


@pytest.fixture
def note(tmp_path: Path) -> Path:
    path = tmp_path / "papers" / "protein.md"
    path.parent.mkdir()
    path.write_text(NOTE, encoding="utf-8")
    return path


@pytest.fixture
def lib() -> Library:
    return Library(load_settings(library={"starter": False}), embedder=CountingEmbedder())


def test_unchanged_reingest_command_imports_nothing_heavy(
    note: Path, lib: Library, fitcoach_home: Path
) -> None:
    assert lib.ingest(note).added == 1
    script = (
        "import sys\n"
        "from fitcoach.cli import main\n"
        f"sys.argv = ['fitcoach', 'ingest', {str(note)!r}, '--json']\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    code = exit.code\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    env = {**os.environ, "FITCOACH_HOME": str(fitcoach_home), "FITCOACH_LIBRARY__STARTER": "false"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    report = json.loads(done.stdout)
    assert [f["reason"] for f in report["files"]] == ["unchanged"]
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_new_flags_update_the_record_without_reembedding(note: Path, lib: Library) -> None:
    lib.ingest(note)
    embedder = lib.embedder
    before = embedder.embedded
    report = lib.ingest(
        note,
        overrides={"doi": "10.1186/s12970-017-0177-8", "title": "Protein", "authors": "Jager R"},
    )
    (result,) = report.files
    assert (result.status, result.reason) == ("updated", "metadata")
    assert result.message == "changed title, authors, doi"
    assert report.embedded_chunks == 0 and embedder.embedded == before
    (doc,) = lib.documents()
    assert (doc.title, doc.authors, doc.doi, doc.year) == (
        "Protein",
        ["Jager R"],
        "10.1186/s12970-017-0177-8",
        2016,
    )
    hit = lib.search("protein intake per kg", k=1)[0]
    assert (hit.title, hit.doi) == ("Protein", "10.1186/s12970-017-0177-8")
    # the copy of the record stored with each chunk follows
    rows = lib.collection().get(where={"doc_id": doc.doc_id}, include=["metadatas"])
    assert {m["title"] for m in rows["metadatas"]} == {"Protein"}
    # the same flags again change nothing
    again = lib.ingest(note, overrides={"title": "Protein"})
    assert again.files[0].reason == "unchanged"


def test_a_manifest_updates_the_record(note: Path, lib: Library, tmp_path: Path) -> None:
    lib.ingest(note)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("path,year,journal\nprotein.md,2017,J Int Soc Sports Nutr\n")
    report = lib.ingest(note, manifest=manifest)
    assert report.updated == 1 and report.embedded_chunks == 0
    (doc,) = lib.documents()
    assert (doc.year, doc.journal) == (2017, "J Int Soc Sports Nutr")


def test_snapshot_follows_every_change(note: Path, lib: Library, tmp_path: Path) -> None:
    lib.ingest(note)
    snapshot = lib.store.snapshot_path
    assert snapshot.is_file()
    (doc,) = lib.documents()
    lib.remove(doc.doc_id)
    # a fresh library object (another process) must not take the removed file for unchanged
    fresh = Library(lib.settings, embedder=CountingEmbedder())
    assert fresh.ingest(note).files[0].reason == "new"


def test_a_killed_writer_leaves_no_snapshot(
    note: Path, lib: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib.ingest(note)
    other = tmp_path / "papers" / "sleep.md"
    other.write_text("---\ntitle: Sleep\n---\n## Findings\n\nShort sleep, more injuries.\n")

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(lib.store, "commit_document", crash)
    with pytest.raises(KeyboardInterrupt):
        lib.ingest(other)
    assert not lib.store.snapshot_path.exists()
    monkeypatch.undo()
    fresh = Library(lib.settings, embedder=CountingEmbedder())
    report = fresh.ingest([note, other])
    assert [f.reason for f in report.files] == ["unchanged", "new"]
    assert fresh.store.snapshot_path.is_file()


def test_a_deleted_chroma_folder_is_not_remembered(note: Path, lib: Library) -> None:
    import shutil

    lib.ingest(note)
    assert lib.store.read_snapshot() is not None
    shutil.rmtree(lib.store.path)  # (Chroma's own in-process cache outlives this: ask the store)
    assert Library(lib.settings).store.read_snapshot() is None
