"""The Library API: search and filters, documents, removal, embedder safety, starter notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from fitcoach import Library, load_settings
from fitcoach.errors import ConfigError, LibraryError, UnknownNameError
from fitcoach.knowledge.library import starter_files
from fitcoach.knowledge.types import SearchFilters
from tests.fakes import HashEmbedder

NOTES = {
    "protein.md": (
        "---\ntitle: Protein and exercise\nauthors: [Jager R]\nyear: 2017\n"
        "doi: 10.1186/S12970\u2011017\u20110177\u20118\n---\n## Numbers\n\n"
        "Daily protein intake of 1.4-2.0 g per kg body weight supports muscle growth.\n"
        "Per meal about 0.25 g per kg of high quality protein.\n"
    ),
    "sleep.md": (
        "---\ntitle: Sleep and injuries in adolescents\nyear: 2014\ndoi: 10.1097/BPO.0000000000000151\n---\n"
        "## Findings\n\nAthletes sleeping less than eight hours had a higher injury rate.\n"
    ),
    "taper.md": (
        "---\ntitle: Tapering meta-analysis\nyear: 2007\n---\n## Findings\n\n"
        "Reducing training volume by 41-60% over two weeks improved endurance performance.\n"
    ),
}


def write_notes(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in NOTES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def lib(tmp_path: Path, fake_embedder) -> Library:
    library = Library(load_settings(library={"starter": False}), embedder=fake_embedder)
    library.ingest([write_notes(tmp_path / "notes")])
    return library


def test_search_returns_cited_passages(lib: Library) -> None:
    hits = lib.search("protein intake per kg body weight", k=2)
    top = hits[0]
    assert top.title == "Protein and exercise" and top.year == 2017
    assert top.doi == "10.1186/s12970-017-0177-8"  # normalised: lower case, ASCII hyphens
    assert top.section == "Numbers" and top.pages is None and top.authors == ["Jager R"]
    assert all(0.0 <= h.similarity <= 1.0 for h in hits)  # filled for every hybrid hit
    assert hits == sorted(hits, key=lambda h: -h.score)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_every_mode_finds_the_obvious_note(lib: Library, mode: str) -> None:
    hit = lib.search("sleeping hours injury rate adolescents", k=1, mode=mode)[0]
    assert hit.title.startswith("Sleep") and hit.similarity is not None and hit.similarity > 0.2


def test_bm25_only_hits_get_a_similarity(lib: Library) -> None:
    dense_ids = {h.chunk_id for h in lib.search("zzz", k=10, mode="dense")}
    hits = lib.search("tapering volume endurance", k=3, mode="bm25")
    assert hits and all(h.similarity is not None for h in hits)
    assert dense_ids  # (dense always returns neighbours; bm25 needs the words)


def test_filters(lib: Library) -> None:
    assert {h.year for h in lib.search("training", k=10, filters={"year_min": 2010})} <= {
        2014,
        2017,
    }
    only = lib.search("injury", k=10, filters=SearchFilters(doi="10.1186/s12970-017-0177-8"))
    assert only and {h.title for h in only} == {"Protein and exercise"}
    taper = next(d for d in lib.documents() if d.title.startswith("Taper"))
    hits = lib.search("protein", k=10, filters={"doc_id": taper.doc_id[:8]})
    assert {h.doc_id for h in hits} == {taper.doc_id}
    assert lib.search("protein", filters={"year": 1990}) == []


def test_bad_search_arguments(lib: Library) -> None:
    with pytest.raises(UnknownNameError) as info:
        lib.search("x", mode="magic")
    assert "hybrid" in info.value.hint
    with pytest.raises(ConfigError):
        lib.search("   ")


def test_documents_get_remove_stats(lib: Library) -> None:
    docs = lib.documents()
    assert [d.title for d in docs] == sorted(d.title for d in docs) and len(docs) == 3
    doc = lib.get(docs[0].doc_id[:6])
    assert doc == docs[0]
    with pytest.raises(LibraryError) as info:
        lib.get("ffffffffffff")
    assert "library list" in info.value.hint
    stats = lib.stats()
    assert (stats.documents, stats.embedder, stats.dimension) == (3, "hash-embedder", 256)
    assert stats.chunks == sum(d.n_chunks for d in docs) == lib.collection().count()

    lib.remove(doc.doc_id)
    assert doc.doc_id not in {d.doc_id for d in lib.documents()}
    assert all(h.doc_id != doc.doc_id for h in lib.search(doc.title, k=10))
    assert lib.collection().count() == sum(d.n_chunks for d in lib.documents())


def test_a_second_library_object_sees_new_documents(lib: Library, tmp_path: Path) -> None:
    other = Library(lib.settings, embedder=HashEmbedder())
    assert len(other.documents()) == 3
    extra = tmp_path / "creatine.txt"
    extra.write_text("Creatine loading with 20 g per day for five days saturates muscle stores.\n")
    lib.ingest([extra])
    assert other.search("creatine loading saturates", k=1, mode="bm25")[0].source == str(
        extra.resolve()
    )


def test_refuses_to_mix_embedders(lib: Library) -> None:
    class Other(HashEmbedder):
        name = "other-embedder"
        dimension = 128

    with pytest.raises(LibraryError) as info:
        Library(lib.settings, embedder=Other()).search("protein")
    assert "hash-embedder" in info.value.message and "library.embedder" in info.value.hint


def test_starter_library_ingested_once_and_removal_sticks(fake_embedder) -> None:
    lib = Library(load_settings(), embedder=fake_embedder)
    docs = lib.documents()
    assert len(docs) == len(starter_files()) > 0
    assert all(d.source.startswith("starter:") and d.doi for d in docs)
    first = docs[0]
    lib.remove(first.doc_id)
    fresh = Library(load_settings(), embedder=HashEmbedder())
    assert first.doc_id not in {d.doc_id for d in fresh.documents()}
    assert fresh.ensure_starter() is None and fresh.stats().starter_ingested


def test_starter_not_added_to_a_library_that_already_has_papers(lib: Library) -> None:
    with_starter = Library(
        lib.settings.model_copy(
            update={"library": lib.settings.library.model_copy(update={"starter": True})}
        ),
        embedder=HashEmbedder(),
    )
    assert len(with_starter.documents()) == 3


def test_listing_and_removing_never_load_the_embedder(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fitcoach import models

    def refuse(name: str = "") -> None:
        raise AssertionError("the embedder was loaded")

    monkeypatch.setattr(models, "load_embedder", refuse)
    plain = Library(lib.settings)  # no embedder given: it would be loaded on demand
    docs = plain.documents()
    assert plain.stats().documents == 3 and plain.get(docs[0].doc_id) == docs[0]
    plain.remove(docs[0].doc_id)
    assert len(plain.documents()) == 2
    assert lib.collection().count() == sum(d.n_chunks for d in lib.documents())


def _starter_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, names: list[str]) -> Path:
    """A starter folder of our own (copies of real notes) that `starter_files` returns."""
    import shutil

    from fitcoach.knowledge import library as library_module

    folder = tmp_path / "starter"
    folder.mkdir()
    for name in names:
        shutil.copy(library_module.STARTER_DIR / name, folder / name)
    monkeypatch.setattr(library_module, "starter_files", lambda: sorted(folder.glob("*.md")))
    return folder


STARTER_NAMES = [
    "kreider-2017-issn-creatine.md",
    "schoenfeld-2018-protein-per-meal-distribution.md",
    "acog-2020-pregnancy-postpartum-exercise.md",
]


def test_an_upgrade_updates_kept_starter_notes_adds_new_ones_and_removals_stick(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_embedder
) -> None:
    folder = _starter_copy(tmp_path, monkeypatch, STARTER_NAMES[:2])
    lib = Library(load_settings(), embedder=fake_embedder)
    by_name = {d.source: d for d in lib.documents()}
    assert set(by_name) == {f"starter:{n}" for n in STARTER_NAMES[:2]}
    lib.remove(by_name["starter:kreider-2017-issn-creatine.md"].doc_id)
    # the next version corrects one note and ships a new one
    note = folder / STARTER_NAMES[1]
    note.write_text(note.read_text(encoding="utf-8").replace("a 80 kg", "an 80 kg")
                    + "\nA corrected sentence about zebrafish protein timing.\n", encoding="utf-8")  # fmt: skip
    (folder / STARTER_NAMES[2]).write_bytes(
        (library_module_dir() / STARTER_NAMES[2]).read_bytes()
    )
    upgraded = Library(load_settings(), embedder=HashEmbedder())
    report = upgraded.ensure_starter()
    sources = {d.source for d in upgraded.documents()}
    assert report is not None
    assert sources == {f"starter:{STARTER_NAMES[1]}", f"starter:{STARTER_NAMES[2]}"}  # removal sticks
    assert "zebrafish" in upgraded.search("zebrafish protein timing", k=1, mode="bm25")[0].text
    assert len([d for d in upgraded.documents() if d.source.endswith(STARTER_NAMES[1])]) == 1
    assert Library(load_settings(), embedder=HashEmbedder()).ensure_starter() is None  # once


def test_a_library_with_papers_first_never_gets_starter_notes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_embedder
) -> None:
    folder = _starter_copy(tmp_path, monkeypatch, STARTER_NAMES[:1])
    own = Library(load_settings(library={"starter": False}), embedder=fake_embedder)
    own.ingest([write_notes(tmp_path / "notes")])
    assert Library(load_settings(), embedder=HashEmbedder()).ensure_starter() is None
    (folder / STARTER_NAMES[1]).write_bytes((library_module_dir() / STARTER_NAMES[1]).read_bytes())
    again = Library(load_settings(), embedder=HashEmbedder())
    again.ensure_starter()
    assert not any(d.source.startswith("starter:") for d in again.documents())


def test_a_marker_from_before_the_record_updates_kept_notes_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_embedder
) -> None:
    from fitcoach.knowledge.store import STARTER_ID

    folder = _starter_copy(tmp_path, monkeypatch, STARTER_NAMES[:1])
    lib = Library(load_settings(), embedder=fake_embedder)
    assert lib.ensure_starter() is not None
    with lib.writer() as writer:  # the marker as older versions wrote it: a timestamp
        writer.set_marker(STARTER_ID, "2026-11-01T00:00:00+00:00")
    (folder / STARTER_NAMES[1]).write_bytes((library_module_dir() / STARTER_NAMES[1]).read_bytes())
    upgraded = Library(load_settings(), embedder=HashEmbedder())
    upgraded.ensure_starter()
    # which notes the old version had is unknown, so nothing is added that might have been removed
    assert {d.source for d in upgraded.documents()} == {f"starter:{STARTER_NAMES[0]}"}


def library_module_dir() -> Path:
    from fitcoach.knowledge import library as library_module

    return library_module.STARTER_DIR
