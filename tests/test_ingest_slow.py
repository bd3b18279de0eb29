"""End to end with the real bundled MiniLM embedder (slow): nothing embedded is ever truncated."""

from __future__ import annotations

from pathlib import Path

import pytest

from fitcoach import Library, load_settings
from fitcoach.knowledge.retrieval import embedding_text

pytestmark = pytest.mark.slow


def test_real_embedder_ingest_and_search(shared_data: Path) -> None:
    lib = Library(load_settings())  # starter notes ingested on first use, with MiniLM
    report = lib.ingest([shared_data / "pdfs" / "33467283.pdf"])
    assert report.added == 1
    titles = {d.doc_id: d.title for d in lib.documents()}
    chunks = lib.store.all_chunks(lib.collection())
    embedded = [embedding_text(titles[c.doc_id], c.section, c.text) for c in chunks]
    counts = lib.embedder.count_tokens_batch(embedded)
    assert max(counts) <= lib.embedder.max_tokens == lib.embedder.max_seq_length - 2
    hit = lib.search("how much protein should I eat per meal", k=1)[0]
    assert hit.doi == "10.1186/s12970-017-0177-8" and hit.similarity > 0.4
    periodization = lib.search("confusion in periodization research", k=3)
    assert any(p.doi == "10.3390/jfmk5030068" and p.page_start for p in periodization)
