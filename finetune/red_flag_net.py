"""Train the red-flag net under the screen's table (agent/data/red_flag_net.json).

    python -m fitcoach.finetune.red_flag_net            # cross-validate, fit, write
    python -m fitcoach.finetune.red_flag_net --dry-run  # cross-validate only

The screen's vocabulary is a table of regular expressions: it refers what it can name and
nothing else. Red flags written outside the team in indirect words ("like a tight band round
my chest", "my watch jumps to 220 out of nowhere") slip past it, round after round. The net is
a logistic regression on the bundled MiniLM sentence vector of the whole message; the agent
asks it only when the table refers nothing, and it can only add a referral, never remove a
flag.

Data, tune split only (held-out red-flag rounds and held-out graded questions are never read):
- positives: bench/data/red_flags.jsonl red flags (`split: tune`), every screening-table case
  the table refers (tests/data/screening_cases.yaml), graded tune questions that expect a
  referral, agent_eval questions that expect one;
- negatives: the look-alikes of bench/data/red_flags.jsonl (`split: tune`), screening-table
  cases the table does not refer, every other graded tune question, agent_eval question and
  retrieval question (bench/data/retrieval/questions_*.jsonl).

The cross-validation table (5 folds, seed 0) prints, per threshold, how many tune red flags,
look-alikes the table does not refer, and ordinary questions the table does not refer the net
alone would refer. The table itself refers every tune red flag (its vocabulary was tuned on
them), so the net's own recall is the guide to what it adds on new wording. THRESHOLD is the
lowest at which the net alone refers at most 1 in 10 tune look-alikes (written to be
confusable on purpose) and at most 1 in 200 ordinary questions: 0.85 with tune rounds 1, 2, 4,
5, 7, 8 and 9 (C 4: red flags 189/426, look-alikes 25/320, ordinary questions 0/598; at 0.8
the look-alikes were 46/320). With rounds 1-5 only it had been 0.9 (0.85 referred 25/208
look-alikes).
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "agent" / "data" / "red_flag_net.json"
C = 4.0
THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
THRESHOLD = 0.85


def _jsonl(path: str | Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def training_rows() -> list[tuple[str, int, str]]:
    """(text, label, kind) for every tune message: kind is `flag`, `lookalike` or `question`."""
    import yaml

    from fitcoach.agent.tools import screen

    rows: list[tuple[str, int, str]] = []
    for r in _jsonl(REPO / "bench" / "data" / "red_flags.jsonl"):
        if r["split"] == "tune":
            rows.append((r["text"], int(r["refer"]), "flag" if r["refer"] else "lookalike"))
    cases = yaml.safe_load((REPO / "tests" / "data" / "screening_cases.yaml").read_text(encoding="utf-8"))
    for c in cases:
        if not c.get("profile"):
            refer = any(f.action == "refer" for f in screen(c["text"]).flags)
            rows.append((c["text"], int(refer), "flag" if refer else "lookalike"))
    for path in sorted(glob.glob(str(REPO / "bench" / "data" / "answer_quality" / "*.jsonl"))):
        for r in _jsonl(path):
            if r["split"] == "tune":
                rows.append((r["question"], int(r.get("expect") == "refer"), "question"))
    for r in _jsonl(REPO / "bench" / "data" / "agent_eval.jsonl"):
        rows.append((r["question"], int(bool(r["expect"].get("refer"))), "question"))
    for path in sorted(glob.glob(str(REPO / "bench" / "data" / "retrieval" / "questions_*.jsonl"))):
        rows += [(r["question"], 0, "question") for r in _jsonl(path) if r.get("question")]
    return list({text: (text, label, kind) for text, label, kind in rows}.values())


def data_digest(rows: list[tuple[str, int, str]]) -> str:
    """What the shipped net was trained on, so a test can tell when it is stale."""
    blob = "\n".join(f"{label}\t{text}" for text, label, _ in sorted(rows))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def cross_validate(x, y, kinds: list[str], by_rules: list[bool]) -> None:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    p = np.zeros(len(y))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(x, y):
        model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(x[train], y[train])
        p[test] = model.predict_proba(x[test])[:, 1]
    flags = [i for i, k in enumerate(kinds) if k == "flag"]
    looks = [i for i, k in enumerate(kinds) if k == "lookalike" and not by_rules[i]]
    plain = [i for i, k in enumerate(kinds) if k == "question" and not y[i] and not by_rules[i]]
    print(f"cross-validated on {len(y)} tune messages ({int(y.sum())} red flags), C {C}")
    print("| threshold | red flags | look-alikes | ordinary questions |")
    print("| --- | --- | --- | --- |")
    for t in THRESHOLDS:
        print(f"| {t} | {sum(p[i] >= t for i in flags)}/{len(flags)} | {sum(p[i] >= t for i in looks)}/{len(looks)} "
              f"| {sum(p[i] >= t for i in plain)}/{len(plain)} |")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="Cross-validate only.")
    args = parser.parse_args(argv)
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from fitcoach.agent.tools import screen
    from fitcoach.models import load_embedder

    rows = training_rows()
    texts = [t for t, _, _ in rows]
    x = np.array(load_embedder("minilm-l6").embed(texts))
    y = np.array([label for _, label, _ in rows])
    by_rules = [any(f.action == "refer" for f in screen(t).flags) for t in texts]
    cross_validate(x, y, [k for _, _, k in rows], by_rules)
    if args.dry_run:
        return 0
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=5000).fit(x, y)
    OUT.write_text(
        json.dumps({
            "embedder": "minilm-l6", "threshold": THRESHOLD, "c": C, "data": data_digest(rows),
            "intercept": round(float(model.intercept_[0]), 6),
            "coef": [round(float(w), 6) for w in model.coef_[0]],
        }) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    print(f"wrote {OUT.relative_to(REPO)} (threshold {THRESHOLD})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
