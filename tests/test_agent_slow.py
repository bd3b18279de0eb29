"""The real thing: the bundled library, embedder and SmolLM2 model, end to end (slow)."""

from __future__ import annotations

import pytest

from fitcoach.agent import Coach
from fitcoach.agent.verify import check_citations, numbers_reproduced

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def coach(tmp_path_factory):
    import os

    from fitcoach.settings import load_settings

    # One home for the module: the starter library and model conversion happen once.
    home = tmp_path_factory.mktemp("home")
    os.environ["FITCOACH_HOME"] = str(home)
    with Coach(load_settings()) as c:
        yield c


def test_evidence_answer_with_the_bundled_model(coach):
    answer = coach.ask("How long should I rest between sets for strength?")
    assert not answer.abstained and answer.citations
    assert check_citations(answer.answer, len(answer.citations)) == (True, [])
    assert any("grgic" in c.title.lower() or "rest" in c.title.lower() for c in answer.citations)
    assert "smollm2-135m-instruct" in answer.model
    assert {"retrieve", "answer", "verify"} <= set(answer.timings)


def test_tool_numbers_survive_the_bundled_model(coach):
    answer = coach.ask("I did 100 kg x 5 on the bench press. What is my estimated 1RM?")
    assert "116.7" in answer.answer
    assert numbers_reproduced(answer.answer, answer.tool_results)


def test_refer_and_abstain_with_real_parts(coach):
    refer = coach.ask("I get chest pain when I run up hills. Give me a 10k plan.")
    assert refer.refer and refer.draft is None and not refer.tool_results
    off = coach.ask("Should I buy bitcoin or index funds?")
    assert off.abstained and not off.citations


def test_thread_memory_with_the_bundled_model(coach):
    coach.ask("I squatted 100 kg for 8 reps at RPE 8 today.", thread_id="slow")
    answer = coach.ask("What should I lift next session on the squat?", thread_id="slow")
    assert "next-load" in [r.tool for r in answer.tool_results]
    assert numbers_reproduced(answer.answer, answer.tool_results)
