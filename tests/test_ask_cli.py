"""`fitcoach ask` through click's runner: exit codes, the JSON contract, human output."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from fitcoach.cli import cli
from tests.fakes_llm import FakeLibrary, fake_llm, fake_screen


@pytest.fixture
def fakes(monkeypatch):
    """The CLI builds its own Coach: give it the fake library, model and screen."""
    import fitcoach.agent.llm as llm
    import fitcoach.agent.tools as tools
    import fitcoach.knowledge as knowledge

    replies = ["Novices should train with loads of 8-12 repetition maximum [1]."] * 3
    monkeypatch.setattr(knowledge, "Library", lambda settings: FakeLibrary(), raising=False)
    monkeypatch.setattr(llm, "make_chat_model", lambda settings: (fake_llm(*replies), "fake-model"))
    monkeypatch.setattr(tools, "screen", fake_screen)


def run(*args: str):
    return CliRunner().invoke(cli, ["ask", *args], catch_exceptions=False)


def test_json_is_one_object_with_the_contract(fakes):
    result = run("How heavy should novices train for strength?", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {
        "question", "answer", "citations", "tool_results", "safety_flags", "abstained", "model",
    }  # fmt: skip
    assert data["model"] == "fake-model"
    assert data["citations"][0]["page"] == "3"


def test_human_output_lists_flags_first_then_references(fakes):
    result = run("chest pain when I squat; give me a plan")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("SAFETY REFER")
    assert "References" in result.output and "[1] Riebe D (2015)" in result.output


def test_tool_table_and_profile_file(fakes, tmp_path):
    profile = tmp_path / "me.toml"
    profile.write_text('age = 35\nunits = "kg"\ntraining_status = "novice"\n')
    result = run("I did 100 kg x 5, what is my 1RM?", "--profile", str(profile))
    assert result.exit_code == 0
    assert "Tool results" in result.output and "one-rep-max" in result.output
    assert "116.7" in result.output


def test_stream_prints_tokens_then_the_answer(fakes):
    result = run("How heavy should novices train for strength?", "--stream")
    assert result.exit_code == 0
    assert result.output.count("8-12 repetition maximum") == 2  # the draft, then the answer


def test_errors_are_messages_not_tracebacks(fakes, tmp_path):
    bad = tmp_path / "p.json"
    bad.write_text('{"age": "old"}')
    result = run("How heavy?", "--profile", str(bad))
    assert result.exit_code == 2
    assert "error: invalid profile" in result.output and "Traceback" not in result.output
    assert run("x", "--json", "--stream").exit_code == 2


def test_unknown_model_is_a_config_error(monkeypatch):
    import fitcoach.knowledge as knowledge

    monkeypatch.setattr(knowledge, "Library", lambda settings: FakeLibrary(), raising=False)
    result = run("How heavy should novices train for strength?", "--model", "no-such-model")
    assert result.exit_code == 2
    assert "unknown model 'no-such-model'" in result.output
