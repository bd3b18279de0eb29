"""PDF text a person can read: broken words joined, real compounds kept, sections marked.

Two kinds of PDF: ones made here with reportlab (every break placed on purpose) and the team's
five real papers in ../shared/data/pdfs (skipped when absent). `bench/hyphen_joins.py` prints
every decision on the real papers for review; the lists below are what that review confirmed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fitcoach import Library, load_settings
from fitcoach.ingest.document import dehyphenate
from fitcoach.ingest.hyphens import Decision, Lexicon, close_gaps, repair, tokenizer_words
from fitcoach.ingest.readers import read_document
from fitcoach.ingest.sections import FINDING_SECTIONS, heading_name

SHARED = {
    "33467283.pdf",
    "34948583.pdf",
    "37358750.pdf",
    "38328685.pdf",
    "39563758.pdf",
}
# Compounds the papers break at a line end; reviewed: each is a real hyphenated word.
KEPT = {
    "34948583.pdf": ["high-intensity"],
    "37358750.pdf": ["high-energy", "well-structured", "meta-analyses", "pre-exercise"],
    "38328685.pdf": [
        "carbohydrate-containing", "cross-sectional", "carbohydrate-to-protein", "high-volume",
        "life-threatening", "well-hydrated", "post-dehydration", "performance-enhancing",
        "maximal-intensity", "short-duration", "alpha-ketoglutarate", "low-to-moderate",
        "fast-twitch", "steady-state",
    ],
    "39563758.pdf": ["Szymanek-Pilarczyk", "12-min", "30-m", "short-distance", "long-term"],
}  # fmt: skip
# Words the papers break at a line end (or split with a layout gap); reviewed: one word each.
JOINED = {
    "34948583.pdf": ["neuroendocrine", "motivation", "periodization"],
    "37358750.pdf": [
        "plethora", "overall", "athletes", "exercisers", "steroids", "periodisation",
        "menstruating", "fundamental", "associated", "microarchitecture",
    ],
    "39563758.pdf": ["wave periodization", "efficiency", "data-driven", "development"],
}  # fmt: skip


# Made here ------------------------------------------------------------------------------


def make_article(path: Path) -> Path:
    """A two-page article with a structured abstract, IMRaD headings, back matter and a
    reference list; lines end in broken words and in compounds, as a typesetter leaves them."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pages = [
        [
            "Interval Periodisation for Trained Cyclists",
            "Ann Example 1, Bob Sample 2",
            "1 Department of Sport, Example University, Exampletown",
            "Abstract",
            "Background: Block periodisation is widely used by coaches in North and South Amer-",
            "ica but rarely tested in cyclists with a self-",
            "report of training load.",
            "Methods: Twenty cyclists completed 1-",
            "2 sessions of high-",
            "intensity intervals a week for eight weeks.",
            "Results: Peak power rose by 6% after block periodisa-",
            "tion and by 2% after the traditional plan.",
            "Conclusions: Blocks improved peak power more than the traditional plan.",
            "Keywords: periodisation; cycling; intervals",
            "1. Introduction",
            "Coaches plan training in blocks, and a recent sur -",
            "vey found that most coaches of trained cyclists use them for high-intensity work.",
            "Periodisation of exer\u00adcise remains debated in the literature on endurance.",
        ],
        [
            "2. Methods",
            "Cyclists were randomised to block or traditional periodisation for eight weeks.",
            "3. Results",
            "Peak power increased by 6% in the block group and by 2% in the traditional group.",
            "4. Discussion",
            "Concentrated loading may explain the larger gain in peak power after blocks.",
            "5. Conclusions",
            "Block periodisation raised peak power more than a traditional plan in cyclists.",
            "Practical Applications",
            "Coaches can plan two-week blocks of intervals for trained cyclists before racing.",
            "Acknowledgements: We thank the cyclists of the Example Cycling Club.",
            "Funding: This research received no external funding.",
            "References",
            "1. Zzreference A. Some cited work. J Xyz. 2001;1:1-9.",
            "2. Zzreference B. Another cited work. J Xyz. 2002;2:1-9.",
        ],
    ]
    c = canvas.Canvas(str(path), pagesize=A4)
    _, height = A4
    for lines in pages:
        c.setFont("Helvetica", 10)
        for i, line in enumerate(lines):
            c.drawString(50, height - 60 - 14 * i, line)
        c.showPage()
    c.save()
    return path


@pytest.fixture
def article(tmp_path: Path) -> Path:
    return make_article(tmp_path / "article.pdf")


def test_made_article_text_is_readable(article: Path) -> None:
    doc = read_document(article, article.read_bytes())
    text = " ".join(b.text for b in doc.blocks)
    for whole in ("America", "periodisation and", "survey", "exercise", "high-intensity",
                  "1-2 sessions", "self-report"):  # fmt: skip
        assert whole in text, whole
    assert not re.search(r"\w -\w|\w- \w|\w - \w", text.replace("- and", "")), text
    assert "\u00ad" not in text


def test_made_article_sections(article: Path) -> None:
    doc = read_document(article, article.read_bytes())
    by_section: dict[str | None, str] = {}
    for block in doc.blocks:
        by_section[block.section] = by_section.get(block.section, "") + " " + block.text
    assert list(by_section) == [
        "abstract", "introduction", "methods", "results", "discussion", "conclusion",
        "practical applications",
    ]  # fmt: skip
    abstract = by_section["abstract"]
    # the structured abstract keeps its labels and stays one section
    assert "Methods: Twenty cyclists" in abstract and "Conclusions: Blocks" in abstract
    assert "Keywords" in abstract and "Coaches plan" not in abstract
    everything = " ".join(by_section.values())
    assert "Example University" not in everything  # title page
    assert "Zzreference" not in everything and "no external funding" not in everything


def test_sections_reach_chunks_and_passages(article: Path, fake_embedder) -> None:
    lib = Library(load_settings(library={"starter": False}), embedder=fake_embedder)
    report = lib.ingest(article)
    assert report.added == 1
    hits = lib.search("peak power after block periodisation", k=20)
    sections = {p.section for p in hits}
    assert {"abstract", "results", "conclusion"} <= sections
    for p in hits:
        assert p.finding == (p.section in FINDING_SECTIONS)
    # the abstract is its own chunk: never merged with the introduction
    abstract = [p for p in hits if p.section == "abstract"]
    assert abstract and all("Coaches plan" not in p.text for p in abstract)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("1. Introduction", ("introduction", 1)),
        ("2  Materials and Methods", ("methods", 2)),
        ("3.\u00a0Results", ("results", 3)),
        ("Conclusions", ("conclusion", None)),
        ("Practical Applications", ("practical applications", None)),
        ("IV. Discussion", ("discussion", 4)),
        ("2  Are Athletes at a Greater Risk", ("body", 2)),
        ("2.1 Participants", (None, None)),
        ("Twelve weeks of training were completed.", (None, None)),
    ],
)
def test_heading_names(line: str, expected: tuple[str | None, int | None]) -> None:
    assert heading_name(line) == expected


def test_breaks_decided_by_evidence() -> None:
    empty: frozenset[str] = frozenset()
    # the document's own spelling decides, with no tokenizer at all
    text = (
        "Periodisation matters.\nThe periodisa-\ntion of high-\nintensity and high-intensity work."
    )
    assert repair(text, Lexicon(text, empty)) == (
        "Periodisation matters.\nThe periodisation of high-intensity and high-intensity work."
    )
    # numbers, capitals and suspended hyphens keep theirs
    text = "a 1-\n2 min rest; RED-\nS; pre-\nand post-exercise"
    assert repair(text, Lexicon(text, empty)) == "a 1-2 min rest; RED-S; pre- and post-exercise"
    # the tokenizer's whole words decide when the document is silent
    vocab = frozenset({"survey", "america", "self", "report"})
    text = "a sur - vey in Amer -\nica by self-\nreport"
    assert repair(text, Lexicon(text, vocab)) == "a survey in America by self-report"
    # a dash between two words stays a dash
    text = "training - a process"
    assert repair(text, Lexicon(text, vocab)) == text
    log: list[Decision] = []
    dehyphenate("exer\u00adcise")
    repair("exer\u00adcise", Lexicon("", empty), log)
    assert [(d.kind, d.result) for d in log] == [("soft", "exercise")]


def test_letter_gaps_close_only_on_evidence() -> None:
    text = "The wa ve model improved training effe ctiveness; vitamin C is at p < 0.05 in g/kg."
    lexicon = Lexicon(text + " wave effectiveness", tokenizer_words())
    assert close_gaps(text, lexicon) == (
        "The wave model improved training effectiveness; vitamin C is at p < 0.05 in g/kg."
    )


# The team's real papers -----------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_chunks() -> dict[str, list]:
    """The five papers ingested once through the real pipeline (hash embedder)."""
    from tests.conftest import SHARED_DATA
    from tests.fakes import HashEmbedder

    pdfs = SHARED_DATA / "pdfs"
    if not pdfs.is_dir():
        pytest.skip("../shared/data is not present")
    home = pytest.MonkeyPatch()
    import tempfile

    folder = tempfile.mkdtemp(prefix="fc-pdf-text-")
    home.setenv("FITCOACH_HOME", folder)
    try:
        lib = Library(load_settings(library={"starter": False}), embedder=HashEmbedder())
        report = lib.ingest(sorted(pdfs / name for name in SHARED))
        assert report.failed == 0, [f.message for f in report.files]
        chunks = lib.store.all_chunks(lib.collection())
        names = {f.doc_id: Path(f.path).name for f in report.files}
        out: dict[str, list] = {name: [] for name in SHARED}
        for chunk in chunks:
            out[names[chunk.doc_id]].append(chunk)
        return out
    finally:
        home.undo()
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def _broken_words(text: str, vocabulary: frozenset[str]) -> list[str]:
    """Words a page broke and nobody joined, found independently of the repair's own rules."""

    def word(w: str) -> bool:
        w = w.lower()
        return w in vocabulary and (len(w) > 1 or w in "ai")

    found = re.findall(r"\w+ -\s?\w+|\w+- (?!and\b|or\b|to\b)\w+", text)
    found += ["soft hyphen"] * text.count("\u00ad")
    for m in re.finditer(r"\b([A-Za-z]+)-([a-z]+)\b", text):  # "pleth-ora"
        a, b = m.groups()
        if (a + b).lower() in vocabulary and not (word(a) and word(b)):
            found.append(m.group(0))
    for m in re.finditer(r"(?<![\w-])([A-Za-z]+) (?=([a-z]+)\b)", text):  # "effe ctiveness"
        a, b = m.groups()
        if len(a + b) >= 5 and (a + b).lower() in vocabulary and not word(a) and not word(b):
            found.append(f"{a} {b}")
    return found


def test_no_broken_words_left_in_any_chunk(shared_chunks: dict[str, list]) -> None:
    vocabulary = tokenizer_words()
    assert vocabulary, "the bundled MiniLM vocabulary is missing"
    broken = {
        name: [w for c in chunks for w in _broken_words(c.text, vocabulary)]
        for name, chunks in shared_chunks.items()
    }
    assert broken == {name: [] for name in SHARED}
    for name, words in JOINED.items():
        text = " ".join(c.text for c in shared_chunks[name])
        missing = [w for w in words if w not in text]
        assert not missing, (name, missing)


def test_no_legitimate_hyphen_joined(shared_chunks: dict[str, list]) -> None:
    from pypdf import PdfReader

    from fitcoach.ingest.pdf import _page_text, pdf_blocks
    from tests.conftest import SHARED_DATA

    wrong: list[str] = []
    for name in sorted(SHARED):
        raw = [_page_text(p) for p in PdfReader(str(SHARED_DATA / "pdfs" / name)).pages]
        inline = set(re.findall(r"(?<![\w-])[A-Za-z]+-[A-Za-z]+", "\n".join(raw)))
        log: list[Decision] = []
        pdf_blocks(raw, log=log)
        for d in log:
            if (
                d.kind == "line"
                and d.joined
                and (
                    f"{d.left}-{d.right}" in inline or d.right[0].isdigit() or d.left[-1].isdigit()
                )
            ):
                wrong.append(f"{name}: {d.left}-{d.right}")
        text = " ".join(c.text for c in shared_chunks[name])
        wrong += [f"{name}: {w} lost" for w in KEPT.get(name, []) if w not in text]
    assert wrong == []


def test_abstract_and_conclusion_marked_on_each(shared_chunks: dict[str, list]) -> None:
    for name, chunks in shared_chunks.items():
        sections = [c.section for c in sorted(chunks, key=lambda c: c.index)]
        assert "abstract" in sections and "conclusion" in sections, (
            name,
            sorted(set(sections), key=str),
        )
        assert sections[0] == "abstract", name  # the title page is not indexed
        first_intro = (
            sections.index("introduction") if "introduction" in sections else len(sections)
        )
        assert set(sections[:first_intro]) == {"abstract"}, name


def test_sidebars_and_running_heads_dropped(shared_chunks: dict[str, list]) -> None:
    junk = re.compile(
        r"EDITED BY|REVIEWED BY|Academic Editors?:|Publisher’s Note|licensed under an open "
        r"access|frontiersin\.org|Received: \d|Correspondence:|@\w+\.\w+"
    )
    found = [
        (name, m.group(0))
        for name, chunks in shared_chunks.items()
        for c in chunks
        for m in junk.finditer(c.text)
    ]
    assert found == []


def _sections(lines: list[str]) -> list[tuple[str | None, str]]:
    from fitcoach.ingest.sections import label_sections

    return [(line.section, line.text) for line in label_sections([lines])]


def test_labels_on_their_own_lines_stay_in_the_abstract() -> None:
    got = _sections(
        ["A Trial of Blocks", "Abstract", "Background", "Blocks are popular.", "Methods",
         "Twenty cyclists trained.", "Results", "Power rose 6%.", "Conclusions",
         "Blocks worked.", "Background", "Coaches plan in blocks.", "Methods",
         "Cyclists were randomised."]
    )  # fmt: skip
    assert [s for s, _ in got] == ["abstract"] * 8 + ["introduction", "methods"]
    assert got[-2:] == [
        ("introduction", "Coaches plan in blocks."),
        ("methods", "Cyclists were randomised."),
    ]


def test_unlabelled_abstract_before_keywords_and_the_title_page_dropped() -> None:
    got = _sections(
        ["Journal of Examples 2024", "A Trial of Blocks", "Ann Example 1, Bob Sample 2",
         "1 Department of Sport, Example University, Exampletown",
         "Block periodisation is widely used by coaches but was rarely tested in",
         "trained cyclists, so twenty of them trained in blocks for eight weeks.",
         "Keywords: periodisation; cycling", "Introduction", "Coaches plan in blocks."]
    )  # fmt: skip
    assert got[0] == (
        "abstract",
        "Block periodisation is widely used by coaches but was rarely tested in",
    )
    assert got[-1] == ("introduction", "Coaches plan in blocks.")
    assert not any("University" in text or "Ann Example" in text for _, text in got)


def test_sidebar_blocks_end_with_their_page() -> None:
    from fitcoach.ingest.sections import label_sections

    pages = [
        ["Abstract", "Blocks worked.", "1 Introduction", "Coaches plan in blocks.",
         "OPEN ACCESS", "EDITED BY", "Some Editor,", "University of Somewhere",
         "RECEIVED 01 November 2023", "COPYRIGHT", "© 2024 the authors."],
        ["and they plan tapers too.", "2 Methods", "Cyclists trained."],
    ]  # fmt: skip
    got = [(line.page, line.section, line.text) for line in label_sections(pages)]
    assert got == [
        (1, "abstract", "Blocks worked."),
        (1, "introduction", "Coaches plan in blocks."),
        (2, "introduction", "and they plan tapers too."),
        (2, "methods", "Cyclists trained."),
    ]
