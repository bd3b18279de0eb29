"""The evidence reranker's setting and its trainer's labels (no reranker is shipped: see
finetune/reranker.py for what the last one measured)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from fitcoach.agent.evidence import Sentence
from fitcoach.agent.rerank import reranker_dir
from fitcoach.errors import ConfigError
from fitcoach.finetune import reranker as trainer


def test_reranker_setting_names_a_folder_with_weights(tmp_path: Path) -> None:
    assert reranker_dir("none") is None
    assert reranker_dir("default") is None  # none shipped: the agent ranks without one
    with pytest.raises(ConfigError, match="reranker.safetensors"):
        reranker_dir(str(tmp_path))


def _candidates(ranked: list[Sentence], dois: dict[int, str]):
    by_n = {n: SimpleNamespace(doi=doi, title=f"Paper {n}") for n, doi in dois.items()}
    return lambda deps, question, profile=None: (ranked, by_n)


def test_trainer_labels_findings_of_relevant_papers_and_key_point_sentences(monkeypatch) -> None:
    ranked = [
        Sentence(text="Eat 1.6 g/kg of protein a day.", n=1, score=1.0),
        Sentence(text="The trials were short.", n=1, score=0.9, kind="limitation"),
        Sentence(text="Rest 3 min between sets.", n=2, score=0.8),
        Sentence(text="Protein timing mattered little.", n=1, score=0.7),
    ]
    monkeypatch.setattr(trainer, "_candidates", _candidates(ranked, {1: "10.1/p", 2: "10.1/r"}))
    labelled = [{"question": "protein?", "relevant_dois": ["10.1/P"]}]
    pairs = trainer.build_pairs(None, labelled, [])
    assert [(text.split(": ", 1)[1], label) for _, text, label, _ in pairs] == [
        ("Eat 1.6 g/kg of protein a day.", 1.0),  # the relevant paper's findings
        ("Protein timing mattered little.", 1.0),
        ("Rest 3 min between sets.", 0.0),  # another paper's: a hard negative
        ("The trials were short.", 0.0),  # the right paper, but it answers nothing
    ]

    graded = [{"question": "protein?", "split": "tune", "expect": "answer",
               "key_points": [["1.6"]], "source_dois": ["10.1/p"]}]  # fmt: skip
    pairs = trainer.build_pairs(None, [], graded)
    assert [(text.split(": ", 1)[1], label, w) for _, text, label, w in pairs] == [
        ("Eat 1.6 g/kg of protein a day.", 1.0, 2.0),  # holds the key point
        ("Rest 3 min between sets.", 0.0, 2.0),  # outside the row's sources
        ("The trials were short.", 0.0, 0.5),  # a source paper's: it may still support
        ("Protein timing mattered little.", 0.0, 0.5),
    ]


def test_trainer_reads_only_the_tune_split(tmp_path: Path) -> None:
    rows = [
        '{"question": "a", "split": "tune", "expect": "answer"}',
        '{"question": "b", "split": "heldout", "expect": "answer"}',
        '{"question": "c", "split": "tune", "expect": "gap"}',
    ]
    (tmp_path / "area.jsonl").write_text("\n".join(rows) + "\n")
    assert [r["question"] for r in trainer.graded_questions(tmp_path)] == ["a"]
