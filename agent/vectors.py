"""Sentence vectors, embedded once: a small SQLite cache under the data directory, keyed by
the text and the embedder, so ranking evidence re-embeds only sentences it has never seen.

Embedding the 20-30 candidate sentences of an answer costs more than the rest of the answer on
a CPU (bench/latency.py); the starter library holds a few thousand sentences, so after the
first questions on a topic nearly every lookup is a hit, across processes too.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from array import array
from pathlib import Path
from typing import Any

MEMORY_LIMIT = 50_000  # vectors kept in memory (384 floats each: ~75 MB at most)


class CachedEmbedder:
    """Wraps an embedder's `embed(texts)`; same results, fewer model calls."""

    def __init__(self, embedder: Any, path: Path, name: str = "minilm-l6") -> None:
        self.embedder = embedder
        self.path = path
        self.name = name
        self._memory: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection | None:
        if self._db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, check_same_thread=False, timeout=5)
                db.execute("CREATE TABLE IF NOT EXISTS v (k TEXT PRIMARY KEY, x BLOB)")
                self._db = db
            except (OSError, sqlite3.Error):  # a read-only data dir: memory only
                return None
        return self._db

    def _key(self, text: str) -> str:
        return hashlib.sha1(f"{self.name}\0{text}".encode()).hexdigest()

    def embed(self, texts: list[str]) -> list[list[float]]:
        keys = [self._key(t) for t in texts]
        with self._lock:
            found = {k: self._memory[k] for k in keys if k in self._memory}
            todo = [k for k in dict.fromkeys(keys) if k not in found]
            db = self._conn()
            if todo and db is not None:
                try:
                    for i in range(0, len(todo), 500):
                        part = todo[i : i + 500]
                        marks = ",".join("?" * len(part))
                        for k, blob in db.execute(f"SELECT k, x FROM v WHERE k IN ({marks})", part):
                            found[k] = array("f", blob).tolist()
                except sqlite3.Error:
                    pass
        first = {k: i for i, k in reversed(list(enumerate(keys)))}  # one index per text
        missing = [i for k, i in first.items() if k not in found]
        if missing:
            fresh = self.embedder.embed([texts[i] for i in missing])
            rows = []
            for i, vector in zip(missing, fresh, strict=True):
                found[keys[i]] = vector
                rows.append((keys[i], array("f", vector).tobytes()))
            with self._lock:
                db = self._conn()
                if db is not None:
                    try:
                        db.executemany("INSERT OR REPLACE INTO v VALUES (?, ?)", rows)
                        db.commit()
                    except sqlite3.Error:
                        pass
        with self._lock:
            if len(self._memory) > MEMORY_LIMIT:
                self._memory.clear()
            self._memory.update({k: found[k] for k in keys})
        return [found[k] for k in keys]
