"""The typed chain of evidence: Document → Chunk → Passage (a search hit that cites a page)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from fitcoach.ingest.document import QuarantinedSentence
from fitcoach.ingest.sections import FINDING_SECTIONS
from fitcoach.text import cite_authors, normalize_doi


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Bibliography(_Model):
    """Who wrote what, where: the one bibliographic record that a document, a passage, the
    evidence shown to a model and a citation all carry (by inheritance, never copied by hand)."""

    doc_id: str = Field(description="Hash of the document's content (stable across renames).")
    title: str
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    doi: str | None = None

    @field_validator("doi")
    @classmethod
    def _doi(cls, value: str | None) -> str | None:
        return normalize_doi(value)

    def bibliography(self) -> dict[str, object]:
        """The record's own fields, to build another record from it."""
        return {name: getattr(self, name) for name in Bibliography.model_fields}

    @property
    def short_reference(self) -> str:
        """'Jäger R et al. 2017' — the one way fitcoach names a source in text."""
        who = cite_authors(self.authors) or self.title[:60]
        return f"{who} {self.year}" if self.year else who


class DocumentMeta(Bibliography):
    """One ingested document: its bibliographic record plus where it came from."""

    source: str = Field(description="Where it was ingested from (path or `starter:<file>`).")
    keywords: list[str] = Field(
        default_factory=list,
        description="Subject keywords (a Markdown note's `topics` or `keywords`, a manifest's "
        "`keywords`); they head each chunk as embedded and as indexed for BM25.",
    )
    pages: int | None = Field(None, description="Page count (PDF) or None.")
    n_chunks: int = 0
    ingested_at: datetime | None = None
    quarantined: list[QuarantinedSentence] = Field(
        default_factory=list,
        description="Text kept out of the index: instructions aimed at an AI, invisible PDF "
        "text, Markdown comments, with reason and page.",
    )


class Chunk(_Model):
    """A retrievable piece of a document, small enough to embed without truncation."""

    chunk_id: str
    doc_id: str
    index: int
    text: str
    page_start: int | None = None
    page_end: int | None = None
    section: str | None = Field(
        None,
        description="PDFs: the canonical section (abstract, introduction, methods, results, "
        "discussion, conclusion, practical applications, body); Markdown: its `##` heading.",
    )


class Passage(Bibliography):
    """A search hit: a chunk with the bibliographic record needed to cite it."""

    chunk_id: str
    source: str = ""
    page_start: int | None = None
    page_end: int | None = None
    section: str | None = None
    text: str
    score: float = Field(0.0, description="Fused rank score (higher is better).")
    similarity: float | None = Field(
        None, description="Cosine similarity of query and chunk embeddings, when dense ran."
    )

    @property
    def finding(self) -> bool:
        """Whether the passage reports what a paper found (abstract, results, discussion,
        conclusion, practical applications) rather than its background or methods."""
        return self.section in FINDING_SECTIONS

    @property
    def pages(self) -> str | None:
        """'3', '3-4' or None (Markdown and text have no pages)."""
        if self.page_start is None:
            return None
        if self.page_end is None or self.page_end == self.page_start:
            return str(self.page_start)
        return f"{self.page_start}-{self.page_end}"


class SearchFilters(_Model):
    """Metadata filters for a search; every field set must match (AND)."""

    year: int | None = Field(None, description="Exact publication year.")
    year_min: int | None = Field(None, description="Earliest publication year, inclusive.")
    year_max: int | None = Field(None, description="Latest publication year, inclusive.")
    doi: list[str] | None = Field(None, description="Only these DOIs (normalised on input).")
    doc_id: list[str] | None = Field(None, description="Only these documents (ids or prefixes).")

    @field_validator("doi", "doc_id", mode="before")
    @classmethod
    def _listify(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("doi")
    @classmethod
    def _dois(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [d for d in map(normalize_doi, value) if d]

    def matches(self, doc: DocumentMeta) -> bool:
        """Whether a document passes the bibliographic filters (doc ids are resolved by the caller)."""
        if self.year is not None and doc.year != self.year:
            return False
        if self.year_min is not None and (doc.year is None or doc.year < self.year_min):
            return False
        if self.year_max is not None and (doc.year is None or doc.year > self.year_max):
            return False
        return not (self.doi is not None and doc.doi not in self.doi)


IngestStatus = Literal["added", "updated", "skipped", "failed"]


class IngestFileResult(_Model):
    """What happened to one file in an ingest run; `reason` is a short code, `hint` the fix."""

    path: str
    status: IngestStatus
    reason: str | None = Field(
        None,
        description="added: new|replaced; updated: metadata (new flags or manifest values for "
        "an unchanged file; not re-embedded); skipped: unchanged|duplicate; failed: unsupported, "
        "encrypted, no_text, not_pdf, corrupt, unreadable, empty, ...",
    )
    message: str | None = None
    hint: str | None = None
    doc_id: str | None = None
    title: str | None = None
    chunks: int = 0
    pages: int | None = None
    quarantined: int = Field(0, description="Sentences kept out of the index (see `library show`).")


class IngestReport(_Model):
    """The outcome of `Library.ingest`: one result per file, in the order given."""

    files: list[IngestFileResult] = Field(default_factory=list)
    seconds: float = 0.0
    embedded_chunks: int = Field(
        0, description="Chunks embedded in this run (0 when nothing changed)."
    )

    def _count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def added(self) -> int:
        return self._count("added")

    @property
    def updated(self) -> int:
        return self._count("updated")

    @property
    def skipped(self) -> int:
        return self._count("skipped")

    @property
    def failed(self) -> int:
        return self._count("failed")


class IngestEvent(_Model):
    """A progress notification from the ingest pipeline (for progress bars and tests)."""

    stage: Literal["start", "read", "stored", "committed", "done"]
    path: str | None = None
    total: int = 0
    done: int = 0
    doc_id: str | None = None


class LibraryStats(_Model):
    """Size and configuration of a library, for `fitcoach library stats`."""

    documents: int
    chunks: int
    pages: int
    embedder: str
    dimension: int | None
    backend: str = Field(description="`embedded <path>` or `server <url>`.")
    collection: str
    starter_ingested: bool
