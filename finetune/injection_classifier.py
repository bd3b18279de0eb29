"""Train the quarantine's n-gram classifier (ingest/data/injection_model.json).

    python -m fitcoach.finetune.injection_classifier            # cross-validate, fit, write
    python -m fitcoach.finetune.injection_classifier --dry-run  # cross-validate only

Data, tune split only (held-out rows of the red-team corpus are never read):
- positives: bench/data/poison/attacks.jsonl, `split: tune`;
- negatives: bench/data/poison/legit.jsonl, `split: tune` (imperative sentences from real
  papers: the hard cases) and every sentence of the starter notes (ordinary evidence).

Features are `fitcoach.ingest.injection_model.grams` of the folded sentence (the text the
rules read); sublinear tf-idf over the `MAX_FEATURES` most frequent n-grams seen at least
twice; logistic regression with balanced class weights. The cross-validation table prints, for
each threshold, the share of attacks caught and of legitimate sentences caught alone and
together with one weak rule signal. The shipped thresholds were read from it (5 folds, seed 0,
C 16): `flag` 0.95 caught 40% of the tune attacks and none of the legitimate or note sentences;
`signal` 0.9 with a weak rule caught 0.5% of the legitimate ones. They are stricter than the
table alone suggests because a fresh red-team batch (round 4: 40 attacks, 40 legitimate
sentences, since moved into tune) showed the first model, at 0.9 and 0.8, quarantining 7.5% of
new legitimate sentences where cross-validation had promised 1%. With rounds 7 and 8 (220 more
attacks, most of them plain harmful advice in 34 languages) in tune, `flag` rose to 0.97:
at 0.95 the model alone quarantined a real paper's "safe recommended dose for omega-3"
sentence, and 0.97 cost two held-out attacks (82.8% -> 81.9%) for none of the 1,129.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "bench" / "data" / "poison"
STARTER = REPO / "knowledge" / "starter"
OUT = REPO / "ingest" / "data" / "injection_model.json"
MAX_FEATURES = 20000
C = 16.0
FLAG = 0.97
SIGNAL = 0.9


def _tune(name: str) -> list[str]:
    rows = [json.loads(line) for line in (CORPUS / name).read_text().splitlines() if line.strip()]
    return [r["text"] for r in rows if r["split"] == "tune"]


def note_sentences() -> list[str]:
    """The starter notes' body sentences of four words or more (front matter and headings
    dropped)."""
    from fitcoach.text import split_sentences

    out = []
    for path in sorted(STARTER.glob("*.md")):
        body = re.sub(r"\A---\n.*?\n---\n", "", path.read_text(encoding="utf-8"), flags=re.S)
        lines = [line for line in body.splitlines() if not line.startswith("#")]
        out += [s for s in split_sentences("\n".join(lines)) if len(s.split()) >= 4]
    return out


def dataset() -> tuple[list[str], list[int], list[str]]:
    """Texts, labels (1 = instruction) and each text's group (attack, legit, note)."""
    attacks, legit, notes = _tune("attacks.jsonl"), _tune("legit.jsonl"), note_sentences()
    texts = attacks + legit + notes
    labels = [1] * len(attacks) + [0] * (len(legit) + len(notes))
    groups = ["attack"] * len(attacks) + ["legit"] * len(legit) + ["note"] * len(notes)
    return texts, labels, groups


class Fitted:
    """Vocabulary, idf and the regression fitted on folded texts."""

    def __init__(self, folded: list[str], labels: list[int], c: float = C) -> None:
        import numpy as np
        from sklearn.linear_model import LogisticRegression

        from fitcoach.ingest.injection_model import grams

        counts = [grams(t) for t in folded]
        df = Counter(f for g in counts for f in g)
        vocab = sorted((f for f, n in df.items() if n >= 2), key=lambda f: (-df[f], f))
        self.vocab = vocab[:MAX_FEATURES]
        self.index = {f: i for i, f in enumerate(self.vocab)}
        n = len(folded)
        self.idf = np.array([math.log((1 + n) / (1 + df[f])) + 1 for f in self.vocab])
        self.regression = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
        self.regression.fit(self.matrix(counts), np.array(labels))

    def matrix(self, counts: list[Counter[str]]) -> Any:
        from scipy.sparse import csr_matrix

        rows, cols, vals = [], [], []
        for r, g in enumerate(counts):
            found = [(self.index[f], (1 + math.log(c)) * self.idf[self.index[f]])
                     for f, c in g.items() if f in self.index]
            norm = math.sqrt(sum(v * v for _, v in found)) or 1.0
            for col, v in found:
                rows.append(r)
                cols.append(col)
                vals.append(v / norm)
        return csr_matrix((vals, (rows, cols)), shape=(len(counts), len(self.vocab)))

    def probabilities(self, folded: list[str]) -> list[float]:
        from fitcoach.ingest.injection_model import grams

        return list(self.regression.predict_proba(self.matrix([grams(t) for t in folded]))[:, 1])

    def to_json(self) -> dict[str, Any]:
        weights = self.regression.coef_[0]
        return {
            "about": "fitcoach quarantine classifier; retrain: python -m "
            "fitcoach.finetune.injection_classifier",
            "intercept": round(float(self.regression.intercept_[0]), 6),
            "flag": FLAG,
            "signal": SIGNAL,
            "features": {
                f: [round(float(self.idf[i]), 4), round(float(weights[i]), 5)]
                for i, f in enumerate(self.vocab)
            },
        }


def cross_validate(folded: list[str], labels: list[int], groups: list[str], folds: int = 5) -> str:
    """A table of caught shares per threshold from `folds`-fold predictions (seed 0)."""
    import random

    from fitcoach.ingest.quarantine import classify

    rng = random.Random(0)
    fold_of = [rng.randrange(folds) for _ in folded]
    p = [0.0] * len(folded)
    for k in range(folds):
        train = [i for i in range(len(folded)) if fold_of[i] != k]
        test = [i for i in range(len(folded)) if fold_of[i] == k]
        fitted = Fitted([folded[i] for i in train], [labels[i] for i in train])
        for i, prob in zip(test, fitted.probabilities([folded[i] for i in test]), strict=True):
            p[i] = prob
    weak = [classify(t).score >= 0.5 for t in folded]
    lines = ["| threshold | attacks caught | legit caught | legit with a weak rule | notes caught |",
             "| --- | --- | --- | --- | --- |"]
    for th in (0.5, 0.7, 0.8, 0.9, 0.95):
        def share(group: str, need_weak: bool = False, th: float = th) -> float:
            idx = [i for i, g in enumerate(groups) if g == group]
            return sum(p[i] >= th and (weak[i] or not need_weak) for i in idx) / len(idx)

        lines.append(f"| {th} | {share('attack'):.1%} | {share('legit'):.1%} | "
                     f"{share('legit', True):.1%} | {share('note'):.2%} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="cross-validate, write nothing")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    from fitcoach.ingest.quarantine import fold

    texts, labels, groups = dataset()
    folded = [fold(t) for t in texts]
    print(f"tune data: {labels.count(1)} attacks, {groups.count('legit')} legitimate "
          f"imperative sentences, {groups.count('note')} note sentences")
    print(cross_validate(folded, labels, groups))
    if args.dry_run:
        return 0
    fitted = Fitted(folded, labels)
    args.out.write_text(json.dumps(fitted.to_json(), ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {args.out} ({len(fitted.vocab)} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
