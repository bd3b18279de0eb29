"""Bibliographic metadata: guesses from a file, front matter, manifests and flags, merged by trust.

Precedence, lowest to highest: text heuristics < PDF info < XMP < front matter < manifest row <
per-file flags. Each source fills a `MetaGuess`; `MetaGuess.merged` lets a later one win.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fitcoach.errors import ConfigError
from fitcoach.text import normalize_doi

# A DOI is 10.<registrant>/<suffix>; the suffix ends at whitespace or a quote/bracket. Publishers
# print non-ASCII hyphens inside DOIs, so the class admits them (normalize_doi folds them).
DOI_RE = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>\[\]{}|\\^`]+")
_DOI_LABEL = re.compile(r"(doi\s*:?\s*|doi\.org/)$", re.I)
_YEAR_RE = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


class MetaGuess(BaseModel):
    """Bibliographic fields as far as one source knows them; None means 'no opinion'."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    authors: list[str] | None = None
    year: int | None = Field(None, ge=1800, le=2100)
    journal: str | None = None
    doi: str | None = None
    keywords: list[str] | None = None

    @field_validator("doi")
    @classmethod
    def _doi(cls, value: str | None) -> str | None:
        return normalize_doi(value)

    @field_validator("keywords", mode="before")
    @classmethod
    def _keywords(cls, value: Any) -> Any:
        if isinstance(value, str):  # "a; b" or "a, b"
            value = re.split(r";" if ";" in value else r",", value)
        if isinstance(value, list):
            value = list(dict.fromkeys(k for k in (clean_text(str(x)) for x in value) if k))
            value = value or None
        return value

    @field_validator("title", "journal")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        value = clean_text(value) if value else None
        return value or None

    @field_validator("authors", mode="before")
    @classmethod
    def _authors(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = split_authors(value)
        if isinstance(value, list):
            value = [a for a in (clean_text(str(x)) for x in value) if a] or None
        return value

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, value: Any) -> Any:
        if isinstance(value, str):
            match = _YEAR_RE.search(value)
            return int(match.group(1)) if match else None
        return value

    def merged(self, over: MetaGuess | None) -> MetaGuess:
        """This guess with every field that `over` knows replaced by `over`'s value."""
        if over is None:
            return self
        data = self.model_dump()
        data.update({k: v for k, v in over.model_dump().items() if v is not None})
        return MetaGuess(**data)


def clean_text(text: str) -> str:
    """NFKC (ligatures, no-break spaces), no BOMs or soft hyphens, single spaces."""
    text = unicodedata.normalize("NFKC", text).replace("\ufeff", "").replace("\u00ad", "")
    return re.sub(r"\s+", " ", text).strip()


def split_authors(text: str) -> list[str]:
    """'A, B and C' or 'A; B; C' -> names, without affiliation digits or asterisks."""
    text = clean_text(text)
    parts = re.split(r";" if ";" in text else r",|\band\b|&", text)
    names = [re.sub(r"[\d*†‡§,]+$", "", p).strip() for p in parts]
    return [n for n in names if n]


def find_doi(text: str) -> str | None:
    """The document's own DOI in some text: a labelled one (doi:, doi.org/) first."""
    candidates: list[tuple[int, int, str]] = []
    for pos, match in enumerate(DOI_RE.finditer(text)):
        doi = normalize_doi(match.group(0))
        if not doi or len(doi.split("/", 1)[1]) < 3:  # cut at a line end: "10.3390/"
            continue
        labelled = bool(_DOI_LABEL.search(text[max(0, match.start() - 12) : match.start()]))
        candidates.append((0 if labelled else 1, pos, doi))
    return min(candidates)[2] if candidates else None


def find_year(text: str) -> int | None:
    """A publication year from the words that usually precede it on a first page."""
    patterns = [
        r"published(?: online)?\s*:?\s*(?:\w+\s+){0,3}?(\d{4})",
        r"©\s*(?:the authors?\(?s?\)?\s*)?(\d{4})",
        r"\bcopyright\s*(?:©\s*)?(\d{4})",
        r"\baccepted\s*:?\s*(?:\w+\s+){0,3}?(\d{4})",
    ]
    for pattern in patterns:
        match = re.search(pattern, text, re.I)
        if match and _YEAR_RE.fullmatch(match.group(1)):
            return int(match.group(1))
    return None


def first_year(text: str) -> int | None:
    match = _YEAR_RE.search(text)
    return int(match.group(1)) if match else None


# Front matter and manifests ------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(YAML front matter as a dict, the body after it); no front matter gives ({}, text)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    import yaml

    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError:
        return {}, text
    return (data if isinstance(data, dict) else {}), text[match.end() :]


def guess_from_mapping(data: dict[str, Any]) -> MetaGuess:
    """A MetaGuess from a front-matter or manifest mapping; unknown keys are ignored."""
    fields = {k: data.get(k) for k in ("title", "authors", "year", "journal", "doi")}
    # a note's `topics` are its subject keywords: they head every chunk as embedded and indexed
    fields["keywords"] = data.get("keywords") or data.get("topics")
    fields = {k: v for k, v in fields.items() if v not in (None, "", [])}
    try:
        return MetaGuess(**fields)
    except ValidationError as exc:
        raise ConfigError(
            f"invalid metadata {fields}: {exc.errors()[0]['msg']}",
            hint="year must be a number like 2016; authors a list or 'A; B' string",
        ) from None


class Manifest(BaseModel):
    """Metadata that overrides what was guessed, keyed by file path (or file name)."""

    model_config = ConfigDict(extra="forbid")

    rows: dict[str, MetaGuess] = Field(default_factory=dict)

    def lookup(self, path: Path) -> MetaGuess | None:
        for key in (str(path.resolve()), str(path), path.name):
            if key in self.rows:
                return self.rows[key]
        return None


def load_manifest(path: str | Path) -> Manifest:
    """Read a CSV (header: path,doi,title,authors,year,journal) or JSON list/dict manifest.

    Relative paths in it are taken relative to the manifest's folder; authors are separated
    by ';' in CSV.
    """
    path = Path(path).expanduser()
    if not path.is_file():
        raise ConfigError(f"manifest {path} does not exist", hint="fix the --manifest path")
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"cannot parse manifest {path}: {exc}", hint="fix the JSON") from None
        if isinstance(data, dict):  # {"file.pdf": {...}}
            entries = [{"path": k, **v} for k, v in data.items()]
        else:
            entries = list(data)
    elif path.suffix.lower() == ".csv":
        entries = list(csv.DictReader(text.splitlines()))
    else:
        raise ConfigError(
            f"manifest {path} is neither .csv nor .json", hint="save the manifest as CSV or JSON"
        )
    rows: dict[str, MetaGuess] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("path"):
            raise ConfigError(
                f"manifest {path}: every row needs a 'path'", hint="add a path column or key"
            )
        target = Path(str(entry["path"])).expanduser()
        if not target.is_absolute() and (path.parent / target).exists():
            target = path.parent / target
        key = str(target.resolve()) if target.exists() else str(entry["path"])
        rows[key] = guess_from_mapping(entry)
    return Manifest(rows=rows)
