"""The phrasing table (tests/data/parser_phrasings.yaml): every phrasing the team wrote parses
to exactly the statements the table states, assumptions and questions included."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fitcoach.agent.parse import parse

CASES = yaml.safe_load((Path(__file__).parent / "data" / "parser_phrasings.yaml").read_text())


def test_table_is_large_and_well_formed():
    assert len(CASES) >= 400
    keys = [(c["text"], c.get("units")) for c in CASES]
    assert len(set(keys)) == len(keys), "a phrasing is listed twice"
    for case in CASES:
        assert set(case) <= {"text", "units", "expect"}, case


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:60] for c in CASES])
def test_phrasing_parses_exactly(case):
    assert parse(case["text"], units=case.get("units")).brief() == case["expect"]
