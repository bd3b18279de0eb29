"""Reward functions: their doctests, and properties that must hold for any answer."""

from __future__ import annotations

import doctest
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from fitcoach.errors import UnknownNameError
from fitcoach.finetune import rewards
from fitcoach.finetune.rewards import (
    REWARDS,
    citation_reward,
    format_score,
    get_reward,
    tool_numbers_reward,
)

words = st.lists(
    st.sampled_from(["rest", "sets", "load", "protein", "sleep", "squat", "heavy", "light"]),
    min_size=1,
    max_size=8,
)


def test_doctests_pass() -> None:
    result = doctest.testmod(rewards)
    assert result.attempted >= 10
    assert result.failed == 0


def test_unknown_reward_lists_the_valid_ones() -> None:
    try:
        get_reward("vibes")
    except UnknownNameError as exc:
        assert "citation" in exc.hint and "format" in exc.hint
    else:
        raise AssertionError("expected UnknownNameError")


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 8), cites=st.lists(st.integers(1, 8), min_size=1, max_size=4), body=words)
def test_citation_reward_is_one_iff_every_citation_was_shown(n, cites, body) -> None:
    answer = " ".join(body) + "".join(f" [{c}]" for c in cites) + "."
    [reward] = citation_reward([None], [answer], n_evidence=[n], expect_citation=[True])
    assert reward == (1.0 if max(cites) <= n else 0.0)


@settings(max_examples=40, deadline=None)
@given(body=words, n=st.integers(0, 5))
def test_uncited_answer_fails_only_where_citing_is_required(body, n) -> None:
    answer = " ".join(body) + "."
    required, optional = citation_reward(
        [None, None], [answer, answer], n_evidence=[n, n], expect_citation=[True, False]
    )
    assert (required, optional) == (0.0, 1.0)


@settings(max_examples=40, deadline=None)
@given(
    load=st.integers(20, 300),
    reps=st.integers(1, 10),
    est=st.floats(21, 400).map(lambda x: round(x, 1)),
)
def test_tool_reward_wants_the_computed_number_verbatim(load, reps, est) -> None:
    run = {
        "tool": "one-rep-max",
        "inputs": {"load": load, "reps": reps},
        "output": {"summary": f"Estimated 1RM: {est:g} kg from {load} kg x {reps}."},
        "rule": "Epley",
        "reference": "Epley 1985",
    }
    runs = json.dumps([run])
    copied, dropped = tool_numbers_reward(
        [None, None],
        [f"Your estimated 1RM is {est:g} kg.", "You are strong."],
        tool_runs=[runs, runs],
    )
    assert copied == 1.0
    # dropping the number fails unless the estimate merely echoes an input
    assert dropped == (1.0 if f"{est:g}" in (str(load), str(reps)) else 0.0)


@settings(max_examples=80, deadline=None)
@given(text=st.text(max_size=200))
def test_every_reward_is_bounded_for_any_text(text) -> None:
    cols = {
        "n_evidence": [2],
        "tool_runs": ["[]"],
        "expect_citation": [True],
        "expect_refer": [False],
        "expect_abstain": [False],
    }
    for func in REWARDS.values():
        [value] = func([None], [[{"role": "assistant", "content": text}]], **cols)
        assert value is None or 0.0 <= value <= 1.0
    assert 0.0 <= format_score(text) <= 1.0
