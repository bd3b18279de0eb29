"""The paper library: the writer that stores what `fitcoach.ingest` parsed, embeddings, the
Chroma store and hybrid retrieval.

`knowledge` depends on `fitcoach.ingest` (parsing) and the core (`fitcoach.settings`,
`fitcoach.errors`, `fitcoach.models`), never on the agent or finetune rooms.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Library"]


def __getattr__(name: str) -> Any:  # keep chromadb out of `import fitcoach.knowledge`
    if name == "Library":
        from .library import Library

        return Library
    raise AttributeError(name)
