"""The evidence ranker's weights: the shipped file names every feature the agent computes, and
the fit (finetune/rank_weights.py) learns what the labels reward, keeps the fixed weights, keeps
the thresholds' scale and rewrites the file without losing its comments."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from fitcoach.agent.evidence import _WEIGHTS_FILE, Evidence, candidates, rank_weights
from fitcoach.knowledge.types import Passage


def test_every_feature_the_agent_computes_has_a_weight() -> None:
    passage = Passage(chunk_id="c", doc_id="d", title="Protein for older adults", section="Results",
                      text="Older adults gained 1.2 kg of lean mass with 1.6 g/kg protein a day. "
                           "It says nothing about youth. Participants were 70 +/- 5 years old.")  # fmt: skip
    found = candidates("How much protein do older adults need?", [Evidence.from_passage(1, passage)])
    names = {n for f in found.features for n in f}
    assert names and names <= set(rank_weights())
    assert rank_weights()["similarity"] == 1.0  # the score stays on the thresholds' scale


def _synthetic(n_questions: int = 60) -> list:
    rng = random.Random(0)
    data = []
    for q in range(n_questions):
        for _ in range(8):
            good = float(rng.random() < 0.3)
            sim = rng.uniform(0.2, 0.7)
            noise = float(rng.random() < 0.5)
            label = float(rng.random() < (0.8 if good else 0.1))
            data.append(({"constant": 1.0, "similarity": sim, "coverage": good, "advice": noise,
                          "kind_method": 0.0}, label, 1.0, q))  # fmt: skip
    return data


def test_fit_learns_the_rewarded_feature_and_keeps_the_scale() -> None:
    pytest.importorskip("torch")
    from fitcoach.finetune.rank_weights import _median_best, fit

    start = {"constant": 0.0, "similarity": 1.0, "coverage": 0.0, "advice": 0.0, "kind_method": -0.15}
    data = _synthetic()
    fitted, figures = fit(data, start, steps=600)
    assert fitted["coverage"] > 0.2 and abs(fitted["advice"]) < fitted["coverage"] / 2
    assert "similarity" not in fitted and "kind_method" not in fitted  # fixed by design
    assert figures["loss_fitted"] < figures["loss_hand"]
    assert _median_best(data, {**start, **fitted}) == pytest.approx(_median_best(data, start), abs=0.01)


def test_write_keeps_comments_and_round_trips(tmp_path: Path) -> None:
    from fitcoach.finetune.rank_weights import write

    path = tmp_path / "w.yaml"
    path.write_text(_WEIGHTS_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    new = {**rank_weights(), "coverage": 0.25, "lexical": 0.3}
    write(path, new, {"loss_hand": 1.0, "loss_fitted": 0.9})
    text = path.read_text(encoding="utf-8")
    assert yaml.safe_load(text)["weights"] == new
    assert "# share of the question's words" in text and text.count("# Fitted by") == 1
