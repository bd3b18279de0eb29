"""How fast does the CLI answer --help? Goal: under 1 s wall for every command.

    python bench/cli_startup.py [--runs 5]

Each command runs in a fresh process (what a user feels); the table shows median and max.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from fitcoach.cli import COMMANDS

    exe = shutil.which("fitcoach") or sys.executable
    base = [exe] if exe.endswith("fitcoach") else [exe, "-m", "fitcoach.cli"]
    rows = []
    for name in ["", *COMMANDS]:
        argv = [*base, *([name] if name else []), "--help"]
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            done = subprocess.run(argv, capture_output=True)
            times.append(time.perf_counter() - start)
        if done.returncode != 0:
            rows.append((name or "(root)", float("nan"), float("nan"), "not available"))
            continue
        rows.append((name or "(root)", statistics.median(times), max(times), ""))

    print(f"{'command':<21} {'median s':>9} {'max s':>7}  note")
    for name, med, worst, note in rows:
        print(f"fitcoach {name:<12} {med:>9.3f} {worst:>7.3f}  {note}")
    ok = all(r[2] < 1.0 for r in rows if not r[3])
    print(f"goal: every --help under 1 s wall -> {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()
