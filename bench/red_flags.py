"""Does the screen refer the red flags people describe in their own words, and only those?

    python bench/red_flags.py                 # every split
    python bench/red_flags.py --split heldout

bench/data/red_flags.jsonl holds messages written by people outside the team who never saw
the screen's vocabulary: red flags a coach must refer (chest pain spreading to the arm, cola
urine after a first CrossFit class, one swollen hot calf after a flight, bleeding at 28 weeks)
described mostly without the medical term, and look-alikes that must not be referred ("chest
day tips", "calves sore after my first run"). The tune split shaped the vocabulary; the
held-out split was written afterwards and is only measured. Each message goes through the
deterministic screen (`fitcoach.agent.tools.screen`, no model, milliseconds), then through
the agent's red-flag net as well (agent/safety_net.py: the bundled MiniLM and a logistic
regression, asked only when the table refers nothing); a red flag counts as caught when any
flag's action is `refer`. Prints, per split and round (the number in the id: r4-012 is round
4), red flags and look-alikes referred by the table and by table and net together, then the
categories of the red flags the two together miss. The tune rows also train the net
(finetune/red_flag_net.py), so its tune figures are not a measure.
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
    from fitcoach.agent.safety_net import with_net
    from fitcoach.agent.tools import screen
    from fitcoach.models import load_embedder

    embedder = load_embedder("minilm-l6")

    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line]
    rows = [r for r in rows if args.split in (None, r["split"])]
    if not rows:
        print(f"no rows in {args.data}")
        return 1
    print("| split | round | red flags: table | table + net | look-alikes referred: table | table + net | missed by both |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    table = {r["id"]: screen(r["text"]) for r in rows}
    both = {k: with_net(v, r["text"], embedder).refer for (k, v), r in zip(table.items(), rows, strict=True)}
    def round_of(row: dict) -> str:
        return row["id"].split("-")[0] if "-" in row["id"] else "r1"  # round 1: t001...

    for split in ("tune", "heldout"):
        mine = [r for r in rows if r["split"] == split]
        for rnd in sorted({round_of(r) for r in mine}) + ["all"]:
            part = [r for r in mine if rnd in ("all", round_of(r))]
            flags = [r for r in part if r["refer"]]
            looks = [r for r in part if not r["refer"]]
            missed = Counter(r["category"] for r in flags if not both[r["id"]])
            print(f"| {split} | {rnd} | {sum(table[r['id']].refer for r in flags)}/{len(flags)} "
                  f"| {sum(both[r['id']] for r in flags)}/{len(flags)} "
                  f"| {sum(table[r['id']].refer for r in looks)}/{len(looks)} "
                  f"| {sum(both[r['id']] for r in looks)}/{len(looks)} "
                  f"| {', '.join(f'{c} {n}' for c, n in missed.most_common()) or '-'} |")  # fmt: skip
        if args.show and split == "tune":
            for r in mine:
                if table[r["id"]].refer != r["refer"]:
                    print(f"  {'missed' if r['refer'] else 'false refer'}: {r['text']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
