"""Hybrid retrieval pieces: the BM25 tokenizer, index persistence, reciprocal-rank fusion."""

from __future__ import annotations

from pathlib import Path

from fitcoach.knowledge.retrieval import Bm25Index, embedding_text, reciprocal_rank_fusion, tokenize
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
