"""The paper library: documents, chunks, embeddings, the Chroma store and hybrid retrieval.

`knowledge` is the base layer: it imports none of fitcoach's other packages (the one
exception, `Library.ingest`, imports the ingest pipeline lazily when called).
"""

from __future__ import annotations

from typing import Any

from .errors import FitcoachError
from .settings import Settings, load_settings

__all__ = ["FitcoachError", "Library", "Settings", "load_settings"]


def __getattr__(name: str) -> Any:  # keep chromadb out of `import fitcoach.knowledge`
    if name == "Library":
        from .library import Library

        return Library
    raise AttributeError(name)
