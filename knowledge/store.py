"""The Chroma side of a library: a chunk collection and a catalogue collection beside it.

The catalogue holds one record per document (its `DocumentMeta`) and lives in Chroma too, so
a library shared through a `chroma run` server shares its catalogue. A document is visible
only once its catalogue record exists: chunks are written first, the record last. A
`generation` marker changes on every commit, so readers know when to reload.
Embeddings are always computed by fitcoach and passed in; Chroma's own (downloading)
embedding function is never used.

An embedded library also keeps a snapshot of its catalogue and markers in a JSON file beside
Chroma, so that a command with nothing to write (re-ingesting unchanged files) never has to
import Chroma at all. Every writer holds the library's file lock and deletes the snapshot
before its first change, and writes a fresh one when done; a killed writer leaves none, and
the next run reads Chroma itself.
"""

from __future__ import annotations

import contextlib
import functools
import os
import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict

from fitcoach.errors import LibraryError

from .types import Chunk, DocumentMeta

if TYPE_CHECKING:
    from fitcoach.settings import Settings

GENERATION_ID = "__generation__"
STARTER_ID = "__starter__"
_BATCH = 2000  # rows per Chroma call; below every backend's max batch size


@functools.lru_cache(maxsize=1)
def _embedding_function_class() -> Any:
    """Chroma's view of our embedder: a named, registered class that refuses to embed.

    Creating collections with it stops Chroma from instantiating its default (which downloads
    a model); registering it lets any process reopen the collection without a warning. We
    always hand Chroma precomputed vectors, so being called means a bug.
    """
    from chromadb.api.types import EmbeddingFunction
    from chromadb.utils.embedding_functions import register_embedding_function

    class FitcoachEmbeddings(EmbeddingFunction):  # type: ignore[type-arg]
        def __init__(self, embedder: str = "?", dimension: int = 0) -> None:
            self.embedder = embedder
            self.dimension = dimension

        def __call__(self, input: Any) -> Any:  # noqa: A002 - Chroma's signature
            raise LibraryError(
                "internal error: Chroma asked to embed text itself",
                hint="report this bug; fitcoach always passes embeddings",
            )

        @staticmethod
        def name() -> str:
            return "fitcoach"

        def get_config(self) -> dict[str, Any]:
            return {"embedder": self.embedder, "dimension": self.dimension}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> FitcoachEmbeddings:
            return FitcoachEmbeddings(
                str(config.get("embedder", "?")), int(config.get("dimension", 0))
            )

        def is_legacy(self) -> bool:
            return False

    register_embedding_function(FitcoachEmbeddings)
    return FitcoachEmbeddings


def _embedding_function(name: str, dimension: int) -> Any:
    return _embedding_function_class()(name, dimension)


def _chunk_metadata(chunk: Chunk, doc: DocumentMeta) -> dict[str, str | int]:
    # Chroma metadata cannot hold None: -1 and "" stand for "unknown".
    return {
        "doc_id": chunk.doc_id,
        "index": chunk.index,
        "page_start": -1 if chunk.page_start is None else chunk.page_start,
        "page_end": -1 if chunk.page_end is None else chunk.page_end,
        "section": chunk.section or "",
        "title": doc.title,
        "authors": "; ".join(doc.authors),
        "year": -1 if doc.year is None else doc.year,
        "doi": doc.doi or "",
        "journal": doc.journal or "",
        "source": doc.source,
    }


def chunk_from_record(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    def opt(value: Any) -> int | None:
        return None if value is None or int(value) < 0 else int(value)

    return Chunk(
        chunk_id=chunk_id,
        doc_id=str(meta["doc_id"]),
        index=int(meta.get("index", 0)),
        text=text,
        page_start=opt(meta.get("page_start")),
        page_end=opt(meta.get("page_end")),
        section=meta.get("section") or None,
    )


class Snapshot(BaseModel):
    """What an embedded library's catalogue held when its last writer finished."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    markers: dict[str, str]
    documents: list[DocumentMeta]

    def catalogue(self) -> dict[str, DocumentMeta]:
        return {d.doc_id: d for d in self.documents}


class ChromaStore:
    """Chunks and catalogue of one library, embedded (PersistentClient) or on a server."""

    def __init__(self, settings: Settings, url: str | None = None) -> None:
        self.url = url if url is not None else settings.library.chroma_url
        self.path = settings.library_dir / "chroma"
        self.name = settings.library.collection
        self.snapshot_path = settings.library_dir / f"catalogue-{self.name}.json"
        self._client: Any = None
        self._chunks: Any = None
        self._catalogue: Any = None

    @property
    def embedded(self) -> bool:
        return not self.url

    @property
    def connected(self) -> bool:
        """Whether Chroma has been opened in this process (it is imported only then)."""
        return self._client is not None

    @property
    def where(self) -> str:
        return f"server {self.url}" if self.url else f"embedded {self.path}"

    # Connection --------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        if self._client is None:
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chroma_settings = ChromaSettings(anonymized_telemetry=False)
            if self.url:
                parsed = urlparse(self.url if "://" in self.url else f"http://{self.url}")
                try:
                    self._client = chromadb.HttpClient(
                        host=parsed.hostname or "localhost",
                        port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                        ssl=parsed.scheme == "https",
                        settings=chroma_settings,
                    )
                except Exception as exc:
                    raise LibraryError(
                        f"cannot reach the Chroma server at {self.url}: {exc}",
                        hint="start it with `chroma run --path DIR --host HOST --port PORT`, or "
                        "unset library.chroma_url to use the embedded library",
                    ) from None
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(
                    path=str(self.path), settings=chroma_settings
                )
        return self._client

    def _get_or_create(self, name: str, metadata: dict[str, Any], ef: Any) -> Any:
        from chromadb.errors import NotFoundError

        _embedding_function_class()  # registered before Chroma reads a stored config

        try:  # open without an embedding function: Chroma then builds none (and fetches none)
            return self.client.get_collection(name, embedding_function=None)
        except NotFoundError:
            pass
        except ValueError as exc:  # older clients say "does not exist" with a ValueError
            if "does not exist" not in str(exc):
                raise
        try:
            return self.client.create_collection(
                name,
                metadata=metadata,
                embedding_function=ef,
                configuration={"hnsw": {"space": "cosine"}},
            )
        except Exception:  # another process created it first
            return self.client.get_collection(name, embedding_function=None)

    def chunks(self, embedder: str, dimension: int) -> Any:
        """The chunk collection, created for this embedder, or checked against it."""
        if self._chunks is None:
            ef = _embedding_function(embedder, dimension)
            collection = self._get_or_create(
                self.name, {"embedder": embedder, "dimension": dimension}, ef
            )
            meta = collection.metadata or {}
            stored = (meta.get("embedder"), meta.get("dimension"))
            if stored != (embedder, dimension):
                raise LibraryError(
                    f"the library ({self.where}, collection {self.name!r}) was built with "
                    f"embedder {stored[0]!r} ({stored[1]}-d), not {embedder!r} ({dimension}-d); "
                    "vectors from two embedders cannot be mixed",
                    hint=f"set library.embedder to {stored[0]!r}, or choose another collection "
                    "(FITCOACH_LIBRARY__COLLECTION) and ingest again",
                )
            self._chunks = collection
        return self._chunks

    def existing_chunks(self) -> Any | None:
        """The chunk collection without the embedder check (for reads and deletes), or None."""
        if self._chunks is not None:
            return self._chunks
        _embedding_function_class()
        try:
            return self.client.get_collection(self.name, embedding_function=None)
        except Exception:
            return None

    def stored_embedder(self) -> tuple[str, int] | None:
        """(embedder, dimension) the chunk collection was made for, or None if it does not exist."""
        _embedding_function_class()
        try:
            collection = self.client.get_collection(self.name, embedding_function=None)
        except Exception:
            return None
        meta = collection.metadata or {}
        return str(meta.get("embedder")), int(meta.get("dimension") or 0)

    @property
    def catalogue(self) -> Any:
        if self._catalogue is None:
            self._catalogue = self._get_or_create(
                f"{self.name}-catalogue",
                {"role": "fitcoach catalogue"},
                _embedding_function("none", 1),
            )
        return self._catalogue

    # Snapshot ----------------------------------------------------------------------------
    def read_snapshot(self) -> Snapshot | None:
        """The last writer's snapshot (embedded libraries only), or None to read Chroma."""
        if not self.embedded or not (self.path / "chroma.sqlite3").is_file():
            return None  # (a library folder deleted by hand must not be remembered)
        try:
            return Snapshot.model_validate_json(self.snapshot_path.read_bytes())
        except (OSError, ValueError):  # absent, half-written by a crash, or from another version
            return None

    def write_snapshot(self, catalogue: dict[str, DocumentMeta]) -> None:
        """Record the catalogue and markers; call only while holding the write lock."""
        if not self.embedded:
            return
        snapshot = Snapshot(markers=self.markers(), documents=list(catalogue.values()))
        tmp = self.snapshot_path.with_suffix(f".{os.getpid()}.tmp")
        with contextlib.suppress(OSError):  # a read-only data dir simply has no snapshot
            tmp.write_text(snapshot.model_dump_json(), encoding="utf-8")
            os.replace(tmp, self.snapshot_path)

    def drop_snapshot(self) -> None:
        """Forget the snapshot before changing the library (under the write lock)."""
        with contextlib.suppress(FileNotFoundError):
            self.snapshot_path.unlink()

    # Catalogue ---------------------------------------------------------------------------
    def read_catalogue(self) -> dict[str, DocumentMeta]:
        rows = self.catalogue.get(where={"kind": "doc"}, include=["documents"])
        docs = [DocumentMeta.model_validate_json(text) for text in rows["documents"] or []]
        return {d.doc_id: d for d in sorted(docs, key=lambda d: (d.title.lower(), d.doc_id))}

    def markers(self) -> dict[str, str]:
        """Marker records by id (generation, starter), one round trip."""
        rows = self.catalogue.get(ids=[GENERATION_ID, STARTER_ID], include=["documents"])
        return dict(zip(rows["ids"], rows["documents"] or [], strict=True))

    def _upsert(self, ids: list[str], documents: list[str], kinds: list[str]) -> None:
        self.catalogue.upsert(
            ids=ids,
            documents=documents,
            metadatas=[{"kind": k} for k in kinds],
            embeddings=[[1.0]] * len(ids),
        )

    def commit_document(self, doc: DocumentMeta) -> None:
        """Make a document visible (its chunks must already be stored)."""
        self._upsert(
            [doc.doc_id, GENERATION_ID],
            [doc.model_dump_json(), uuid.uuid4().hex],
            ["doc", "marker"],
        )

    def uncommit_documents(self, doc_ids: Sequence[str]) -> None:
        """Hide documents (their chunks are deleted afterwards)."""
        if doc_ids:
            self.catalogue.delete(ids=list(doc_ids))
            self._upsert([GENERATION_ID], [uuid.uuid4().hex], ["marker"])

    def set_marker(self, marker_id: str, value: str) -> None:
        self._upsert([marker_id], [value], ["marker"])

    # Chunks ------------------------------------------------------------------------------
    def add_chunks(
        self,
        collection: Any,
        chunks: Sequence[Chunk],
        embeddings: Sequence[Sequence[float]],
        doc: DocumentMeta,
    ) -> None:
        for start in range(0, len(chunks), _BATCH):
            part = chunks[start : start + _BATCH]
            collection.upsert(
                ids=[c.chunk_id for c in part],
                documents=[c.text for c in part],
                embeddings=[list(e) for e in embeddings[start : start + _BATCH]],
                metadatas=[_chunk_metadata(c, doc) for c in part],
            )

    def update_bibliography(self, collection: Any, doc: DocumentMeta) -> None:
        """Rewrite the bibliographic fields stored with a document's chunks (no re-embedding)."""
        rows = collection.get(where={"doc_id": doc.doc_id}, include=["metadatas", "documents"])
        ids = rows["ids"]
        metas = [
            _chunk_metadata(chunk_from_record(i, t or "", m or {}), doc)
            for i, t, m in zip(ids, rows["documents"], rows["metadatas"], strict=True)
        ]
        for start in range(0, len(ids), _BATCH):
            collection.update(
                ids=ids[start : start + _BATCH], metadatas=metas[start : start + _BATCH]
            )

    def delete_chunks(self, collection: Any, doc_ids: Iterable[str]) -> None:
        ids = list(doc_ids)
        if ids:
            collection.delete(where={"doc_id": {"$in": ids}})

    def purge_orphans(self, collection: Any, visible: Iterable[str]) -> int:
        """Delete chunks of documents without a catalogue record (left by a killed ingest)."""
        visible = list(visible)
        where = {"doc_id": {"$nin": visible}} if visible else None
        rows = collection.get(where=where, include=[])
        ids = rows["ids"]
        for start in range(0, len(ids), _BATCH):
            collection.delete(ids=ids[start : start + _BATCH])
        return len(ids)

    def all_chunks(self, collection: Any) -> list[Chunk]:
        """Every stored chunk (for building the lexical index), in a stable order."""
        total = collection.count()
        chunks: list[Chunk] = []
        for offset in range(0, total, _BATCH):
            rows = collection.get(include=["documents", "metadatas"], limit=_BATCH, offset=offset)
            chunks.extend(
                chunk_from_record(i, t or "", m or {})
                for i, t, m in zip(rows["ids"], rows["documents"], rows["metadatas"], strict=True)
            )
        chunks.sort(key=lambda c: (c.doc_id, c.index))
        return chunks

    def query(
        self,
        collection: Any,
        embedding: Sequence[float],
        n: int,
        doc_ids: Sequence[str] | None,
    ) -> list[tuple[Chunk, float]]:
        """Nearest chunks with their cosine similarity, optionally within some documents."""
        if n <= 0:
            return []
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids is not None else None
        rows = collection.query(  # n above the collection's size just returns fewer rows
            query_embeddings=[list(embedding)],
            n_results=n,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        return [
            (chunk_from_record(i, t or "", m or {}), 1.0 - float(d))
            for i, t, m, d in zip(
                rows["ids"][0],
                rows["documents"][0],
                rows["metadatas"][0],
                rows["distances"][0],
                strict=False,
            )
        ]

    def embeddings(self, collection: Any, ids: Sequence[str]) -> dict[str, list[float]]:
        if not ids:
            return {}
        rows = collection.get(ids=list(ids), include=["embeddings"])
        return {
            i: list(map(float, e)) for i, e in zip(rows["ids"], rows["embeddings"], strict=True)
        }
