"""Hybrid retrieval pieces: the BM25 tokenizer, index persistence, reciprocal-rank fusion,
document keywords in the indexed header, results spread over documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from fitcoach import Library, load_settings
from fitcoach.ingest.metadata import guess_from_mapping
from fitcoach.ingest.readers import read_markdown
from fitcoach.knowledge.retrieval import (
    MAX_KEYWORDS,
    Bm25Index,
    diversify,
    embedding_text,
    reciprocal_rank_fusion,
    tokenize,
)
from fitcoach.knowledge.types import Chunk


def chunk(i: int, text: str, doc: str = "d1") -> Chunk:
    return Chunk(chunk_id=f"{doc}-{i}", doc_id=doc, index=i, text=text)


def test_rrf_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["c", "a", "d"]], k=60)
    ids = [i for i, _ in fused]
    assert ids[0] == "a"  # ranks 1 and 2 beat 3 and 1
    assert set(ids) == {"a", "b", "c", "d"}
    assert abs(dict(fused)["a"] - (1 / 61 + 1 / 62)) < 1e-12
    weighted = reciprocal_rank_fusion([["a"], ["b"]], k=60, weights=[1.0, 2.0])
    assert weighted[0][0] == "b"


def test_tokenize_drops_stopwords_and_keeps_numbers() -> None:
    tokens = tokenize("The athletes ate 1.6 g/kg of protein per day")
    assert "the" not in tokens and "of" not in tokens
    assert "1.6" in tokens
    assert any(t.startswith("athlet") for t in tokens)


def test_bm25_search_mask_and_roundtrip(tmp_path: Path) -> None:
    chunks = [
        chunk(0, "Creatine monohydrate loading saturates muscle stores."),
        chunk(1, "Sleep restriction impairs sprint performance."),
        chunk(0, "Creatine and caffeine taken together.", doc="d2"),
    ]
    index = Bm25Index.build(chunks, {"d1": "Supplements", "d2": "Combos"}, "gen1")
    hits = index.search("creatine loading", k=5)
    assert [c.chunk_id for c, _ in hits][:1] == ["d1-0"] and all(s > 0 for _, s in hits)
    assert "d1-1" not in {c.chunk_id for c, _ in hits}  # zero-score chunks are not hits
    assert [c.doc_id for c, _ in index.search("creatine", k=5, allowed_docs={"d2"})] == ["d2"]
    assert index.search("zzzz unknown", k=5) == []

    index.save(tmp_path)
    loaded = Bm25Index.load(tmp_path, "gen1")
    assert loaded is not None and loaded.chunks == chunks
    assert [c.chunk_id for c, _ in loaded.search("creatine loading", k=5)] == [
        c.chunk_id for c, _ in hits
    ]
    assert Bm25Index.load(tmp_path, "gen2") is None  # another generation: rebuild
    Bm25Index.build(chunks[:1], {}, "gen2").save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen2"]  # old generations are pruned


def test_title_and_section_are_indexed() -> None:
    text = embedding_text("Tapering and performance", "Findings", "Volume fell by half.")
    assert text.startswith("Tapering and performance - Findings\n")
    index = Bm25Index.build(
        [chunk(0, "Volume fell by half.")], {"d1": "Tapering and performance"}, "g"
    )
    assert index.search("tapering", k=1)


def test_keywords_follow_the_title_in_the_header() -> None:
    assert embedding_text("Tapering", None, "Volume fell.", ["taper", "race"]) == (
        "Tapering (taper, race)\nVolume fell."
    )
    assert embedding_text("Tapering", "Findings", "", ["taper"]) == "Tapering (taper) - Findings"
    assert embedding_text("Tapering", "Findings", "x", []) == embedding_text(
        "Tapering", "Findings", "x"
    )
    many = [f"k{i}" for i in range(MAX_KEYWORDS + 5)]
    head = embedding_text("T", None, "", many)
    assert f"k{MAX_KEYWORDS - 1}" in head and f"k{MAX_KEYWORDS})" not in head  # capped


def test_bm25_finds_a_chunk_by_its_documents_keywords() -> None:
    chunks = [
        chunk(0, "Missed cycles and bone stress injuries in runners.", doc="reds"),
        chunk(0, "Runners increased weekly distance by 30%.", doc="volume"),
    ]
    titles = {"reds": "Energy deficiency consensus", "volume": "Running progression"}
    plain = Bm25Index.build(chunks, titles, "g")
    assert plain.search("amenorrhoea", k=2) == []  # the word is in no passage or title
    keyed = Bm25Index.build(chunks, titles, "g", {"reds": ["RED-S", "amenorrhoea"]})
    assert [c.doc_id for c, _ in keyed.search("amenorrhoea", k=2)] == ["reds"]


def test_diversify_lists_each_documents_best_first_and_drops_nothing() -> None:
    ranked = [("a1", 0.9), ("a2", 0.8), ("a3", 0.7), ("b1", 0.6), ("c1", 0.5), ("b2", 0.4)]
    doc_of = {cid: cid[0] for cid, _ in ranked}
    assert [c for c, _ in diversify(ranked, doc_of, 1)] == ["a1", "b1", "c1", "a2", "a3", "b2"]
    assert [c for c, _ in diversify(ranked, doc_of, 2)] == ["a1", "a2", "b1", "c1", "b2", "a3"]
    assert diversify(ranked, doc_of, 0) == ranked
    one_doc = [("a1", 0.9), ("a2", 0.8)]
    assert diversify(one_doc, doc_of, 1) == one_doc  # a single document keeps all its hits
    assert dict(diversify(ranked, doc_of, 1)) == dict(ranked)  # scores are not rewritten


def test_front_matter_topics_become_keywords() -> None:
    note = (
        "---\ntitle: REDs consensus\ntopics: [RED-S, ' low energy availability ', RED-S]\n---\n"
        "## Findings\n\nMissed periods are a warning sign.\n"
    )
    parsed = read_markdown(Path("reds.md"), note.encode())
    assert parsed.meta.keywords == ["RED-S", "low energy availability"]  # cleaned, deduplicated
    assert guess_from_mapping({"keywords": "taper; marathon"}).keywords == ["taper", "marathon"]
    assert guess_from_mapping({"keywords": "taper, marathon"}).keywords == ["taper", "marathon"]
    assert guess_from_mapping({"title": "x"}).keywords is None  # no opinion, nothing overridden


NOTES = {
    # two chunks' worth of one paper that matches "protein" everywhere, and a second paper
    "protein.md": "---\ntitle: Protein needs\ntopics: [protein intake]\n---\n"
    + "## Daily\n\n"
    + "Protein intake of 1.6 g per kg supports muscle protein gain. " * 30
    + "\n\n## Meals\n\nProtein at each meal, about 0.4 g per kg of protein. " * 1,
    "reds.md": "---\ntitle: Energy deficiency in sport\ntopics: [RED-S, amenorrhoea]\n---\n"
    "## Findings\n\nLow energy availability harms bone and protein turnover.\n",
}


@pytest.fixture
def lib(tmp_path: Path, fake_embedder) -> Library:
    folder = tmp_path / "notes"
    folder.mkdir()
    for name, text in NOTES.items():
        (folder / name).write_text(text, encoding="utf-8")
    library = Library(load_settings(library={"starter": False}), embedder=fake_embedder)
    library.ingest([folder])
    return library


def test_library_keeps_keywords_and_searches_by_them(lib: Library) -> None:
    reds = next(d for d in lib.documents() if d.title.startswith("Energy"))
    assert reds.keywords == ["RED-S", "amenorrhoea"]
    for mode in ("bm25", "hybrid"):
        assert lib.search("amenorrhoea", k=1, mode=mode)[0].doc_id == reds.doc_id


def test_search_spreads_results_over_documents(lib: Library) -> None:
    protein = next(d for d in lib.documents() if d.title == "Protein needs")
    assert protein.n_chunks >= 3
    hits = lib.search("protein intake per kg", k=3)
    assert len({h.doc_id for h in hits[:2]}) == 2  # the second paper before a second passage
    lib.settings.retrieval.per_document = 0
    assert {h.doc_id for h in lib.search("protein intake per kg", k=3)} == {protein.doc_id}
    lib.settings.retrieval.per_document = 1
    within = lib.search("protein intake per kg", k=3, filters={"doc_id": [protein.doc_id]})
    assert len(within) == 3 and {h.doc_id for h in within} == {protein.doc_id}


def test_docstring_examples_run() -> None:
    import doctest

    from fitcoach.knowledge import retrieval

    result = doctest.testmod(retrieval)
    assert result.attempted >= 2 and result.failed == 0
