"""The sentence-vector cache returns what the embedder would, and asks it only once."""

from __future__ import annotations

from pathlib import Path

from fitcoach.agent.vectors import CachedEmbedder
from tests.fakes import HashEmbedder


class Counting(HashEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def embed(self, texts: list[str], batch_size: int = 64) -> list[list[float]]:
        self.seen += texts
        return super().embed(texts)


def test_cache_matches_the_embedder_and_persists(tmp_path: Path) -> None:
    base = Counting()
    cache = CachedEmbedder(base, tmp_path / "v.sqlite")
    texts = ["Rest 3 min between sets.", "Sleep 8 h.", "Rest 3 min between sets."]
    first = cache.embed(texts)
    expected = HashEmbedder().embed(texts)
    assert [[round(x, 5) for x in v] for v in first] == [[round(x, 5) for x in v] for v in expected]
    assert base.seen == ["Rest 3 min between sets.", "Sleep 8 h."]  # each text embedded once
    again = CachedEmbedder(Counting(), tmp_path / "v.sqlite")  # a new process, same file
    assert [[round(x, 5) for x in v] for v in again.embed(texts)] == [[round(x, 5) for x in v] for v in first]
    assert again.embedder.seen == []


def test_unwritable_cache_still_embeds(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    cache = CachedEmbedder(HashEmbedder(), blocker / "v.sqlite")
    assert len(cache.embed(["a b c"])[0]) == len(HashEmbedder().embed(["a b c"])[0])
