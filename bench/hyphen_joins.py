"""Every word break a PDF reading decided, for a person to review: joined or kept, and why.

    python bench/hyphen_joins.py                       # ../shared/data/pdfs
    python bench/hyphen_joins.py --pdfs DIR --all      # also the joins the tokenizer decided

Lines read `page  kind  left|right -> result  [rule]`; kinds are `line` (a hyphen at a line
end), `spaced` ("sur - vey" inside a line), `soft` (U+00AD) and `gap` (letters split by a
layout gap, "wa ve"). A summary table closes the output. The tests in tests/test_pdf_text.py
check the outcome on the same files; this script is for reading the decisions.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_PDFS = HERE.parent.parent / "shared" / "data" / "pdfs"


def decisions(path: Path) -> list:
    """Every break decision in one PDF, in reading order."""
    from pypdf import PdfReader

    from fitcoach.ingest.hyphens import Decision
    from fitcoach.ingest.pdf import _page_text, pdf_blocks

    raw = [_page_text(page) for page in PdfReader(str(path)).pages]
    log: list[Decision] = []
    pdf_blocks(raw, log=log)
    return log


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=Path, default=DEFAULT_PDFS)
    parser.add_argument(
        "--all", action="store_true", help="also list joins decided by the tokenizer vocabulary"
    )
    args = parser.parse_args()
    pdfs = sorted(args.pdfs.glob("*.pdf"))
    if not pdfs:
        print(f"no PDFs in {args.pdfs}", file=sys.stderr)
        return 1
    summary: list[tuple[str, Counter[str]]] = []
    for pdf in pdfs:
        print(f"== {pdf.name}")
        counts: Counter[str] = Counter()
        for d in decisions(pdf):
            counts["joined" if d.joined else "kept"] += 1
            counts[d.kind] += 1
            if args.all or d.rule != "document writes it joined" or d.kind != "line":
                verdict = "joined" if d.joined else "kept  "
                print(
                    f"  p{d.page or '?':<3} {d.kind:6} {verdict} {d.left}|{d.right} -> {d.result}  [{d.rule}]"
                )
        summary.append((pdf.name, counts))
    print()
    print("| file | breaks at line ends | spaced | soft | gaps | joined | kept |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, c in summary:
        print(
            f"| {name} | {c['line']} | {c['spaced']} | {c['soft']} | {c['gap']} "
            f"| {c['joined']} | {c['kept']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
