"""The typed chain of evidence: Document → Chunk → Passage (a search hit that cites a page)."""

from __future__ import annotations

import re
import unicodedata

from pydantic import BaseModel, ConfigDict, Field, field_validator

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"), "-")


def normalize_doi(doi: str | None) -> str | None:
    """Lower-case, ASCII hyphens, no URL or `doi:` prefix: publishers print U+2011 in DOIs."""
    if not doi:
        return None
    text = unicodedata.normalize("NFKC", doi).translate(_DASHES).strip()
    text = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", text, flags=re.I)
    text = text.rstrip(".,;)]")
    return text.lower() or None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentMeta(_Model):
    """Bibliographic identity of one ingested document."""

    doc_id: str = Field(description="Hash of the document's content (stable across renames).")
    title: str
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    doi: str | None = None
    source: str = Field(description="Where it was ingested from (path or `starter:<file>`).")
    pages: int | None = Field(None, description="Page count (PDF) or None.")
    n_chunks: int = 0

    @field_validator("doi")
    @classmethod
    def _doi(cls, value: str | None) -> str | None:
        return normalize_doi(value)


class Chunk(_Model):
    """A retrievable piece of a document, small enough to embed without truncation."""

    chunk_id: str
    doc_id: str
    index: int
    text: str
    page_start: int | None = None
    page_end: int | None = None
    section: str | None = None


class Passage(_Model):
    """A search hit: a chunk with the bibliographic data needed to cite it."""

    chunk_id: str
    doc_id: str
    title: str
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    doi: str | None = None
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
    def pages(self) -> str | None:
        """'3', '3-4' or None (Markdown and text have no pages)."""
        if self.page_start is None:
            return None
        if self.page_end is None or self.page_end == self.page_start:
            return str(self.page_start)
        return f"{self.page_start}-{self.page_end}"
