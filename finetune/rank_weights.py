"""Fit the weights the agent ranks evidence sentences with (agent/data/rank_weights.yaml).

    python -m fitcoach.finetune.rank_weights            # fit on the tune splits, print, write
    python -m fitcoach.finetune.rank_weights --dry-run  # fit and print only

The agent scores each candidate sentence as a weighted sum of named features
(`fitcoach.agent.evidence.sentence_features`): MiniLM similarity, sentence BM25, the passage's
retrieval similarity, title words, section, kind, numbers, populations. Those weights were set
by hand; this fits them on the team's labels, tune splits only (held-out files are never read):

- bench/data/retrieval/questions_*.jsonl: a sentence from a paper that answers the question
  is a positive, any other candidate a negative;
- bench/data/answer_quality/*.jsonl, rows with `split: tune` that expect an answer: a sentence
  that holds one of the row's key points counts as a positive twice over (it is what a good
  answer quotes).

Model: logistic regression on score = similarity + sum(w_i x_i), times a learned temperature,
plus a bias, with an L2 pull towards the hand weights. Similarity keeps weight 1 so the score
stays on the scale of the thresholds in settings (sentence_floor, gap_score). The `kind_*`
weights stay as set by hand: paper-level labels would teach that a paper's methods sentence
is as good a lead as its finding (the same holds for a "what was studied" section). Candidates come from the agent's own retrieve step with the
library in $FITCOACH_HOME (starter notes; the shared PDFs too when ingested there).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FIXED = ("constant", "similarity", "kind_finding", "kind_method", "kind_demographics", "kind_limitation",
         "section_study")
KEY_POINT_WEIGHT = 2.0


def _rows(folder: Path, pattern: str, keep: Any = lambda row: True) -> list[dict[str, Any]]:
    rows = []
    for file in sorted(folder.glob(pattern)):
        rows += [json.loads(line) for line in file.read_text().splitlines() if line.strip()]
    return [r for r in rows if keep(r)]


def _norm(text: str) -> str:
    text = text.lower().replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"\s+", " ", text)


def holds_key_point(text: str, key_points: list[list[str]]) -> bool:
    """Whether a sentence holds any alternative of any of a graded row's key points."""
    said = _norm(text)
    return any(_norm(alt) in said for point in key_points for alt in point)


Example = tuple[dict[str, float], float, float, int]  # features, label, weight, question


def examples(deps: Any) -> list[Example]:
    """(features, label, sample weight, question number) for every candidate sentence of every
    tune question."""
    from fitcoach.agent import nodes
    from fitcoach.agent.evidence import candidates, paper_words
    from fitcoach.agent.state import Plan
    from fitcoach.agent.tools import AthleteProfile
    from fitcoach.text import normalize_doi

    bench = REPO / "bench" / "data"
    questions = [
        (r["question"], {normalize_doi(d) for d in r["relevant_dois"]}, None, r.get("profile"))
        for r in _rows(bench / "retrieval", "questions_*.jsonl")
    ]
    questions += [
        (r["question"], None, r["key_points"], r.get("profile"))
        for r in _rows(bench / "answer_quality", "*.jsonl",
                       lambda r: r["split"] == "tune" and r["expect"] == "answer")
    ]  # fmt: skip
    out = []
    for i, (question, relevant, key_points, profile_data) in enumerate(questions):
        profile = AthleteProfile(**profile_data) if profile_data else None
        state = {"question": question, "profile": profile, "screen": None,
                 "plan": Plan(queries=[question])}  # fmt: skip
        evidence = nodes.retrieve(state, deps)["evidence"]
        found = candidates(paper_words(question) or question, evidence, profile, deps.embedder)
        for (text, e), features in zip(found.pool, found.features, strict=True):
            if relevant is not None:
                out.append((features, float(normalize_doi(e.doi or "") in relevant), 1.0, i))
            else:
                hit = holds_key_point(text, key_points)
                out.append((features, float(hit), KEY_POINT_WEIGHT, i))
    return out


def fit(data: list[Example], start: dict[str, float],
        l2: float = 0.01, steps: int = 3000) -> tuple[dict[str, float], dict[str, float]]:  # fmt: skip
    """Weights for the free features, and the fit's figures (loss before and after)."""
    import torch

    names = sorted({n for f, *_ in data for n in f} - set(FIXED))
    x = torch.tensor([[f.get(n, 0.0) for n in names] for f, *_ in data])
    offset = torch.tensor([sum(start.get(n, 0.0) * f.get(n, 0.0) for n in FIXED) for f, *_ in data])
    y = torch.tensor([label for _, label, *_ in data])
    sample = torch.tensor([w for _, _, w, _ in data])
    prior = torch.tensor([start.get(n, 0.0) for n in names])
    w = prior.clone().requires_grad_(True)
    log_t = torch.zeros((), requires_grad=True)
    bias = torch.zeros((), requires_grad=True)
    opt = torch.optim.Adam([w, log_t, bias], lr=0.02)

    def loss_of(weights: Any) -> Any:
        logits = log_t.exp() * (offset + x @ weights) + bias
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, y, weight=sample)
        return loss + l2 * ((weights - prior) ** 2).sum()

    # the hand weights' own loss, with their best temperature and bias, for comparison
    fixed = prior.clone()
    opt_prior = torch.optim.Adam([log_t, bias], lr=0.02)
    for _ in range(steps // 2):
        opt_prior.zero_grad()
        loss_of(fixed).backward()
        opt_prior.step()
    before = float(loss_of(fixed).detach())
    for _ in range(steps):
        opt.zero_grad()
        loss_of(w).backward()
        opt.step()
    fitted = {n: round(float(v), 3) for n, v in zip(names, w.detach(), strict=True)}
    # Thresholds (sentence_floor, gap_score) compare a question's best score with a constant:
    # shift the fitted scores so that the median best score per question stays where it was.
    fitted["constant"] = round(start.get("constant", 0.0) + _median_best(data, start)
                               - _median_best(data, {**start, **fitted}), 3)  # fmt: skip
    figures = {"loss_hand": round(before, 4), "loss_fitted": round(float(loss_of(w).detach()), 4),
               "examples": len(data), "positives": int(y.sum()),
               "temperature": round(float(log_t.exp().detach()), 2)}  # fmt: skip
    return fitted, figures


def _median_best(data: list[Example], weights: dict[str, float]) -> float:
    import statistics

    best: dict[int, float] = {}
    for features, _, _, question in data:
        score = sum(weights.get(n, 0.0) * v for n, v in features.items())
        best[question] = max(best.get(question, score), score)
    return statistics.median(best.values())


def write(path: Path, weights: dict[str, float], figures: dict[str, Any]) -> None:
    """Rewrite the weights in place, keeping each line's comment, and say how they were fit."""
    lines, done = [], set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# Fitted by"):
            continue
        match = re.match(r"^(  )([a-z_]+):\s*(-?[\d.]+)(\s*#.*)?$", line)
        if match and match[2] in weights:
            value = f"{weights[match[2]]:g}"
            comment = match[4].strip() if match[4] else ""
            line = f"  {match[2]}: {value}".ljust(27) + " " + comment if comment else f"  {match[2]}: {value}"
            done.add(match[2])
        if line == "weights:":
            lines.append(f"# Fitted by `python -m fitcoach.finetune.rank_weights`: {json.dumps(figures)}")
        lines.append(line)
    lines += [f"  {name}: {value:g}" for name, value in weights.items() if name not in done]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="print, do not write")
    parser.add_argument("--l2", type=float, default=0.01, help="pull towards the hand weights")
    args = parser.parse_args()
    import fitcoach
    from fitcoach.agent import evidence

    coach = fitcoach.Coach()
    deps = coach._deps()
    deps.library.ensure_starter()
    start = evidence.rank_weights()
    data = examples(deps)
    fitted, figures = fit(data, start, l2=args.l2)
    weights = {n: start[n] if n in FIXED and n != "constant" else fitted.get(n, start[n])
               for n in start}  # fmt: skip
    weights |= {n: v for n, v in fitted.items() if n not in weights}
    print(json.dumps(figures))
    for name in weights:
        print(f"  {name:<22} {start.get(name, 0.0):>7.3f} -> {weights[name]:>7.3f}")
    if not args.dry_run:
        write(evidence._WEIGHTS_FILE, weights, figures)
        print(f"wrote {evidence._WEIGHTS_FILE}")


if __name__ == "__main__":
    main()
