"""Metadata and failure reasons on the team's real papers (../shared/data; skipped without it)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from fitcoach import Library, load_settings
from fitcoach.errors import IngestError
from fitcoach.ingest.readers import read_document

# From ../shared/data/README.md; the file names are PubMed ids, so the DOI must come from the file.
EXPECTED = {
    "33467283.pdf": ("10.3390/jfmk5030068", 2020, "Periodization Research"),
    "34948583.pdf": ("10.3390/ijerph182412973", 2021, "Training Program Adherence"),
    "37358750.pdf": ("10.1007/s40279-023-01875-4", 2023, "Vitamin and Mineral Supplements"),
    "38328685.pdf": ("10.3389/fnut.2023.1331854", 2024, "nutritional demands"),
    "39563758.pdf": ("10.5114/jhk/191699", 2024, "Young Soccer Players"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_pdf_metadata(shared_data: Path, name: str) -> None:
    path = shared_data / "pdfs" / name
    doc = read_document(path, path.read_bytes())
    doi, year, title_part = EXPECTED[name]
    assert doc.meta.doi == doi
    assert doc.meta.year == year
    assert title_part in (doc.meta.title or "")
    assert not (doc.meta.title or "").startswith("Microsoft Word")
    text = " ".join(b.text for b in doc.blocks)
    assert "/gid0" not in text  # glyph-name garbage from publisher buttons is dropped


def test_real_odd_files_fail_well(shared_data: Path, fake_embedder) -> None:
    odd = shared_data / "odd"
    lib = Library(load_settings(library={"starter": False}), embedder=fake_embedder)
    report = lib.ingest(sorted(odd.glob("*.pdf")))
    got = {Path(f.path).name: f for f in report.files}
    assert got["ocrmypdf_c02-22.pdf"].reason == "no_text"
    assert "ocrmypdf" in got["ocrmypdf_c02-22.pdf"].hint
    assert got["ocrmypdf_invalid.pdf"].reason == "corrupt"
    enc = got["ocrmypdf_encrypted_algo4.pdf"]
    if importlib.util.find_spec("cryptography"):  # AES decrypts with the empty password
        assert enc.reason == "no_text"  # ... and then it is an image-only page
    else:
        assert enc.reason == "encrypted" and "cryptography" in enc.hint
    assert all(f.status == "failed" for f in report.files)
    assert lib.documents() == []


def test_real_pdf_needs_no_password_error(shared_data: Path) -> None:
    path = shared_data / "odd" / "ocrmypdf_invalid.pdf"
    with pytest.raises(IngestError) as info:
        read_document(path, path.read_bytes())
    assert info.value.reason == "corrupt" and "truncated or corrupt PDF" in info.value.message
