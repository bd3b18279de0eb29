"""The answer's shape, and the citations behind it.

A coach answers in this order: the answer itself (the tool's number, or the key finding with
its number and who it applies to), then at most three cited supporting sentences, then the
caveats and when to see a professional. Selection and order come from the evidence scores;
the model (when its draft holds up) only phrases the supporting sentences.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fitcoach.agent.evidence import Evidence, Sentence, says_over
from fitcoach.agent.schema import Citation
from fitcoach.agent.tools.base import SafetyFlag, ToolRun
from fitcoach.agent.verify import KeptSentence, VerifiedAnswer, assemble, passage_support
from fitcoach.text import content_words, split_sentences

QUOTE_WORDS = 60
MAX_SUPPORT = 3


# Notes raised by age alone are training advice ("Under 18: resistance training is safe with
# supervision"): stated when the question is about training, not under every question a
# teenager asks about sleep. The flags themselves stay in the answer's `safety_flags`.
_STRENGTH = (
    r"lift\w*|strength|weights?|resistance|gym|squat\w*|deadlift\w*|bench|press|barbell|"
    r"dumbbell|kettlebell|sets?|reps?|max(?:imal)?|1rm|plyometric\w*"
)
AGE_NOTES = {  # the note's code -> what a question must be about to get it
    "youth": re.compile(rf"\b({_STRENGTH})\b", re.I),
    "older_adult": re.compile(
        rf"\b({_STRENGTH}|train\w*|exercis\w*|workouts?|programme?s?|fitness|balance|falls?|"
        r"fall(?:ing)?|active|activity|walk\w*|run\w*)\b",
        re.I,
    ),
}


def flag_sentences(flags: Sequence[SafetyFlag], question: str | None = None) -> list[str]:
    """Non-referral safety notes, as the answer states them (age notes only under a question
    about training, when the question is given)."""
    return [
        f"Safety note: {f.message}"
        for f in flags
        if f.action != "refer"
        and not (question is not None and f.code in AGE_NOTES and not AGE_NOTES[f.code].search(question))
    ]


def tool_sentences(tool_runs: Sequence[ToolRun]) -> list[str]:
    """Each tool's summary, then its warnings: the numbers and the caveats that go with them."""
    out = []
    for run in tool_runs:
        summary = str(run.output.get("summary", "")).strip()
        if summary:
            out.append(summary if summary[-1] in ".!?" else summary + ".")
    return out


def tool_warnings(tool_runs: Sequence[ToolRun]) -> list[str]:
    out: list[str] = []
    for run in tool_runs:
        for warning in run.output.get("warnings", []) or []:
            text = str(warning).strip()
            text = text[:1].upper() + text[1:]
            if text and text not in out:
                out.append(text if text[-1] in ".!?" else text + ".")
    return out


Part = tuple[str, list[int], str, float]  # text without marks, evidence numbers, basis, support


def _from(sentence: Sentence, text: str | None = None) -> Part:
    # A verbatim evidence sentence: its own passage supports it fully.
    return ((text or sentence.text).rstrip(), [sentence.n], "evidence", 1.0)


def compose(
    chosen: Sequence[Sentence],
    tool_runs: Sequence[ToolRun],
    flags: Sequence[SafetyFlag],
    *,
    drafted: Sequence[KeptSentence] = (),
    caveat: Sentence | None = None,
    see: str | None = None,
    asks: Sequence[str] = (),
    question: str | None = None,
    notes: Sequence[str] = (),
    aside: Sequence[ToolRun] = (),
) -> VerifiedAnswer:
    """The answer in coaching order, numbered 1..m by first use.

    `chosen` is best first. `drafted` are the model's sentences that already passed the
    verifier, with their citations in the prompt's numbering; they become the supporting
    sentences in place of raw evidence. Every other part is a verbatim evidence sentence, a tool
    summary or a safety note, so nothing needs verifying twice: this only orders and renumbers.
    `aside` are tool runs the question did not ask for: their numbers follow the evidence.
    """
    lead: list[Part] = [(t, [], "tool", 1.0) for t in tool_sentences(tool_runs)]
    support: list[Part] = []
    picks = list(chosen)
    if not lead and picks:
        lead.append(_from(picks.pop(0)))
    for k in drafted:  # the model's phrasing, unless it only repeats what is already there
        if len(support) < MAX_SUPPORT and not _repeats(k.text, [p[0] for p in lead + support]):
            copied = _copy_of(k.text, chosen)
            support.append(_from(copied) if copied else (k.text, list(k.citations), "evidence", k.support))
    for s in picks:
        if len(support) >= (2 if tool_runs else MAX_SUPPORT):
            break
        if not _repeats(s.text, [p[0] for p in lead + support]):
            support.append(_from(s))
    support += [(t, [], "tool", 1.0) for t in tool_sentences(aside)]
    caveats: list[Part] = [(t, [], "tool", 1.0) for t in tool_warnings([*tool_runs, *aside])]
    caveats += [(t, [], "flag", 1.0) for t in flag_sentences(flags, question)]
    if caveat is not None and not _repeats(caveat.text, [p[0] for p in lead + support]):
        caveats.append(_from(caveat))  # verbatim: its label carries a negation the quote needs
    caveats += [(n, [], "flag", 1.0) for n in notes]  # the evidence's own reach ("not in teens")
    if see:
        caveats.append((see, [], "flag", 1.0))
    # What the planner could not know ("What is your body weight?"): asked, never guessed.
    caveats += [(q, [], "tool", 1.0) for q in asks]
    return assemble(lead + support + caveats)


# A drafted sentence this close, word by word, to a chosen one is the model copying it: its
# small edits add nothing but slips ("the threshold the authors choose", "Activities
# restriction should not be prescribed"), so the source's own words stand instead.
COPY_RATIO = 0.85


def _copy_of(text: str, chosen: Sequence[Sentence]) -> Sentence | None:
    """The chosen sentence a drafted one nearly copies, when it is not word for word the same.

    >>> s = Sentence(text="Activity restriction should not be prescribed routinely.", n=2, score=1.0)
    >>> _copy_of("Activities restriction should not be prescribed routinely.", [s]).text
    'Activity restriction should not be prescribed routinely.'
    >>> _copy_of("Rest days matter for recovery.", [s]) is None
    True
    """
    import difflib

    words = re.findall(r"[\w.%/-]+", text.lower())
    for s in chosen:
        theirs = re.findall(r"[\w.%/-]+", s.text.lower())
        if words != theirs and difflib.SequenceMatcher(None, words, theirs).ratio() >= COPY_RATIO:
            return s
    return None


def _repeats(sentence: str, existing: Sequence[str]) -> bool:
    """Mostly the words of a part already placed, or nearly all of one's with more added (the
    model's shorter phrasing of a finding, then the finding itself)."""
    words = content_words(sentence)
    return any(
        words and (len(words & (other := content_words(e))) >= 0.7 * len(words) or says_over(words, other))
        for e in existing
    )


def quote(evidence: Evidence, sentences: Sequence[str]) -> str:
    """The passage windows that support the answer's sentences citing it (the windows
    verification accepted), or the passage's opening when none does."""
    windows: list[str] = []
    for sentence in sentences:
        score, window = passage_support(sentence, evidence.text)
        if score > 0 and window not in windows:
            windows.append(window)
    if windows:
        return " ".join(windows)
    words = evidence.text.split()
    return " ".join(words[:QUOTE_WORDS]) + (" …" if len(words) > QUOTE_WORDS else "")


def citations_for(verified: VerifiedAnswer, evidence: Sequence[Evidence]) -> list[Citation]:
    """One citation per source the verified answer uses, numbered as in its text."""
    by_n = {e.n: e for e in evidence}
    out = []
    for new, old in enumerate(verified.sources, start=1):
        e = by_n[old]
        citing = [k.text for k in verified.kept if new in k.citations]
        out.append(Citation(**e.bibliography(), n=new, page=e.pages, section=e.section,
                            quote=quote(e, citing)))  # fmt: skip
    return out


def fixed_answer(parts: Sequence[str], evidence: Sequence[Evidence]) -> VerifiedAnswer:
    """A deterministic answer (referral text): every part stays as written."""
    from fitcoach.text import cited_numbers, strip_citations

    kept = [
        KeptSentence(text=strip_citations(p), citations=cited_numbers(p), basis="flag", support=1.0)
        for p in parts
    ]
    return VerifiedAnswer(text=" ".join(parts), kept=kept, sources=[e.n for e in evidence])


def drop_echoes(draft: str, question: str) -> str:
    """The draft without sentences that only repeat the question (small models echo it)."""
    asked = content_words(question)
    kept = [
        s for s in split_sentences(draft) if not (content_words(s) and content_words(s) <= asked)
    ]
    return " ".join(kept)
