"""Answer quality on the team's graded set: key points, wrong numbers, defects, honest gaps.

    python bench/answer_quality.py                              # bundled model, every question
    python bench/answer_quality.py --fake --limit 20            # fake chat model, fast smoke run
    python bench/answer_quality.py --split heldout --out runs/aq.jsonl --home /tmp/aq-library

The starter notes (and the five open-access PDFs in ../shared/data/pdfs when that folder is
there) are ingested into a temporary FITCOACH_HOME; each question in
bench/data/answer_quality/*.jsonl is asked through `fitcoach.Coach().ask(question, profile)`.
Rows that need the shared PDFs are skipped, with a note, when the folder is absent.

Per answer: every key point present (a key point is a list of alternative phrases, any one
counts, case-insensitive, dashes and "3 to 5" ranges normalised); a wrong number (a number the
question, the tool results, the safety flags and the cited quotes do not hold, or one in
`must_not`); a must-not phrase; defects (meta-talk, an echo of the question, debris, a repeated
clause, a run-on "sentence" of over 70 words, an off-topic sentence that shares no content word
with the question or key points; the screen's own referral, a calculator's caveats, a cited
paper's caveat ("What it does not show", "The review does not ...") and a question back for a missing number are exempt);
the action (answer, refer, declined as outside coaching, honest gap); a question the library
answers that got a gap or a decline instead is a false gap. It prints one table
overall and per area, then faithfulness on bench/data/faithfulness.jsonl when that file exists.
`--out` writes one JSON line per question (answer text, citations, what failed).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "answer_quality"
SHARED_PDFS = HERE.parents[1] / "shared" / "data" / "pdfs"
FAITHFULNESS = HERE / "data" / "faithfulness.jsonl"

Area = Literal[
    "strength", "endurance", "nutrition", "recovery", "populations", "technique", "safety", "scope"
]  # fmt: skip
Expect = Literal["answer", "refer", "decline", "gap"]


class QualityRow(BaseModel):
    """One graded question. `key_points` is a list of key points, each a list of alternative
    phrases or numbers: the point is made when any alternative appears in the answer."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z]+-\d{2,3}$")
    split: Literal["tune", "heldout"]
    area: Area
    expect: Expect
    question: str = Field(min_length=10)
    profile: dict[str, Any] | None = Field(None, description="AthleteProfile fields.")
    key_points: list[list[str]] = Field(default_factory=list)
    must_not: list[str] = Field(default_factory=list)
    source_dois: list[str] = Field(default_factory=list)
    needs: Literal["shared_pdfs"] | None = Field(
        None, description="shared_pdfs: answerable only once ../shared/data/pdfs is ingested."
    )
    absent_terms: list[str] = Field(
        default_factory=list, description="Gap rows: words no library text may contain."
    )
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> QualityRow:
        if any(not point or any(not alt.strip() for alt in point) for point in self.key_points):
            raise ValueError(f"{self.id}: every key point needs non-empty alternatives")
        if self.expect == "answer" and not (self.key_points and self.source_dois):
            raise ValueError(f"{self.id}: an answer row needs key points and source DOIs")
        if self.expect in ("gap", "decline") and self.key_points:
            raise ValueError(f"{self.id}: gap and decline rows have no key points")
        if self.expect == "gap" and not self.absent_terms:
            raise ValueError(f"{self.id}: a gap row names the terms the library must not hold")
        return self


def load_rows(folder: Path = DATA) -> list[QualityRow]:
    """Every row, interleaved across files (first row of each file, then the second, ...), so
    `--limit 20` samples every area and kind of question."""
    per_file = []
    for file in sorted(folder.glob("*.jsonl")):
        rows = []
        for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    rows.append(QualityRow.model_validate_json(line))
                except ValueError as exc:
                    raise SystemExit(f"{file.name}:{n}: {exc}") from None
        per_file.append(rows)
    longest = max((len(rows) for rows in per_file), default=0)
    return [rows[i] for i in range(longest) for rows in per_file if i < len(rows)]


# --- matching --------------------------------------------------------------------------------

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"), "-")
_FOLD = {"\ufb01": "fi", "\ufb02": "fl", "\u00b5": "u", "\u03bc": "u", "\u00d7": "x", "\u00a0": " "}
_RANGE = re.compile(r"(\d)\s*(?:-|to)\s*(?=\d)")


def normalize(text: str) -> str:
    """Lower case, one kind of dash, ligatures folded, "3 to 5" and "3 - 5" written "3-5"."""
    text = text.translate(_DASHES).lower()
    for src, dst in _FOLD.items():
        text = text.replace(src, dst)
    text = re.sub(r"(\d)\s+%", r"\1%", _RANGE.sub(r"\1-", text))
    return re.sub(r"\s+", " ", text)


def phrase_in(phrase: str, text: str) -> bool:
    """`phrase` in `text` after `normalize`; a number never matches inside a longer number
    ("1.6" is not in "21.6" or "1.62"), a word may be a stem ("taper" in "tapering")."""
    p = normalize(phrase).strip()
    if not p:
        return False
    start = r"(?<![a-z0-9.])" if p[0].isalnum() else ""
    end = r"(?![0-9]|\.[0-9])" if p[-1].isdigit() else ""
    return re.search(start + re.escape(p) + end, normalize(text)) is not None


NEGATED = re.compile(r"\b(no|not|never|none|without|lack of|little|neither|nor|unclear whether|"
                     r"no (?:good|clear|convincing|consistent) evidence that)\b", re.I)


def asserted(phrase: str, text: str) -> bool:
    """The phrase is in a sentence of `text` with no negation before it: "There is no good
    evidence that grinding every set to failure builds more muscle" does not assert it."""
    for sentence in _sentences(text):
        if phrase_in(phrase, sentence):
            at = normalize(sentence).find(normalize(phrase).split()[0])
            if not NEGATED.search(normalize(sentence)[: max(at, 0)]):
                return True
    return False


def key_point_hits(text: str, key_points: list[list[str]]) -> list[bool]:
    return [any(phrase_in(alt, text) for alt in point) for point in key_points]


# --- defects ---------------------------------------------------------------------------------

META = re.compile(
    r"\b(the evidence (i have|i was given|provided|shown|above|below|given)|as an ai|"
    r"language model|the documents?\b|this study|the passages?\b|the excerpts?\b|"
    r"the (given|provided) (text|context|evidence)|based on the (evidence|passages?|context)|"
    r"my own question|does not summari[sz]e|i cannot answer)",
    re.I,
)
DEBRIS = re.compile(
    r"\[\s*\]|\(\s*\)|(?<!\.)\.\.(?!\.)|\.\.\.|\s[,.;:](?=\s|$)|"
    r"[a-z]- (?!and\b|or\b|to\b)[a-z]{2,}|"  # a line-break hyphen left in ("periodisa- tion")
    r"\b[a-z]{2,} - (tion|sion|ment|ing|ness|ity|ance|ence|ive|ous|ical|ally|ised|ized|ble)\b|"
    r"\(\s*\d{1,3}(\s*[,-]\s*\d{1,3})*\s*\)|"  # a paper's own reference marker: "( 66)"
    r"[\ufb00-\ufb06]|/gid\d|\ufffd|</?data>",
    re.I,
)
GAP_TEXT = re.compile(
    r"(nothing (relevant )?(in|from) the library|found nothing relevant|library (holds|has|contains) "
    r"(nothing|no )|no (relevant )?(evidence|papers?|passages?) (in|from) (the|my|your) library|"
    r"fitcoach ingest)",
    re.I,
)
DECLINE_TEXT = re.compile(
    r"(outside (what fitcoach covers|coaching|my scope|the scope|of coaching)|not a coaching "
    r"question|won't answer|will not answer|can(not|'t) (diagnose|advise on (medication|treatment))|"
    r"question for (your|a) (doctor|physician|clinician|pharmacist))",
    re.I,
)


def _sentences(text: str) -> list[str]:
    from fitcoach.text import split_sentences

    return [s for s in split_sentences(text) if s.strip()]


def _words(text: str) -> set[str]:
    from fitcoach.text import content_words, strip_citations

    return content_words(strip_citations(text))


def _related(words: set[str], vocabulary: set[str]) -> bool:
    """Any shared content word; "soreness" and "sore" share a stem of four letters."""
    stems = {w[:4] for w in vocabulary if len(w) >= 4}
    return bool(words & vocabulary) or any(len(w) >= 4 and w[:4] in stems for w in words)


REFER_OPENING = "Safety first: fitcoach will not give a training plan for this."
# A caveat of a cited paper ("What it does not show: ...", "The review does not define ...")
# is part of the answer's shape.
CAVEAT = re.compile(
    r"^(?:what it does not show\b|(?:the|this) (?:review|study|trial|meta-analysis|statement|"
    r"guideline|consensus|position stand|paper|analysis) (?:does|did) not\b)",
    re.I,
)
# The screen's note before its flag message ("Safety note: <flag message>").
SAFETY_NOTE = re.compile(r"^safety note:\s*", re.I)
# The planner's question back for a missing number ("What is your body weight (kg or lb)?").
ASK = re.compile(r"^(?:what is your|how many hours a day do you|how old are you)\b.*\?$", re.I)
RUN_ON_WORDS = 70  # a "sentence" this long is a table or a page run together


def defects(text: str, question: str, topic: list[str], boilerplate: list[str]) -> list[str]:
    """Readability defects of one answer, each as 'kind: where'. `topic` holds the key-point
    phrases (and profile terms): a sentence sharing no word with them or the question, and no
    key-point number, is off-topic. `boilerplate` (flag messages, the scope line) is exempt."""
    found = [  # on the whole text: a sentence split can hide ".." or "[]"
        f"debris: {text[max(0, m.start() - 30) : m.end() + 30]}" for m in DEBRIS.finditer(text)
    ]
    qwords = _words(question)
    vocabulary = qwords | _words(" ".join(topic))
    topic_numbers = numbers(" ".join(topic))
    q_norm = normalize(question).rstrip(" ?.")
    standard_words = [_words(b) for b in boilerplate if b]
    seen_clauses: set[frozenset[str]] = set()
    for sentence in _sentences(text):
        short = sentence[:90]
        if META.search(sentence):
            found.append(f"meta: {short}")
        if sentence.count("(") != sentence.count(")"):
            found.append(f"debris: {short}")
        words_in = [w for w in re.sub(r"\[\d+\]", " ", sentence).split() if re.search(r"\w", w)]
        if len(words_in) > RUN_ON_WORDS:  # a citation's full stop left alone is no word
            found.append(f"debris (run-on): {short}")
        words = _words(SAFETY_NOTE.sub("", sentence))
        near_copy = len(qwords) >= 3 and len(words & qwords) / len(words | qwords) >= 0.75
        # "56% of athletes had vitamin D inadequacy by the 32 ng/mL cut-off" repeats the
        # question's words to answer it: a number the question lacks is news, not an echo
        answers = bool(numbers(sentence) - numbers(question))
        if not answers and (near_copy or (len(q_norm) > 20 and q_norm in normalize(sentence))):
            found.append(f"echo: {short}")
        standard = any(words <= b for b in standard_words) or bool(
            GAP_TEXT.search(sentence) or DECLINE_TEXT.search(sentence) or CAVEAT.search(sentence)
            or ASK.search(sentence)
        )
        on_topic = _related(words, vocabulary) or bool(numbers(sentence) & topic_numbers)
        if words and not standard and not on_topic:
            found.append(f"off-topic: {short}")
        for clause in re.split(r"[;:,]|\band\b", sentence):
            clause_words = frozenset(_words(clause)) | frozenset(numbers(clause))
            if len(clause_words) >= 4:
                if clause_words in seen_clauses:
                    found.append(f"repeated: {clause.strip()[:90]}")
                seen_clauses.add(clause_words)
    return found


# --- numbers ---------------------------------------------------------------------------------


def _canon(number: str) -> str:
    number = number.replace(",", "")
    return number.rstrip("0").rstrip(".") if "." in number else number.lstrip("0") or "0"


def numbers(text: str) -> set[str]:
    from fitcoach.text import numbers_in

    return {_canon(n) for n in numbers_in(normalize(text))}


def wrong_numbers(text: str, allowed: str, must_not: list[str]) -> list[str]:
    """Numbers in the answer that nothing it rests on holds, and must-not numbers it says."""
    bad = sorted(numbers(text) - numbers(allowed), key=lambda n: (len(n), n))
    bad += [m for m in must_not if re.search(r"\d", m) and phrase_in(m, text)]
    return bad


def _allowed_text(row: QualityRow, answer: Any) -> str:
    parts = [row.question, json.dumps(row.profile or {})]
    parts += [json.dumps(r.model_dump(mode="json")) for r in answer.tool_results]
    parts += [f"{f.message} {f.reference}" for f in answer.safety_flags]
    parts += [f"{c.quote} {c.year or ''} {c.title}" for c in answer.citations]
    return "\n".join(parts)


# --- grading ---------------------------------------------------------------------------------


def _dois(dois: Any) -> set[str]:
    from fitcoach.text import normalize_doi

    return {normalize_doi(d) for d in dois if d}


def grade(row: QualityRow, answer: Any, seconds: float, scope_help: str = "") -> dict[str, Any]:
    text = answer.answer
    hits = key_point_hits(text, row.key_points)
    # the screen's own words, as the answer states them: message, rule reference, referral
    flag_text = [f"{f.message} rule {f.reference}" for f in answer.safety_flags]
    for run in answer.tool_results:  # a calculator's own caveats go with its number
        output = run.output if isinstance(run.output, dict) else {}
        flag_text += [str(w) for w in output.get("warnings", []) or []]
    if answer.refer:
        flag_text += [REFER_OPENING, "please see a physician qualified clinician get medical "
                      "clearance before you start resume training"]  # fmt: skip
    topic = [alt for point in row.key_points for alt in point] + [json.dumps(row.profile or {})]
    faults = defects(text, row.question, topic, [*flag_text, scope_help])
    wrong = wrong_numbers(text, _allowed_text(row, answer), row.must_not)
    said = [m for m in row.must_not if not re.search(r"\d", m) and asserted(m, text)]
    no_cites = not answer.citations
    gap_said = answer.abstained or (bool(GAP_TEXT.search(text)) and no_cites)
    declined = answer.abstained or (bool(DECLINE_TEXT.search(text)) and no_cites)
    action = "refer" if answer.refer else ("abstain" if answer.abstained else "answer")
    return {
        "id": row.id, "area": row.area, "split": row.split, "expect": row.expect,
        "question": row.question, "profile": row.profile, "answer": text, "action": action,
        "all_key_points": all(hits) if row.key_points else None,
        "key_point_recall": sum(hits) / len(hits) if hits else None,
        "missing_key_points": [p for p, h in zip(row.key_points, hits, strict=True) if not h],
        "wrong_numbers": wrong, "must_not_said": said, "defects": faults,
        "gap_ok": gap_said if row.expect == "gap" else None,
        "decline_ok": declined if row.expect == "decline" else None,
        "refer_ok": answer.refer if row.expect == "refer" else None,
        "false_refer": answer.refer and row.expect != "refer",
        "false_gap": (gap_said or declined) if row.expect == "answer" else None,
        "cited_expected": bool(_dois(c.doi for c in answer.citations) & _dois(row.source_dois))
        if row.expect == "answer" else None,
        "citations": [{"n": c.n, "title": c.title, "year": c.year, "doi": c.doi,
                       "quote": c.quote} for c in answer.citations],
        "composed": getattr(answer, "composed", None), "seconds": round(seconds, 2),
    }  # fmt: skip


# --- a fake chat model -----------------------------------------------------------------------


def fake_chat_model() -> Any:
    """A chat model that drafts the way a weak model does: it copies the first sentence of the
    first numbered evidence line with its marker, or says it has nothing. No weights."""
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage
    from langchain_core.outputs import ChatGeneration, ChatResult

    line = re.compile(r"^\[(\d+)\][^:\n]*:\s*(?:<data>)?(.+?)(?:</data>)?\s*$", re.M)

    class CopyingChatModel(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "fitcoach-bench-copying-fake"

        def _generate(self, messages: Any, stop: Any = None, run_manager: Any = None,
                      **kwargs: Any) -> ChatResult:  # fmt: skip
            found = line.search(str(messages[-1].content))
            if found:
                first = re.split(r"(?<=[.!?])\s", found.group(2).strip())[0].rstrip(".")
                reply = f"{first} [{found.group(1)}]."
            else:
                reply = "The evidence I have does not answer this."
            return ChatResult(generations=[ChatGeneration(message=AIMessage(reply))])

    return CopyingChatModel()


# --- report ----------------------------------------------------------------------------------


def _share(values: list[Any]) -> str:
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    return f"{sum(bool(v) for v in values)}/{len(values)}"


def summary(results: list[dict[str, Any]]) -> dict[str, str]:
    answers = [r for r in results if r["expect"] == "answer"]
    recalls = [r["key_point_recall"] for r in answers if r["key_point_recall"] is not None]
    return {
        "n": str(len(results)),
        "all keys": _share([r["all_key_points"] for r in answers]),
        "kp recall": f"{statistics.mean(recalls):.2f}" if recalls else "-",
        "cited src": _share([r["cited_expected"] for r in answers]),
        "wrong num": _share([bool(r["wrong_numbers"]) for r in results]),
        "must-not": _share([bool(r["must_not_said"]) for r in results]),
        "defect": _share([bool(r["defects"]) for r in results]),
        "gap ok": _share([r["gap_ok"] for r in results]),
        "decline ok": _share([r["decline_ok"] for r in results]),
        "refer ok": _share([r["refer_ok"] for r in results]),
        "false refer": _share([r["false_refer"] for r in results]),
        "false gap": _share([r.get("false_gap") for r in results]),
        "median s": f"{statistics.median(r['seconds'] for r in results):.1f}",
    }


def print_table(results: list[dict[str, Any]]) -> None:
    groups = [("all", results)]
    for area in sorted({r["area"] for r in results}):
        groups.append((area, [r for r in results if r["area"] == area]))
    for split in ("tune", "heldout"):
        chosen = [r for r in results if r["split"] == split]
        if chosen and len(chosen) < len(results):
            groups.append((f"split:{split}", chosen))
    rows = [(name, summary(group)) for name, group in groups]
    columns = list(rows[0][1])
    widths = {c: max(len(c), *(len(s[c]) for _, s in rows)) for c in columns}
    name_w = max(len(n) for n, _ in rows)
    print(
        "| "
        + "group".ljust(name_w)
        + " | "
        + " | ".join(c.ljust(widths[c]) for c in columns)
        + " |"
    )
    print("| " + "-" * name_w + " | " + " | ".join("-" * widths[c] for c in columns) + " |")
    for name, s in rows:
        print(
            "| "
            + name.ljust(name_w)
            + " | "
            + " | ".join(s[c].rjust(widths[c]) for c in columns)
            + " |"
        )


def faithfulness(path: Path = FAITHFULNESS) -> str:
    """Precision and recall of "supported" on the held-out (claim, passage, label) pairs."""
    if not path.exists():
        return f"faithfulness: {path.relative_to(HERE.parent)} not found, skipped"
    try:
        from fitcoach.agent.faithful import conflict
        from fitcoach.agent.verify import sentence_support
    except ImportError as exc:
        return f"faithfulness: checker not available ({exc}), skipped"
    lines = []
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    for split in ("heldout", "tune"):
        chosen = [r for r in rows if r.get("split", "heldout") == split]
        if not chosen:
            continue
        tp = fp = fn = 0
        for r in chosen:
            supported = conflict(r["claim"], r["passage"]) is None and (
                sentence_support(r["claim"], r["passage"]) >= 0.5
            )
            tp += supported and bool(r["label"])
            fp += supported and not r["label"]
            fn += (not supported) and bool(r["label"])
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn) if tp + fn else float("nan")
        lines.append(f"faithfulness ({split}, {len(chosen)} pairs): precision of supported "
                     f"{precision:.3f}, recall {recall:.3f}")  # fmt: skip
    return "\n".join(lines) or f"faithfulness: no rows in {path.name}"


# --- running ---------------------------------------------------------------------------------


def build_coach(fake: bool, pdfs: Path | None, home: Path | None) -> tuple[Any, str]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    if home is None:
        home = Path(tempfile.mkdtemp(prefix="fitcoach-aq-"))
        atexit.register(shutil.rmtree, home, ignore_errors=True)
    os.environ["FITCOACH_HOME"] = str(home)
    from fitcoach import Coach, Library, load_settings

    settings = load_settings(library={"starter": True})
    library = Library(settings)
    t0 = time.perf_counter()
    library.ensure_starter()
    note = ""
    if pdfs is not None:
        report = library.ingest(sorted(pdfs.glob("*.pdf")))
        note = f" + {report.added + report.skipped} shared PDFs ({report.failed} failed)"
    docs = library.documents()
    info = f"library: {len(docs)} documents{note}, ready in {time.perf_counter() - t0:.0f} s"
    return Coach(settings, llm=fake_chat_model() if fake else None, library=library), info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="Folder of graded *.jsonl.")
    parser.add_argument("--limit", type=int, default=None, help="Only the first N questions.")
    parser.add_argument("--split", choices=("tune", "heldout"), default=None)
    parser.add_argument("--fake", action="store_true", help="Fake chat model (smoke run).")
    parser.add_argument("--out", type=Path, default=None, help="Per-question results (JSONL).")
    parser.add_argument("--pdfs", type=Path, default=SHARED_PDFS, help="Shared PDF folder.")
    parser.add_argument("--home", type=Path, default=None,
                        help="Keep the library here between runs (default: a temporary one).")  # fmt: skip
    args = parser.parse_args(argv)

    rows = load_rows(args.data)
    rows = [r for r in rows if args.split is None or r.split == args.split]
    pdfs = args.pdfs if args.pdfs.is_dir() and any(args.pdfs.glob("*.pdf")) else None
    if pdfs is None:
        skipped = [r for r in rows if r.needs == "shared_pdfs"]
        rows = [r for r in rows if r.needs != "shared_pdfs"]
        print(f"note: {args.pdfs} is absent; skipped {len(skipped)} rows that need the shared "
              "PDFs", file=sys.stderr)  # fmt: skip
    rows = rows[: args.limit] if args.limit else rows
    coach, info = build_coach(args.fake, pdfs, args.home)
    from fitcoach.agent.planner import SCOPE_HELP

    out = None
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        out = args.out.open("w", encoding="utf-8")
    results = []
    for i, row in enumerate(rows, 1):
        t0 = time.perf_counter()
        answer = coach.ask(row.question, row.profile)
        result = grade(row, answer, time.perf_counter() - t0, SCOPE_HELP)
        results.append(result)
        if out:  # written as it goes, so a long run can be read midway
            out.write(json.dumps(result, ensure_ascii=False) + "\n")
            out.flush()
        bad = [k for k in ("wrong_numbers", "must_not_said", "defects") if result[k]]
        bad += [k for k in ("gap_ok", "decline_ok", "refer_ok") if result[k] is False]
        bad += ["missing key points"] if result["missing_key_points"] else []
        print(f"[{i}/{len(rows)}] {row.id:<8} {result['seconds']:6.1f}s {result['action']:<7} "
              f"{'ok' if not bad else 'FAIL ' + ', '.join(bad)}", file=sys.stderr)  # fmt: skip
    if out:
        out.close()
    if not results:
        print("no questions to ask")
        return 1
    print(f"{info}; model: {coach.model_label}{' (fake)' if args.fake else ''}")
    print()
    print_table(results)
    print()
    print(faithfulness())
    return 0


if __name__ == "__main__":
    sys.exit(main())
