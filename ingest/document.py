"""What a reader yields: text blocks with page and section, plus metadata guesses; and the
line-break repair every reader applies."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .hyphens import Lexicon, repair
from .metadata import MetaGuess


class Block(BaseModel):
    """A run of text from one page (PDF) or one section (Markdown)."""

    model_config = ConfigDict(extra="forbid")

    text: str
    page: int | None = None
    section: str | None = None


class QuarantinedSentence(BaseModel):
    """Text found in a file that is kept out of the library: never embedded, never retrievable,
    never shown to a model (an instruction aimed at an AI, or text a reader cannot see)."""

    model_config = ConfigDict(extra="forbid")

    text: str
    page: int | None = Field(None, description="PDF page, or None for Markdown, text, metadata.")
    reason: str = Field(description="Why it was kept out, e.g. 'addresses an AI system'.")


class ParsedDocument(BaseModel):
    """What a reader found in a file, before chunking."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["pdf", "markdown", "text"]
    blocks: list[Block]
    pages: int | None = None
    meta: MetaGuess = Field(default_factory=MetaGuess)
    quarantined: list[QuarantinedSentence] = Field(
        default_factory=list, description="Text kept out of the blocks (see `quarantine`)."
    )
    fields: dict[str, str] = Field(
        default_factory=dict,
        description="Metadata text that is not indexed (PDF /Subject, /Keywords, ...), screened "
        "for instructions so that the record says what it held.",
    )


def dehyphenate(text: str) -> str:
    """Join words broken at a line end ('exer-\\ncise', soft hyphens) and keep compounds broken
    there whole ('high-\\nintensity' -> 'high-intensity'), judged by the text's own vocabulary
    and the tokenizer's (see `hyphens`)."""
    return repair(text, Lexicon(text))
