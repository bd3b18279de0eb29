"""`Library`: the one Python API over the paper library (ingest, search, list, remove, stats).

Writes go through a `LibraryWriter`, which holds the embedded library's file lock, cleans up
after a killed run, and refreshes the lexical index when it is done. Reads check a cheap
generation marker and reload the catalogue and BM25 index only when it moved.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fitcoach.errors import ConfigError, LibraryError, LibraryLockedError, UnknownNameError
from fitcoach.settings import Settings, load_settings

from .retrieval import Bm25Index, diversify, reciprocal_rank_fusion
from .store import GENERATION_ID, STARTER_ID, ChromaStore
from .types import (
    Chunk,
    DocumentMeta,
    IngestEvent,
    IngestReport,
    LibraryStats,
    Passage,
    SearchFilters,
)

if TYPE_CHECKING:
    from fitcoach.models import Embedder

SEARCH_MODES = ("hybrid", "dense", "bm25")
STARTER_DIR = Path(__file__).parent / "starter"


def starter_files() -> list[Path]:
    """The bundled starter notes, in a stable order."""
    return sorted(STARTER_DIR.glob("*.md"))


def starter_fingerprint(files: Sequence[Path]) -> str:
    """What the bundled notes are: names and bytes (a corrected note changes it)."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _starter_marker(value: str | None) -> dict[str, Any]:
    """The starter marker's record; a marker written before it held one is a bare timestamp
    (starter ingested, set of notes unknown)."""
    try:
        record = json.loads(value or "")
    except ValueError:
        record = None
    return record if isinstance(record, dict) else {"at": value, "ingested": True}


class Library:
    """A library of papers: Chroma (embedded or server) plus a catalogue and a BM25 index.

    >>> lib = Library()                       # settings from load_settings()
    >>> lib.ingest(["papers/"], recursive=True).added
    >>> [p.title for p in lib.search("protein per meal", k=3)]
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | Any | None = None,
        chroma_url: str | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self._embedder = embedder
        self.store = ChromaStore(self.settings, chroma_url)
        self._generation: str | None = None
        self._catalogue: dict[str, DocumentMeta] = {}
        self._bm25: Bm25Index | None = None
        self._starter_done = False
        self._lock = threading.RLock()  # one Library may be shared by an app's threads

    # Components --------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder | Any:
        if self._embedder is None:
            from fitcoach.models import load_embedder

            self._embedder = load_embedder(self.settings.library.embedder)
        return self._embedder

    def collection(self) -> Any:
        """The Chroma chunk collection, checked against this library's embedder."""
        return self.store.chunks(self.embedder.name, int(self.embedder.dimension))

    @property
    def chunk_limit(self) -> int:
        """Most word pieces a chunk may have as embedded (never above the model's limit)."""
        return min(self.settings.library.chunk_tokens, int(self.embedder.max_tokens))

    @property
    def bm25_dir(self) -> Path:
        key = (
            "embedded"
            if self.store.embedded
            else hashlib.sha1(str(self.store.url).encode()).hexdigest()[:12]
        )
        return self.settings.library_dir / "bm25" / f"{key}-{self.store.name}"

    # Writing -----------------------------------------------------------------------------
    @contextlib.contextmanager
    def writer(self) -> Iterator[LibraryWriter]:
        """Exclusive write access: the file lock (embedded), a fresh catalogue, cleanup."""
        with self._lock, self._file_lock():
            writer = LibraryWriter(self)
            finished = False
            try:
                yield writer
                finished = True
            finally:
                if writer.changed:
                    self._generation = None
                    with contextlib.suppress(Exception):  # a stale index is rebuilt on search
                        self._refresh(rebuild_bm25=True)
                if (
                    finished
                    and self.store.connected
                    and (writer.changed or not writer.from_snapshot)
                ):
                    # Chroma is open anyway: record its state so the next no-op needs none (not
                    # after a failure: its debris is cleaned by the next writer reading Chroma).
                    with contextlib.suppress(Exception):
                        self.store.write_snapshot(writer.catalogue)

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        if not self.store.embedded:  # the server serialises writes itself
            yield
            return
        from filelock import FileLock, Timeout

        self.settings.library_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.settings.library_dir / "write.lock"))
        timeout = self.settings.library.lock_timeout
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise LibraryLockedError(
                f"another process is writing to the library at {self.settings.library_dir} "
                f"(waited {timeout:g} s)",
                hint="wait for it to finish, raise library.lock_timeout, or share the library "
                "through a Chroma server (library.chroma_url)",
            ) from None
        try:
            yield
        finally:
            lock.release()

    def ingest(
        self,
        paths: str | Path | Sequence[str | Path],
        *,
        recursive: bool = False,
        manifest: str | Path | None = None,
        password: str | None = None,
        overrides: Any = None,
        progress: Callable[[IngestEvent], None] | None = None,
    ) -> IngestReport:
        """Add files and folders (PDF, Markdown, text); see `fitcoach.knowledge.pipeline`."""
        from fitcoach.knowledge.pipeline import ingest_paths  # the one knowledge -> ingest import

        self.ensure_starter(progress=progress)
        if isinstance(paths, (str, Path)):
            paths = [paths]
        return ingest_paths(
            self,
            [Path(p) for p in paths],
            recursive=recursive,
            manifest=manifest,
            password=password,
            overrides=overrides,
            progress=progress,
        )

    def ensure_starter(
        self, *, progress: Callable[[IngestEvent], None] | None = None
    ) -> IngestReport | None:
        """Ingest the bundled starter notes into an empty library, once; after an upgrade that
        changed them, bring the starter notes still in the library up to date and add notes
        that are new in this version. None if nothing was ingested.

        A marker records what happened, so removing starter documents sticks, and a library
        that had papers before the starter notes was never given them keeps it that way.
        """
        if self._starter_done or not self.settings.library.starter:
            return None
        files = starter_files()
        current = starter_fingerprint(files)
        snapshot = self.store.read_snapshot()  # the marker is never unset: a snapshot may say so
        value = (snapshot.markers.get(STARTER_ID) if snapshot is not None else None) or (
            self.store.markers().get(STARTER_ID)
        )
        if value is not None and _starter_marker(value).get("fingerprint") == current:
            self._starter_done = True
            return None
        from fitcoach.knowledge.pipeline import ingest_paths

        with self._lock:
            value = self.store.markers().get(STARTER_ID)  # another process may have done it
            record = _starter_marker(value) if value is not None else None
            if record is not None and record.get("fingerprint") == current:
                self._starter_done = True
                return None
            report = None
            if record is None:  # first use: the notes, unless the library already has papers
                ingested = not self.store.read_catalogue()
                todo = files if ingested else []
            else:  # an upgrade changed the notes: update the ones kept, add the new ones
                ingested = bool(record.get("ingested"))
                known = record.get("files")  # None for a marker from before this record
                held = {d.source for d in self.store.read_catalogue().values()}
                kept_or_new = [
                    f for f in files
                    if f"starter:{f.name}" in held or (known is not None and f.name not in known)
                ]  # fmt: skip
                todo = kept_or_new if ingested else []
            if todo:
                report = ingest_paths(self, todo, starter=True, progress=progress)
            marker = {"at": datetime.now(timezone.utc).isoformat(), "fingerprint": current,
                      "ingested": ingested, "files": [f.name for f in files]}  # fmt: skip
            with self.writer() as writer:
                writer.set_marker(STARTER_ID, json.dumps(marker))
            self._starter_done = True
            return report

    def remove(self, doc_id: str) -> DocumentMeta:
        """Remove a document (id or unique prefix) and its chunks."""
        doc = self.get(doc_id)
        with self.writer() as writer:
            writer.remove([doc.doc_id])
        return doc

    # Reading -----------------------------------------------------------------------------
    def _refresh(self, rebuild_bm25: bool = False) -> None:
        """Reload catalogue (and drop the BM25 index) if another commit happened."""
        generation = self.store.markers().get(GENERATION_ID, "")
        if generation != self._generation:
            self._catalogue = self.store.read_catalogue()
            self._generation = generation
            if self._bm25 is not None and self._bm25.generation != generation:
                self._bm25 = None
        if rebuild_bm25:
            self._lexical()

    def vocabulary(self) -> frozenset[str]:
        """Every word the library's lexical index knows (lower case, stop words aside): tells
        an agent whether the library speaks of a topic at all."""
        self.ensure_starter()
        with self._lock:
            self._refresh()
            return self._lexical().vocabulary

    def _lexical(self) -> Bm25Index:
        generation = self._generation or ""
        if self._bm25 is None or self._bm25.generation != generation:
            index = Bm25Index.load(self.bm25_dir, generation) if generation else None
            if index is None:
                visible = set(self._catalogue)
                stored = self.store.existing_chunks()
                every = self.store.all_chunks(stored) if stored is not None else []
                chunks = [c for c in every if c.doc_id in visible]
                titles = {d.doc_id: d.title for d in self._catalogue.values()}
                keywords = {d.doc_id: d.keywords for d in self._catalogue.values()}
                index = Bm25Index.build(chunks, titles, generation, keywords)
                if generation:
                    with contextlib.suppress(OSError):  # a read-only data dir still searches
                        index.save(self.bm25_dir)
            self._bm25 = index
        return self._bm25

    def documents(self) -> list[DocumentMeta]:
        """Every visible document, sorted by title."""
        self.ensure_starter()
        with self._lock:
            self._refresh()
            return list(self._catalogue.values())

    def get(self, doc_id: str) -> DocumentMeta:
        """One document by id or unique id prefix."""
        self.ensure_starter()
        with self._lock:
            self._refresh()
            return _resolve(self._catalogue, doc_id)

    def stats(self) -> LibraryStats:
        docs = self.documents()
        stored = self.store.stored_embedder()
        name, dim = stored if stored else (self.settings.library.embedder, None)
        return LibraryStats(
            documents=len(docs),
            chunks=sum(d.n_chunks for d in docs),
            pages=sum(d.pages or 0 for d in docs),
            embedder=name,
            dimension=dim,
            backend=self.store.where,
            collection=self.store.name,
            starter_ingested=STARTER_ID in self.store.markers(),
        )

    def search(
        self,
        query: str,
        k: int | None = None,
        *,
        filters: SearchFilters | dict[str, Any] | None = None,
        mode: str | None = None,
        per_document: int | None = None,
    ) -> list[Passage]:
        """The k best passages for a query: dense + BM25 fused by reciprocal rank, at most
        `per_document` (default `retrieval.per_document`; 0 = no limit) from one document
        before any document's next passage.

        `Passage.similarity` is the cosine similarity of query and chunk embeddings for every
        hit, whichever retriever found it; `score` is the fused (or single-retriever) score, so
        a document's second passage, listed after other documents' first, may outscore them.
        """
        retrieval = self.settings.retrieval
        k = k or retrieval.k
        mode = mode or retrieval.mode
        if mode not in SEARCH_MODES:
            raise UnknownNameError("search mode", mode, SEARCH_MODES)
        if not query or not query.strip():
            raise ConfigError("the query is empty", hint="pass some words to search for")
        if isinstance(filters, dict):
            filters = SearchFilters(**filters)
        self.ensure_starter()
        with self._lock:
            self._refresh()
            catalogue = self._catalogue
            allowed = _allowed(catalogue, filters)
            if not catalogue or (allowed is not None and not allowed):
                return []
            n = max(retrieval.candidates, k)
            vector = self.embedder.embed_query(query)
            collection = self.collection()
            similarity: dict[str, float] = {}
            chunks: dict[str, Chunk] = {}
            dense_ids: list[str] = []
            lexical: list[tuple[Chunk, float]] = []
            if mode in ("hybrid", "dense"):
                doc_ids = sorted(allowed) if allowed is not None else None
                for chunk, sim in self.store.query(collection, vector, n, doc_ids):
                    if chunk.doc_id in catalogue:  # a killed ingest's chunks stay invisible
                        chunks[chunk.chunk_id] = chunk
                        similarity[chunk.chunk_id] = sim
                        dense_ids.append(chunk.chunk_id)
            if mode in ("hybrid", "bm25"):
                lexical = self._lexical().search(query, n, allowed)
                for chunk, _ in lexical:
                    chunks.setdefault(chunk.chunk_id, chunk)
            if mode == "dense":
                ranked = [(cid, similarity[cid]) for cid in dense_ids]
            elif mode == "bm25":
                ranked = [(c.chunk_id, s) for c, s in lexical]
            else:
                ranked = reciprocal_rank_fusion(
                    [dense_ids, [c.chunk_id for c, _ in lexical]],
                    k=retrieval.rrf_k,
                    weights=[1.0, retrieval.bm25_weight],
                )
            doc_of = {cid: chunk.doc_id for cid, chunk in chunks.items()}
            spread = retrieval.per_document if per_document is None else per_document
            ranked = diversify(ranked, doc_of, spread)[:k]
            missing = [cid for cid, _ in ranked if cid not in similarity]
            for cid, emb in self.store.embeddings(collection, missing).items():
                similarity[cid] = _cosine(vector, emb)
            return [
                _passage(chunks[cid], catalogue[chunks[cid].doc_id], score, similarity.get(cid))
                for cid, score in ranked
            ]


class LibraryWriter:
    """What the ingest pipeline writes through; only exists inside `Library.writer()`."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.store = library.store
        self.changed = False
        snapshot = self.store.read_snapshot()
        # A snapshot means the last writer finished cleanly: no debris, and no need to open
        # Chroma until something is written.
        self.from_snapshot = snapshot is not None
        self._existing: Any = None
        if snapshot is not None:
            self.catalogue = snapshot.catalogue()
            return
        self.catalogue = self.store.read_catalogue()
        # Deleting needs no embedder; adding checks it (and loads it) on first use.
        self._existing = self.store.existing_chunks()
        if self.store.embedded and self._existing is not None:
            # we hold the lock: chunks without a catalogue record are a killed run's debris
            self.store.purge_orphans(self._existing, self.catalogue)

    def _changing(self) -> None:
        if not self.changed:
            self.store.drop_snapshot()  # a crash from here on must not leave a stale one
            self.changed = True

    @property
    def collection(self) -> Any:
        """The chunk collection, created or checked against this library's embedder."""
        return self.library.collection()

    @property
    def embedder(self) -> Embedder | Any:
        return self.library.embedder

    def by_source(self, source: str) -> list[DocumentMeta]:
        return [d for d in self.catalogue.values() if d.source == source]

    def add(
        self, doc: DocumentMeta, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]
    ) -> None:
        """Store a document's chunks, then commit its catalogue record (visible from then on)."""
        if len(chunks) != len(embeddings):
            raise LibraryError(f"{len(chunks)} chunks but {len(embeddings)} embeddings")
        doc = doc.model_copy(
            update={"n_chunks": len(chunks), "ingested_at": datetime.now(timezone.utc)}
        )
        self._changing()
        self.store.delete_chunks(self.collection, [doc.doc_id])  # debris of an earlier attempt
        self.store.add_chunks(self.collection, chunks, embeddings, doc)
        self.store.commit_document(doc)
        self.catalogue[doc.doc_id] = doc

    def update(self, doc: DocumentMeta) -> None:
        """Replace a stored document's bibliographic record; its chunks and vectors stay.

        The vectors keep the title they were embedded with; search shows the new record.
        """
        if doc.doc_id not in self.catalogue:
            raise LibraryError(f"no document {doc.doc_id} to update")
        self._changing()
        collection = self.store.existing_chunks()
        if collection is not None:
            self.store.update_bibliography(collection, doc)
        self.store.commit_document(doc)
        self.catalogue[doc.doc_id] = doc

    def set_marker(self, marker_id: str, value: str) -> None:
        self._changing()
        self.store.set_marker(marker_id, value)

    def remove(self, doc_ids: Sequence[str]) -> None:
        """Hide documents first, then delete their chunks (a crash between leaves debris only)."""
        doc_ids = [d for d in doc_ids if d in self.catalogue]
        if not doc_ids:
            return
        self._changing()
        self.store.uncommit_documents(doc_ids)
        self._existing = self._existing or self.store.existing_chunks()
        if self._existing is not None:
            self.store.delete_chunks(self._existing, doc_ids)
        for doc_id in doc_ids:
            self.catalogue.pop(doc_id, None)


# Helpers ---------------------------------------------------------------------------------


def _resolve(catalogue: dict[str, DocumentMeta], doc_id: str) -> DocumentMeta:
    doc_id = doc_id.strip().lower()
    if doc_id in catalogue:
        return catalogue[doc_id]
    matches = [d for key, d in catalogue.items() if doc_id and key.startswith(doc_id)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise LibraryError(
            f"document id prefix {doc_id!r} matches {len(matches)} documents",
            hint="give more characters of the id: " + ", ".join(d.doc_id for d in matches[:5]),
        )
    raise LibraryError(
        f"no document with id {doc_id!r} in the library",
        hint="list the ids with `fitcoach library list`",
    )


def _allowed(catalogue: dict[str, DocumentMeta], filters: SearchFilters | None) -> set[str] | None:
    """Document ids passing the filters; None when there are no filters."""
    if filters is None or not filters.model_dump(exclude_none=True):
        return None
    docs = catalogue.values()
    if filters.doc_id is not None:
        wanted: set[str] = set()
        for prefix in filters.doc_id:
            with contextlib.suppress(LibraryError):  # an unknown id simply matches nothing
                wanted.add(_resolve(catalogue, prefix).doc_id)
        docs = [d for d in docs if d.doc_id in wanted]
    return {d.doc_id for d in docs if filters.matches(d)}


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def _passage(chunk: Chunk, doc: DocumentMeta, score: float, similarity: float | None) -> Passage:
    return Passage(
        chunk_id=chunk.chunk_id,
        doc_id=doc.doc_id,
        title=doc.title,
        authors=doc.authors,
        year=doc.year,
        journal=doc.journal,
        doi=doc.doi,
        source=doc.source,
        page_start=chunk.page_start,
        page_end=chunk.page_end,
        section=chunk.section,
        text=chunk.text,
        score=float(score),
        similarity=None if similarity is None else max(0.0, min(1.0, float(similarity))),
    )
