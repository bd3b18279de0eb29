"""Train the evidence reranker: the bundled MiniLM as a cross-encoder over (question, sentence).

    python -m fitcoach.finetune.reranker --out finetune/adapters/fitcoach-reranker

The bi-encoder embeds question and sentence apart, so "my longest run was 12k, is 18k this
weekend risky?" scores a running-economy sentence as high as a long-run-spike one. A
cross-encoder reads both together. Training data comes from the team's labelled questions
(bench/data/retrieval/questions_*.jsonl; the held-out files are never read here): for each
question the agent's own retrieve step gathers candidate sentences; sentences from a paper
that answers it are positives, the best-scored sentences from other papers hard negatives.
Only the last encoder layer and the scoring head train, and only they are saved (a few MB
beside the bundled weights, which stay the base).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path
from typing import Any

TRAINABLE = ("bert.encoder.layer.5.", "bert.pooler.", "classifier.")
WEIGHTS = "reranker.safetensors"


def labelled_questions(folder: Path) -> list[dict[str, Any]]:
    rows = []
    for file in sorted(folder.glob("questions_*.jsonl")):
        rows += [json.loads(line) for line in file.read_text().splitlines() if line.strip()]
    return rows


def build_pairs(deps: Any, rows: list[dict[str, Any]], per_side: int = 4) -> list[tuple[str, str, float]]:
    """(question, 'title: sentence', label) pairs from the agent's own candidate sentences."""
    from fitcoach.agent import nodes
    from fitcoach.agent.state import Plan
    from fitcoach.text import normalize_doi

    pairs: list[tuple[str, str, float]] = []
    for row in rows:
        relevant = {normalize_doi(d) for d in row["relevant_dois"]}
        state = {"question": row["question"], "profile": None, "screen": None,
                 "plan": Plan(queries=[row["question"]])}  # fmt: skip
        update = nodes.retrieve(state, deps)
        by_n = {e.n: e for e in update["evidence"]}
        pos = [s for s in update["ranked"] if by_n[s.n].doi in relevant][:per_side]
        neg = [s for s in update["ranked"] if by_n[s.n].doi not in relevant][: per_side * 2]
        for s, label in [(s, 1.0) for s in pos] + [(s, 0.0) for s in neg]:
            pairs.append((row["question"], f"{by_n[s.n].title}: {s.text}", label))
    return pairs


def train(pairs: list[tuple[str, str, float]], base: Path, out: Path, epochs: int, seed: int) -> dict:
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
    loss_fn = torch.nn.BCEWithLogitsLoss()
    rng = random.Random(seed)
    started, steps, last = time.time(), 0, 0.0
    model.train()
    for _ in range(epochs):
        rng.shuffle(pairs)
        for i in range(0, len(pairs), 32):
            batch = pairs[i : i + 32]
            enc = tok([q for q, _, _ in batch], [s for _, s, _ in batch], truncation=True,
                      max_length=160, padding=True, return_tensors="pt")  # fmt: skip
            logits = model(**enc).logits.squeeze(-1)
            loss = loss_fn(logits, torch.tensor([y for *_, y in batch]))
            loss.backward()
            opt.step()
            opt.zero_grad()
            steps, last = steps + 1, loss.item()
    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items()
             if k.startswith(TRAINABLE)}  # fmt: skip
    save_file(state, str(out / WEIGHTS))
    meta = {"base": "minilm-l6", "trainable": list(TRAINABLE), "pairs": len(pairs),
            "positives": sum(1 for *_, y in pairs if y), "epochs": epochs, "steps": steps,
            "final_loss": round(last, 4), "seconds": round(time.time() - started, 1),
            "seed": seed}  # fmt: skip
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=Path("bench/data/retrieval"))
    parser.add_argument("--out", type=Path, default=Path("finetune/adapters/fitcoach-reranker"))
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="use this many questions (seeded)")
    args = parser.parse_args()
    import fitcoach
    from fitcoach.models import embedder_path

    os.environ.setdefault("FITCOACH_AGENT__RERANKER", "none")  # candidates without the old one
    coach = fitcoach.Coach()
    deps = coach._deps()
    deps.library.ensure_starter()
    rows = labelled_questions(args.questions)
    if args.limit:
        rows = random.Random(args.seed).sample(rows, min(args.limit, len(rows)))
    pairs = build_pairs(deps, rows)
    print(f"{len(rows)} questions -> {len(pairs)} pairs")
    meta = train(pairs, embedder_path("minilm-l6"), args.out, args.epochs, args.seed)
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
