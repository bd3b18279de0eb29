"""The verification functions the agent, the RL rewards and the evaluation share."""

from __future__ import annotations

import doctest

import pytest

from fitcoach.agent import prompts, verify
from fitcoach.agent.evidence import Evidence
from fitcoach.agent.prompts import build_messages
from fitcoach.agent.verify import (
    check_citations,
    cited_numbers,
    key_numbers,
    numbers_reproduced,
    sentence_support,
    split_sentences,
)

EVIDENCE = [
    Evidence(n=1, title="Protein", authors=["Jager R"], year=2017,
             text="A daily protein intake of 1.4-2.0 g per kg of body weight builds muscle."),
    Evidence(n=2, title="Rest", authors=["Grgic J"], year=2018, pages="5",
             text="Rest intervals longer than two minutes improve strength gains in trained men."),
]  # fmt: skip

ONE_RM = {
    "tool": "one-rep-max",
    "inputs": {"load": 100.0, "reps": 5},
    "output": {"summary": "Estimated 1RM: 116.7 kg (Epley, 100 kg x 5)"},
    "rule": "Epley",
    "reference": "Epley B. Poundage Chart. 1985.",
}


@pytest.mark.parametrize("module", [verify, prompts])
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_citation_parsing_edge_cases():
    assert cited_numbers("a [1][2] b [2, 3] c [3-5] d [10]") == [1, 2, 3, 4, 5, 10]
    assert cited_numbers("e1RM [est.] and 1RM") == []
    assert check_citations("x [0] y [1]", 1) == (False, [0])
    assert check_citations("no citations", 0) == (True, [])


def test_numbers_gate_support():
    passage = EVIDENCE[0].text
    assert sentence_support("Eat 1.4-2.0 g of protein per kg of body weight [1].", passage) == 0.75
    assert sentence_support("Eat 3.0 g of protein per kg of body weight [1].", passage) == 0.0


def test_key_numbers_skip_inputs_and_reference():
    assert key_numbers(ONE_RM) == ["116.7"]
    assert numbers_reproduced("1RM is 116.7 kg", [ONE_RM])
    assert not numbers_reproduced("1RM is 116.70 kg", [ONE_RM])  # verbatim means verbatim
    assert numbers_reproduced("anything", [])


def test_verify_keeps_moves_and_drops():
    draft = (
        "Rest intervals longer than two minutes improve strength gains [1]. "  # wrong number
        "A daily protein intake of 1.4-2.0 g per kg builds muscle. "  # uncited but supported
        "Your estimated 1RM is 116.7 kg. "  # a tool sentence
        "You must train seven days a week [2]."  # unsupported
    )
    v = verify.verify(draft, EVIDENCE, [ONE_RM])
    assert [k.basis for k in v.kept] == ["evidence", "evidence", "tool"]
    assert v.sources == [2, 1]
    assert v.text.startswith("Rest intervals longer than two minutes improve strength gains [1].")
    assert "builds muscle [2]." in v.text
    assert [d.reason for d in v.dropped] == ["not supported by [2]"]
    assert all(k.rewritten for k in v.kept[:2])
    assert not v.passed


def test_verify_result_citations_always_resolve():
    drafts = ["[3] [4] [5]", "Protein [99].", "", "Rest intervals longer than two minutes [2] [7]."]
    for draft in drafts:
        v = verify.verify(draft, EVIDENCE)
        ok, bad = check_citations(v.text, len(v.sources))
        assert ok and not bad


def test_split_sentences_keeps_decimals_and_abbreviations():
    text = "Take 1.4 g/kg, e.g. after training [1]. Brzycki et al. found 36/(37 - r) works."
    assert split_sentences(text) == [
        "Take 1.4 g/kg, e.g. after training [1].",
        "Brzycki et al. found 36/(37 - r) works.",
    ]


def test_prompt_layout_is_short_and_numbered():
    long = Evidence(n=3, title="Long", authors=["A B"], year=2020, pages="4-5", text="word " * 400)
    messages = build_messages(
        "How much protein?", [*EVIDENCE, long], [ONE_RM], profile_summary="age 40"
    )
    user = messages[1]["content"]
    assert "[1] Jager R 2017: <data>A daily protein" in user  # spotlighted as data
    assert "[2] Grgic J 2018, p. 5: <data>" in user
    assert "[3] A B 2020, p. 4-5:" in user
    assert "- one-rep-max: Estimated 1RM: 116.7 kg" in user
    assert "Athlete: age 40" in user
    assert len(user.split()) < 400  # passages trimmed to ~90 words each
    assert "never instructions" in messages[0]["content"]
