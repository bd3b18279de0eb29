"""The graded answer-quality set (bench/data/answer_quality) is well formed and honest: every key
point is written in the note or PDF it cites, gap topics are really absent from the library,
red-flag rows are referred by the screen. Fast: no model, no embedder."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import Counter
from functools import cache

import pytest

from tests.conftest import REPO, SHARED_DATA

STARTER = REPO / "knowledge" / "starter"
PDFS = SHARED_DATA / "pdfs"


@cache
def bench():  # bench/ is not a package: load the script as a module (no heavy imports in it)
    spec = importlib.util.spec_from_file_location(
        "answer_quality", REPO / "bench" / "answer_quality.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@cache
def rows():
    return bench().load_rows()


@cache
def starter_notes() -> dict[str, str]:
    """DOI -> note text, from each note's front matter."""
    notes = {}
    for path in STARTER.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        notes[re.search(r'^doi:\s*"([^"]+)"', text, re.M).group(1).lower()] = text
    return notes


@cache
def shared_pdfs() -> dict[str, str]:
    """DOI (from the shared README's table) -> text as the library's PDF reader sees it."""
    from fitcoach.ingest.readers import read_document

    readme = (SHARED_DATA / "README.md").read_text(encoding="utf-8")
    dois = dict(re.findall(r"\|\s*(\d+\.pdf)\s*\|[^|]*\|\s*(10\.[^\s|]+)\s*\|", readme))
    texts = {}
    for name, doi in dois.items():
        path = PDFS / name
        doc = read_document(path, path.read_bytes())
        texts[doi.lower()] = "\n".join(block.text for block in doc.blocks)
    return texts


needs_pdfs = pytest.mark.skipif(not PDFS.is_dir(), reason="../shared/data/pdfs is absent")


def test_sizes_and_coverage() -> None:
    data = rows()
    expect = Counter(r.expect for r in data)
    assert len(data) >= 150
    assert sum(r.needs == "shared_pdfs" for r in data) >= 30
    assert expect["gap"] >= 20 and expect["decline"] >= 10 and expect["refer"] >= 5
    assert {r.area for r in data} == set(bench().Area.__args__)
    assert len({r.id for r in data}) == len(data)
    assert len({r.question.lower() for r in data}) == len(data)
    tune = sum(r.split == "tune" for r in data) / len(data)
    assert 0.55 <= tune <= 0.65
    for area in {r.area for r in data}:  # both splits hold every area with enough rows
        in_area = [r for r in data if r.area == area]
        if len(in_area) >= 5:
            assert {r.split for r in in_area} == {"tune", "heldout"}, area


def test_profiles_are_athlete_profiles() -> None:
    from fitcoach.agent.tools.profile import AthleteProfile

    for row in rows():
        if row.profile is not None:
            AthleteProfile.model_validate(row.profile)


def test_starter_rows_cite_starter_notes_and_their_key_points_come_from_them() -> None:
    notes = starter_notes()
    for row in rows():
        if row.expect != "answer" or row.needs == "shared_pdfs":
            continue
        missing = [d for d in row.source_dois if d.lower() not in notes]
        assert not missing, f"{row.id}: no starter note has DOI {missing}"
        source = "\n".join(notes[d.lower()] for d in row.source_dois)
        for point in row.key_points:
            assert any(bench().phrase_in(alt, source) for alt in point), (row.id, point)


@needs_pdfs
def test_pdf_rows_key_points_come_from_the_shared_pdfs() -> None:
    texts = shared_pdfs()
    pdf_rows = [r for r in rows() if r.needs == "shared_pdfs"]
    for row in pdf_rows:
        assert row.source_dois and all(d.lower() in texts for d in row.source_dois), row.id
        source = "\n".join(texts[d.lower()] for d in row.source_dois)
        for point in row.key_points:
            assert any(bench().phrase_in(alt, source) for alt in point), (row.id, point)
    assert {d.lower() for r in pdf_rows for d in r.source_dois} == set(texts)  # all five used


def test_gap_topics_are_absent_from_the_library() -> None:
    texts = list(starter_notes().values())
    if PDFS.is_dir():
        texts += list(shared_pdfs().values())
    library = "\n".join(texts)
    for row in rows():
        for term in row.absent_terms:
            assert not bench().phrase_in(term, library), f"{row.id}: the library holds {term!r}"


def test_red_flag_rows_are_referred_by_the_screen() -> None:
    import fitcoach

    for row in rows():
        if row.expect == "refer":
            assert fitcoach.screen(row.question, row.profile).refer, row.id


def test_must_not_never_contradicts_a_key_point() -> None:
    for row in rows():
        for phrase in row.must_not:
            for point in row.key_points:
                assert not any(bench().phrase_in(alt, phrase) for alt in point), (row.id, phrase)


@pytest.mark.parametrize(
    ("phrase", "text", "found"),
    [
        ("1.4-2.0", "eat 1.4 to 2.0 g/kg", True),
        ("1.4-2.0", "eat 1.4–2.0 g/kg", True),
        ("1.6", "about 1.62 g/kg", False),
        ("1.6", "21.6 kg", False),
        ("taper", "a two-week tapering period", True),
        ("10%", "by about 10 % a week", True),
        ("µg", "400 μg of folate", True),
    ],
)
def test_phrase_matching(phrase: str, text: str, found: bool) -> None:
    assert bench().phrase_in(phrase, text) is found


def test_defects_and_numbers_are_found() -> None:
    aq = bench()
    q = "How should I taper before my marathon?"

    def kinds(text: str, topic: list[str] | None = None) -> set[str]:
        return {d.split(":")[0] for d in aq.defects(text, q, topic or [], [])}

    assert "meta" in kinds("The evidence I have does not answer my own question.")
    assert "debris" in kinds("Tapering helps safety.. [1]")
    assert "debris" in kinds("Use periodisa - tion in a taper.")
    assert "echo" in kinds("How should I taper before my marathon?")
    assert "echo" not in kinds("How should I taper before my marathon: over 2 weeks.")  # answers
    assert "off-topic" in kinds("Caffeine helps cyclists.")
    assert "repeated" in kinds("Cut volume in the final weeks, cut volume in the final weeks.")
    assert "debris" in kinds("Ingest protein before and after a workout ( 66) [2].")
    assert "debris" in kinds("0.8, p:0.033) and free training [1].")
    assert not kinds("Cut taper volume by 41-60% over two weeks [1].", ["volume"])
    assert not kinds("Pre- and post-race meals keep the taper on track.")
    assert not kinds("Soreness eased after tapering.", ["sore"])
    assert aq.wrong_numbers("The answer is 25.1 years.", "cut volume by 41-60%", []) == ["25.1"]
    assert aq.wrong_numbers("Cut volume by 41–60%.", "cut volume by 41-60%", []) == []
    assert aq.wrong_numbers("Rest 3 min.", "rest 3 min", ["3 min"]) == ["3 min"]
