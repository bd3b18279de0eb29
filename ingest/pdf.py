"""PDF reading with pypdf: page text cleaned for retrieval, metadata from XMP, info and page 1.

Cleaning removes what pollutes retrieval: running headers and footers repeated on most
pages, words hyphenated at line ends, glyph-name garbage, and the reference list.
Every way a PDF can be unusable maps to an `IngestError` whose hint says what to do.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path
from typing import Any

from fitcoach.errors import IngestError

from .document import Block, ParsedDocument, QuarantinedSentence
from .hidden import metadata_fields, strip_invisible
from .hyphens import Decision, Lexicon, close_gaps, repair
from .metadata import MetaGuess, clean_text, find_doi, find_year, first_year, split_authors
from .sections import label_sections

# Glyph-name debris, and zero-width characters (they split words for search and hide planted
# instructions from readers of the text: "ig\u200bnore").
_GARBAGE = re.compile(r"(/gid\d+)+|/uni[0-9A-F]{4}|[\u200b-\u200d\u2060\ufeff]")
_JUNK_TITLE = re.compile(
    r"^(microsoft (word|powerpoint)\b|untitled|document\d*$|title$)|\.(docx?|pdf|tex|indd|rtf|odt)$",
    re.I,
)
# Below this many letters per page on average a PDF is treated as scanned (image-only).
_MIN_LETTERS_PER_PAGE = 40


def read_pdf(path: Path, data: bytes, password: str | None = None) -> ParsedDocument:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    head = data[:1024].lstrip()
    if not head.startswith(b"%PDF-"):
        raise IngestError(
            "not_pdf",
            f"{path.name} is not a PDF despite its name",
            hint="check what the file really is (`file NAME`); rename a text or Markdown file "
            "to .txt/.md",
        )
    if b"%%EOF" not in data[-2048:]:
        raise _corrupt(path, "it ends before the PDF trailer")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            ok = reader.decrypt(password or "")
            if not ok:
                raise IngestError(
                    "encrypted",
                    f"{path.name} is encrypted"
                    + (" and the password is wrong" if password else ""),
                    hint="pass the document's password with --password",
                )
        n_pages = len(reader.pages)
        # Page 1 is read once, with a visitor that also records font sizes for the title.
        spans: list[tuple[float, str]] = []
        # Text no reader can see (white, tiny, off the page) is cut out first, and noted.
        invisible = [
            QuarantinedSentence(text=text, page=i + 1, reason=reason)
            for i, page in enumerate(reader.pages)
            for text, reason in strip_invisible(page)
        ]
        raw_pages = [
            _page_text(page, spans if i == 0 else None) for i, page in enumerate(reader.pages)
        ]
    except IngestError:
        raise
    except DependencyError:  # AES needs the optional `cryptography` package (pypdf[crypto])
        raise IngestError(
            "encrypted",
            f"{path.name} is AES-encrypted and this install cannot decrypt it",
            hint="pip install cryptography (then --password if it has one), and ingest again",
        ) from None
    except (PdfReadError, FileNotDecryptedError, ValueError, KeyError, TypeError, OSError) as exc:
        raise _corrupt(path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    except Exception as exc:  # pypdf raises assorted errors on damaged streams
        raise _corrupt(path, type(exc).__name__) from None
    if n_pages == 0:
        raise _corrupt(path, "it has no pages")

    letters = sum(sum(c.isalpha() for c in t) for t in raw_pages)
    if letters < _MIN_LETTERS_PER_PAGE * n_pages:
        raise IngestError(
            "no_text",
            f"{path.name}: no extractable text (scanned?)",
            hint="run OCR, e.g. `ocrmypdf in.pdf out.pdf`, then ingest the OCR'd file",
        )

    blocks = pdf_blocks(raw_pages)
    meta = guess_metadata(reader, raw_pages, spans)
    return ParsedDocument(
        kind="pdf",
        blocks=blocks,
        pages=n_pages,
        meta=meta,
        quarantined=invisible,
        fields=metadata_fields(reader),
    )


def _corrupt(path: Path, detail: str) -> IngestError:
    return IngestError(
        "corrupt",
        f"{path.name}: truncated or corrupt PDF ({detail})",
        hint="download the file again, or repair it (e.g. `qpdf bad.pdf fixed.pdf`) and ingest that",
    )


def _page_text(page: Any, spans: list[tuple[float, str]] | None = None) -> str:
    """A page's text; with `spans`, also collect (font size, text) of each text run."""
    if spans is None:
        return _GARBAGE.sub("", page.extract_text() or "")

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        text = _GARBAGE.sub("", text or "").strip()
        if any(c.isalpha() for c in text):
            scale = abs(tm[0] * cm[0]) if tm and cm else 1.0
            spans.append((round(float(size) * (scale or 1.0), 1), text))

    return _GARBAGE.sub("", page.extract_text(visitor_text=visit) or "")


# Cleaning --------------------------------------------------------------------------------


def _line_key(line: str) -> str:
    """A line with digits masked, so 'Page 3 of 9' matches 'Page 4 of 9'."""
    return re.sub(r"\d+", "#", re.sub(r"\s+", " ", line.strip().lower()))


def clean_lines(pages: list[str], margin: int = 3) -> list[list[str]]:
    """Each page's lines without running heads and feet or bare page numbers."""
    split = [[ln for ln in p.replace("\r", "\n").split("\n")] for p in pages]
    # Running headers/footers: lines near the top or bottom that recur on many pages.
    counts: Counter[str] = Counter()
    for lines in split:
        content = [ln for ln in lines if ln.strip()]
        edge = content[:margin] + content[-margin:]
        counts.update({_line_key(ln) for ln in edge})
    threshold = max(2, (len(pages) + 1) // 2)
    repeated = {key for key, n in counts.items() if n >= threshold and len(pages) >= 3}
    # Books and journals alternate heads on left and right pages ("Journal 94, 2024" on even
    # pages, "by Author et al. 217" and a licence line on odd ones): count each side alone.
    for parity in (0, 1):
        side = split[parity::2]
        side_counts: Counter[str] = Counter()
        for lines in side:
            content = [ln for ln in lines if ln.strip()]
            side_counts.update({_line_key(ln) for ln in content[:margin] + content[-margin:]})
        least = max(2, (len(side) + 1) // 2)
        repeated |= {key for key, n in side_counts.items() if n >= least and len(side) >= 3}
    cleaned: list[list[str]] = []
    for lines in split:
        content = [ln for ln in lines if ln.strip()]
        edge_ids = {id(ln) for ln in content[:margin] + content[-margin:]}
        kept = [
            ln.rstrip()
            for ln in content
            if not (id(ln) in edge_ids and _line_key(ln) in repeated)
            and not re.fullmatch(r"\s*\d{1,4}\s*", ln)  # bare page numbers
        ]
        cleaned.append(kept)
    _carry_broken_words(cleaned)
    return cleaned


def _carry_broken_words(pages: list[list[str]]) -> None:
    """A word hyphenated across a page (or column) turn: bring its end back to its start, so
    the break is decided like any other and the page keeps whole words."""
    for lines, following in zip(pages, pages[1:], strict=False):
        if not lines or not following:
            continue
        head = following[0].lstrip()
        if re.search(r"[^\W\d_][-\u2010]$", lines[-1]) and head[:1].islower():
            word, _, rest = head.partition(" ")
            lines[-1] = f"{lines[-1]}\n{word}"
            if rest.strip():
                following[0] = rest
            else:
                del following[0]


def pdf_blocks(raw_pages: list[str], log: list[Decision] | None = None) -> list[Block]:
    """Readable text blocks, one per page and section, from the pages' raw text.

    `log` collects every hyphen and gap decision (for review: bench/hyphen_joins.py).
    """
    lexicon = Lexicon("\n".join(raw_pages))
    blocks: list[Block] = []
    run: list[str] = []
    key: tuple[int, str | None] | None = None

    def flush() -> None:
        if run and key is not None:
            found: list[Decision] = []
            text = close_gaps(repair("\n".join(run), lexicon, found), lexicon, found)
            if log is not None:
                log.extend(d.model_copy(update={"page": key[0]}) for d in found)
            text = clean_text(text)
            if text:
                blocks.append(Block(text=text, page=key[0], section=key[1]))
        run.clear()

    for line in label_sections(clean_lines(raw_pages)):
        if (line.page, line.section) != key:
            flush()
            key = (line.page, line.section)
        run.append(line.text)
    flush()
    return blocks


# Metadata --------------------------------------------------------------------------------


def guess_metadata(reader: Any, raw_pages: list[str], spans: list[tuple[float, str]]) -> MetaGuess:
    """Text heuristics, overridden by the info dictionary, overridden by XMP."""
    first = "\n".join(raw_pages[:2])
    page1 = raw_pages[0] if raw_pages else ""
    text_guess = MetaGuess(
        title=_extend_title(_title_from_spans(spans), page1),
        doi=find_doi(first),
        year=find_year(page1) or find_year(first) or first_year(page1[:600]),
        journal=_journal_from_doi_line(page1),
    )
    info_guess = MetaGuess()
    info = _safe(lambda: reader.metadata) or {}
    if info:
        title = _plausible_title(str(info.get("/Title") or ""))
        authors = split_authors(str(info.get("/Author") or ""))
        subject = clean_text(str(info.get("/Subject") or ""))
        journal = None
        match = re.match(r"^([A-Z][^,]{2,80}),\s*(https?://doi|doi)", subject)
        if match:
            journal = match.group(1)
        created = _safe(lambda: info.creation_date)
        info_guess = MetaGuess(
            title=title,
            authors=_plausible_authors(authors),
            doi=find_doi(str(info.get("/doi") or "")) or find_doi(subject),
            journal=journal,
        )
        if text_guess.year is None and created is not None:
            text_guess = text_guess.merged(MetaGuess(year=created.year))
    xmp_guess = _xmp_guess(reader)
    return text_guess.merged(info_guess).merged(xmp_guess)


def _safe(func: Any) -> Any:
    try:
        return func()
    except Exception:  # damaged metadata must never fail an otherwise readable PDF
        return None


def _plausible_title(title: str) -> str | None:
    title = clean_text(title)
    if len(title) < 8 or " " not in title or _JUNK_TITLE.search(title):
        return None
    return title


def _plausible_authors(authors: list[str]) -> list[str] | None:
    # A single one-word "author" is usually the login name of whoever made the PDF.
    real = [a for a in authors if " " in a or "." in a]
    return real or None


def _xmp_guess(reader: Any) -> MetaGuess:
    xmp = _safe(lambda: reader.xmp_metadata)
    if xmp is None:
        return MetaGuess()
    raw = _safe(lambda: xmp.rdf_root.toxml()) or ""

    def tag(name: str) -> str | None:
        match = re.search(rf"<{name}[^>]*>(.*?)</{name}>", raw, re.S)
        return clean_text(re.sub(r"<[^>]+>", " ", match.group(1))) if match else None

    titles = _safe(lambda: xmp.dc_title) or {}
    title = _plausible_title(next(iter(titles.values()), "")) if titles else None
    creators = _safe(lambda: xmp.dc_creator) or []
    identifier = _safe(lambda: xmp.dc_identifier) or ""
    year = first_year(tag("prism:coverDate") or tag("prism:publicationDate") or "")
    return MetaGuess(
        title=title,
        authors=_plausible_authors([clean_text(c) for c in creators]),
        doi=find_doi(tag("prism:doi") or "") or find_doi(str(identifier)),
        journal=tag("prism:publicationName"),
        year=year,
    )


def _title_from_spans(spans: list[tuple[float, str]]) -> str | None:
    """The largest text on page 1 is almost always the title."""
    if not spans:
        return None
    # Ignore the biggest sizes that carry only a few letters (drop caps, logos).
    sizes = sorted({s for s, t in spans if sum(c.isalpha() for c in t) >= 4}, reverse=True)
    for size in sizes[:3]:
        parts = [t for s, t in spans if abs(s - size) < 0.6]
        title = clean_text(" ".join(parts))
        if 12 <= len(title) <= 300 and len(title.split()) >= 3:
            return title
    return None


def _extend_title(title: str | None, page1: str) -> str | None:
    """Prepend the line above the title when it reads like the title's first line.

    pypdf reports a span's font size from the text matrix in force when the span is flushed,
    which for a line ending at a font change is the next line's; so the first line of a title
    can be missed. A line just above it that is title-cased, digit-free and unpunctuated joins it.
    """
    if not title:
        return title
    lines = [clean_text(ln) for ln in page1.split("\n")]
    lines = [ln for ln in lines if ln]
    head = title.split()[:4]
    for i, line in enumerate(lines):
        if i and line.split()[:4] == head:
            above = lines[i - 1]
            words = above.split()
            capital = sum(w[0].isupper() for w in words)
            if (
                3 <= len(words) <= 20
                and capital >= 0.5 * len(words)
                and not re.search(r"[\d@:;,.]", above)
            ):
                return f"{above} {title}"
            break
    return title


def _journal_from_doi_line(page1: str) -> str | None:
    """'J. Funct. Morphol. Kinesiol. 2020, 5, 68; doi:…' -> 'J. Funct. Morphol. Kinesiol.'"""
    for line in page1.split("\n"):
        if not re.search(r"doi", line, re.I):
            continue
        match = re.match(
            r"\s*([A-Z][A-Za-z.&' ]{3,80}?)\s*(?:\(?(?:19|20)\d\d\b|volume\b|vol\.)", line
        )
        if match and "doi" not in match.group(1).lower():
            return match.group(1).strip()
    return None
