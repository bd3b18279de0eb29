"""Ingestion: real PDFs made here with reportlab, Markdown, text, manifests, failures, dedup."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from fitcoach import Library, load_settings
from fitcoach.errors import ConfigError, IngestError
from fitcoach.ingest.chunking import chunk_blocks
from fitcoach.ingest.document import Block
from fitcoach.ingest.metadata import find_doi, load_manifest
from fitcoach.ingest.readers import read_document
from fitcoach.knowledge.retrieval import embedding_text
from tests.fakes import HashEmbedder

DOI = "10.1519/JSC.0000000000001049"
LOREM = (
    "Resistance training volume was progressed weekly across the mesocycle. "
    "Participants completed three sessions per week with two minutes of rest between sets. "
    "Muscle thickness of the vastus lateralis increased more with higher weekly set counts. "
)


# PDF factories -----------------------------------------------------------------------------


def make_paper(
    path: Path, *, pages: int = 4, doi: str | None = DOI, title: str | None = None
) -> Path:
    """A multi-page article: big title and DOI on page 1, a running header and footer on every
    page, a word hyphenated at a line end, and a reference list at the end."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    for page in range(1, pages + 1):
        c.setFont("Helvetica", 8)
        c.drawString(50, height - 30, "Journal of Strength Research 2016; 30(1): 267-275")
        c.drawString(50, 25, f"Downloaded from example.org on 1 March 2024 - page {page}")
        y = height - 70
        if page == 1:
            c.setFont("Helvetica-Bold", 18)
            c.drawString(50, y, title or "Weekly Set Volume and Quadriceps Hypertrophy")
            y -= 24
            c.setFont("Helvetica", 10)
            c.drawString(50, y, "Ann Example, Bob Sample")
            y -= 14
            if doi:
                c.drawString(50, y, f"doi: {doi}")
                y -= 14
            c.drawString(50, y, "Published: 12 January 2016")
            y -= 24
        c.setFont("Helvetica", 10)
        if page == pages:
            c.drawString(50, y, "The interven-")
            c.drawString(50, y - 13, "tion improved strength in all groups.")
            c.drawString(50, y - 40, "References")
            for i in range(6):
                c.drawString(
                    50,
                    y - 60 - 13 * i,
                    f"{i + 1}. Zzreference A. Some cited work. J Xyz. 2001;{i}:1-9.",
                )
        else:
            for line in range(30):
                c.drawString(50, y - 13 * line, f"Page {page} line {line}: {LOREM[:95]}")
        c.showPage()
    c.save()
    return path


def make_two_column(path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    doc = BaseDocTemplate(str(path), pagesize=A4)
    w, h = A4
    col = (w - 2 * doc.leftMargin - 12) / 2
    frames = [
        Frame(doc.leftMargin, doc.bottomMargin, col, h - 2 * doc.bottomMargin, id="left"),
        Frame(
            doc.leftMargin + col + 12, doc.bottomMargin, col, h - 2 * doc.bottomMargin, id="right"
        ),
    ]
    doc.addPageTemplates([PageTemplate(id="two", frames=frames)])
    style = getSampleStyleSheet()["BodyText"]
    story = [Paragraph("Left column starts here. " + LOREM * 6, style)]
    story += [Paragraph("Right column sentence about tendon loading. " * 30, style)]
    doc.build(story)
    return path


def make_encrypted(path: Path, password: str = "s3cret") -> Path:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    enc = pdfencrypt.StandardEncryption(password, canPrint=1)
    c = canvas.Canvas(str(path), encrypt=enc)
    c.drawString(
        72, 720, "Secret protocol: creatine loading increases muscle phosphocreatine stores."
    )
    c.drawString(72, 700, LOREM[:90])
    c.showPage()
    c.save()
    return path


def make_image_only(path: Path) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    for i in range(20):  # a "scan": shapes, no text layer
        c.rect(50 + i * 10, 100 + i * 20, 200, 10, fill=1)
    c.showPage()
    c.save()
    return path


def ingest(lib: Library, *paths: Path, **kw):
    return lib.ingest(list(paths), **kw)


@pytest.fixture
def lib(fake_embedder) -> Library:
    settings = load_settings(library={"starter": False})
    return Library(settings, embedder=fake_embedder)


# Readers and metadata ----------------------------------------------------------------------


def test_pdf_metadata_and_cleaning(tmp_path: Path) -> None:
    pdf = make_paper(tmp_path / "paper.pdf")
    doc = read_document(pdf, pdf.read_bytes())
    assert doc.kind == "pdf" and doc.pages == 4
    assert doc.meta.doi == DOI.lower()
    assert doc.meta.title == "Weekly Set Volume and Quadriceps Hypertrophy"
    assert doc.meta.year == 2016
    text = " ".join(b.text for b in doc.blocks)
    assert (
        "Downloaded from" not in text and "Journal of Strength Research" not in text
    )  # running lines
    assert "intervention improved" in text  # hyphenation at the line end repaired
    assert "Zzreference" not in text  # the reference list is not indexed
    assert [b.page for b in doc.blocks] == [1, 2, 3, 4]


def test_two_column_pdf_keeps_columns_apart(tmp_path: Path) -> None:
    pdf = make_two_column(tmp_path / "two.pdf")
    text = " ".join(b.text for b in read_document(pdf, pdf.read_bytes()).blocks)
    left, right = text.find("Left column starts"), text.find("Right column sentence")
    assert 0 <= left < right
    # the left column is read to its end before the right one begins
    assert text.count("Muscle thickness", 0, right) == 6


def test_find_doi_prefers_labelled_and_normalises() -> None:
    text = (
        "cites 10.1000/other.ref here\nhttps://doi.org/10.1007/S40279\u2011023\u201101875\u20114."
    )
    assert find_doi(text) == "10.1007/s40279-023-01875-4"
    assert find_doi("Citation ... https://doi.org/10.3390/\nijerph1824") is None


def test_markdown_front_matter_and_sections(tmp_path: Path) -> None:
    md = tmp_path / "note.md"
    md.write_text(
        "---\ntitle: Tapering\nauthors: [Bosquet L, Montpetit J]\nyear: 2007\n"
        "doi: 10.1249/mss.0b013e318060d2a7\njournal: MSSE\n---\n# Key findings\n\n"
        "## What was studied\n\nA meta-analysis of tapering.\n\n## Numbers\n\n- Reduce volume 41-60%.\n"
    )
    doc = read_document(md, md.read_bytes())
    assert doc.meta.title == "Tapering" and doc.meta.authors == ["Bosquet L", "Montpetit J"]
    assert doc.meta.year == 2007 and doc.meta.journal == "MSSE"
    assert [b.section for b in doc.blocks] == ["What was studied", "Numbers"]
    assert "Reduce volume 41-60%." in doc.blocks[1].text


def test_unsupported_type_names_supported_types(lib: Library, tmp_path: Path) -> None:
    odd = tmp_path / "slides.pptx"
    odd.write_bytes(b"PK\x03\x04 not really")
    result = ingest(lib, odd).files[0]
    assert (result.status, result.reason) == ("failed", "unsupported")
    assert ".pdf" in result.hint and ".md" in result.hint and ".txt" in result.hint


# Failures never abort the batch --------------------------------------------------------------


def test_failure_reasons_and_batch_continues(lib: Library, tmp_path: Path) -> None:
    good = make_paper(tmp_path / "good.pdf")
    encrypted = make_encrypted(tmp_path / "locked.pdf")
    scanned = make_image_only(tmp_path / "scan.pdf")
    truncated = tmp_path / "cut.pdf"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    fake = tmp_path / "notes.pdf"
    fake.write_text("just some text pretending to be a PDF")
    missing = tmp_path / "nowhere.pdf"
    report = ingest(lib, encrypted, scanned, truncated, fake, missing, good)
    reasons = {Path(f.path).name: (f.status, f.reason) for f in report.files}
    assert reasons == {
        "locked.pdf": ("failed", "encrypted"),
        "scan.pdf": ("failed", "no_text"),
        "cut.pdf": ("failed", "corrupt"),
        "notes.pdf": ("failed", "not_pdf"),
        "nowhere.pdf": ("failed", "missing"),
        "good.pdf": ("added", "new"),
    }
    by_name = {Path(f.path).name: f for f in report.files}
    assert "--password" in by_name["locked.pdf"].hint
    assert "ocrmypdf" in by_name["scan.pdf"].hint
    assert "not a PDF despite its name" in by_name["notes.pdf"].message
    assert "truncated or corrupt" in by_name["cut.pdf"].message
    assert report.added == 1 and report.failed == 5
    assert [d.title for d in lib.documents()] == ["Weekly Set Volume and Quadriceps Hypertrophy"]


def test_encrypted_pdf_with_password(lib: Library, tmp_path: Path) -> None:
    pdf = make_encrypted(tmp_path / "locked.pdf")
    wrong = ingest(lib, pdf, password="nope").files[0]
    assert (wrong.status, wrong.reason) == ("failed", "encrypted")
    right = ingest(lib, pdf, password="s3cret").files[0]
    assert right.status == "added"
    assert "phosphocreatine" in lib.search("creatine phosphocreatine", k=1)[0].text


# Identity, dedup, replacement ----------------------------------------------------------------


class CountingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        self.embedded = 0

    def embed(self, texts, batch_size=64):
        self.embedded += len(texts)
        return super().embed(texts)


def test_dedup_reingest_and_replace(tmp_path: Path) -> None:
    embedder = CountingEmbedder()
    lib = Library(load_settings(library={"starter": False}), embedder=embedder)
    folder = tmp_path / "papers"
    folder.mkdir()
    make_paper(folder / "a.pdf")
    (folder / "b.md").write_text(
        "# Sleep\n\nSleep under eight hours raised injury risk in adolescents.\n"
    )
    first = lib.ingest([folder])
    assert first.added == 2 and embedder.embedded == first.embedded_chunks > 0

    embedder.embedded = 0
    again = lib.ingest([folder])
    assert [f.reason for f in again.files] == ["unchanged", "unchanged"]
    assert embedder.embedded == 0 and again.embedded_chunks == 0  # no embedding work at all

    copy = tmp_path / "renamed.pdf"
    shutil.copy(folder / "a.pdf", copy)
    dup = lib.ingest([copy]).files[0]
    assert (dup.status, dup.reason) == ("skipped", "duplicate")
    assert "already in the library as" in dup.message and "a.pdf" in dup.message

    old_id = (
        lib.documents()[1].doc_id
        if lib.documents()[0].title == "Sleep"
        else lib.documents()[0].doc_id
    )
    (folder / "b.md").write_text("# Sleep\n\nSleep extension improved sprint times in athletes.\n")
    changed = lib.ingest([folder / "b.md"]).files[0]
    assert (changed.status, changed.reason) == ("added", "replaced")
    docs = lib.documents()
    assert len(docs) == 2 and changed.doc_id in {d.doc_id for d in docs}
    assert old_id in {d.doc_id for d in docs}  # a.pdf untouched
    texts = [p.text for p in lib.search("sleep", k=10, mode="bm25")]
    assert any("sprint" in t for t in texts) and not any("adolescents" in t for t in texts)
    # the collection holds exactly the chunks of the visible documents
    assert lib.collection().count() == sum(d.n_chunks for d in docs)


def test_same_file_twice_in_one_run(lib: Library, tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    a.write_text("Creatine monohydrate at 3-5 g per day raises muscle creatine stores.\n")
    b = tmp_path / "b.txt"
    b.write_bytes(a.read_bytes())
    report = ingest(lib, a, b)
    assert [(f.status, f.reason) for f in report.files] == [
        ("added", "new"),
        ("skipped", "duplicate"),
    ]
    assert len(lib.documents()) == 1


# Metadata overrides ----------------------------------------------------------------------------


def test_manifest_and_flags_override_guesses(lib: Library, tmp_path: Path) -> None:
    pdf = make_paper(tmp_path / "x.pdf", doi=None, title="Some Guessed Title For Testing")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "path,doi,title,authors,year,journal\n"
        "x.pdf,10.1249/MSS.0b013e3181915670,Progression Models,Ratamess NA; Alvar BA,2009,MSSE\n"
    )
    ingest(lib, pdf, manifest=manifest)
    doc = lib.documents()[0]
    assert (doc.title, doc.year, doc.journal) == ("Progression Models", 2009, "MSSE")
    assert doc.doi == "10.1249/mss.0b013e3181915670" and doc.authors == ["Ratamess NA", "Alvar BA"]

    note = tmp_path / "n.txt"
    note.write_text("Tapering for two weeks preserved strength.\n")
    ingest(lib, note, overrides={"title": "Taper note", "year": 2020, "doi": "10.1/ABC\u2011D"})
    doc = next(d for d in lib.documents() if d.title == "Taper note")
    assert doc.year == 2020 and doc.doi == "10.1/abc-d"


def test_json_manifest_and_bad_manifest(tmp_path: Path) -> None:
    (tmp_path / "p.md").write_text("x")
    path = tmp_path / "m.json"
    path.write_text(json.dumps([{"path": "p.md", "title": "T", "year": "2011"}]))
    row = load_manifest(path).lookup(tmp_path / "p.md")
    assert row is not None and row.title == "T" and row.year == 2011
    bad = tmp_path / "m.yaml"
    bad.write_text("x")
    with pytest.raises(ConfigError):
        load_manifest(bad)


# Chunking --------------------------------------------------------------------------------------


def test_chunks_carry_pages_and_sections(lib: Library, tmp_path: Path) -> None:
    pdf = make_paper(tmp_path / "p.pdf", pages=5)
    ingest(lib, pdf)
    chunks = lib.store.all_chunks(lib.collection())
    assert chunks and all(
        c.page_start is not None and 1 <= c.page_start <= c.page_end <= 5 for c in chunks
    )
    assert {c.page_start for c in chunks} >= {1, 2, 3, 4}


_words = st.text(alphabet="abcdefghij .,;!?-()0123456789ĀéΩ", min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(
    paragraphs=st.lists(
        st.lists(_words, min_size=1, max_size=120).map(" ".join), min_size=1, max_size=6
    ),
    limit=st.integers(min_value=40, max_value=254),
    overlap=st.integers(min_value=0, max_value=60),
)
@example(paragraphs=["?) 0"], limit=40, overlap=0)  # lost ')' once: a splitter ate it
def test_chunks_never_exceed_the_limit(paragraphs: list[str], limit: int, overlap: int) -> None:
    embedder = HashEmbedder()
    blocks = [Block(text=p, page=i + 1) for i, p in enumerate(paragraphs)]

    def wrap(section: str | None, text: str) -> str:
        return embedding_text("A title, with punctuation!", section, text)

    drafts = chunk_blocks(
        blocks, embedder.count_tokens_batch, limit=limit, overlap=overlap, wrap=wrap
    )
    for d in drafts:
        assert embedder.count_tokens(wrap(d.section, d.text)) <= limit
    # nothing is lost: every word of the input appears in some chunk
    joined = " ".join(d.text for d in drafts)
    assert all(w in joined for p in paragraphs for w in p.split())


def test_real_tokenizer_never_truncates(tmp_path: Path) -> None:
    """With all-MiniLM-L6-v2's own tokenizer (not the model), chunks of a real note and a
    pathological text fit in its 256 word pieces, [CLS] and [SEP] included."""
    transformers = pytest.importorskip("transformers")
    from fitcoach.models import embedder_path

    try:
        path = embedder_path("minilm-l6")
    except Exception:
        pytest.skip("bundled MiniLM not installed")
    tok = transformers.AutoTokenizer.from_pretrained(str(path))

    def count(texts: list[str]) -> list[int]:
        return [len(ids) for ids in tok(texts, add_special_tokens=False)["input_ids"]]

    starter = sorted((Path(__file__).resolve().parents[1] / "knowledge" / "starter").glob("*.md"))
    blocks = [b for f in starter[:5] for b in read_document(f, f.read_bytes()).blocks]
    blocks.append(Block(text="Ωμέγα-3 " * 400 + "https://example.org/" + "x" * 3000, page=9))
    blocks.append(Block(text="Supercalifragilisticexpialidocious. " * 200, page=10))
    drafts = chunk_blocks(
        blocks, count, limit=254, overlap=40, wrap=lambda s, t: embedding_text("Title", s, t)
    )
    full = tok([embedding_text("Title", d.section, d.text) for d in drafts])["input_ids"]
    assert max(len(ids) for ids in full) <= 256  # what the model sees, special tokens included


def test_ingest_error_is_fitcoach_error() -> None:
    err = IngestError("encrypted", "x is encrypted", hint="pass --password")
    assert err.reason == "encrypted" and "--password" in str(err)
