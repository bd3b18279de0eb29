"""Sections of a paper from its PDF lines: which lines are the abstract, the methods, the
conclusion ..., and which are not the paper's prose at all (title page, publisher sidebars,
author footnotes, declarations, the reference list) and are dropped.

Headings are recognised by what they say, not how they look (pypdf gives no fonts per line):
a short line such as "3. Results", "2 Materials and Methods", "Conclusions", "Abstract:" maps
to a canonical name; a numbered heading that names none of them ("2 Nutritional Assessment")
is main text, `body`, when its number follows the last one. Labels of a structured abstract
("Methods: ...") stay inside the abstract. A paper with no "Abstract" heading gets the prose
paragraph before its "Keywords" line as its abstract.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

Section = Literal[
    "abstract",
    "introduction",
    "methods",
    "results",
    "discussion",
    "conclusion",
    "practical applications",
    "references",
    "body",
]
SECTIONS: tuple[str, ...] = Section.__args__  # type: ignore[attr-defined]
# Where a paper reports what it found: answers should prefer these passages.
FINDING_SECTIONS = frozenset(
    {"abstract", "results", "discussion", "conclusion", "practical applications"}
)

_NAMES: dict[str, str] = {}
for _canon, _titles in {
    "abstract": "abstract|summary|structured abstract|key points",
    "introduction": "introduction|background|introduction and background|rationale",
    "methods": "methods|method|materials and methods|methods and materials|methodology|"
    "material and methods|patients and methods|subjects and methods|participants and methods|"
    "study design and methods|experimental design|experimental procedures",
    "results": "results|result|findings",
    "discussion": "discussion|general discussion|results and discussion|"
    "discussion and conclusions|limitations|strengths and limitations",
    "conclusion": "conclusion|conclusions|summary and conclusions|concluding remarks|"
    "conclusions and recommendations|summary and conclusion|future directions",
    "practical applications": "practical applications|practical application|"
    "practical implications|practical recommendations|clinical implications|"
    "clinical relevance|applications|implications for practice|take home message",
    "references": "references|bibliography|literature cited|works cited|reference list",
}.items():
    for _title in _titles.split("|"):
        _NAMES[_title] = _canon

# Declarations and notes after the conclusion: not the paper's findings, dropped.
_BACK_MATTER = re.compile(
    r"^\s*(?i:acknowledge?ments?|funding( information)?|declarations?|conflicts? of interests?|"
    r"competing interests?|author contributions?|authors' contributions|data availability"
    r"( statement)?|availability of data( and materials?)?|institutional review board statement|"
    r"informed consent( statement)?|ethics( approval)?( statement)?|ethical approval|"
    r"abbreviations|supplementary materials?|publisher['’]s note|orcid( id)?|open access|"
    r"compliance with ethical standards|consent for publication|disclosure statement|"
    r"received|accepted)\b\s*(:|\s+(?=[A-Z©])|$)"
)
# "1.", "2", "3.2.", "IV." before a heading; the number is kept to check the sequence.
_HEADING = re.compile(
    r"^\s*(?:(?P<num>\d{1,2}|[IVX]{1,4})(?P<sub>(?:\.\d{1,2})*)\.?\s+)?"
    r"(?P<title>[A-Z][A-Za-z&/,'’ -]{2,70}?)\s*(?P<colon>:)?\s*$"
)
# "Abstract: In this ...", "Methods: Twelve ...": a label opening a paragraph.
_INLINE = re.compile(r"^\s*(?P<title>[A-Z][A-Za-z ]{2,40}?)\s*:\s+(?P<rest>\S.*)$")
_KEYWORDS = re.compile(r"^\s*(key\s?words|KEYWORDS)\b\s*:?", re.I)
# Publisher sidebar labels (Frontiers prints them in capitals on page 1). A label alone on
# its line opens a block that runs to the next label or heading; a label with its value on
# the same line ("RECEIVED 01 November 2023") is one line.
_SIDEBAR_BLOCK = re.compile(
    r"^\s*\*?(OPEN ACCESS|EDITED BY|REVIEWED BY|CORRESPONDENCE|CITATION|COPYRIGHT|"
    r"SPECIALTY SECTION|ABBREVIATIONS)\s*$"
)
_SIDEBAR_LINE = re.compile(r"^\s*(RECEIVED|ACCEPTED|PUBLISHED|TYPE|DOI|ISSN|ARTICLE TYPE)\s+\S")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


class Line(BaseModel):
    """One kept line of a page, with the section it belongs to."""

    model_config = ConfigDict(extra="forbid")

    page: int
    text: str
    section: str | None = None


def heading_name(line: str) -> tuple[str | None, int | None]:
    """(canonical section, heading number) of a heading line; (None, None) if it is not one.

    An unknown numbered heading returns ("body", number); the caller checks the sequence.
    """
    match = _HEADING.match(unicodedata.normalize("NFKC", line))
    if not match:
        return None, None
    title = re.sub(r"\s+", " ", match.group("title")).strip(" -").lower()
    number = _number(match.group("num")) if match.group("num") else None
    canon = _NAMES.get(title)
    if canon is not None:
        return canon, number
    words = title.split()
    if (
        number is not None
        and not match.group("sub")
        and 1 <= len(words) <= 10
        and "," not in title
        and not match.group("colon")
    ):
        return "body", number
    return None, None


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    values = {"I": 1, "V": 5, "X": 10}
    total = 0
    for i, ch in enumerate(text):
        value = values[ch]
        total += -value if i + 1 < len(text) and values[text[i + 1]] > value else value
    return total


def label_sections(pages: Sequence[Sequence[str]]) -> list[Line]:
    """Every line worth indexing, in order, with its section; see the module docstring."""
    flat = [(p + 1, line) for p, lines in enumerate(pages) for line in lines if line.strip()]
    total = len(flat)
    front_end = _front_matter_end(flat)
    out: list[Line] = []
    section: str | None = "abstract" if front_end else None
    last_number = 0
    # What is being skipped: a sidebar block or an author footnote (both end with their
    # page), or declarations after the conclusion (they end at the next heading).
    skipping: Literal["sidebar", "footnote", "back"] | None = None
    skip_page = 0
    wrapped = False  # the heading just seen may go on to a second line
    for index, (page, line) in enumerate(flat[front_end:], start=front_end):
        stripped = line.strip()
        if wrapped and _heading_tail(stripped):
            wrapped = False
            continue
        wrapped = False
        if skipping in ("sidebar", "footnote") and page != skip_page:
            skipping = None
        if page <= 2 and _SIDEBAR_BLOCK.match(stripped):
            skipping, skip_page = "sidebar", page
            continue
        if page <= 2 and _SIDEBAR_LINE.match(stripped):
            continue
        canon, number = heading_name(stripped)
        if canon == "abstract" and page > 2:
            canon = "conclusion"  # a closing "Summary" or "Key points"
        inline = None if canon else _INLINE.match(stripped)
        if inline:
            label = inline.group("title").strip().lower()
            if label == "abstract":
                section, skipping = "abstract", None
                out.append(Line(page=page, text=inline.group("rest"), section=section))
                continue
            if section is None and _NAMES.get(label) == "introduction" and page <= 2:
                section = "abstract"  # "Background: ..." opening a structured abstract
        abstract_open = section == "abstract" and not _abstract_over(out)
        if canon == "body" and not (
            number == last_number + 1 and section is not None and not abstract_open
        ):
            canon = None
        if (
            abstract_open
            and number is None
            and (
                canon not in (None, "abstract", "introduction")
                or (canon == "introduction" and "background" in stripped.lower() and _short(out))
            )
        ):
            canon = None  # "Methods" alone on a line inside a structured abstract is a label
        if canon == "references" and index < 0.3 * total:
            canon = None  # "References" in a contents list or the abstract is not the list
        if canon == "references":
            break  # the reference list and whatever follows it are not prose
        if canon is not None:
            section, skipping = canon, None
            if number is not None and canon != "abstract":
                last_number = number
                wrapped = True
            continue
        if _KEYWORDS.match(stripped) and section in (None, "abstract"):
            section = "abstract"
        elif (
            section is not None
            and index >= 0.4 * total
            and stripped[:1].isupper()
            and _BACK_MATTER.match(stripped)
        ):
            skipping = "back"
            continue
        elif (
            page == 1
            and section == "abstract"
            and (_EMAIL.search(stripped) or stripped.startswith("*"))
        ):
            skipping, skip_page = "footnote", page
            continue
        if skipping is None:
            out.append(Line(page=page, text=line, section=section))
    return out


def _heading_tail(line: str) -> bool:
    """The second line of a wrapped heading: a few words, no full stop, nothing else."""
    words = line.split()
    return (
        0 < len(words) <= 6
        and not line.endswith((".", ",", ";", ":"))
        and not any(ch.isdigit() for ch in line)
    )


def _short(lines: list[Line]) -> bool:
    """Whether the abstract so far is too short to be over ("Background" opens it)."""
    return sum(1 for line in lines if line.section == "abstract") < 3


def _abstract_over(lines: list[Line]) -> bool:
    """Whether the abstract already ended with its keywords line."""
    for line in reversed(lines):
        if line.section != "abstract":
            return False
        if _KEYWORDS.match(line.text):
            return True
    return False


def _front_matter_end(flat: list[tuple[int, str]]) -> int:
    """Index of the first line of the abstract when the title page can be cut; else 0.

    With an "Abstract" heading or label on pages 1-2, everything above it is title page. Without
    one, the prose lines right above a "Keywords" line are the abstract.
    """
    for index, (page, line) in enumerate(flat):
        if page > 2:
            break
        stripped = line.strip()
        canon, _ = heading_name(stripped)
        inline = _INLINE.match(stripped)
        if canon == "abstract" or (inline and inline.group("title").strip().lower() == "abstract"):
            return index
        if canon is not None and canon != "body":
            return 0  # an introduction before any abstract: keep everything
        if _KEYWORDS.match(stripped):
            start = index
            while start > 0 and flat[start - 1][0] == page and _prose(flat[start - 1][1]):
                start -= 1
            return start if start < index else 0
    return 0


def _prose(line: str) -> bool:
    """A line of running sentences, not a name list, affiliation or label."""
    words = line.split()
    if len(words) < 4 or _EMAIL.search(line):
        return False
    if re.search(r"\b(University|Department|Faculty|Institute|School|College|Hospital)\b", line):
        return False
    lower = sum(1 for w in words if w[0].islower())
    return lower >= 0.4 * len(words)
