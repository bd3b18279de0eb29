"""Readers turn a file's bytes into text blocks plus metadata guesses; one reader per file type.

`READERS` maps a suffix to a reader; anything else fails with the list of supported types.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fitcoach.errors import IngestError

from .document import Block, ParsedDocument, QuarantinedSentence, dehyphenate
from .metadata import (
    MetaGuess,
    clean_text,
    find_doi,
    first_year,
    guess_from_mapping,
    split_front_matter,
)
from .quarantine import classify, screen_document

Reader = Callable[[Path, bytes, "str | None"], ParsedDocument]


def _decode(path: Path, data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise IngestError(
            "binary",
            f"{path.name} looks binary, not text",
            hint="only PDF, Markdown and plain text can be ingested",
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_text(path: Path, data: bytes, password: str | None = None) -> ParsedDocument:
    """Plain text: paragraphs become one block; the first short line is the title guess."""
    text = _decode(path, data).replace("\r\n", "\n")
    text = dehyphenate(text)
    paragraphs = [clean_text(p) for p in re.split(r"\n\s*\n", text)]
    paragraphs = [p for p in paragraphs if p]
    first = paragraphs[0] if paragraphs else ""
    title = first if 0 < len(first) <= 200 else path.stem.replace("_", " ")
    body = "\n\n".join(paragraphs)
    meta = MetaGuess(title=title, doi=find_doi(body[:5000]), year=None)
    return ParsedDocument(kind="text", blocks=[Block(text=body)] if body else [], meta=meta)


_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def read_markdown(path: Path, data: bytes, password: str | None = None) -> ParsedDocument:
    """Markdown: YAML front matter for metadata; one block per `##` section (deeper
    headings stay inside their section); the title is front matter, else the first `#`."""
    front, body = split_front_matter(_decode(path, data).replace("\r\n", "\n"))
    body, hidden = _drop_comments(body)
    meta = guess_from_mapping(front) if front else MetaGuess()
    blocks: list[Block] = []
    h1: str | None = None
    section: str | None = None
    lines: list[str] = []

    def flush() -> None:
        text = _markdown_to_text("\n".join(lines))
        if text:
            blocks.append(Block(text=text, section=section))
        lines.clear()

    in_code = False
    for line in body.split("\n"):
        if line.lstrip().startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING.match(line)
        if match and len(match.group(1)) <= 2:
            flush()
            heading = clean_text(match.group(2))
            if len(match.group(1)) == 1:
                h1 = h1 or heading
                section = None
            else:
                section = heading
            continue
        lines.append(line)
    flush()
    if meta.title is None:
        meta = meta.merged(MetaGuess(title=h1 or path.stem.replace("_", " ")))
    if meta.doi is None:
        meta = meta.merged(MetaGuess(doi=find_doi(body[:5000])))
    if meta.year is None and front.get("date"):
        meta = meta.merged(MetaGuess(year=first_year(str(front["date"]))))
    return ParsedDocument(kind="markdown", blocks=blocks, meta=meta, quarantined=hidden)


_COMMENT = re.compile(r"<!--(.*?)(?:-->|$)", re.S)


def _drop_comments(body: str) -> tuple[str, list[QuarantinedSentence]]:
    """HTML comments are invisible when Markdown is rendered, so nothing in them is indexed;
    each is noted (with what the quarantine rules make of it) in the document's record."""
    notes: list[QuarantinedSentence] = []
    for match in _COMMENT.finditer(body):
        text = clean_text(match.group(1))
        if text:
            verdict = classify(text)
            why = f": {verdict.reason}" if verdict.flagged else ""
            notes.append(QuarantinedSentence(text=text, reason=f"hidden Markdown comment{why}"))
    return _COMMENT.sub("", body), notes


def _markdown_to_text(text: str) -> str:
    """Markdown source to readable prose: keep words, drop markup that only adds noise."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)  # images -> alt text
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links -> their text
    text = re.sub(r"^#{3,6}\s+(.+?)\s*#*$", r"\1.", text, flags=re.M)  # sub-headings -> a sentence
    text = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", text, flags=re.M)  # list markers
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = re.sub(r"^\s*>\s?", "", text, flags=re.M)
    paragraphs = [clean_text(p) for p in re.split(r"\n\s*\n|\n(?=\S)", text)]
    # each list item or line stays a separate sentence for the chunker
    return "\n".join(p if re.search(r"[.!?:;]$", p) else p + "." for p in paragraphs if p)


def read_pdf(path: Path, data: bytes, password: str | None = None) -> ParsedDocument:
    from .pdf import read_pdf as _read_pdf  # pypdf is imported only when a PDF is read

    return _read_pdf(path, data, password)


READERS: dict[str, Reader] = {
    ".pdf": read_pdf,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".txt": read_text,
    ".text": read_text,
}


def reader_for(path: Path) -> Reader:
    """The reader for a file's suffix, or an IngestError naming the supported types."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        supported = ", ".join(sorted(READERS))
        raise IngestError(
            "unsupported",
            f"unsupported file type {path.suffix or '(no suffix)'!r}",
            hint=f"supported types: {supported}; convert the file (e.g. to PDF or .txt) first",
        )
    return reader


def read_document(path: Path, data: bytes, password: str | None = None) -> ParsedDocument:
    """Read one file's bytes with the reader its suffix names; sentences that give orders to
    an AI are cut out and noted (`quarantine.screen_document`)."""
    return screen_document(reader_for(path)(path, data, password))
