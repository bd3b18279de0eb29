"""Faithfulness of the verifier: does it keep true claims and reject garbled ones?

    python bench/faithfulness.py            # precision/recall of "supported", per split and kind
    python bench/faithfulness.py --build    # rewrite bench/data/faithfulness.jsonl first

The set is made by the team from the starter notes, MiniCheck-style: each true sentence of a
note's findings is a supported claim against its section, and each is garbled the ways a small
model garbles findings (negation flipped, direction reversed, number or unit changed,
population or study type swapped) into an unsupported claim. Hand-written pairs from the
answers a coach flagged are added. Notes are split by name (about 30% held out); the checker
(`fitcoach.agent.verify.passage_support`, which applies `fitcoach.agent.faithful.conflict`)
was tuned on the `tune` split only. Goal on `heldout`: precision of "supported" >= 0.98 at
recall >= 0.85.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "faithfulness.jsonl"
STARTER = HERE.parent / "knowledge" / "starter"

SWAPS = {
    "direction": [
        ("increased", "decreased"), ("increases", "decreases"), ("increase", "decrease"),
        ("higher", "lower"), ("more", "less"), ("greater", "smaller"), ("improved", "impaired"),
        ("improves", "impairs"), ("raises", "lowers"), ("reduced", "increased"),
        ("reduces", "increases"), ("lower", "higher"), ("fewer", "more"),
    ],
    "population": [
        ("older adults", "children"), ("adults", "children"), ("women", "men"),
        ("athletes", "older adults"), ("pregnant", "postmenopausal"), ("children", "older adults"),
        ("adolescents", "older adults"), ("men", "pregnant women"),
    ],
    "study type": [
        ("meta-analysis", "randomized controlled trial"), ("systematic review", "cohort study"),
        ("position stand", "single randomized controlled trial"),
        ("randomized", "observational cohort"), ("consensus", "meta-analysis"),
    ],
    "unit": [
        ("g/kg", "mg/kg"), ("mg/kg", "g/kg"), (" min", " h"), (" g ", " kg "), ("%", " kg"),
        (" km", " miles"), (" weeks", " days"), (" days", " weeks"), (" kg", " lb"),
    ],
}  # fmt: skip
_AUX = re.compile(r"\b(is|are|was|were|can|does|do|did|should|will|may|might|could)\b")
_NEG = re.compile(r"\b(not|no|never)\s+", re.I)

# Pairs the coach flagged in real answers (label 0), and faithful restatements (label 1).
HAND = [
    ("Grinding every set to complete failure builds more muscle.",
     "There is no good evidence that grinding every set to complete failure builds more muscle "
     "than stopping a rep or two short.", 0, "negation"),
    ("1.4-2.0 g/kg/day gives no further muscle protein synthesis.",
     "A daily intake of 1.4-2.0 g/kg/day is enough for most exercising people to build muscle.",
     0, "negation"),
    ("The randomized controlled trial found that volume drives hypertrophy.",
     "This meta-analysis found that higher weekly set volume is associated with larger gains.",
     0, "study type"),
    ("A daily intake of 1.4-2.0 g/kg/day is enough for most exercising people.",
     "A daily intake of 1.4-2.0 g/kg/day is enough for most exercising people to build muscle.",
     1, "restatement"),
    ("Caffeine at 3-6 mg/kg improves endurance performance.",
     "Caffeine doses of 3-6 mg/kg body mass taken 60 minutes before exercise improve endurance "
     "performance.", 1, "restatement"),
    ("Caffeine at 3-6 g/kg improves endurance performance.",
     "Caffeine doses of 3-6 mg/kg body mass taken 60 minutes before exercise improve endurance "
     "performance.", 0, "unit"),
]  # fmt: skip


def _split(slug: str) -> str:
    return "heldout" if int(hashlib.sha1(slug.encode()).hexdigest(), 16) % 10 < 3 else "tune"


def _perturb(sentence: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if _NEG.search(sentence):
        out.append(("negation", _NEG.sub("", sentence, count=1)))
    else:
        m = _AUX.search(sentence)
        if m:
            out.append(("negation", sentence[: m.end()] + " not" + sentence[m.end():]))
    for kind, pairs in SWAPS.items():
        for a, b in pairs:
            if re.search(rf"(?<![A-Za-z]){re.escape(a.strip())}(?![A-Za-z])", sentence) and a != b:
                changed = re.sub(
                    rf"(?<![A-Za-z]){re.escape(a.strip())}(?![A-Za-z])", b.strip(), sentence, count=1
                )
                out.append((kind, changed))
                break
    return out


def build() -> list[dict]:
    from fitcoach.finetune.corpus import load_notes, sentences

    rows: list[dict] = []
    for note in load_notes(STARTER):
        split = _split(note.slug)
        for section in note.sections:
            if not re.search(r"numbers|practical|key findings", section.heading, re.I):
                continue
            sents = [s for s in sentences(section.text) if 8 <= len(s.split()) <= 45]
            passage = " ".join(sentences(section.text))
            for s in sents[:3]:
                rows.append({"claim": s, "passage": passage, "label": 1, "kind": "true",
                             "split": split, "note": note.slug})  # fmt: skip
                for kind, garbled in _perturb(s)[:2]:
                    rows.append({"claim": garbled, "passage": passage, "label": 0, "kind": kind,
                                 "split": split, "note": note.slug})  # fmt: skip
    for claim, passage, label, kind in HAND:
        rows.append({"claim": claim, "passage": passage, "label": label, "kind": kind,
                     "split": "heldout", "note": "hand"})  # fmt: skip
    return rows


def measure(rows: list[dict]) -> dict[str, dict[str, float]]:
    from fitcoach.agent.verify import SUPPORT_THRESHOLD, passage_support

    out: dict[str, dict[str, float]] = {}
    groups: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for r in rows:
        predicted = int(passage_support(r["claim"], r["passage"])[0] >= SUPPORT_THRESHOLD)
        groups[r["split"]].append((r["label"], predicted, r["kind"]))
    for split, items in groups.items():
        tp = sum(1 for y, p, _ in items if y and p)
        fp = sum(1 for y, p, _ in items if not y and p)
        fn = sum(1 for y, p, _ in items if y and not p)
        out[split] = {
            "pairs": len(items),
            "precision": tp / (tp + fp) if tp + fp else 0.0,
            "recall": tp / (tp + fn) if tp + fn else 0.0,
        }
        for kind in sorted({k for *_, k in items} - {"true", "restatement"}):
            caught = [p for y, p, k in items if k == kind]
            out[split][f"caught {kind}"] = 1 - sum(caught) / len(caught)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="regenerate the data file first")
    args = parser.parse_args()
    if args.build or not DATA.exists():
        rows = build()
        DATA.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    rows = [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]
    results = measure(rows)
    keys = sorted({k for r in results.values() for k in r}, key=lambda k: (k != "pairs", k))
    print(f"{'split':<9}" + "".join(f"{k:>20}" for k in keys))
    for split in ("tune", "heldout"):
        r = results.get(split, {})
        cells = "".join(
            f"{r.get(k, float('nan')):>20.0f}" if k == "pairs" else f"{r.get(k, float('nan')):>20.3f}"
            for k in keys
        )
        print(f"{split:<9}" + cells)
    held = results.get("heldout", {})
    ok = held.get("precision", 0) >= 0.98 and held.get("recall", 0) >= 0.85
    print(f"\nheld-out goal (precision >= 0.98 at recall >= 0.85): {'met' if ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
