"""The ingest pipeline: files -> documents -> chunks -> embeddings -> the library, one file at a time.

A document's id is the hash of its bytes, so an unchanged file costs one hash and no
embedding; the same bytes under another name are skipped; a changed file replaces the
document previously ingested from its path. One bad file never stops the batch: it is
reported with a reason and a fix. Chunks from several small files are embedded in one batch,
then each document is committed on its own, so a killed run loses at most the uncommitted
documents, which the next run cleans up and redoes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fitcoach.errors import IngestError
from fitcoach.ingest.chunking import chunk_blocks
from fitcoach.ingest.metadata import Manifest, MetaGuess, guess_from_mapping, load_manifest
from fitcoach.ingest.readers import READERS, read_document, reader_for
from fitcoach.knowledge.retrieval import embedding_text
from fitcoach.knowledge.types import (
    Chunk,
    DocumentMeta,
    IngestEvent,
    IngestFileResult,
    IngestReport,
)

if TYPE_CHECKING:
    from fitcoach.knowledge.library import Library, LibraryWriter

# Embed once this many chunks are waiting: big enough to keep the model busy, small enough
# that a kill loses little work.
EMBED_BATCH = 256
DOC_ID_CHARS = 16  # of the SHA-256 hex digest: 64 bits, ample for a personal library


def content_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:DOC_ID_CHARS]


def expand_paths(paths: Sequence[Path], recursive: bool) -> list[Path]:
    """Files named directly, plus the supported files inside named folders (sorted, no dot-files).

    A missing path or an unsupported file named directly is kept, to be reported as failed.
    """
    files: list[Path] = []
    seen: set[Path] = set()
    for path in paths:
        path = path.expanduser()
        if path.is_dir():
            pattern = path.rglob("*") if recursive else path.glob("*")
            found = sorted(
                p
                for p in pattern
                if p.is_file()
                and p.suffix.lower() in READERS
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            found = [path]
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                files.append(file)
    return files


class _Pending:
    """A parsed document waiting for its embeddings."""

    def __init__(self, slot: int, doc: DocumentMeta, chunks: list[Chunk], texts: list[str]):
        self.slot, self.doc, self.chunks, self.texts = slot, doc, chunks, texts


def ingest_paths(
    library: Library,
    paths: Sequence[Path],
    *,
    recursive: bool = False,
    manifest: str | Path | Manifest | None = None,
    password: str | None = None,
    overrides: MetaGuess | dict[str, Any] | None = None,
    progress: Callable[[IngestEvent], None] | None = None,
    starter: bool = False,
) -> IngestReport:
    """Ingest files and folders into `library`; see the module docstring for the guarantees."""
    import time

    started = time.perf_counter()
    notify = progress or (lambda event: None)
    if manifest is not None and not isinstance(manifest, Manifest):
        manifest = load_manifest(manifest)
    if isinstance(overrides, dict):
        overrides = guess_from_mapping(overrides)
    files = expand_paths(paths, recursive)
    results: list[IngestFileResult | None] = [None] * len(files)
    report = IngestReport()
    notify(IngestEvent(stage="start", total=len(files)))

    with library.writer() as writer:
        pending: list[_Pending] = []
        claimed: dict[str, str] = {}  # doc id -> source, for documents read but not yet committed

        def flush() -> None:
            texts = [t for p in pending for t in p.texts]
            vectors = writer.embedder.embed(texts) if texts else []
            report.embedded_chunks += len(texts)
            offset = 0
            for item in pending:
                n = len(item.chunks)
                writer.add(item.doc, item.chunks, vectors[offset : offset + n])
                offset += n
                replaced = _replace_older(writer, item.doc)
                result = results[item.slot]
                assert result is not None
                results[item.slot] = result.model_copy(
                    update={
                        "status": "added",
                        "reason": "replaced" if replaced else "new",
                        "message": None,
                        "hint": None,
                    }
                )
                notify(
                    IngestEvent(
                        stage="committed",
                        path=result.path,
                        doc_id=item.doc.doc_id,
                        total=len(files),
                        done=item.slot + 1,
                    )
                )
            pending.clear()
            claimed.clear()

        for slot, path in enumerate(files):
            source = f"starter:{path.name}" if starter else str(path.resolve())
            try:
                result, item = _prepare(
                    writer, path, source, slot, manifest, overrides, password, library, claimed
                )
            except IngestError as exc:
                result, item = _failed(path, exc.reason, exc.message, exc.hint), None
            except Exception as exc:  # a reader bug must not cost the user the whole batch
                result = _failed(
                    path,
                    "error",
                    f"{path.name}: unexpected {type(exc).__name__}: {exc}",
                    "report this file to the fitcoach developers",
                )
                item = None
            results[slot] = result
            notify(IngestEvent(stage="read", path=str(path), total=len(files), done=slot + 1))
            if item is not None:
                pending.append(item)
                claimed[item.doc.doc_id] = source
                if sum(len(p.chunks) for p in pending) >= EMBED_BATCH:
                    flush()
        flush()

    report.files = [r for r in results if r is not None]
    report.seconds = round(time.perf_counter() - started, 3)
    notify(IngestEvent(stage="done", total=len(files), done=len(files)))
    return report


def _quiet_length_warning(embedder: Any) -> None:
    # We count tokens of whole sentences on purpose (to split them); the tokenizer's warning
    # that a text is longer than the model accepts is expected here and only alarms users.
    tokenizer = getattr(embedder, "tokenizer", None)
    warned = getattr(tokenizer, "deprecation_warnings", None)
    if isinstance(warned, dict):
        warned["sequence-length-is-longer-than-the-specified-maximum"] = True


def _failed(path: Path, reason: str, message: str, hint: str | None) -> IngestFileResult:
    return IngestFileResult(
        path=str(path), status="failed", reason=reason, message=message, hint=hint
    )


def _replace_older(writer: LibraryWriter, doc: DocumentMeta) -> bool:
    """A changed file replaces what was ingested from the same path before."""
    older = [d.doc_id for d in writer.by_source(doc.source) if d.doc_id != doc.doc_id]
    writer.remove(older)
    return bool(older)


def _apply_metadata(doc: DocumentMeta, given: MetaGuess) -> tuple[DocumentMeta, list[str]]:
    """The record with the fields the user gave replaced, and the names of those that changed."""
    wanted = {k: v for k, v in given.model_dump().items() if v is not None}
    changed = [k for k, v in wanted.items() if getattr(doc, k) != v]
    if not changed:
        return doc, []
    return DocumentMeta.model_validate({**doc.model_dump(), **wanted}), changed


def _prepare(
    writer: LibraryWriter,
    path: Path,
    source: str,
    slot: int,
    manifest: Manifest | None,
    overrides: MetaGuess | None,
    password: str | None,
    library: Library,
    claimed: dict[str, str],
) -> tuple[IngestFileResult, _Pending | None]:
    """Hash, dedup, read and chunk one file; the result says 'added' only after commit."""
    if not path.exists():
        raise IngestError("missing", f"{path} does not exist", hint="check the path")
    if path.is_dir():
        raise IngestError(
            "folder", f"{path} is a folder", hint="pass --recursive to ingest folders"
        )
    reader_for(path)  # an unsupported type fails before the file is even read
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(
            "unreadable", f"cannot read {path}: {exc.strerror}", hint="check the file's permissions"
        ) from None
    if not data.strip():
        raise IngestError("empty", f"{path.name} is empty", hint="check the file")
    doc_id = content_id(data)
    if doc_id in claimed:
        return (
            IngestFileResult(
                path=str(path),
                status="skipped",
                reason="duplicate",
                message=f"same content as {claimed[doc_id]}, ingested in this run",
                doc_id=doc_id,
            ),
            None,
        )
    given = (manifest.lookup(path) if manifest is not None else MetaGuess()) or MetaGuess()
    given = given.merged(overrides)
    existing = writer.catalogue.get(doc_id)
    if existing is not None:
        older = [d.doc_id for d in writer.by_source(source) if d.doc_id != doc_id]
        writer.remove(older)  # this path's previous content is superseded
        same = existing.source == source
        updated, changed = _apply_metadata(existing, given)
        if changed:  # new flags or manifest values: the record changes, the vectors stay
            writer.update(updated)
            return (
                IngestFileResult(
                    path=str(path),
                    status="updated",
                    reason="metadata",
                    message="changed " + ", ".join(changed),
                    doc_id=doc_id,
                    title=updated.title,
                    chunks=updated.n_chunks,
                    pages=updated.pages,
                ),
                None,
            )
        return (
            IngestFileResult(
                path=str(path),
                status="skipped",
                reason="unchanged" if same else "duplicate",
                message=None if same else f"already in the library as {existing.source}",
                doc_id=doc_id,
                title=existing.title,
                chunks=existing.n_chunks,
                pages=existing.pages,
                quarantined=len(existing.quarantined),
            ),
            None,
        )

    parsed = read_document(path, data, password)
    guess = parsed.meta.merged(given)
    title = guess.title or path.stem.replace("_", " ").replace("-", " ")
    keywords = guess.keywords or []
    _quiet_length_warning(writer.embedder)  # the embedder loads here, for the first new file
    drafts = chunk_blocks(
        parsed.blocks,
        writer.embedder.count_tokens_batch,
        limit=library.chunk_limit,
        overlap=library.settings.library.chunk_overlap,
        wrap=lambda section, text: embedding_text(title, section, text, keywords),
    )
    if not drafts:
        raise IngestError(
            "no_text",
            f"{path.name}: no text to index",
            hint="check that the file has text in it (a scanned PDF needs OCR, e.g. ocrmypdf)",
        )
    doc = DocumentMeta(
        doc_id=doc_id,
        title=title,
        authors=guess.authors or [],
        year=guess.year,
        journal=guess.journal,
        doi=guess.doi,
        source=source,
        keywords=keywords,
        pages=parsed.pages,
        n_chunks=len(drafts),
        quarantined=parsed.quarantined,
    )
    chunks = [
        Chunk(
            chunk_id=f"{doc_id}-{i:05d}",
            doc_id=doc_id,
            index=i,
            text=d.text,
            page_start=d.page_start,
            page_end=d.page_end,
            section=d.section,
        )
        for i, d in enumerate(drafts)
    ]
    texts = [embedding_text(title, c.section, c.text, keywords) for c in chunks]
    result = IngestFileResult(
        path=str(path),
        status="failed",  # until the document is committed
        reason="not_committed",
        message="the run stopped before this document was stored",
        hint="ingest again",
        doc_id=doc_id,
        title=title,
        chunks=len(chunks),
        pages=parsed.pages,
        quarantined=len(parsed.quarantined),
    )
    return result, _Pending(slot, doc, chunks, texts)
