"""The `data` stage: CPT text, grounded SFT dialogues and RL prompts, split by document.

    fitcoach finetune data --recipe cpu

Every prompt is built with the agent's own `build_messages`, so training sees exactly the
layout the agent shows at inference. Documents are split once (seeded); everything built for
training draws only on training documents, and the held-out prompts only on held-out ones, so
the grounded evaluation measures generalisation to unseen papers, not recall. Phrasings are
data (`finetune/data/phrasings.yaml`), validated at load.
"""

from __future__ import annotations

import functools
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from fitcoach.finetune.corpus import Note, Span, load_notes, note_text, spans
from fitcoach.finetune.recipe import DataConfig
from fitcoach.finetune.records import (
    DATA_DIR,
    MCQ,
    Dialogue,
    load_mcqs,
    mcq_messages,
    sha256_file,
    split_documents,
)


class Phrasings(BaseModel):
    """The phrasing pools; every list must be non-empty."""

    model_config = ConfigDict(extra="forbid")

    ask: list[str] = Field(min_length=2)
    lead: list[str] = Field(min_length=1)
    profiles: list[str | None] = Field(min_length=1)
    refer_open: list[str] = Field(min_length=1)
    refer_close: list[str] = Field(min_length=1)
    abstain: list[str] = Field(min_length=1)
    off_topic: list[str] = Field(min_length=2)
    refer_ask: list[str] = Field(min_length=2)


@functools.cache
def phrasings(path: Path = DATA_DIR / "phrasings.yaml") -> Phrasings:
    from fitcoach.errors import ConfigError

    try:
        return Phrasings.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except Exception as exc:
        raise ConfigError(f"{path} is invalid: {exc}", hint="fix the named pool") from None


def _cut(xs: list[Any], seed: str) -> tuple[list[Any], list[Any]]:
    """Split a pool into a training and a held-out half (seeded)."""
    xs = list(xs)
    random.Random(seed).shuffle(xs)
    half = max(1, len(xs) * 2 // 3)
    return xs[:half], xs[half:] or xs[:1]


def _cap_first(s: str) -> str:
    return s[:1].upper() + s[1:]


def _evidence(spans_: list[Span], notes: dict[str, Note]) -> list[Any]:
    from fitcoach.agent.contract import Evidence

    out = []
    for i, sp in enumerate(spans_, 1):
        note = notes[sp.doc_id]
        out.append(
            Evidence(
                n=i,
                chunk_id=f"{sp.doc_id}:{sp.section}:{i}",
                doc_id=sp.doc_id,
                title=note.title,
                authors=note.authors,
                year=note.year,
                journal=note.journal,
                doi=note.doi,
                section=sp.section,
                text=sp.text,
            )
        )
    return out


class _Builder:
    """Draws dialogues for one side of the split (training or held-out documents)."""

    def __init__(self, cfg: DataConfig, notes: list[Note], doc_ids: list[str], side: str) -> None:
        self.cfg = cfg
        self.side = side
        self.rng = random.Random(f"{side}-{cfg.seed}")
        self.notes = {n.doc_id: n for n in notes}
        self.docs = [self.notes[d] for d in doc_ids]
        self.spans = {d.doc_id: spans(d, cfg.evidence_words) for d in self.docs}
        self.all_spans = [s for d in self.docs for s in self.spans[d.doc_id]]
        pick = 0 if side == "train" else 1
        self.ask = _cut(phrasings().ask, f"ask-{cfg.seed}")[pick]
        self.refer_ask = _cut(phrasings().refer_ask, f"refer-{cfg.seed}")[pick]
        self.off_topic = _cut(phrasings().off_topic, f"off-{cfg.seed}")[pick]
        self.tool_cases = [c for c in TOOL_CASES if c.side in (side, "both")]
        self.counter = 0

    def _id(self, kind: str) -> str:
        self.counter += 1
        return f"{self.side}-{kind}-{self.counter:05d}"

    def _distractors(self, doc_id: str, k: int) -> list[Span]:
        pool = [s for s in self.all_spans if s.doc_id != doc_id]
        return self.rng.sample(pool, min(k, len(pool)))

    def _arrange(self, main: Span, k: int) -> tuple[list[Span], int]:
        shown = self._distractors(main.doc_id, k - 1)
        pos = self.rng.randrange(len(shown) + 1)
        shown.insert(pos, main)
        return shown, pos + 1

    def _main_span(self, note: Note) -> Span:
        """Mostly findings and practice, sometimes the study description."""
        pool = self.spans[note.doc_id]
        findings = [s for s in pool if not s.section.lower().startswith("what was studied")]
        return self.rng.choice(findings if findings and self.rng.random() < 0.8 else pool)

    def _question(self, note: Note, span: Span) -> str:
        topic = self.rng.choice(note.topics or [note.title])
        tmpl = self.rng.choice(self.ask)
        return tmpl.format(t=topic, T=_cap_first(topic))

    def _cited(self, span: Span, n: int) -> str:
        picked = span.sentences[: self.rng.choice([1, 2, 2])]
        out = []
        for j, sentence in enumerate(picked):
            body = sentence.rstrip(".!?:")
            lead = self.rng.choice(phrasings().lead) if j == 0 else ""
            if lead:
                first = body.split()[0] if body.split() else ""
                keep_case = len(first) > 1 and first.isupper()  # an acronym such as ACSM
                body = lead + (body if keep_case else body[:1].lower() + body[1:])
            out.append(f"{body} [{n}].")
        return " ".join(out)

    def evidence(self) -> Dialogue:
        from fitcoach.agent.contract import build_messages

        note = self.rng.choice(self.docs)
        main = self._main_span(note)
        shown, n = self._arrange(main, self.cfg.evidence_passages)
        ev = _evidence(shown, self.notes)
        profile = self.rng.choice(phrasings().profiles)
        answer = self._cited(main, n)
        # Sometimes a second passage of the same paper is also shown: cite both.
        others = [s for s in self.spans[note.doc_id] if s is not main]
        if others and len(shown) > 1 and self.rng.random() < 0.3:
            extra = self.rng.choice(others)
            slot = self.rng.choice([i for i in range(len(shown)) if i != n - 1])
            shown[slot] = extra
            ev = _evidence(shown, self.notes)
            answer += " " + self._cited(extra, slot + 1)
        question = self._question(note, main)
        return Dialogue(
            id=self._id("evidence"),
            kind="evidence",
            doc_ids=sorted({s.doc_id for s in shown}),
            messages=build_messages(question, ev, None, None, profile),
            answer=answer,
            n_evidence=len(ev),
            expect_citation=True,
        )

    def tool(self) -> Dialogue | None:
        from fitcoach.agent.contract import build_messages

        if not self.tool_cases:
            return None
        case = self.rng.choice(self.tool_cases)
        made = case.make(self.rng)
        if made is None:
            return None
        question, run = made
        relevant = [
            d
            for d in self.docs
            if any(w in " ".join([d.title, *d.topics]).lower() for w in case.topics)
        ]
        # Cite only a paper about the tool's subject; without one, the tool result stands alone.
        cite = bool(relevant) and self.rng.random() < 0.7
        note = self.rng.choice(relevant) if cite else self.docs[0]
        main = self._main_span(note)
        shown = (
            self._arrange(main, self.cfg.evidence_passages)[0]
            if cite
            else self._distractors("", self.cfg.evidence_passages)
        )
        n = shown.index(main) + 1 if cite else 0
        ev = _evidence(shown, self.notes)
        summary = str(run["output"].get("summary", "")).strip()
        opener = self.rng.choice(["", "", "From the calculator: ", "The numbers: "])
        answer = opener + summary
        if not answer.endswith((".", "!", "?")):
            answer += "."
        if cite:
            answer += " " + self._cited(main, n)
        return Dialogue(
            id=self._id("tool"),
            kind="tool",
            doc_ids=sorted({s.doc_id for s in shown}),
            messages=build_messages(question, ev, [run], None, self.rng.choice(phrasings().profiles)),
            answer=answer,
            n_evidence=len(ev),
            expect_citation=cite,
            tool_runs=[run],
        )

    def refer(self) -> Dialogue | None:
        from fitcoach.agent.contract import build_messages

        question = self.rng.choice(self.refer_ask)
        flags = _screen(question)
        if flags is None or not any(f["action"] == "refer" for f in flags):
            return None
        shown = self._distractors("", self.cfg.evidence_passages)
        ev = _evidence(shown, self.notes)
        reason = next(f for f in flags if f["action"] == "refer")["message"].strip()
        if not reason.endswith("."):
            reason += "."
        answer = " ".join([self.rng.choice(phrasings().refer_open), reason, self.rng.choice(phrasings().refer_close)])
        return Dialogue(
            id=self._id("refer"),
            kind="refer",
            doc_ids=sorted({s.doc_id for s in shown}),
            messages=build_messages(question, ev, None, flags, self.rng.choice(phrasings().profiles)),
            answer=answer,
            n_evidence=len(ev),
            expect_refer=True,
        )

    def abstain(self) -> Dialogue:
        from fitcoach.agent.contract import build_messages

        question = self.rng.choice(self.off_topic)
        # At inference irrelevant hits are usually filtered out (no evidence); sometimes
        # weakly related passages slip through: both must lead to an abstention.
        shown = [] if self.rng.random() < 0.5 else self._distractors("", self.rng.randint(1, 2))
        ev = _evidence(shown, self.notes)
        return Dialogue(
            id=self._id("abstain"),
            kind="abstain",
            doc_ids=sorted({s.doc_id for s in shown}),
            messages=build_messages(question, ev, None, None, self.rng.choice(phrasings().profiles)),
            answer=self.rng.choice(phrasings().abstain),
            n_evidence=len(ev),
            expect_abstain=True,
        )

    MIX = (("evidence", 0.55), ("tool", 0.2), ("refer", 0.12), ("abstain", 0.13))

    def draw(self, n: int) -> list[Dialogue]:
        makers: dict[str, Callable[[], Dialogue | None]] = {
            "evidence": self.evidence,
            "tool": self.tool,
            "refer": self.refer,
            "abstain": self.abstain,
        }
        out: list[Dialogue] = []
        kinds, weights = zip(*self.MIX, strict=True)
        tries = 0
        while len(out) < n and tries < n * 20:
            tries += 1
            made = makers[self.rng.choices(kinds, weights)[0]]()
            if made is not None:
                out.append(made)
        return out


# --- tools and the safety screen: called through the agent's public functions -------------


class ToolCase(BaseModel):
    """A tool question generator: draws inputs, phrases a question, runs the tool."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    tool: str
    side: Literal["train", "heldout", "both"] = "both"
    inputs: Callable[[random.Random], dict[str, Any]]
    asks: list[str]
    topics: list[str] = Field(
        default_factory=list, description="Words that mark a document as relevant evidence."
    )

    def make(self, rng: random.Random) -> tuple[str, dict[str, Any]] | None:
        inputs = self.inputs(rng)
        run = _run_tool(self.tool, inputs)
        if run is None:
            return None
        return rng.choice(self.asks).format(**inputs), run


def _run_tool(name: str, inputs: dict[str, Any]) -> dict[str, Any] | None:
    """The tool's ToolRun as a dict, or None when the tool is absent or refuses the input."""
    try:
        from fitcoach.agent.contract import run_tool
    except ImportError:
        return None
    from fitcoach.errors import FitcoachError

    try:
        run = run_tool(name, inputs)
    except FitcoachError:
        return None
    return json.loads(run.model_dump_json()) if hasattr(run, "model_dump_json") else dict(run)


def _screen(text: str) -> list[dict[str, Any]] | None:
    try:
        from fitcoach.agent.contract import screen
    except ImportError:
        return None
    result = screen(text, None)
    return [json.loads(f.model_dump_json()) for f in result.flags]


def _lift(rng: random.Random) -> str:
    return rng.choice(["squat", "bench press", "deadlift", "overhead press", "row"])


TOOL_CASES: list[ToolCase] = [
    ToolCase(
        tool="one-rep-max",
        inputs=lambda r: {"load": r.choice(range(40, 201, 5)), "reps": r.randint(2, 10)},
        topics=["strength", "load", "resistance training"],
        asks=[
            "I did {load} kg for {reps} reps. What's my estimated 1RM?",
            "What is my max if I can lift {load} kg {reps} times?",
            "Estimate my one-rep max: {load} kg x {reps}.",
            "{load} kg for {reps} clean reps - how much could I do for one?",
        ],
    ),
    ToolCase(
        tool="rpe-load",
        inputs=lambda r: {
            "reps": r.randint(3, 8),
            "rpe": r.choice([7, 7.5, 8, 8.5, 9]),
            "one_rm": r.choice(range(60, 221, 5)),
        },
        topics=["rpe", "reps in reserve", "proximity to failure"],
        asks=[
            "My 1RM is {one_rm} kg. What load for {reps} reps at RPE {rpe}?",
            "How heavy should {reps} reps at RPE {rpe} be with a {one_rm} kg max?",
            "Set me a weight: {reps} reps, RPE {rpe}, 1RM {one_rm} kg.",
        ],
    ),
    ToolCase(
        tool="workload-ratio",
        inputs=lambda r: {"weekly_loads": [r.choice(range(1500, 4001, 50)) for _ in range(5)]},
        topics=["workload", "training load", "load management"],
        asks=[
            "My last five weekly training loads were {weekly_loads}. Is my workload ratio risky?",
            "Check my acute to chronic workload ratio: weekly loads {weekly_loads}.",
            "Weekly loads {weekly_loads} (oldest first). Am I ramping up too fast?",
        ],
    ),
    ToolCase(
        tool="load-progression",
        inputs=lambda r: {
            "exercise": _lift(r),
            "load": r.choice(range(30, 181, 5)),
            "target_reps": r.choice([5, 6, 8, 10]),
            "reps_done": r.choice([7, 8, 10, 12]),
        },
        topics=["progression", "progressive overload", "load progression"],
        asks=[
            "I did {reps_done} reps on {exercise} at {load} kg, aiming for {target_reps}. Add weight?",
            "{exercise}: {load} kg, target {target_reps} reps, got {reps_done}. What next session?",
            "How much should I add to my {exercise}? {load} kg for {reps_done} reps (goal {target_reps}).",
        ],
    ),
    ToolCase(
        tool="rir-chart",
        inputs=lambda r: {"one_rm": r.choice(range(60, 221, 5))},
        topics=["rpe", "reps in reserve"],
        asks=[
            "My 1RM is {one_rm} kg. Show me loads by reps in reserve.",
            "Give me an RIR chart for a {one_rm} kg max.",
        ],
    ),
    ToolCase(
        tool="convert",
        inputs=lambda r: {"value": r.choice(range(20, 301, 5)), "from_unit": "lb", "to_unit": "kg"},
        asks=["How many kg is {value} lb?", "Convert {value} lb to kilograms for my log."],
    ),
]


def build(
    cfg: DataConfig, out_dir: Path, exam_path: Path | None = None, notes: list[Note] | None = None
) -> dict[str, Any]:
    """Write the data stage's files into `out_dir`; return its metrics (counts and hashes)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    notes = notes if notes is not None else load_notes()
    split = split_documents(notes, cfg.heldout_docs, cfg.seed)
    by_id = {n.doc_id: n for n in notes}

    cpt = [{"text": note_text(by_id[d])} for d in split.train]

    train = _Builder(cfg, notes, split.train, "train")
    sft = train.draw(cfg.sft_dialogues)
    exam_path = exam_path or DATA_DIR / "exam.jsonl"
    exam_items = (
        [m for m in load_mcqs(exam_path) if m.split == "train"] if exam_path.is_file() else []
    )
    for copy in range(cfg.exam_train_copies):
        for item in exam_items:
            sft.append(
                Dialogue(
                    id=f"exam-{item.id}-{copy}",
                    kind="exam",
                    messages=mcq_messages(item.question),
                    answer=_exam_answer(item, random.Random(f"{item.id}-{copy}-{cfg.seed}")),
                )
            )
    random.Random(f"sft-{cfg.seed}").shuffle(sft)
    rl = _Builder(cfg, notes, split.train, "rl").draw(cfg.rl_prompts)
    rl = [d for d in rl if d.kind in ("evidence", "tool", "refer", "abstain")]
    heldout = _Builder(cfg, notes, split.heldout, "heldout").draw(cfg.heldout_prompts)

    files = {
        "cpt.jsonl": cpt,
        "sft.jsonl": [d.model_dump() for d in sft],
        "rl.jsonl": [d.model_dump() for d in rl],
        "heldout.jsonl": [d.model_dump() for d in heldout],
    }
    for name, rows in files.items():
        with open(out_dir / name, "w") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    (out_dir / "split.json").write_text(split.model_dump_json(indent=2))
    kinds: dict[str, dict[str, int]] = {}
    for name, rows in (("sft", sft), ("rl", rl), ("heldout", heldout)):
        counts: dict[str, int] = {}
        for d in rows:
            counts[d.kind] = counts.get(d.kind, 0) + 1
        kinds[name] = counts
    return {
        "documents": {"train": len(split.train), "heldout": len(split.heldout)},
        "counts": {name: len(rows) for name, rows in files.items()},
        "kinds": kinds,
        "tools_used": sorted({r["tool"] for d in sft for r in d.tool_runs}),
        "hashes": {name: sha256_file(out_dir / name) for name in [*files, "split.json"]},
        "sources": {"exam.jsonl": sha256_file(exam_path) if exam_path.is_file() else None},
    }


def _exam_answer(item: MCQ, rng: random.Random) -> str:
    """The right option first (what the exam scores), then why the others are out."""
    right = item.choices[item.answer].rstrip(".")
    wrong = [c.rstrip(".") for i, c in enumerate(item.choices) if i != item.answer]
    rng.shuffle(wrong)
    why = rng.choice(
        [
            "Not {w}.",
            "The other options ({w}) do not answer this.",
            "This rules out {w}.",
        ]
    )
    return f"{right}. " + why.format(w="; ".join(wrong))
