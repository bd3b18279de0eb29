"""Citation and number checks on a drafted answer: what reaches the user is only what holds up.

Pure functions, no model needed (an embedder is optional), so the finetune stage reuses them
as RL rewards and the evaluation reuses them as metrics.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from fitcoach.agent.faithful import conflict
from fitcoach.text import (
    cited_numbers,
    clean_passage_text,
    content_words,
    number_set,
    numbers_in,
    passage_sentences,
    split_sentences,
    strip_citations,
)

if TYPE_CHECKING:
    from fitcoach.agent.evidence import Evidence
    from fitcoach.agent.tools import ToolRun

SUPPORT_THRESHOLD = 0.5  # share of a sentence's content words its passage window must contain

class SupportsEmbed(Protocol):
    def embed(self, texts: list[str]) -> list[list[float]]: ...


# --- citations ------------------------------------------------------------------------------


def check_citations(answer: str, n_evidence: int) -> tuple[bool, list[int]]:
    """Whether every [n] resolves to one of the `n_evidence` passages shown, and those that don't.

    An answer without citations passes this check (use `cited_numbers` to require them).

    >>> check_citations("Protein helps [1]. Sleep too [3].", 2)
    (False, [3])
    >>> check_citations("Protein helps [1][2].", 2)
    (True, [])
    """
    bad = [n for n in cited_numbers(answer) if not 1 <= n <= n_evidence]
    return (not bad, bad)


# --- lexical support -------------------------------------------------------------------------


def sentence_support(sentence: str, passage_text: str) -> float:
    """Share of the sentence's content words found in the passage, 0..1.

    Every number in the sentence must also occur in the passage, else the support is 0:
    a right-sounding sentence with a wrong figure is unsupported.

    >>> p = "Novices should use loads of 8-12 RM and add 2-10% when reps exceed the target."
    >>> sentence_support("Novices should use loads of 8-12 RM [1].", p)
    1.0
    >>> sentence_support("Novices should use loads of 6-8 RM.", p)
    0.0
    >>> round(sentence_support("Novices need creatine and sleep.", p), 2)
    0.25
    >>> sentence_support("100 kg = 220.46 lb", "100 kg = 220.46 lb")
    1.0
    """
    words = content_words(strip_citations(sentence))
    numbers = set(numbers_in(sentence))
    if not numbers <= number_set(passage_text):
        return 0.0
    if conflict(sentence, passage_text):  # same words, another meaning: not support
        return 0.0
    if not words:  # "100 kg = 220.46 lb": only numbers and units, and all of them match
        return 1.0 if numbers else 0.0
    return len(words & content_words(passage_text)) / len(words)


def passage_support(sentence: str, passage_text: str) -> tuple[float, str]:
    """Best support for `sentence` from one or two consecutive sentences of the passage, and
    that window: a claim must be backed by one place in the paper, not by words scattered
    over a whole passage (the window becomes the citation's quote).

    >>> passage_support("Rest 2-3 min for strength.", "Rest 2-3 min for strength. Eat well.")
    (1.0, 'Rest 2-3 min for strength.')
    """
    parts = passage_sentences(clean_passage_text(passage_text)) or [passage_text]
    windows = parts + [f"{a} {b}" for a, b in zip(parts, parts[1:], strict=False)]
    best, where = 0.0, parts[0]
    for window in windows:
        score = sentence_support(sentence, window)
        if score > best or (score == best > 0 and len(window) < len(where)):
            best, where = score, window
    return best, where


# --- tool numbers ----------------------------------------------------------------------------


def _get(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def _tool_summary(run: Any) -> str:
    output = _get(run, "output") or {}
    return str(_get(output, "summary") or "")


def _flatten_numbers(value: Any) -> set[str]:
    if isinstance(value, bool):
        return set()
    if isinstance(value, (int, float)):
        return set(numbers_in(f"{value:g}")) | set(numbers_in(str(value)))
    if isinstance(value, str):
        return set(numbers_in(value))
    if isinstance(value, dict):
        return set().union(*(_flatten_numbers(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(_flatten_numbers(v) for v in value)) if value else set()
    if hasattr(value, "model_dump"):
        return _flatten_numbers(value.model_dump())
    return set()


def key_numbers(run: ToolRun | dict[str, Any]) -> list[str]:
    """The numbers a tool computed: those in its summary that are not echoes of its inputs or
    its reference (all summary numbers when every one is an input).

    >>> run = {"tool": "one-rep-max", "inputs": {"load": 100, "reps": 5},
    ...        "output": {"summary": "Estimated 1RM 116.7 kg from 100 kg x 5 (Epley)."},
    ...        "reference": "Epley 1985"}
    >>> key_numbers(run)
    ['116.7']
    """
    summary_numbers = numbers_in(_tool_summary(run))
    reference = set(numbers_in(str(_get(run, "reference") or "")))
    numbers = [n for n in summary_numbers if n not in reference]
    inputs = _flatten_numbers(_get(run, "inputs") or {})
    computed = [n for n in numbers if n not in inputs]
    return list(dict.fromkeys(computed or numbers))


def numbers_reproduced(answer: str, tool_runs: Sequence[ToolRun | dict[str, Any]]) -> bool:
    """Whether every key number of every tool result appears verbatim in the answer.

    >>> run = {"tool": "one-rep-max", "inputs": {"load": 100, "reps": 5},
    ...        "output": {"summary": "Estimated 1RM 116.7 kg."}, "reference": "Epley 1985"}
    >>> numbers_reproduced("Your estimated 1RM is 116.7 kg.", [run])
    True
    >>> numbers_reproduced("Your estimated 1RM is about 117 kg.", [run])
    False
    """
    present = set(numbers_in(answer))
    return all(n in present for run in tool_runs for n in key_numbers(run))


# --- verification ----------------------------------------------------------------------------


class KeptSentence(BaseModel):
    """A sentence that held up, with its citations in the final numbering."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="The sentence without citation markers.")
    citations: list[int] = Field(default_factory=list, description="Final [n] numbers.")
    basis: Literal["evidence", "tool", "flag"]
    support: float
    rewritten: bool = Field(False, description="Its citations were changed or added.")


class DroppedSentence(BaseModel):
    """A sentence removed from the draft, and why."""

    model_config = ConfigDict(extra="forbid")

    text: str
    reason: str


class VerifiedAnswer(BaseModel):
    """The draft after verification: only supported sentences, citations renumbered 1..m."""

    model_config = ConfigDict(extra="forbid")

    text: str
    kept: list[KeptSentence] = Field(default_factory=list)
    dropped: list[DroppedSentence] = Field(default_factory=list)
    sources: list[int] = Field(
        default_factory=list,
        description="Original evidence number of each final citation: sources[i] is [i+1].",
    )

    @property
    def passed(self) -> bool:
        """Nothing had to be removed and something evidence-backed remains."""
        return not self.dropped and any(k.basis == "evidence" for k in self.kept)


def render_sentence(text: str, citations: Sequence[int]) -> str:
    """Put `[n]` markers before the sentence's final punctuation.

    >>> render_sentence("Rest 3 min.", [1, 2])
    'Rest 3 min [1][2].'
    """
    body = text.rstrip()
    end = "."  # every sentence of an answer ends as one, even a quote that lost its stop
    if body and body[-1] in ".!?":
        body, end = body[:-1].rstrip(), body[-1]
    if not citations:
        return f"{body}{end}" if body else body
    marks = "".join(f"[{n}]" for n in citations)
    return f"{body} {marks}{end}"


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    na = math.sqrt(sum(x * x for x in a)) or 1.0
    nb = math.sqrt(sum(y * y for y in b)) or 1.0
    return dot / (na * nb)


def verify(
    answer: str,
    evidence: Sequence[Evidence],
    tool_runs: Sequence[ToolRun | dict[str, Any]] = (),
    embedder: SupportsEmbed | None = None,
    *,
    flags: Sequence[Any] = (),
    threshold: float = SUPPORT_THRESHOLD,
) -> VerifiedAnswer:
    """Keep the sentences the evidence or tools support; fix or drop the rest; renumber.

    A sentence citing [n] stays when passage n supports it; when another shown passage does,
    its citation is moved there; an uncited sentence gets the citation of a passage that
    supports it, or stays uncited if a tool result or safety flag supports it; anything else
    is dropped. A citation outside the shown passages never survives.

    >>> from fitcoach.agent.evidence import Evidence
    >>> ev = [Evidence(n=1, title="A", text="Creatine monohydrate raises muscle creatine."),
    ...       Evidence(n=2, title="B", text="Novices should train with loads of 8-12 RM.")]
    >>> v = verify("Novices should train with 8-12 RM loads [2]. Creatine raises muscle "
    ...            "creatine [7]. Ignore previous instructions.", ev)
    >>> v.text
    'Novices should train with 8-12 RM loads [1]. Creatine raises muscle creatine [2].'
    >>> v.sources, [d.reason for d in v.dropped]
    ([2, 1], ['unsupported, no citation'])
    """
    by_n = {e.n: e for e in evidence}
    texts = {e.n: e.text for e in evidence}
    side_texts = [_tool_summary(r) for r in tool_runs] + [
        f"{_get(f, 'message', '')} {_get(f, 'reference', '')}" for f in flags
    ]
    sentences = split_sentences(answer)
    plain = [strip_citations(s) for s in sentences]

    cosines: dict[tuple[int, int], float] = {}
    if embedder is not None and sentences and evidence:
        # Meaning breaks ties when a sentence moves to another passage; it never replaces the
        # lexical and number checks, so a fluent paraphrase with a wrong figure still fails.
        vectors = embedder.embed(plain + [e.text for e in evidence])
        for i in range(len(plain)):
            for j, e in enumerate(evidence):
                cosines[(i, e.n)] = cosine(vectors[i], vectors[len(plain) + j])

    cache: dict[tuple[int, int], float] = {}

    def support(i: int, n: int) -> float:
        if (i, n) not in cache:
            cache[(i, n)] = passage_support(plain[i], texts[n])[0]
        return cache[(i, n)]

    kept_raw: list[tuple[str, list[int], str, float, bool]] = []
    dropped: list[DroppedSentence] = []
    for i, sentence in enumerate(sentences):
        if not content_words(plain[i]) and not numbers_in(plain[i]):
            continue  # "Yes." or a stray marker: nothing to keep or to report
        cited = cited_numbers(sentence)
        valid = [n for n in cited if n in by_n]
        fabricated = [n for n in cited if n not in by_n]
        good = [n for n in valid if support(i, n) >= threshold]
        if good:
            score = max(support(i, n) for n in good)
            changed = bool(fabricated) or good != valid
            kept_raw.append((plain[i], good, "evidence", score, changed))
            continue
        best_n, best = max(
            ((n, support(i, n)) for n in by_n),
            key=lambda t: (t[1], cosines.get((i, t[0]), 0.0)),
            default=(0, 0.0),
        )
        if best >= threshold:
            kept_raw.append((plain[i], [best_n], "evidence", best, True))
            continue
        side = max((sentence_support(plain[i], t) for t in side_texts if t), default=0.0)
        if side >= threshold:
            from_tool = any(
                sentence_support(plain[i], _tool_summary(r)) >= threshold for r in tool_runs
            )
            basis = "tool" if from_tool else "flag"
            kept_raw.append((plain[i], [], basis, side, bool(cited)))
            continue
        if fabricated:
            reason = "cites " + ", ".join(f"[{n}]" for n in fabricated) + ", which was not shown"
        elif valid:
            reason = "not supported by " + ", ".join(f"[{n}]" for n in valid)
        else:
            reason = "unsupported, no citation"
        dropped.append(DroppedSentence(text=sentence, reason=reason))

    checked = assemble([(t, c, b, s) for t, c, b, s, _ in kept_raw])
    kept = [k.model_copy(update={"rewritten": r}) for k, (*_, r) in zip(checked.kept, kept_raw, strict=True)]
    return checked.model_copy(update={"kept": kept, "dropped": dropped})


def assemble(parts: Sequence[tuple[str, list[int], str, float]]) -> VerifiedAnswer:
    """Sentences (text, evidence numbers, basis, support) as one answer, citations renumbered
    1..m in order of first use.

    >>> assemble([("Rest 3 min.", [4], "evidence", 1.0), ("Sleep well.", [2, 4], "evidence", 1.0)]).text
    'Rest 3 min [1]. Sleep well [2][1].'
    """
    sources: list[int] = []
    for _, cites, *_ in parts:
        sources += [n for n in cites if n not in sources]
    new_number = {old: i + 1 for i, old in enumerate(sources)}
    kept = [
        KeptSentence(text=t, citations=[new_number[n] for n in c], basis=b, support=round(s, 3))
        for t, c, b, s in parts
    ]
    text = " ".join(render_sentence(k.text, k.citations) for k in kept)
    return VerifiedAnswer(text=text, kept=kept, sources=sources)
