"""Does the screen refer the red flags people describe in their own words, and only those?

    python bench/red_flags.py                 # every split
    python bench/red_flags.py --split heldout

bench/data/red_flags.jsonl holds messages written by people outside the team who never saw
the screen's vocabulary: red flags a coach must refer (chest pain spreading to the arm, cola
urine after a first CrossFit class, one swollen hot calf after a flight, bleeding at 28 weeks)
described mostly without the medical term, and look-alikes that must not be referred ("chest
day tips", "calves sore after my first run"). The tune split shaped the vocabulary; the
held-out split was written afterwards and is only measured. Each message goes through the
deterministic screen alone (`fitcoach.agent.tools.screen`, no model, milliseconds); a red
flag counts as caught when any flag's action is `refer`. Prints, per split, red flags
referred and look-alikes referred, then the categories of the red flags missed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "red_flags.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("tune", "heldout"), default=None)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--show", action="store_true", help="Print each miss (tune rows only).")
    args = parser.parse_args(argv)
    from fitcoach.agent.tools import screen

    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line]
    rows = [r for r in rows if args.split in (None, r["split"])]
    if not rows:
        print(f"no rows in {args.data}")
        return 1
    print("| split | red flags referred | look-alikes referred (false) | missed categories |")
    print("| --- | --- | --- | --- |")
    for split in ("tune", "heldout"):
        mine = [r for r in rows if r["split"] == split]
        if not mine:
            continue
        caught = {r["id"]: any(f.action == "refer" for f in screen(r["text"]).flags) for r in mine}
        flags = [r for r in mine if r["refer"]]
        looks = [r for r in mine if not r["refer"]]
        missed = Counter(r["category"] for r in flags if not caught[r["id"]])
        print(f"| {split} | {sum(caught[r['id']] for r in flags)}/{len(flags)} "
              f"| {sum(caught[r['id']] for r in looks)}/{len(looks)} "
              f"| {', '.join(f'{c} {n}' for c, n in missed.most_common()) or '-'} |")  # fmt: skip
        if args.show and split == "tune":
            for r in mine:
                if caught[r["id"]] != r["refer"]:
                    print(f"  {'missed' if r['refer'] else 'false refer'}: {r['text']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
