"""The library text the data stage builds from: starter notes parsed into documents and
sentence-aligned passages, so an answer sentence is always inside the passage it cites.

The notes are read straight from `knowledge/starter/` (front matter + `## ` sections), which
is exactly what the library ingests; reading them directly keeps the data stage fast,
deterministic and independent of the vector store.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from fitcoach.knowledge.library import STARTER_DIR


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid")

    heading: str
    text: str


class Note(BaseModel):
    """One library document with its bibliographic identity."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str = Field(description="sha256 of the file's bytes, first 16 hex digits.")
    slug: str
    title: str
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    doi: str | None = None
    topics: list[str] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)


class Span(BaseModel):
    """A run of whole sentences from one section: what a prompt shows as one passage."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str
    section: str
    sentences: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def parse_note(path: Path) -> Note:
    """Front matter (YAML) and `## ` sections of one starter note."""
    import yaml

    raw = path.read_bytes()
    text = raw.decode("utf-8")
    meta: dict = {}
    body = text
    if text.startswith("---"):
        _, front, body = text.split("---", 2)
        meta = yaml.safe_load(front) or {}
    sections: list[Section] = []
    for block in re.split(r"^## +", body, flags=re.M)[1:]:
        heading, _, content = block.partition("\n")
        content = content.strip()
        if content:
            sections.append(Section(heading=heading.strip(), text=content))
    return Note(
        doc_id=hashlib.sha256(raw).hexdigest()[:16],
        slug=path.stem,
        title=str(meta.get("title", path.stem)),
        authors=[str(a) for a in meta.get("authors", [])],
        year=meta.get("year"),
        journal=meta.get("journal"),
        doi=meta.get("doi"),
        topics=[str(t) for t in meta.get("topics", [])],
        sections=sections,
    )


def load_notes(folder: Path = STARTER_DIR) -> list[Note]:
    """Every starter note, sorted by file name so the order never depends on the file system."""
    return [parse_note(p) for p in sorted(folder.glob("*.md"))]


def sentences(text: str) -> list[str]:
    """Sentences of a section; bullets and paragraph breaks end a sentence too.

    >>> sentences("- Rest 3 min. Then lift.\\n- Sleep 8 h")
    ['Rest 3 min.', 'Then lift.', 'Sleep 8 h.']
    """
    # The verifier's splitter, so "et al." and "e.g." never end a sentence here either.
    from fitcoach.agent.contract import split_sentences

    out: list[str] = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        for piece in split_sentences(line):
            piece = piece.strip()
            if piece:
                out.append(piece if piece[-1] in ".!?:" else piece + ".")
    return out


def spans(note: Note, max_words: int) -> list[Span]:
    """Consecutive sentences grouped into passages of at most `max_words` words.

    A single sentence longer than the limit becomes its own passage (shown whole), so no
    passage ever cuts a sentence an answer might quote.
    """
    out: list[Span] = []
    for section in note.sections:
        current: list[str] = []
        words = 0
        for sentence in sentences(section.text):
            n = len(sentence.split())
            if current and words + n > max_words:
                out.append(Span(doc_id=note.doc_id, section=section.heading, sentences=current))
                current, words = [], 0
            current.append(sentence)
            words += n
        if current:
            out.append(Span(doc_id=note.doc_id, section=section.heading, sentences=current))
    return out


def note_text(note: Note) -> str:
    """A note as plain prose with its citation line, for continual pre-training."""
    who = ", ".join(note.authors[:3]) + (" et al." if len(note.authors) > 3 else "")
    head = f"{note.title}. {who} ({note.year}). {note.journal or ''}".strip()
    parts = [head]
    for section in note.sections:
        parts.append(f"{section.heading}. " + " ".join(sentences(section.text)))
    return "\n\n".join(parts)
