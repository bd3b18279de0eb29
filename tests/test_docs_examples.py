"""Docstring examples are run, so they cannot drift from the code they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "fitcoach.text",
    "fitcoach.agent.faithful",
    "fitcoach.agent.evidence",
    "fitcoach.agent.filters",
    "fitcoach.agent.guard",
    "fitcoach.agent.prompts",
    "fitcoach.agent.verify",
    "fitcoach.finetune.pipeline",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # examples that name relative paths write nothing in the repo
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0


def test_facade_exposes_the_public_api() -> None:
    import fitcoach

    assert fitcoach.Coach.__name__ == "Coach" and fitcoach.Library.__name__ == "Library"
    assert callable(fitcoach.run_tool) and callable(fitcoach.screen)
    assert fitcoach.load_settings().agent.model
    assert fitcoach.__version__


def test_coach_takes_what_ask_takes() -> None:
    import fitcoach

    coach = fitcoach.Coach(model="smollm2-135m-instruct", adapter="none")
    assert coach.settings.agent.model == "smollm2-135m-instruct"
    assert coach.settings.agent.adapter == "none"
