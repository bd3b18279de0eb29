"""Train the evidence reranker: the bundled MiniLM as a cross-encoder over (question, sentence).

    python -m fitcoach.finetune.reranker --out finetune/adapters/fitcoach-reranker

The bi-encoder embeds question and sentence apart, so "my longest run was 12k, is 18k this
weekend risky?" scores a running-economy sentence as high as a long-run-spike one. A
cross-encoder reads both together. Training data comes from the team's labelled questions
(bench/data/retrieval/questions_*.jsonl; the held-out files are never read here): for each
question the agent's own retrieve step gathers candidate sentences; sentences from a paper
that answers it are positives, the best-scored sentences from other papers hard negatives.
The graded answer-quality questions of the tune split add sentence-level labels: a sentence
holding a key point is a positive (see `build_pairs`). The last two encoder layers and the
scoring head train, and only they are saved (7 MB beside the bundled weights, the base); the
agent runs them with int8 linear layers.

None is shipped, because the last run did not make answers better. With these defaults
(5,947 pairs, 3 epochs, 9 minutes on 2 cores), weight 0.5 in the sentence score measured:
- `bench/evidence_selection.py --split heldout`: the lead came from a relevant paper 0.843
  of the time (0.835 without it), chosen sentences 0.818 (0.778);
- `bench/answer_quality.py --split heldout`: every key point in 41/79 answers (42 without),
  the expected source cited 70/79 (73), honest gaps 7/10 (7), median 0.8 s (0.6).
Evidence from the right paper does not mean the sentence holding the key point: the model
learned which paper far better than which sentence.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path
from typing import Any

TRAINABLE = ("bert.encoder.layer.4.", "bert.encoder.layer.5.", "bert.pooler.", "classifier.")
WEIGHTS = "reranker.safetensors"


def labelled_questions(folder: Path) -> list[dict[str, Any]]:
    rows = []
    for file in sorted(folder.glob("questions_*.jsonl")):
        rows += [json.loads(line) for line in file.read_text().splitlines() if line.strip()]
    return rows


def graded_questions(folder: Path) -> list[dict[str, Any]]:
    """The answer-quality rows of the tune split that expect an answer (held-out never read)."""
    rows = []
    for file in sorted(folder.glob("*.jsonl")):
        rows += [json.loads(line) for line in file.read_text().splitlines() if line.strip()]
    return [r for r in rows if r["split"] == "tune" and r["expect"] == "answer"]


Pair = tuple[str, str, float, float]  # question, "title: sentence", label, weight


def _candidates(deps: Any, question: str, profile: Any = None) -> tuple[list[Any], dict[int, Any]]:
    """The sentences the agent would score for a question (all of its passages kept)."""
    from fitcoach.agent import nodes
    from fitcoach.agent.state import Plan

    state = {"question": question, "profile": profile, "screen": None,
             "plan": Plan(queries=[question])}  # fmt: skip
    update = nodes.retrieve(state, deps)
    return update["ranked"], {e.n: e for e in update["evidence"]}


def build_pairs(
    deps: Any, labelled: list[dict[str, Any]], graded: list[dict[str, Any]], per_side: int = 6
) -> list[Pair]:
    """(question, 'title: sentence', label, weight) from the agent's own candidate sentences.

    - labelled retrieval questions: a finding from a paper that answers it is a positive, a
      sentence from any other paper a (hard, best-scored first) negative, and so is the
      relevant paper's methods, participants or limitations sentence;
    - graded answer-quality questions: a sentence holding one of the key points is a positive
      worth twice as much (it is what a good answer quotes), one from a paper outside the
      row's sources a negative as heavy, a source paper's other sentence a light negative."""
    from fitcoach.agent.tools import AthleteProfile
    from fitcoach.finetune.rank_weights import KEY_POINT_WEIGHT, holds_key_point
    from fitcoach.text import normalize_doi

    pairs: list[Pair] = []
    for row in labelled:
        relevant = {normalize_doi(d) for d in row["relevant_dois"]}
        ranked, by_n = _candidates(deps, row["question"])
        answers = {s.n for s in ranked if normalize_doi(by_n[s.n].doi or "") in relevant}
        pos = [s for s in ranked if s.n in answers and s.kind == "finding"]
        neg = [s for s in ranked if s.n not in answers]
        # the right paper's methods, participants and limitations answer nothing: without
        # them the model learns which paper, not which sentence
        aside = [s for s in ranked if s.n in answers and s.kind != "finding"]
        for s, label, weight in (
            [(s, 1.0, 1.0) for s in pos[:per_side]] + [(s, 0.0, 1.0) for s in neg[:per_side]]
            + [(s, 0.0, 1.0) for s in aside[: per_side // 2]]
        ):
            pairs.append((row["question"], f"{by_n[s.n].title}: {s.text}", label, weight))
    for row in graded:
        sources = {normalize_doi(d) for d in row.get("source_dois") or []}
        profile = AthleteProfile(**row["profile"]) if row.get("profile") else None
        ranked, by_n = _candidates(deps, row["question"], profile)
        pos = [s for s in ranked if holds_key_point(s.text, row["key_points"])]
        rest = [s for s in ranked if s not in pos]
        neg = [s for s in rest if normalize_doi(by_n[s.n].doi or "") not in sources]
        # a source paper's sentence without a key point may still support an answer: it
        # counts against, but a quarter as much as a sentence from another paper
        near = [s for s in rest if s not in neg]
        for s, label, weight in (
            [(s, 1.0, KEY_POINT_WEIGHT) for s in pos[:per_side]]
            + [(s, 0.0, KEY_POINT_WEIGHT) for s in neg[:per_side]]
            + [(s, 0.0, KEY_POINT_WEIGHT / 4) for s in near[: per_side // 2]]
        ):
            pairs.append((row["question"], f"{by_n[s.n].title}: {s.text}", label, weight))
    return pairs


def train(pairs: list[Pair], base: Path, out: Path, epochs: int, seed: int) -> dict:
    import torch
    from safetensors.torch import save_file
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(seed)
    tok = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(base, num_labels=1)
    for name, param in model.named_parameters():
        param.requires_grad = name.startswith(TRAINABLE)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
    rng = random.Random(seed)
    started, steps, last = time.time(), 0, 0.0
    model.train()
    for _ in range(epochs):
        rng.shuffle(pairs)
        for i in range(0, len(pairs), 32):
            batch = pairs[i : i + 32]
            enc = tok([q for q, *_ in batch], [s for _, s, *_ in batch], truncation=True,
                      max_length=160, padding=True, return_tensors="pt")  # fmt: skip
            logits = model(**enc).logits.squeeze(-1)
            weights = torch.tensor([w for *_, w in batch])
            losses = loss_fn(logits, torch.tensor([y for _, _, y, _ in batch]))
            loss = (losses * weights).sum() / weights.sum()
            loss.backward()
            opt.step()
            opt.zero_grad()
            steps, last = steps + 1, loss.item()
    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items()
             if k.startswith(TRAINABLE)}  # fmt: skip
    save_file(state, str(out / WEIGHTS))
    meta = {"base": "minilm-l6", "trainable": list(TRAINABLE), "pairs": len(pairs),
            "positives": sum(1 for _, _, y, _ in pairs if y), "epochs": epochs, "steps": steps,
            "final_loss": round(last, 4), "seconds": round(time.time() - started, 1),
            "seed": seed}  # fmt: skip
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=Path("bench/data/retrieval"))
    parser.add_argument("--graded", type=Path, default=Path("bench/data/answer_quality"))
    parser.add_argument("--out", type=Path, default=Path("finetune/adapters/fitcoach-reranker"))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="use this many questions (seeded)")
    args = parser.parse_args()
    import fitcoach
    from fitcoach.models import embedder_path

    os.environ.setdefault("FITCOACH_AGENT__RERANKER", "none")  # candidates without the old one
    os.environ.setdefault("FITCOACH_AGENT__EVIDENCE_K", "20")  # every candidate, none pruned
    coach = fitcoach.Coach()
    deps = coach._deps()
    deps.library.ensure_starter()
    rows, graded = labelled_questions(args.questions), graded_questions(args.graded)
    if args.limit:
        pick = random.Random(args.seed)
        rows = pick.sample(rows, min(args.limit, len(rows)))
        graded = pick.sample(graded, min(args.limit, len(graded)))
    pairs = build_pairs(deps, rows, graded)
    print(f"{len(rows)} labelled + {len(graded)} graded questions -> {len(pairs)} pairs")
    meta = train(pairs, embedder_path("minilm-l6"), args.out, args.epochs, args.seed)
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
