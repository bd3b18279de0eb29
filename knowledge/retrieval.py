"""Hybrid retrieval: a BM25 index (bm25s) beside Chroma's dense search, fused by reciprocal rank.

The lexical index is built from the stored chunks, saved under the library directory in a
folder named after the catalogue generation it reflects, and loaded lazily; a search that
finds the generation moved on rebuilds it.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from .types import Chunk

# The BM25 tokenizer version is stored with an index; a change (of the tokenizer or of what
# is indexed per chunk) forces a rebuild. "kw": the document's keywords are in the header.
TOKENIZER_VERSION = "words-stop-kw-2"
_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
# The header shares the embedder's 256 word pieces with the passage: a long keyword list from
# a manifest must not crowd the text out.
MAX_KEYWORDS = 8


def embedding_text(title: str, section: str | None, text: str, keywords: Sequence[str] = ()) -> str:
    """What is embedded and indexed for a chunk: a short context header, then the passage.

    A passage like "2-3 sessions a week were enough" only matches "how often should I train
    for hypertrophy" when the index also sees the paper's title and section. The document's
    keywords (a note's `topics`) follow the title in brackets: they name the subject in the
    words people ask with ("cold-water immersion", "RED-S") where the passage may not;
    bench/retrieval.py measured hybrid recall@5 +0.02 and MRR +0.01 with them.

    >>> embedding_text("Tapering", "Findings", "Volume fell.", ["taper", "marathon"])
    'Tapering (taper, marathon) - Findings\\nVolume fell.'
    """
    if keywords:
        title = f"{title} ({', '.join(keywords[:MAX_KEYWORDS])})"
    head = f"{title} - {section}" if section else title
    return f"{head}\n{text}" if text else head


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


def tokenize(text: str) -> list[str]:
    """Lower-case words (keeping 1.6 or o'clock whole) without English stop words.

    No stemming: Snowball stemming (PyStemmer) was measured on the labelled questions and
    did not improve BM25 or hybrid recall, so it is not worth a dependency.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    stop = _stopwords()
    return [w for w in _WORD.findall(text) if w not in stop]


def tokenizer_id() -> str:
    return TOKENIZER_VERSION


class Bm25Index:
    """bm25s over chunk texts, with the chunks themselves so a hit needs no further lookup."""

    def __init__(self, retriever: Any, chunks: list[Chunk], generation: str) -> None:
        self.retriever = retriever
        self.chunks = chunks
        self.generation = generation
        self._doc_of = [c.doc_id for c in chunks]

    @functools.cached_property
    def vocabulary(self) -> frozenset[str]:
        """Every token the index holds (see `tokenize`); built once per index."""
        return frozenset(self.retriever.vocab_dict)

    @classmethod
    def build(
        cls,
        chunks: list[Chunk],
        titles: dict[str, str],
        generation: str,
        keywords: Mapping[str, Sequence[str]] | None = None,
    ) -> Bm25Index:
        """Index each chunk as it was embedded: title, keywords and section, then the text."""
        import bm25s

        keywords = keywords or {}
        corpus = [
            tokenize(
                embedding_text(
                    titles.get(c.doc_id, ""), c.section, c.text, keywords.get(c.doc_id, ())
                )
            )
            for c in chunks
        ]
        retriever = bm25s.BM25()
        if chunks:
            retriever.index(corpus, show_progress=False)
        return cls(retriever, chunks, generation)

    def search(
        self, query: str, k: int, allowed_docs: set[str] | None = None
    ) -> list[tuple[Chunk, float]]:
        """Top-k chunks by BM25 score (only positive scores), optionally within some documents."""
        import numpy as np

        if not self.chunks or k <= 0:
            return []
        tokens = [t for t in tokenize(query) if t in self.retriever.vocab_dict]
        if not tokens:
            return []
        mask = None
        if allowed_docs is not None:
            mask = np.fromiter((d in allowed_docs for d in self._doc_of), dtype=np.float32)
            if not mask.any():
                return []
        k = min(k, len(self.chunks))
        ids, scores = self.retriever.retrieve(
            [tokens], k=k, show_progress=False, weight_mask=mask, n_threads=0
        )
        return [
            (self.chunks[int(i)], float(s))
            for i, s in zip(ids[0], scores[0], strict=True)
            if float(s) > 0.0
        ]

    # Persistence -------------------------------------------------------------------------
    def save(self, root: Path) -> Path:
        """Write to `root/<generation>` atomically (a temp folder renamed into place)."""
        root.mkdir(parents=True, exist_ok=True)
        target = root / self.generation
        if target.exists():
            return target
        tmp = Path(tempfile.mkdtemp(prefix=".bm25-", dir=root))
        try:
            if self.chunks:
                self.retriever.save(str(tmp / "bm25"), show_progress=False)
            with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as fh:
                for chunk in self.chunks:
                    fh.write(chunk.model_dump_json() + "\n")
            meta = {
                "generation": self.generation,
                "tokenizer": tokenizer_id(),
                "n": len(self.chunks),
            }
            (tmp / "meta.json").write_text(json.dumps(meta))
            os.replace(tmp, target)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            if not target.exists():
                raise
        # Older generations are dead weight now.
        for old in root.iterdir():
            if old.name != self.generation and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)
        return target

    @classmethod
    def load(cls, root: Path, generation: str) -> Bm25Index | None:
        """The saved index for this generation and tokenizer, or None."""
        import bm25s

        folder = root / generation
        try:
            meta = json.loads((folder / "meta.json").read_text())
            if meta.get("tokenizer") != tokenizer_id():
                return None
            with open(folder / "chunks.jsonl", encoding="utf-8") as fh:
                chunks = [Chunk.model_validate_json(line) for line in fh if line.strip()]
            retriever = (
                bm25s.BM25.load(str(folder / "bm25"), show_progress=False)
                if chunks
                else bm25s.BM25()
            )
        except (OSError, ValueError):
            return None
        return cls(retriever, chunks, generation)


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]],
    *,
    k: int = 60,
    weights: Sequence[float] | None = None,
) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum over lists of weight / (k + rank), rank from 1."""
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))


def diversify(
    ranked: Sequence[tuple[str, float]], doc_of: Mapping[str, str], per_document: int
) -> list[tuple[str, float]]:
    """Best-first (id, score) pairs with each document's first `per_document` hits ahead of
    any document's next ones; order is kept within both parts, nothing is dropped, and 0
    leaves the ranking as it is.

    Five passages from five papers answer more questions than three from the best paper and
    two from the next (bench/retrieval.py: per_document 1 lifted hybrid recall@5 by about
    0.02); a search filtered to one document still gets k passages of it.

    >>> diversify([("a1", 0.9), ("a2", 0.8), ("b1", 0.7)], {"a1": "a", "a2": "a", "b1": "b"}, 1)
    [('a1', 0.9), ('b1', 0.7), ('a2', 0.8)]
    """
    if per_document <= 0:
        return list(ranked)
    seen: dict[str, int] = {}
    first: list[tuple[str, float]] = []
    rest: list[tuple[str, float]] = []
    for item in ranked:
        doc = doc_of[item[0]]
        seen[doc] = seen.get(doc, 0) + 1
        (first if seen[doc] <= per_document else rest).append(item)
    return first + rest
