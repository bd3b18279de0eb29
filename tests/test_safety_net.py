"""The red-flag net under the screen's table (agent/safety_net.py): it adds a referral only for
a message about the body that the table refers nothing in, and never touches the table's own
flags."""

from __future__ import annotations

import json

import pytest

from fitcoach.agent.safety_net import NET, about_the_body, red_flag_probability, with_net
from fitcoach.agent.tools import screen
from fitcoach.finetune.red_flag_net import data_digest, training_rows


@pytest.fixture(scope="module")
def embedder():
    from fitcoach.models import load_embedder

    return load_embedder("minilm-l6")


def test_the_shipped_net_was_trained_on_the_current_tune_data() -> None:
    shipped = json.loads(NET.read_text(encoding="utf-8"))
    assert shipped["data"] == data_digest(training_rows()), (
        "retrain: python -m fitcoach.finetune.red_flag_net"
    )
    assert len(shipped["coef"]) == 384 and 0.5 <= shipped["threshold"] < 1


@pytest.mark.parametrize(
    "text",
    [
        # words the table has no pattern for: a pounding heart with vision going fuzzy on a
        # climb, a knee that locked and swelled to "the size of a grapefruit"
        "halfway up the climb my heart started thumping weirdly and everything went fuzzy so I "
        "sat on the kerb for a bit, what intervals should I do next week?",
        "my knee locked halfway through the game and now it's the size of a grapefruit, what "
        "rehab should I start?",
    ],
)
def test_a_red_flag_the_table_cannot_name_is_referred_by_the_net(text: str, embedder) -> None:
    table = screen(text)
    assert not table.refer
    result = with_net(table, text, embedder)
    assert result.refer and result.flags[-1].code == "possible_red_flag"
    assert "doctor" in result.flags[-1].message and result.flags[-1].reference
    assert result.flags[:-1] == table.flags  # the table's own flags stay as they were


@pytest.mark.parametrize(
    "text",
    [
        "how many sets per week for biceps?",
        "my legs feel heavy after squats, should I deload?",
        "went a bit weird on macros this week, ate too much, how do i get back on track",
        "been stuck at the same weight for 3 weeks eating 1800 cals wtf is going on",
        "had my doctor check my palpitations, he said it's benign, can I do HIIT?",
    ],
)
def test_ordinary_and_cleared_messages_get_no_referral(text: str, embedder) -> None:
    assert not with_net(screen(text), text, embedder).refer


def test_the_net_is_not_asked_when_the_table_refers(embedder) -> None:
    class Refuses:
        def embed(self, texts):
            raise AssertionError("the net was asked")

    text = "I get chest pain when I run up hills"
    assert with_net(screen(text), text, Refuses()).refer


def test_without_an_embedder_the_table_alone_decides() -> None:
    text = "my knee locked halfway through the game and now it's the size of a grapefruit"
    assert red_flag_probability(text, None) is None
    assert with_net(screen(text), text, None) == screen(text)


def test_denied_symptoms_are_not_about_the_body() -> None:
    assert not about_the_body("no headache, no dizziness, feel fine, what should I train?")
    assert about_the_body("my calf is hot and swollen")
