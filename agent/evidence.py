"""The evidence an answer stands on: passages gathered once, cleaned once, and then read
sentence by sentence the way a coach reads a paper — findings before methods, the right
population, a number when the question asks "how much".

PaperQA2's gather-evidence step is the model: score every candidate, keep the best few, drop
the rest. Here the scores are cheap enough for a CPU: one MiniLM batch for the sentences,
BM25 over the same sentences, and priors for section, population and question type.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from fitcoach.agent.faithful import POPULATIONS, groups_in
from fitcoach.agent.verify import cosine
from fitcoach.knowledge.types import Bibliography
from fitcoach.text import (
    clean_passage_text,
    content_words,
    numbers_in,
    passage_sentences,
    split_sentences,
)

if TYPE_CHECKING:
    from fitcoach.agent.tools.profile import AthleteProfile
    from fitcoach.knowledge.types import Passage


class Evidence(Bibliography):
    """A passage as shown to the model, numbered `n` (1-based) in this prompt; its text is
    cleaned once, when it is built, and split into `sentences` once."""

    doc_id: str = ""
    n: int = Field(ge=1, description="The number the model cites as [n].")
    chunk_id: str = ""
    pages: str | None = Field(None, description="'3' or '3-4'; None for unpaged sources.")
    section: str | None = None
    text: str
    sentences: list[str] = Field(default_factory=list, description="`text`, split once.")
    similarity: float | None = Field(None, description="Cosine similarity to its query.")
    caveats: list[str] = Field(
        default_factory=list,
        description="Sentences from a limitations opener on (see `limitations_run`).",
    )

    @classmethod
    def from_passage(cls, n: int, passage: Passage, text: str | None = None) -> Evidence:
        """Number a library search hit for the prompt (`text` replaces the passage's own)."""
        cleaned = strip_reference_marks(clean_passage_text(passage.text if text is None else text))
        sentences = passage_sentences(cleaned)
        return cls(
            **passage.bibliography(), n=n, chunk_id=passage.chunk_id, pages=passage.pages,
            section=passage.section, text=cleaned, sentences=sentences,
            similarity=passage.similarity, caveats=limitations_run(sentences),
        )  # fmt: skip

    @property
    def label(self) -> str:
        """Source label for the prompt: 'Ratamess NA et al. 2009, p. 3'.

        >>> Evidence(n=1, doc_id="d", title="T", authors=["Ratamess NA", "Alvar BA", "X Y"],
        ...          year=2009, pages="3", text="x").label
        'Ratamess NA et al. 2009, p. 3'
        """
        ref = self.short_reference if self.year else f"{self.short_reference} n.d."
        return f"{ref}, p. {self.pages}" if self.pages else ref


class Sentence(BaseModel):
    """One evidence sentence with its score against the question."""

    model_config = ConfigDict(extra="forbid")

    text: str
    n: int = Field(description="The evidence number it comes from.")
    score: float
    similarity: float = Field(0.0, description="Cosine similarity to the question.")
    lexical: float = Field(0.0, description="BM25 share of the question's weight it matches.")
    kind: str = Field("finding", description="finding, method, limitation or demographics.")


# --- the words papers use -------------------------------------------------------------------

_SYNONYMS_FILE = Path(__file__).parent / "data" / "synonyms.yaml"


@functools.cache
def _synonyms() -> dict[str, str]:
    import yaml

    data = yaml.load(_SYNONYMS_FILE.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValueError(f"{_SYNONYMS_FILE} must map phrases to phrases")
    return {k.lower(): v for k, v in data.items()}


# Gym notation for sets by reps ("5x5 or 3x10 for size?"), which papers spell out.
SETS_BY_REPS = re.compile(r"\b(\d{1,2})\s?[x\u00d7]\s?(\d{1,2})\b", re.I)


# A stall in a message about body weight is the weight-loss plateau, not a lifter's stalled
# progress: "lost 6kg then stalled for 3 weeks, do i just drop calories more?"
_STALLS = frozenset({"stuck", "stalled", "plateau", "plateaued"})
_WEIGHT_TALK = re.compile(
    r"\b(?:calories|cals|kcals?|weight loss|fat loss|losing weight|deficit|the scale|"
    r"lost \d+(?:\.\d+)?\s?(?:kg|kgs|kilos?|lbs?|pounds))\b"
)
_WEIGHT_PLATEAU = "weight loss plateau energy intake deficit"
_AGED = re.compile(r"(\d+)\s*[- ]?(?:years?|yrs?)?[- ]?old$")  # "34-year-old", "70 years old"


def _younger_than_60(text: str) -> bool:
    """Whether `text` ends on an age under 60: "a 34-year-old" is no older adult, a 70-year-old is."""
    aged = _AGED.search(text)
    return bool(aged) and int(aged.group(1)) < 60


# A target load on a lift ("bench from 80 to 100kg in 6 months") asks how to get stronger; its
# numbers alone draw body-weight and protein passages.
_LIFTS = r"squat\w*|bench\w*|deadlift\w*|(?:overhead |military )?press\w*|clean|snatch|1rm|one rep max|pr"
_LIFT_GOAL = re.compile(
    rf"\b(?:{_LIFTS})\b.*?\b(?:to|hit|reach|get to|break|make|want|goal is|aiming for|target)\s+(?:a\s+)?"
    r"\d{2,3}(?:\.\d)?(?![\d.])(?!\s*(?:reps?|sets?|%|x\b|times|min|sec|weeks?|days?|months?))"
    rf"|\b(?:hit|reach|get to|break)\s+(?:a\s+)?\d{{2,3}}\s?(?:kg|kgs|kilos?|lbs?|pounds)?\s+(?:{_LIFTS})\b",
    re.I,
)
_STRENGTH_GOAL = "increase maximal strength 1RM progression periodisation heavy loads"

# The goal a question trains for, and the goal a sentence's advice is conditioned on: "benching
# 80kg for 5, stuck for 2 months" is about strength, and "for someone whose main goal is muscle
# size, choose by preference" does not answer it (nor "if maximal strength is a goal" a
# question about growing).
_GOAL_WORDS = {
    "strength": re.compile(
        rf"\b(?:stronger|strength|1 ?rm|one[- ]rep max|(?:{_LIFTS})\w*\s+(?:of\s+|at\s+)?\d{{2,3}}\s?(?:kg|kgs|kilos?|lbs?)"
        r"|\d{2,3}\s?(?:kg|kgs|kilos?|lbs?)\s+(?:bench|squat|deadlift|press)\w*)\b",
        re.I,
    ),
    "size": re.compile(
        r"\b(?:muscle (?:size|growth|mass)|hypertroph\w*|grow(?:ing|th)?|bigger|size|gains|bulk\w*|"
        r"build(?:ing)? muscle|aesthetics?|physique)\b",
        re.I,
    ),
}
_GOAL_OF_ADVICE = {
    "strength": re.compile(
        r"\b(?:if|when|where) (?:maximal |max )?strength is (?:a|the|your) (?:main |primary )?goal|"
        r"\b(?:for|chasing) (?:maximal strength|a bigger (?:squat|bench|deadlift)|(?:a )?1rm)\b|"
        r"\b(?:maximal-)?strength goal\b",
        re.I,
    ),
    "size": re.compile(
        r"\bgoal is (?:muscle size|hypertrophy|muscle growth|size)|\b(?:for|chasing) (?:muscle size|"
        r"hypertrophy|muscle growth)\b|\bmuscle[- ]size goal\b",
        re.I,
    ),
}


# What a finding reports: strength or size, when it names only one of them ("likely to speed
# strength gains" is no answer to how many sets grow a chest).
_OUTCOME = {
    "strength": re.compile(r"\bstrength (?:gains?|improvements?)|\b1 ?rm\b|\bmaximal strength|\bstronger\b", re.I),
    "size": re.compile(r"\bhypertroph\w*|\bmuscle (?:size|growth|mass|thickness)|\bgrow(?:s|th)?\b|\blean mass", re.I),
}


def for_other_goal(text: str, goal: str) -> bool:
    """Whether a sentence's advice is for the other goal than `goal`, or it reports only the
    other goal's outcome.

    >>> for_other_goal("For someone whose main goal is muscle size, pick by preference.", "strength")
    True
    >>> for_other_goal("More sets speed strength gains.", "size"), for_other_goal("Both work.", "size")
    (True, False)
    """
    other = next(g for g in _OUTCOME if g != goal)
    return bool(_GOAL_OF_ADVICE[other].search(text)) or (
        not _OUTCOME[goal].search(text) and bool(_OUTCOME[other].search(text))
    )


def training_goal(question: str) -> str | None:
    """"strength" or "size" when the question names one goal and not the other.

    >>> training_goal("benching 80kg for 5, stuck for 2 months, what do i change")
    'strength'
    >>> training_goal("how many sets to grow my chest"), training_goal("Is 5x5 good?")
    ('size', None)
    """
    named = {goal for goal, rx in _GOAL_WORDS.items() if rx.search(question)}
    return named.pop() if len(named) == 1 else None


# A worked example for one body mass: "for a 70 kg athlete, roughly 110-170 g/day".
_EXAMPLE_MASS = re.compile(
    r"\bfor (?:an? |the |each )?(\d{2,3}(?:\.\d+)?)[- ]?kg (?:\w+ )?(?:athlete|lifter|person|runner|"
    r"adult|man|woman|player|client|individual|cyclist|swimmer|rower)s?\b",
    re.IGNORECASE,
)


def example_for_another_mass(sentence: str, mass_kg: float | None) -> bool:
    """The sentence works its numbers out for a body mass more than 10% from the athlete's.

    >>> example_for_another_mass("for a 70 kg athlete, roughly 110-170 g/day", 95)
    True
    >>> example_for_another_mass("for a 70 kg athlete, roughly 110-170 g/day", 72)
    False
    >>> example_for_another_mass("for a 70 kg athlete, roughly 110-170 g/day", None)
    False
    """
    if not mass_kg:
        return False
    return any(abs(float(m.group(1)) - mass_kg) > 0.1 * mass_kg for m in _EXAMPLE_MASS.finditer(sentence))


def strength_goal(question: str) -> bool:
    """Whether the question asks how to reach a target load on a lift.

    >>> strength_goal("how do i get my bench from 80 to 100kg in 6 months")
    True
    >>> strength_goal("squat 100 kg for 5, want to hit 140 within a year")
    True
    >>> strength_goal("bench 80kg for 3, want 100 by summer, how do i get there")
    True
    >>> strength_goal("bench 3 sets of 8, should I go to 10 reps?")
    False
    """
    return bool(_LIFT_GOAL.search(question))


def paper_words(question: str) -> str | None:
    """The question with the papers' words for its gym words added; None when none match.

    >>> paper_words("how fast can I increase my mileage?")
    'how fast can I increase my mileage? weekly running distance volume'
    >>> paper_words("Is 5x5 better than 3x10?")
    'Is 5 sets of 5 repetitions better than 3 sets of 10 repetitions?'
    >>> paper_words("marathon in 3 weeks, how much should i cut back?")
    'marathon in 3 weeks, how much should i cut back? reduce training volume tapering before competition'
    >>> paper_words("lost 6kg then stalled, do i drop calories more?")
    'lost 6kg then stalled, do i drop calories more? kcal weight loss plateau energy intake deficit'
    >>> paper_words("How much protein per day?") is None
    True
    >>> paper_words("signed up for a 1.5k open water swim") is None  # "5k" is a run, "1.5k" is not
    True
    >>> paper_words("I'm a 34-year-old cyclist, how do I raise my FTP?")
    "I'm a 34-year-old cyclist, how do I raise my FTP? functional threshold power"
    """
    spelt = SETS_BY_REPS.sub(r"\1 sets of \2 repetitions", question)
    low = question.lower()
    found = [
        (m.span(), _WEIGHT_PLATEAU if k in _STALLS and _WEIGHT_TALK.search(low) else v)
        for k, v in _synonyms().items() for m in re.finditer(rf"(?<![a-z0-9.]){re.escape(k)}(?![a-z])", low)
        if not _younger_than_60(low[: m.end()])  # "a 34-year-old cyclist" is no older adult
    ]  # fmt: skip
    # a longer phrase speaks for the words inside it: "cut back" before a race is a taper,
    # not the "cut" of weight loss
    extra = list(dict.fromkeys(
        v for (a, b), v in found
        if not any(c <= a and b <= d and (c, d) != (a, b) for (c, d), _ in found)
    ))  # fmt: skip
    if strength_goal(low):
        extra.append(_STRENGTH_GOAL)
    if extra:
        return f"{spelt} {' '.join(extra)}"
    return spelt if spelt != question else None


# --- does the library speak of it at all --------------------------------------------------

# Words any coaching question may use without naming its topic.
_GENERIC = frozenset(["improve", "improves", "improving", "help", "helps", "best", "good", "better", "worse", "exercise", "exercises", "training", "train", "trained", "trainer", "workout", "workouts", "session", "sessions", "should", "would", "could", "make", "makes", "get", "take", "takes", "taking", "way", "ways", "day", "days", "week", "weeks", "month", "months", "time", "times", "much", "many", "long", "often", "need", "needs", "want", "start", "starting", "before", "after", "more", "less", "fast", "faster", "stronger", "strong", "recovery", "recover", "performance", "muscle", "muscles", "body", "thing", "things", "really", "actually", "work", "works", "doing", "does", "done", "go", "going", "keep", "okay", "fine", "safe", "risky", "risk", "effect", "effects", "effective", "benefit", "benefits", "worth", "normal", "people", "person", "someone", "anyone", "everyone", "year", "years", "old", "minutes", "hours", "hour", "minute", "per", "level", "levels", "type", "types", "kind", "kinds", "enough", "quick", "quickly", "higher", "lower", "high", "low", "heavy", "light", "hard", "easy", "early", "late", "today", "tomorrow", "morning", "evening", "night", "lunch", "lunchtime", "weekend", "next", "glass", "glasses", "cup", "cups", "bottle", "bottles", "bowl", "spoon", "spoonful", "plate", "serving", "servings", "portion", "amount", "amounts", "myth", "myths", "legit", "true", "scam", "hype", "sketchy", "dodgy", "shady", "sus", "marketing", "tip", "tips", "advice", "whats", "thats", "safest", "safer", "safely", "paranoid", "overthinking", "overreacting", "daughter", "daughters", "son", "sons", "mom", "mum", "mother", "dad", "father", "wife", "husband", "sister", "brother", "friend", "friends", "buddy", "mate", "mates", "boyfriend", "girlfriend", "tiktok", "instagram", "youtube", "reddit", "influencer", "influencers", "acsm", "nsca", "cscs", "nasm", "exam", "exams", "issn", "acog", "nata", "fake", "overrated", "overhyped", "bogus", "broscience", "bullshit", "frying", "fried", "cooked", "wrecked", "trashed", "smoked", "nuked", "kill", "kills", "wreck", "wrecks", "ruin", "ruins", "ruining", "ruined", "destroy", "destroys", "destroying", "saying", "says", "said", "lol", "lmao", "tbh", "idk", "imo", "ngl", "omg", "btw", "smh", "pls", "plz", "thx", "tho"])  # fmt: skip
_RAW_WORD = re.compile(r"[a-z][a-z'-]+")
# Where someone trains is no topic ("a century ride in july in texas heat" asks about heat
# and drinking): places the papers never name do not make a gap.
_PLACES = frozenset(
    w for line in (Path(__file__).with_name("data") / "places.txt").read_text(encoding="utf-8").splitlines()
    if not line.startswith("#") for w in line.split()
)


# What soreness or pain stops someone doing is how bad it is, not what they ask about: "so sore
# i literally cant do stairs", "can barely get out of bed".
_DAILY_LIFE = re.compile(
    r"\b(?:can'?t|cannot|couldn'?t|barely|hardly|struggl\w* to|hurts? to|pain(?:ful)? to)\s+(?:\w+\s+){0,3}?"
    r"(?:stairs|steps|sit(?: down)?|stand(?: up)?|get out of bed|get up|put (?:my )?socks on|"
    r"lift my arms?|brush my hair|sleep)\b"
)


# Inflections that mean something else than their stem: "fasted" training is not "fast" running.
_NEW_SENSE = frozenset({"fasted", "fasting"})


def _inflected(word: str) -> set[str]:
    """The stems a word may be an inflection of: "benched" of "bench", "squatting" of
    "squat", "hiked" of "hike".

    >>> sorted(_inflected("squatting"))
    ['squat', 'squatt', 'squatte']
    """
    out = set()
    for end in ("ed", "ing"):
        if word.endswith(end) and len(word) - len(end) >= 4:
            stem = word[: -len(end)]
            out |= {stem, stem + "e"}
            if len(stem) >= 2 and stem[-1] == stem[-2]:
                out.add(stem[:-1])
    return out


def _known(word: str, seen: set[str], stems: set[str], ordered: list[str]) -> bool:
    """Used by the library as is, by stem, as the start of a longer word ("keto" of
    "ketogenic"), or through the synonym table. The five-letter stem only stands for an
    everyday word ("periodisation" for "periodising"): a rare word shares five letters with
    unrelated ones ("collagen" with "collapse", "glucosamine" with "glucose")."""
    if word in seen or word in _synonyms() or (word.endswith("s") and word[:-1] in seen):
        return True  # "shins" is "shin" + s
    if word not in _NEW_SENSE and _inflected(word) & seen:
        return True  # "benched" is "bench" + ed, "squatting" "squat" + ting
    if len(word) == 3:  # "jog" is in "jogging"
        ends = ("s", "ing", "ed", "er", f"{word[-1]}ing", f"{word[-1]}ed", f"{word[-1]}er")
        if any(word + end in seen for end in ends):
            return True
    if len(word) >= 5 and word[:5] in stems and (word in common_words() or not common_words()):
        return True
    # a rare word is known in another ending: "dehydrated" from "dehydration"
    head = word[: max(6, len(word) - 3)]
    j = bisect.bisect_left(ordered, head)
    if len(word) >= 7 and j < len(ordered) and ordered[j].startswith(head):
        return True
    i = bisect.bisect_left(ordered, word)
    return len(word) >= 4 and i < len(ordered) and ordered[i].startswith(word)


@functools.cache
def common_words() -> frozenset[str]:
    """Whole words of MiniLM's WordPiece vocabulary: everyday English. A question word the
    library never uses is a sure sign of a gap only when it is not one of these ("melatonin",
    not "glass")."""
    from fitcoach.models import embedder_path

    try:
        path = embedder_path("minilm-l6") / "vocab.txt"
        return frozenset(w for w in path.read_text(encoding="utf-8").split() if w.isalpha())
    except Exception:  # no bundled embedder: every unknown word counts as rare
        return frozenset()


def is_common(word: str) -> bool:
    """Whether a word is everyday English, inflected or not: "aches" is "ache" + s, and the
    WordPiece vocabulary holds only the stem.

    >>> is_common("aches"), is_common("tightness"), is_common("melatonin")
    (True, True, False)
    >>> is_common("accumulating"), is_common("accumulat")
    (True, False)
    """
    common = common_words()
    ends = ("s", "es", "ed", "ing", "ly", "ness")
    stems = [word] + [word[: -len(end)] for end in ends if word.endswith(end)]
    # "accumulating" is "accumulate" less its e, "stopped" is "stop" with its p doubled
    stems += [s + "e" for s in stems[1:]] + [s[:-1] for s in stems[1:] if s[-2:-1] == s[-1:]]
    return any(len(stem) >= 3 and stem in common for stem in stems)


def _stretched(word: str, known: set[str]) -> bool:
    """An everyday word typed with a held-down key ("sooo sore", "reallyyy"): collapsed to one or
    two of each repeated letter, it is a stopword, an everyday word or one the library uses.

    >>> _stretched("sooo", set()), _stretched("reallyyy", set()), _stretched("soreee", {"sore"})
    (True, True, True)
    >>> _stretched("sore", set())
    False
    """
    from fitcoach.text import _STOPWORDS

    if not re.search(r"(.)\1\1", word):
        return False
    forms = {re.sub(r"(.)\1{2,}", r"\1", word), re.sub(r"(.)\1{2,}", r"\1\1", word)}
    return any(f in _STOPWORDS or f in known or is_common(f) for f in forms)


def uncovered_terms(
    question: str, evidence: Sequence[Evidence], vocabulary: frozenset[str] | None = None
) -> list[str]:
    """Topic words of the question the library never uses, even misspelt: "collagen", "golf",
    "ketone" when it holds nothing on them. With the library's `vocabulary` an everyday word
    counts as covered when the library uses it anywhere; a rare one ("collagen", "kinesiology",
    not in `common_words`) only when a retrieved passage does: a paper that names collagen once
    in passing does not make the tendon passages retrieved for it an answer. Without a
    vocabulary every word needs a retrieved passage.

    >>> ev = [Evidence(n=1, title="Protein and tendons", text="Protein needs of athletes.")]
    >>> uncovered_terms("Does collagen help my tendons?", ev, frozenset({"help"}))
    ['collagen']
    >>> uncovered_terms("Does collagen help my tendons?", ev, frozenset({"collagen"}))
    ['collagen']
    >>> uncovered_terms("how much protien do athletes need", ev)
    []
    >>> uncovered_terms("How do I train my pecs?", [Evidence(n=1, title="Chest training", text="x")])
    []
    >>> uncovered_terms("is red light therapy legit for recovery?", ev, frozenset({"red", "therapy"}))
    ['red light']
    >>> ankle = [Evidence(n=1, title="Taping", text="Ankle taping lowers re-sprains.")]
    >>> uncovered_terms("does mouth taping help recovery?", ankle, frozenset({"mouth"}))
    ['mouth taping']
    >>> uncovered_terms("when should I replace my running shoes?", ev, frozenset({"replace", "running", "shoes"}))
    ['shoes']
    """
    import difflib

    from fitcoach.text import _STOPWORDS

    passages = [f"{e.title} {e.text}".lower() for e in evidence]
    retrieved: set[str] = set()
    for text in passages:
        retrieved |= set(_RAW_WORD.findall(text))
    seen = retrieved | set(vocabulary or ())
    stems = {w[:5] for w in seen if len(w) >= 5}
    ordered = sorted(seen)
    near_stems = {w[:5] for w in retrieved if len(w) >= 5}
    near_ordered = sorted(retrieved)
    everyday = common_words()
    aliases = _synonyms()
    low = question.lower()

    def spelt_out(alias: str) -> bool:
        return any(_known(p, seen, stems, ordered) for p in _RAW_WORD.findall(alias) if len(p) >= 4)

    # the words of a phrase the papers spell out: "couch to 5k" is a beginner running programme
    phrased = {
        w for k, v in aliases.items() if " " in k and re.search(rf"(?<![a-z]){re.escape(k)}(?![a-z])", low)
        and spelt_out(v) for w in _RAW_WORD.findall(k)
    }  # fmt: skip
    # a three-letter name counts when it is written as one ("NAD+", "CBD", "HMB") or is no
    # English word; "hrs", "bro" and "run" name no topic of their own
    acronyms = {w.lower() for w in re.findall(r"(?<![A-Za-z])[A-Z]{3}(?![a-z])", question)}
    # a word naming a group a retrieved passage is about: "menopause" for "postmenopausal women"
    groups = set().union(*(groups_in(text, POPULATIONS) for text in passages))
    daily = {w for m in _DAILY_LIFE.finditer(low) for w in _RAW_WORD.findall(m.group(0))}
    out = []
    for word in dict.fromkeys(_RAW_WORD.findall(low)):
        if word in daily or _stretched(word, seen):
            continue
        short = len(word) == 3 and (word in acronyms or not is_common(word))
        if (len(word) < 4 and not short) or "'" in word or word in _STOPWORDS or word in _GENERIC:
            continue
        if word in phrased or word in _PLACES or groups_in(word, POPULATIONS) & groups & SPECIAL_GROUPS:
            continue
        alias = aliases.get(word) or next(
            (aliases[w] for w in (word[:-1], word[:-2]) if word.endswith("s") and w in aliases), None
        )  # "twinges" is a "twinge"
        if alias and spelt_out(alias):
            continue  # gym slang the papers spell out: "pecs" is "pectoral" or "chest"
        parts = [p for p in word.split("-") if len(p) >= 3] or [word]
        if all(
            _known(p, seen, stems, ordered)
            if is_common(p) or not everyday
            else _known(p, retrieved, near_stems, near_ordered)
            for p in parts
        ):
            continue  # a hyphenated word is covered when each of its parts is
        # a typo of a word the library uses; an English word is no typo ("beer" is not
        # "better", nor "horse riding" "hours rising")
        pool = retrieved if everyday else seen
        near = [w for w in pool if abs(len(w) - len(word)) <= 2 and w[:1] == word[:1]]
        if not is_common(word) and difflib.get_close_matches(word, near, n=1, cutoff=0.8):
            continue
        out.append(word)
    # a therapy named in everyday words ("red light therapy") is covered only when a retrieved
    # passage names it so: "light" and "red" alone are in every library
    for named in _NAMED_THERAPY.finditer(low):
        words = [w for w in named.group(1).split() if w not in _STOPWORDS]
        while len(words) > 1 and (words[0] in _GENERIC or words[0].endswith("ing")):
            words = words[1:]  # "adding cupping therapy" names cupping
        name = " ".join(words)
        if " " in name and not any(name in text for text in passages):
            out.append(name)
    for taped in _TAPING.finditer(low):
        if taped.group(1) not in _STOPWORDS and not any(
            re.search(rf"\b{taped.group(1)}[ -]tap", text) for text in passages
        ):  # fmt: skip
            out.append(f"{taped.group(1)} taping")
    # kit is covered only when a retrieved passage names it: "shoes" in some paper's methods
    # does not make weekly-mileage lines an answer on when to replace them
    for gear in dict.fromkeys(_GEAR.findall(low)):
        if gear not in out and not any(re.search(rf"\b{gear[:4]}", text) for text in passages):
            out.append(gear)
    # "Zona Plus handgrip" says "Zona" already (a phrase as the question writes it)
    return [w for w in out if not any(
        w != o and o in low and re.search(rf"\b{re.escape(w)}\b", o) for o in out
    )]  # fmt: skip


_NAMED_THERAPY = re.compile(r"\b((?:[a-z]+[ -]){1,3}?)(?:therapy|therapies|treatments?|devices?)\b")
_TAPING = re.compile(r"\b([a-z]+)[ -]tap(?:ing|ed|e)\b")  # "mouth taping", "kinesio tape"
# kit the papers would have to name to answer: "when should I replace my running shoes"
_GEAR = re.compile(
    r"\b(?:shoes?|sneakers|footwear|insoles?|orthotics?|belts?|sleeves|wraps|mouthguards?|helmets?|"
    r"headphones|earbuds)\b"
)


# A word names the question's topic when leaving it out moves the question's meaning: "beer"
# in "how much does drinking beer slow my recovery?" does (0.95), "daughter" in "my 15-year-old
# daughter plays basketball: which warm-up drills lower her ACL risk?" does not (0.99).
# Set on the tune split's gap questions and casual questions written outside the team.
TOPIC_SHIFT = 0.96


def topic_words(question: str, words: Sequence[str], embedder: Any | None) -> list[str]:
    """Those of `words` (uncovered by the library) that name what the question is about, not
    who asks or how they talk ("myself", "stuck", "legit"): the question embedded without the
    word is less than TOPIC_SHIFT similar to the question as asked. Without an embedder every
    word counts."""
    if embedder is None or not words:
        return list(words)
    without = [re.sub(rf"(?<![a-z]){re.escape(w)}(?![a-z])", " ", question, flags=re.I) for w in words]
    vectors = embedder.embed([question, *without])
    return [w for w, v in zip(words, vectors[1:], strict=True) if cosine(vectors[0], v) < TOPIC_SHIFT]


# The parts of a question that name none of its uncovered words carry its meaning when, asked
# alone, they sit this close to it: "got pain on the outside of my knee after runs. IT band?"
# is 0.86 of "... IT band? should i stop running or foam roll it", "how much protein per meal
# for muscle growth" 0.69 of the question that adds "and is shilajit gonna boost my
# testosterone"; "how many days a week is safe" is 0.61 of "started hangboarding for
# bouldering, how many days a week is safe", "how much should I aim for per meal" 0.58 of "do
# women in menopause need more protein and ...": those ask about the word the library lacks.
# Set on the tune split and fresh casual questions.
PARTIAL_SIMILARITY = 0.65


# A question that judges the thing it has just named: "does it work", "is this worth it".
_JUDGES_IT = re.compile(
    r"\b(?:does|do|is|are|will|would|can|could)\s+(?:it|this|that|they|these|those)\s+(?:\w+\s+)?"
    r"(?:do|work|help|worth|legit|any good|good|effective|make|really|actually)\b|\bworth it\b",
    re.I,
)
# A medicine or condition given as context ("type 2 diabetic on metformin, is lifting ok?"):
# the question is about training, and the answer names what the library lacks.
_CONTEXT_OF = r"\b(?:on|taking|takes|take|managed with|prescribed|using)\s+(?:\w+\s+)?"


def context_word(word: str, question: str) -> bool:
    """`word` is something the person is on or takes, given as context for another question.

    >>> context_word("metformin", "58yo, type 2 diabetic on metformin, is lifting weights ok?")
    True
    >>> context_word("metformin", "Does metformin blunt strength gains?")
    False
    """
    if asks_what_it_does(word, question):
        return False
    return bool(re.search(_CONTEXT_OF + re.escape(word) + r"\b", question, re.I))


def asks_what_it_does(word: str, question: str, pronoun: bool = True) -> bool:
    """The question asks what `word` does or is worth: it is the subject of "does/is/can ...",
    or the thing to take, use or try.

    >>> asks_what_it_does("curcumin", "Does curcumin reduce muscle soreness after eccentric exercise?")
    True
    >>> asks_what_it_does("ashwagandha", "should i take ashwagandha for recovery")
    True
    >>> asks_what_it_does("egoscue", "I have chronic low back pain from sitting, how should I train?")
    False
    >>> asks_what_it_does("powerbreathe", "thinking of buying a powerbreathe for running. does it actually do anything")
    True
    """
    w = re.escape(word)
    if pronoun and re.search(rf"\b{w}\b", question, re.I) and _JUDGES_IT.search(question):
        return True  # "... airofit/powerbreathe ... does it actually do anything?"
    return bool(re.search(
        rf"\b(?:does|do|is|are|will|would|can|could|did)\s+(?:\w+\s+){{0,2}}?{w}\b"
        rf"|\b(?:take|taking|use|using|try|trying|supplement\w*(?: with)?|worth)\s+(?:\w+\s+)?{w}\b"
        rf"|^\W*{w}\b(?:\W+\w+){{0,3}}?\W+(?:worth|good|safe|effective|work)",
        question, re.I,
    ))  # fmt: skip


def _without_conjunct(part: str, named: re.Pattern[str]) -> str:
    """A part without the "X and" or "and X" conjunct (four words at most) that names a
    missing word, so its subject stays: "creatine makes u go bald and wrecks ur kidneys" ->
    "creatine wrecks ur kidneys"; the part as it was when no such conjunct names one."""
    for m in re.finditer(r"\s+(?:and|or)\s+", part):
        before = re.search(r"(?:\b\w+\s+){0,3}\w+$", part[: m.start()])
        after = re.match(r"\w+(?:\s+\w+){0,3}", part[m.end() :])
        if before and named.search(before.group(0)):
            return f"{part[: before.start()]}{part[m.end() :]}".strip()
        if after and named.search(after.group(0)):
            return f"{part[: m.start()]} {part[m.end() + after.end() :]}".strip()
    return part


def answerable_rest(question: str, missing: Sequence[str], embedder: Any | None) -> str | None:
    """What the question asks besides the `missing` words (uncovered by the library), when that
    rest is most of what it asks: those parts are answered and the answer names the gap. None
    when every part names a missing word, or the rest asks something else."""
    if embedder is None or not missing:
        return None
    named = re.compile("|".join(rf"(?<![a-z]){re.escape(w)}" for w in missing), re.I)
    parts = [p.strip(" .!") for s in split_sentences(question) for p in question_parts(s)]
    def carries(rest: list[str]) -> str | None:
        text = ". ".join(rest)
        whole, alone = embedder.embed([question, text])
        return text if cosine(whole, alone) >= PARTIAL_SIMILARITY else None

    # one part asking two things of one subject: "creatine makes u go bald and wrecks ur
    # kidneys right?" asks about the kidneys once the words of the missing claim are gone, and
    # "does foam rolling or massage help" still asks about massage
    cut = [_without_conjunct(p, named) for p in parts]
    kept = [c for c in cut if c and not _JUDGES_IT.search(c)]
    found = None
    if cut != parts and kept and not any(named.search(c) for c in cut):
        found = carries(kept)
    # "Is this worth it compared to lifting?" judges the missing thing named before it
    rest = [p for p in parts if not named.search(p) and not _JUDGES_IT.search(p)]
    if found is None and rest and len(rest) < len(parts):
        found = carries(rest)
    return found


# --- what kind of sentence is it -------------------------------------------------------------

_METHOD = re.compile(
    r"\b(searched|databases?|prisma|checklist|included studies|recruited|meta-regression|"
    r"(?:studies|trials|papers|articles) were included|"
    r"was studied|were studied|what was studied|we (?:searched|included|analy[sz]ed)|"
    r"eligible|inclusion criteria|risk of bias|aimed to|the (?:present|current) (?:study|research|"
    r"review|paper)|in this (?:editorial|review|paper|study|article|commentary)|"
    r"(?:this|the) (?:review|study|paper|position stand|statement|consensus statement|"
    r"guideline|meta-analysis|consensus) "
    r"(?:covers|summari[sz]es|reviews|describes|examined|examines|pooled|considers)|based on a)\b",
    re.I,
)
# A note's line on what the study did: "Programme: 9 weeks, high volume, with the deload as 1
# week of no training at the midpoint" describes the trial, it does not advise anyone.
_DESIGN_LABEL = re.compile(
    r"(?:programmes?|programs?|protocols?|study design|design|interventions?|sample)\s*:", re.I
)
# A sentence that only points elsewhere ("For the original youth trial of the 11+, see Soligard
# 2008.") tells the reader nothing to do.
_POINTER = re.compile(
    r"^(?:for [^.]*,\s*)?see [A-Z][\w-]+(?: et al\.?)?(?: and [A-Z][\w-]+)? \(?\d{4}\)?\.?$"
    # "For mode comparisons, see the Edwards 2023 network meta-analysis; for a framework, ..."
    r"|^for [^;]*?,\s*see the [A-Z][\w-]+ \d{4}\b"
    # "See the dedicated notes on caffeine, creatine ... for dosing detail."
    r"|^(?:for [^.]*,\s*)?see (?:the |our )?(?:dedicated |separate |other |individual )?"
    r"(?:notes?|sections?|chapters?|papers?|tables?|reviews?)\b"
    # "For ACL reconstruction, specific criteria exist (see Grindem 2016)." says only where to look
    r"|^[^.(]{0,60}\(see [A-Z][\w-]+(?: et al\.?)? \d{4}\)\.?$"
    # "Pair this with Rhea and Alderman 2004, which reached a similar conclusion earlier."
    r"|^(?:pair|compare|read) (?:this|it) with [\w-]+(?: et al\.?| and [\w-]+)? \d{4}\b",
    re.I,
)
_DEMOGRAPHICS = re.compile(
    r"(\u00b1|\+/-|\bmean age\b|\baged\s+\d|\b\d+(?:\.\d+)?\s*(?:\u00b1|\+/-)\s*\d|"
    r"\bparticipants? (?:were|was)\b|\b(?:n|N)\s*=\s*\d)",
)
# "Players aged 12-16 showed a significant improvement" reports a result about a group: a
# finding, unless it gives a mean and spread (those are who was studied, whatever follows).
_RESULT = re.compile(
    r"\b(significant\w*|improv\w*|increas\w*|decreas\w*|reduc\w*|showed|found|faster|slower|"
    r"higher|lower|gained|lost|benefit\w*)\b",
    re.I,
)
# A mean and spread describes who was studied only when it is about them (age, size, the
# sample); "soccer 0.94 ± 0.38 L/h" is an outcome, the finding a "how much" question wants.
_WHO = re.compile(
    r"\b(?:age[ds]?|years?|yrs?|y/o|height|stature|body ?mass|weight|bmi|participants?|"
    r"subjects?|volunteers?|patients?|players? (?:were|was)|athletes? (?:were|was)|men|women|"
    r"males?|females?|boys|girls|sample|experience)\b|\b[nN]\s*=\s*\d",
    re.I,
)
_SPREAD = re.compile(r"\u00b1|\+/-|\bmean age\b")
_LIMITATION_OPENER = re.compile(
    r"(what (?:it|this|the \w+) does not show|limitations?|strengths and limitations)\b", re.I
)
_CONCLUSION = re.compile(r"(?:in )?(?:conclusions?|summary)\b|practical applications", re.I)


def limitations_run(sentences: Sequence[str]) -> list[str]:
    """The sentences from a limitations opener to the end of the passage (or to a conclusion):
    in "What it does not show: few studies measured hypertrophy. Studies varied widely." the
    second sentence is no finding to lead with.

    >>> limitations_run(["Gains were similar.", "Limitations: men only.", "Trials were short.",
    ...                  "In conclusion, both work."])
    ['Limitations: men only.', 'Trials were short.']
    """
    out: list[str] = []
    for sentence in sentences:
        if out and _CONCLUSION.match(sentence):
            break
        if out or _LIMITATION_OPENER.match(sentence):
            out.append(sentence)
    return out


# "does not show" is a limitation when it says what was not shown ("does not show whether
# ..."), a finding when it reports a null result ("does not show kidney damage").
_LIMITATION = re.compile(
    r"^(what it does not show|limitations?|however, the evidence|the evidence (?:is|was) "
    r"(?:limited|thin|weak))|\b(does not show (?:whether|if|how|what|which|that|long)|"
    r"did not (?:test|measure|examine)|unclear whether|"
    r"more research|remains? (?:unclear|uncertain)|does not (?:cover|define|address|settle|tell)|"
    r"says nothing about|cannot say|weaknesses in the (?:existing|available|included) (?:studies|evidence|trials)|"
    # "based on pre-post changes ... rather than comparisons against non-tapering controls"
    r"rather than (?:in )?(?:comparisons? (?:against|with)|head-to-head|direct (?:comparisons?|tests?)|controlled)|"
    r"(?:effects|results|responses) varied widely|"
    # "The findings apply to non-specific pain, not to back pain with red flags": the reach
    r"(?:findings|results|conclusions|evidence) (?:only )?appl(?:y|ies) (?:only )?to\b[^.;]{0,80}?,\s*(?:and )?not\b)\b",
    re.I,
)
_ADVICE = re.compile(
    r"\b(should|recommend\w*|aim for|at least|per (?:week|day|kg|session)|g/kg|mg/kg|"
    r"sets? per|enough|sufficient|progress\w*|improv\w*|reduc\w*|increas\w*)\b",
    re.I,
)
_VERDICT = re.compile(
    r"\b(no (?:significant )?difference|similar|superior|better|greater|more effective|"
    r"less effective|no (?:clear |added )?benefit|improv\w*|reduc\w*|safe|unsafe|"
    r"recommended|not recommended|does not|did not)\b",
    re.I,
)
_ASKS_NUMBER = re.compile(
    r"\b(how (?:much|many|long|often|fast|heavy|far|quickly|soon|high|low)|what (?:dose|"
    r"amount|percentage|intensity|load|weight|rate|heart rate|pace)|how many grams|"
    r"per (?:day|week|kg|hour))\b",
    re.I,
)
# "per hour" and "per kilo" in a question, and how papers write that unit: "how many grams of
# carbs per hour" wants "60 g/h", not the day's 8-12 g/kg. ("A day" and "a week" are left
# out: nearly every dose and plan is given per day or week, so they tell sentences apart
# little, and "weekly" comes with the gym-word expansion of "mileage".)
_UNITS = (
    (re.compile(r"\b(?:per|an|a|each|every) (?:hour|hr)\b|\bhourly\b|/ ?h(?:r|our)?\b", re.I),
     re.compile(r"\d\s*(?:g|mg|ml|mL|L|kcal|mmol)\s*/\s*h(?:r|our)?\b|\b(?:per|an|a|each) hour\b|\d\s*(?:g|ml|L) an hour", re.I)),
    (re.compile(r"\b(?:per|a|each) (?:kg|kilo|kilogram|pound|lb)\b|/ ?kg\b|of body ?weight\b", re.I),
     re.compile(r"(?:g|mg|ml|mL|kcal)\s*/\s*kg\b|\bper (?:kg|kilogram)\b|\bof body (?:mass|weight)\b", re.I)),
    # what to eat over the days before an event is a daily intake per kg, not a rate per hour
    (re.compile(r"\b(?:carbs?|carbohydrates?|eat|eating|intake)\b.*\b(?:(?:24|36|48|72) ?(?:h|hours?|hrs)|"
                r"days?) (?:before|ahead of|leading)", re.I),
     re.compile(r"g\s*/\s*kg\b", re.I)),
    # "how much water should I drink on a long run" wants a volume or a body-mass loss to cap,
    # not a sweat-sodium rate in mmol/h
    (re.compile(r"\bhow much (?:water|fluids?|(?:should|do|can) (?:i|we|you) drink)\b", re.I),
     re.compile(r"\d\s*(?:ml|l|litres?|liters?|oz)\b|body[- ]?(?:weight|mass) (?:loss|deficit)|"
                r"\d\s*%\s*(?:of )?body", re.I)),
    # "how fast can i cut without losing strength?" wants a weekly rate of loss, not a protein target
    (re.compile(r"\bhow (?:fast|quickly|much weight)\b(?:\W+\w+){0,6}?\W+(?:cut|lose|losing|drop|shed)\b", re.I),
     re.compile(r"\d\s*(?:%|kg|kgs|lbs?|pounds?)(?: of body ?(?:weight|mass))?\s*(?:per|a|each|/)\s*(?:week|wk)\b", re.I)),
    # "what dosing protocol is recommended" wants grams or milligrams, not "among the best supplements"
    (re.compile(r"\bdos(?:e|es|ing|age)\b", re.I),
     re.compile(r"\d\s*(?:g|mg|mcg|\u00b5g|iu)\b", re.I)),
)


# When in a session a text is set: "before a race", "during a half marathon", "after an
# evening workout". Words between the preposition and the event may not be a study's length
# ("after 12 weeks of training" is no phase of a session).
_EVENT = (
    r"(?:exercis\w*|training|workouts?|sessions?|races?|racing|runs?|running|rides?|matche?s?|"
    r"games?|competitions?|events?|marathons?|half|10k|5k|lifting|practices?|start(?:ing)?|"
    r"warm-?ups?|bed|sleep)"
)
_BETWEEN = r"(?:(?!(?:weeks?|months?|years?|days?)\b)[a-z'-]+\s+){0,3}?"
_PHASES = {
    "before": re.compile(
        rf"\b(?:before|prior to|ahead of)\s+{_BETWEEN}{_EVENT}\b|\bpre-?(?:exercise|workout|race|"
        r"training|game|match|competition|event|session)\b|\b\d+(?:\s*(?:-|\u2013|to)\s*\d+)?\s*"
        r"(?:h|hours?|min(?:utes)?)\s+(?:before|ahead|prior)\b",
        re.I,
    ),
    "during": re.compile(
        rf"\bduring\s+{_BETWEEN}{_EVENT}\b|\bintra-?(?:workout|session|exercise)\b|\bwhile "
        r"(?:running|cycling|racing|exercising|training|lifting)\b|\baid stations?\b"
        r"|\d\s*g/h\b",  # an intake per hour is taken while exercising
        re.I,
    ),
    "after": re.compile(
        rf"\b(?:after|following)\s+{_BETWEEN}{_EVENT}\b|\bpost-?(?:exercise|workout|race|"
        r"training|game|match|competition|session)\b",
        re.I,
    ),
}


# The nutrients and supplements a question or a paper is about: a "g/kg/day" means different
# things in a protein paper and a carbohydrate one.
_NUTRIENTS = {
    "protein": r"protein|whey|casein|amino acids?|leucine",
    "carbohydrate": r"carb(?:ohydrate)?s?|glycogen|glucose|sugars?",
    "fat": r"dietary fat|fat intake|fatty acids?|omega-3|ketogenic",
    "caffeine": r"caffeine|coffee",
    "creatine": r"creatine",
    "iron": r"iron|ferritin|haemoglobin|hemoglobin",
    "vitamin d": r"vitamin d",
    "fluid": r"fluids?|hydrat\w*|dehydrat\w*|drink(?:ing)?|sweat|sodium|electrolytes?",
    "nitrate": r"nitrate|beetroot|beet juice",
    "beta-alanine": r"beta-alanine|carnosine",
    "bicarbonate": r"bicarbonate",
}


def _whole_words(table: dict[str, str]) -> dict[str, re.Pattern[str]]:
    """Each name's alternatives as one case-blind, whole-word pattern."""
    return {name: re.compile(rf"\b(?:{rx})\b", re.I) for name, rx in table.items()}


def _named(patterns: dict[str, re.Pattern[str]], text: str) -> set[str]:
    """The names whose pattern occurs in a text."""
    return {name for name, rx in patterns.items() if rx.search(text)}


_NUTRIENT_RX = _whole_words(_NUTRIENTS)


def nutrients_in(text: str) -> set[str]:
    """The nutrients and supplements a text names.

    >>> sorted(nutrients_in("Is 3 g/kg of carbs a day too much for a lifter?"))
    ['carbohydrate']
    """
    return _named(_NUTRIENT_RX, text)


# The body regions a question or a paper is about: a return-to-play step for an ankle sprain
# is no answer about shin splints. Plain "back" is left out ("a thick back" is muscle).
_REGIONS = {
    "knee": r"knees?|patell\w*|acl|menisc\w*",
    "shin": r"shins?|shin splints|tibia\w*|medial tibial",
    "ankle": r"ankles?|ankle sprains?",
    "achilles": r"achilles",
    "hamstring": r"hamstrings?",
    "low back": r"low(?:er)? back|lumbar|lbp",
    "shoulder": r"shoulders?|rotator cuff",
    "hip": r"hips?|groin|adductors?",
    "elbow": r"elbows?",
    "wrist": r"wrists?",
    "neck": r"neck",
    "foot": r"foot|feet|plantar",
    "head": r"concussions?|head injur\w*",
}
_REGION_RX = _whole_words(_REGIONS)


# A question that says a region hurts is about that hurt ("tweaked my lower back deadlifting,
# rest or keep moving?"); one about preventing an injury ("cut ACL injuries") is not.
_HURTS = re.compile(
    r"\b(?:hurts?|hurting|pain(?:ful)?|sore|ach(?:es|ing|y)|tweak(?:ed|ing)|pulled|strained|"
    r"sprained|killing me|twinge|niggl\w*|flar(?:ed|ing) up|injured my)\b",
    re.I,
)


def regions_in(text: str) -> set[str]:
    """The body regions a text names.

    >>> sorted(regions_in("how do I avoid shin splints again?")), regions_in("a thick back")
    (['shin'], set())
    """
    return _named(_REGION_RX, text)


# Conditions a question can be about whatever else it asks: "5.5 hrs a night with a newborn,
# should I still lift heavy?" is a sleep question, and a rest-interval line does not answer it;
# "3 weeks at 2,000 m, should I ease off at first?" is not answered by a heat camp.
_CONDITIONS = {
    "sleep": r"sleep\w*|slept|naps?|napping|insomnia|night shifts?|shift work",
    "heat": r"heat|hot|humid\w*|thermal|thermoregulat\w*|hypertherm\w*",
    "altitude": r"altitude|hypoxi\w*|normobaric|hypobaric|sea[- ]level|"
                r"(?:at|above|to|live at|living at|camp at)\s+\d,?\d{3}\s?(?:m|metres|meters|ft|feet)",
    # "going vegan, lift 4x a week, will I lose my gains?" is a diet question: a load line is no answer
    "plant diet": r"vegan\w*|vegetarian\w*|plant-based|plant based",
    # "do i need to stretch before lifting?" is about stretching: a line on heavy sets is no
    # answer (a warm-up alone is no condition: "warm-up and injury-prevention strategies for
    # hamstring strains" is answered by the Nordic hamstring exercise)
    "stretching": r"stretch(?:es|ing)?",
}
_CONDITION_RX = _whole_words(_CONDITIONS)


def conditions_in(text: str) -> set[str]:
    """The training conditions (sleep, heat, altitude, a plant diet, stretching) a text names.

    >>> conditions_in("sleeping like 5.5 hrs a night, should i still lift heavy?")
    {'sleep'}
    >>> conditions_in("a race at 2,500 m, when should I arrive?"), conditions_in("my 1,500 m race")
    ({'altitude'}, set())
    """
    return _named(_CONDITION_RX, text)


# The endurance sport a question or a paper is about: how runners build mileage is no plan
# for a 1.5 km open-water swim (see `sports_left_out`). A triathlon is all three.
_SPORTS = {
    "running": r"run|runs|running|runners?|jog\w*|marathons?|half[- ]marathons?|\d+ ?k (?:race|run)|parkrun|"
               r"couch to 5k|c25k|track and field|distance runners?|mileage",
    "cycling": r"cycl\w*|bikes?|biking|bicycl\w*|rides?|riding|sportive|gran fondo",
    "swimming": r"swim\w*|swam|freestyle|open[- ]water|pool sessions?",
    "rowing": r"row|rowing|rowers?|ergometer rowing|erg",
    "triathlon": r"triathl\w*|ironman|duathl\w*",
}  # fmt: skip
_SPORT_RX = _whole_words(_SPORTS)


def sports_in(text: str) -> set[str]:
    """The endurance sports a text names; a triathlon names swimming, cycling and running.

    >>> sorted(sports_in("signed up for a 1.5k open water swim in 10 weeks"))
    ['swimming']
    >>> sorted(sports_in("training for my first ironman"))
    ['cycling', 'running', 'swimming']
    """
    named = _named(_SPORT_RX, text)
    if "triathlon" in named:
        named = (named - {"triathlon"}) | {"swimming", "cycling", "running"}
    return named


# (stretching is a condition, which `sports_left_out` already leaves to the evidence)
_WARMS_UP = re.compile(r"\bwarm(?:s|ing|ed)?[- ]?ups?\b", re.I)


def sports_left_out(
    question: str, chosen: Sequence[Sentence], evidence: Sequence[Evidence], embedder: Any | None
) -> list[str]:
    """The endurance sports a question is about that no chosen sentence's passage names: "a
    1.5k open water swim in 10 weeks, how do i train for it" is not answered by cold-water
    immersion findings. A sport the asker only mentions ("im a runner, how much protein?")
    does not count: the question without it must move in meaning (TOPIC_SHIFT). Nor does one
    that sets the scene for a question on food, drink, heat, sleep or a sore body part ("what
    should I eat and drink on a two-hour bike ride in hot weather?"), nor one they warm up on
    ("do i need to stretch? i do 2 min on the bike then squat")."""
    asked = sports_in(question)
    if not asked or not chosen or nutrients_in(question) or conditions_in(question) or regions_in(question):
        return []
    if _WARMS_UP.search(question):
        return []  # "2 min on the bike then straight to squats": the bike is how they warm up
    cited = [f"{e.title} {e.text}" for e in evidence if e.n in {c.n for c in chosen}]
    if "triathlon" in _named(_SPORT_RX, question):
        # how to share a week between three sports is not answered by one of them
        if any("triathlon" in _named(_SPORT_RX, t) or len(sports_in(t)) == 3 for t in cited):
            return []
        asked = {"triathlon"}
    elif any(sports_in(t) & asked for t in cited):
        return []
    if embedder is not None:
        without = question
        for rx in _SPORT_RX.values():
            without = rx.sub(" ", without)
        whole, alone = embedder.embed([question, without])
        if cosine(whole, alone) >= TOPIC_SHIFT:
            return []
    return sorted(asked)


# Sports outside the endurance four, which the papers rarely name: "tennis matches all day
# tmrw" after a short night sets the scene for a sleep question.
_GAME_SPORT = re.compile(
    r"^(?:tennis|squash|badminton|padel|pickleball|golf|hockey|soccer|football|rugby|basketball|"
    r"volleyball|netball|handball|baseball|softball|cricket|lacrosse|boxing|judo|karate|"
    r"wrestling|jiu-jitsu|bjj|mma|climbing|bouldering|skiing|snowboarding|surfing|skating|"
    r"fencing|gymnastics|dance|dancing)$"
)
# Words of eating and drinking, which name no nutrient: "what should i eat before a rugby match?"
_FOOD_OR_DRINK = re.compile(r"\b(?:eat|eating|drink|drinking|fuel\w*|meals?|snacks?|hydrat\w*)\b", re.I)


def scene_sport(word: str, question: str) -> bool:
    """`word` is a sport the asker plays, named as the scene of a question on food, drink,
    heat, sleep, altitude or a body part: the question is answered and the answer says the
    library holds nothing on the sport. A question about the sport itself is not excused.

    >>> scene_sport("tennis", "3 hrs sleep before my tournament, tennis matches all day tmrw. am i screwed?")
    True
    >>> scene_sport("tennis", "how should i structure tennis practice in the off-season?")
    False
    """
    if not _GAME_SPORT.match(word.lower()):
        return False
    return bool(
        nutrients_in(question) or conditions_in(question) or regions_in(question) or _FOOD_OR_DRINK.search(question)
    )


# Someone already hurt asks how to come back, not how a team avoids the first injury: "tore
# my acl, had surgery 7 months ago ... am i ready?" is not answered by a prevention programme's
# odds ratio, unless they ask how to keep it from happening again.
_ALREADY_HURT = re.compile(
    r"\b(?:tore|torn|ruptured?|reconstruct\w*|surgery|post-?op|operated|rehab\w*|"
    r"coming back from|return(?:ing)? to (?:sport|play|running|training|the pitch))\b",
    re.I,
)
# (the verb only: "acl" reads as "anterior cruciate ligament injury prevention" to retrieval)
_ASKS_PREVENTION = re.compile(
    r"\bprevent(?:s|ing|ed)?\b|\brisk\b|\bprotect\w*|\bavoid\w*|\bagain\b|\bre-?(?:injur|tear)\w*|"
    r"\bsecond (?:injury|tear)",
    re.I,
)
_PREVENTS_INJURY = re.compile(
    r"injury[- ](?:reduction|prevention)|prevention (?:programmes?|programs?)|"
    r"prevent\w* (?:\w+ ){0,3}injur\w*",
    re.I,
)


# Rest between sets is another rest than a rest day or waiting out soreness: a question that
# names no sets, rest intervals or minutes of rest is not asking about it.
_BETWEEN_SETS = re.compile(r"\bbetween (?:hard |working )?sets\b|\binter-?set\b", re.I)
_REST_PAPER = re.compile(r"\brest (?:interval|period)s?\b", re.I)  # a title: the whole paper is on it
_ASKS_SET_REST = re.compile(
    r"\bsets?\b|\brest (?:interval|period|time)s?\b|\bminutes? (?:of )?rest\b|\brest(?:ing)? (?:for )?\d",
    re.I,
)


def phases_in(text: str) -> set[str]:
    """When in a session a text is set.

    >>> sorted(phases_in("Should I eat carbs after an evening workout?"))
    ['after']
    >>> sorted(phases_in("Drink 500-600 mL 2 to 3 h before exercise."))
    ['before']
    >>> sorted(phases_in("Beyond 2.5 h, intakes of about 90 g/h are recommended."))
    ['during']
    >>> phases_in("Strength rose after 12 weeks of training.")
    set()
    """
    return _named(_PHASES, text)


# "How many rest days" is counted in days: "rest 1-2 minutes" answers another question.
_HOW_MANY = re.compile(
    r"\bhow many (?:[a-z-]+ ){0,2}?(days|sessions|times|sets|reps|repetitions|minutes|hours|"
    r"weeks|grams)\b",
    re.I,
)
_COUNTED = {
    "days": r"days?|sessions?|times", "sessions": r"days?|sessions?|times",
    "times": r"days?|sessions?|times", "sets": r"sets?", "reps": r"reps?|repetitions?|RM",
    "repetitions": r"reps?|repetitions?|RM", "minutes": r"min(?:utes?)?|s|seconds?",
    "hours": r"h|hours?|hrs?", "weeks": r"weeks?|wk", "grams": r"g|grams?",
}  # fmt: skip
_COUNT = r"(?:\d+(?:[.,]\d+)?|one|two|three|four|five|six|seven|eight|ten)"
_TAKES_HOW_LONG = re.compile(
    r"\bhow (?:long|soon) (?:does it take|will it take|until|before|do|does|will|can)\b"
    r"(?!.*\b(?:rest|sets?|reps?|hold|intervals?)\b)",
    re.I,
)


# A question that states the asker's own session length or weekly distance ("a 2-hour hard
# training day", "I run 30 km a week") is answered from the band of a table that holds it:
# "high (1-3 h/day): 6-10 g/kg/day", not "moderate (about 1 h/day): 5-7 g/kg/day". Sleep and
# rest are other quantities: "I sleep 5 hours" is not in the band "7-9 h of sleep" either way.
_AMOUNT = r"(\d+(?:\.\d+)?|one|two|three|four|five|six)"
_MINUTES = {"h": 60.0, "hr": 60.0, "hour": 60.0, "min": 1.0, "minute": 1.0}
_KM = {"km": 1.0, "k": 1.0, "kilometre": 1.0, "kilometer": 1.0, "mi": 1.609, "mile": 1.609}
_TIME_UNIT = r"(h|hrs?|hours?|mins?|minutes?)\b"
_KM_UNIT = r"(km|k|kilomet(?:re|er)s?|mi|miles?)"
_WEEKLY = r"\s*(?:/\s*w(?:ee)?k|(?:a|per|each|every)\s+week)\b"
_STATED_TIME = re.compile(rf"\b{_AMOUNT}\s*-?\s*{_TIME_UNIT}(?!\s+(?:of )?(?:sleep|rest|nap))", re.I)
_STATED_KM = re.compile(rf"\b{_AMOUNT}\s*-?\s*{_KM_UNIT}{_WEEKLY}", re.I)
_NOT_TRAINING_TIME = re.compile(r"\b(?:sleep|slept|nap|fast(?:ed|ing)?|rest(?:ing)?|between|sit|sitting)\b", re.I)
_FROM, _TO = r"(\d+(?:\.\d+)?)", r"\s*(?:-|\u2013|to)\s*(\d+(?:\.\d+)?)"
_OVER = r"(?:over|more than|longer than|at least|above|>)\s*"
_UNDER = r"(?:under|less than|shorter than|up to|below|<)\s*"
_SPELT = {"one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0}


def _number(word: str) -> float:
    return _SPELT.get(word.lower()) or float(word)


def _unit_factor(unit: str, table: dict[str, float]) -> float:
    return table[unit.lower().rstrip("s")]  # "hrs", "hours", "miles" -> "hr", "hour", "mile"


def stated_amounts(question: str) -> dict[str, list[float]]:
    """The asker's own session or day length (in minutes) and weekly distance (in km).

    >>> stated_amounts("How many grams of carbohydrate per kg on a 2-hour hard training day?")
    {'minutes': [120.0]}
    >>> stated_amounts("I run 20 miles a week; I only sleep 6 hours")
    {'km': [32.18]}
    """
    found: dict[str, list[float]] = {}
    for m in _STATED_TIME.finditer(question):
        before = question[max(0, m.start() - 30) : m.start()]
        if not _NOT_TRAINING_TIME.search(before):
            found.setdefault("minutes", []).append(_number(m.group(1)) * _unit_factor(m.group(2), _MINUTES))
    for m in _STATED_KM.finditer(question):
        found.setdefault("km", []).append(round(_number(m.group(1)) * _unit_factor(m.group(2), _KM), 2))
    return found


def _bands(text: str, unit: str, table: dict[str, float], after: str = "") -> list[tuple[float, float]]:
    """The ranges of one quantity a sentence gives: "1-3 h/day", "over 90 min", "4-5 h or more"."""
    out = []
    for m in re.finditer(rf"(?:({_OVER})|({_UNDER}))?{_FROM}(?:{_TO})?\s*{unit}{after}(\s*or (?:more|longer))?", text, re.I):
        over, under, lo, hi, name, more = m.groups()
        f = _unit_factor(name, table)
        low, high = float(lo) * f, float(hi or lo) * f
        if over or more:
            high = math.inf
        elif under:
            low = 0.0
        elif hi is None:
            continue  # "1 h" alone is a figure, not a band
        out.append((low, high))
    return out


def in_stated_band(text: str, stated: dict[str, list[float]]) -> bool:
    """Whether a sentence gives a range that holds an amount the asker stated.

    >>> in_stated_band("Daily targets: high (1-3 h/day): 6-10 g/kg/day.", {"minutes": [120.0]})
    True
    >>> in_stated_band("Daily targets: moderate (about 1 h/day): 5-7 g/kg/day.", {"minutes": [120.0]})
    False
    >>> in_stated_band("Elite marathoners run 160-220 km/week.", {"km": [170.0]})
    True
    """
    bands = _bands(text, _TIME_UNIT, _MINUTES) if "minutes" in stated else []
    weekly = _bands(text, _KM_UNIT, _KM, _WEEKLY) if "km" in stated else []
    return any(lo <= v <= hi for lo, hi in bands for v in stated.get("minutes", [])) or any(
        lo <= v <= hi for lo, hi in weekly for v in stated.get("km", [])
    )


def asked_units(question: str) -> list[re.Pattern[str]]:
    """How papers write the rate units a question asks for ("per hour" -> "g/h").

    >>> [bool(u.search("about 60 g/h for a 2-3 h race")) for u in asked_units("carbs per hour?")]
    [True]
    >>> [bool(u.search("3-5 g/day as a single maintenance dose")) for u in asked_units("what dosing is best?")]
    [True]
    >>> [bool(u.search("about 0.7% of body weight per week")) for u in asked_units("how fast can i cut?")]
    [True]
    """
    return [written for asked, written in _UNITS if asked.search(question)]


def asked_count(question: str) -> re.Pattern[str] | None:
    """How papers write what "how many" counts ("how many rest days" -> "2-3 days", which
    "rest 1-2 minutes" is not), or how long something takes ("weeks", not "10 s per rep").

    >>> unit = asked_count("How many rest days does a beginner need?")
    >>> bool(unit.search("2-3 days per week")), bool(unit.search("rest 1-2 minutes"))
    (True, False)
    >>> weeks = asked_count("How long does it take to see strength gains?")
    >>> bool(weeks.search("gains appear within 6-8 weeks")), bool(weeks.search("10 s per rep"))
    (True, False)
    >>> asked_count("How long should I rest between sets?") is None
    True
    >>> sets = asked_count("How many sets per week?")
    >>> bool(sets.search("about 10 hard weekly sets")), bool(sets.search("2 min between sets"))
    (True, False)
    """
    counted = _HOW_MANY.search(question)
    if counted is not None:
        unit = _COUNTED[counted.group(1).lower()]
    elif _TAKES_HOW_LONG.search(question):
        unit = r"days?|weeks?|months?|years?|sessions?|hours?|h|min(?:utes?)?"  # not seconds of a rep
    else:
        return None
    return re.compile(
        rf"\b{_COUNT}(?:\s*(?:-|\u2013|to|or)\s*{_COUNT})?(?:\s+(?!(?:between|per|of|in|for|"
        rf"each|a|an|the)\b)[a-z-]+){{0,2}}?\s*(?:{unit})\b",  # "about 10 hard weekly sets"
        re.I,
    )


# What "how often" is answered with: "every 4-6 weeks", "twice a week", "1-2 sessions a week".
_RANGE = r"\d+(?:\s*(?:-|\u2013|to)\s*\d+)?"
_SAID = r"(?:one|two|three|four|five|six)"
_SAID_RANGE = rf"(?:{_RANGE}|{_SAID}(?:\s+(?:to|or)\s+{_SAID})?)"  # "two to three"
_FREQUENCY = re.compile(
    rf"\b(?:every|each)\s+(?:{_RANGE}\s+|other\s+|few\s+|two\s+|three\s+|six\s+)?"
    r"(?:days?|weeks?|months?|years?|seasons?)\b"
    rf"|\b(?:once|twice|{_RANGE}\s*(?:x|times?)|(?:one|two|three|four)\s+times?)\s+(?:a|per|each)\s+"
    r"(?:day|week|month|year|season)\b"
    rf"|\b{_SAID_RANGE}\s+(?:[a-z-]+\s+){{0,2}}?(?:sessions?|days?|workouts?|times)\s+(?:a|per|each)\s+week\b"
    rf"|\b{_RANGE}[- ](?:day|week|month|year)\s+intervals?\b",
    re.I,
)
_OFTEN = re.compile(r"\bhow (?:often|frequently)\b|\bhow many times (?:a|per)\b", re.I)
# What "when" is answered with: a time relative to the session or a time of day.
_WHEN = re.compile(r"^(?:and |or )?when\b|\bwhen\?$|\bhow long before\b|\bwhat time\b", re.I)
_TIMING = re.compile(
    rf"\b{_RANGE}\s*(?:min(?:utes?)?|h|hours?)\s+(?:before|after|prior)\b|\b(?:before|after|"
    r"prior to|morning|evening|bedtime)\b",
    re.I,
)
# "How should I structure progression on my main lifts?" is answered with a load step (the
# ACSM 2-10% rule), not with how many days novices train.
_PROGRESS = re.compile(
    r"\bhow (?:should|do|can|would) (?:i|we|you) (?:\w+ ){0,3}?progress(?:ion)?\b"
    r"|\b(?:structure|plan|set up) (?:my |the |a )?(?:\w+ )?progression\b"
    r"|\bkeep (?:improving|progressing|getting stronger|adding weight)\b",
    re.I,
)
_LOAD_STEP = re.compile(
    r"\b(?:increase|add|raise|adding|increasing|raising)\w* (?:the )?(?:load|weight|resistance)\b"
    r"|\bprogression rule\b|\bby \d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)? ?(?:%|kg|lb)",
    re.I,
)
# Where a question asks a second thing: "How much creatine should I take, and do I need a
# loading phase?", "What is critical power and what is W prime?"
_NEXT_PART = re.compile(
    r",?\s+(?:and|or|also|plus)\s+(?=(?:how|what|when|which|why|should|is|are|am|do|does|can|will|would|could)\b)"
    r"|,\s+(?=(?:how|what|when)\b)|\?\s+(?=\S)",
    re.I,
)
_ASKS_NOTHING = frozenset(content_words(
    "need take should much many long often best work get good actually really even just look "
    "like kind sort thing stuff"
))  # "what should it actually look like" names no word the answer must use


_GENERIC_STEMS = frozenset(content_words(" ".join(_GENERIC)))  # "any benefit" is in any finding


def question_parts(question: str) -> list[str]:
    """The questions a question asks, in order.

    >>> question_parts("Is failure a good idea or am I just frying myself?")
    ['Is failure a good idea', 'am I just frying myself']
    """
    return [p.strip(" ,?") for p in _NEXT_PART.split(question) if p.strip(" ,?")]


def question_needs(question: str) -> list[re.Pattern[str]]:
    """What each part of a question must be answered with, as a pattern that an answering
    sentence matches: the count or rate it asks for, a frequency for "how often", a time for
    "when", and, for a part of a question that asks two things, the words only that part uses.
    One sentence may answer several; `select` makes sure some chosen sentence answers each.

    >>> [bool(n.search("Deload every 4-6 weeks.")) for n in question_needs("How often should I deload?")]
    [True]
    >>> needs = question_needs("How much creatine should I take, and do I need a loading phase?")
    >>> [bool(n.search("A loading phase of 20 g/day for 5-7 days is optional.")) for n in needs]
    [False, True]
    >>> question_needs("Is creatine safe?")
    []
    >>> [bool(n.search("Once the reps are exceeded, increase the load by 2-10%.")) for n in
    ...  question_needs("How should I structure progression on my main lifts?")]
    [True]
    >>> [bool(n.search("Take in 30-60 g/h of carbohydrate.")) for n in
    ...  question_needs("what should i eat before, during and after a long ride?")]
    [False, False, True]
    """
    parts = question_parts(question)
    needs: list[re.Pattern[str]] = []
    for i, part in enumerate(parts):
        count = asked_count(part)
        units = asked_units(part)
        if count is not None:
            needs.append(count)
        elif units:
            needs += units  # "how much should I drink": a volume, or the body-mass loss to cap
        elif _OFTEN.search(part):
            needs.append(_FREQUENCY)
        elif _PROGRESS.search(part):
            needs.append(_LOAD_STEP)
        elif len(parts) > 1 and _WHEN.search(part):
            needs.append(_TIMING)
        elif len(parts) > 1:
            others = set().union(*(content_words(p) for j, p in enumerate(parts) if j != i))
            own = sorted(content_words(part) - others - _ASKS_NOTHING - _GENERIC_STEMS)
            if own:
                needs.append(re.compile(r"\b(?:" + "|".join(map(re.escape, own)) + ")", re.I))
    # "what should I eat before and during a marathon": a line for each time named
    chained = _PHASE_CHAIN.search(question)
    phases = phases_in(question) | set(re.findall(r"before|during|after", chained.group(0).lower())
                                       if chained else ())
    if len(phases) > 1:
        needs += [_PHASES[p] for p in sorted(phases)]
    return needs


# "before, during and after a long ride": the times of one event, named together
_PHASE_CHAIN = re.compile(
    r"\b(?:before|during|after)(?:(?:\s*,\s*|\s*,?\s+(?:and|or|&)\s+)(?:before|during|after)\b)+", re.I
)


def count_asked(question: str) -> re.Pattern[str] | None:
    """What the answer's first sentence should give when the question asks how many: the
    count's unit. Not for "how often": "2-3 days per week for intermediates" is a frequency,
    but of training, not of the deload asked about.

    >>> bool(count_asked("how many sets should i do to grow??").search("about 10 weekly sets"))
    True
    >>> count_asked("How often should I deload?") is None, count_asked("Is creatine safe?") is None
    (True, True)
    """
    return next((c for c in map(asked_count, question_parts(question)) if c is not None), None)


_ASKS_VERDICT = re.compile(
    r"^(is|are|does|do|can|should|will|would|could)\b|\b(better|worth|safe|or)\b", re.I
)

# Section priors: findings and practical advice first, methods and references last.
# A worked example ("for a 80 kg lifter, that means...") supports a finding but should not
# stand in for it when the general figure is there.
_EXAMPLE = re.compile(
    r"\b(?:for|take) an? \d+(?:\.\d+)?[- ]?(?:kg|lb|year)|\bfor example\b"
    r"|\ban? \d+(?:\.\d+)?[- ]?(?:kg|lb)[- ](?:[a-z-]+ ){0,2}?(?:runner|athlete|lifter|player|"
    r"person|man|woman|client|cyclist|swimmer|triathlete|adult)s?\b",
    re.I,
)

# A sentence that leans on the one before it ("It says nothing about...") cannot lead.
_ANAPHORA = re.compile(
    r"^(it|its|their|this|these|that|those|they|such|both|the same|(?:thanks to|because of|despite) (?:this|that|these|it)|"
    r"as a result|for (?:this|that|these) reasons?|to this end|in this way|"
    r"another (?:study|trial|paper|analysis|review|meta-analysis))\b",  # "Thanks to this, coaches can ..."
    re.I,
)
# leans on a list the reader has not seen: "any listed contraindication", "the above"
_REFERS_BACK = re.compile(
    r"\b(?:listed|aforementioned|above-mentioned|(?:mentioned|described) above|the above|"
    r"(?:in|for) both groups|(?:in|for) either group|the two groups|"
    r"(?:with|in|of|for|by) (?:both|either) (?:approach|method|model|programme|program|protocol|"
    r"intervention|condition|strateg)\w*|"  # "increases with both approaches"
    r"^(?:[a-z]+,\s+)?th(?:is|ese) goals?|"  # "Typically, this goal can be met by ..."
    # "Variable-intensity warm-up reduced it by about 10.9 points": reduced what?
    r"(?:reduced|reduces|increased|increases|lowered|lowers|raised|raises|improved|improves|halved) (?:it|them))\b",
    re.I,
)
# ... nor one that carries on from the sentence before ("So a powerlifter ...").
_GOES_ON = re.compile(
    r"^(so|thus|therefore|hence|however|finally|also|additionally|moreover|furthermore|"
    r"in addition|similarly|likewise|consequently|conversely|nevertheless|nonetheless|"
    r"accordingly|indeed|importantly|notably)\b",
    re.I,
)
_CONNECTIVE = re.compile(_GOES_ON.pattern + r"\s*,\s*(?=[a-z])", re.I)
_STUDY_SECTION = re.compile(r"what was studied|introduction|background|methods?", re.I)

_SECTIONS = (
    (re.compile(r"numbers that matter|results?|findings|conclusion", re.I), "findings"),
    (re.compile(r"practical|applications?|recommendation|abstract|summary", re.I), "practical"),
    (re.compile(r"discussion", re.I), "discussion"),
    (re.compile(r"what was studied|introduction|background|methods?", re.I), "study"),
    (re.compile(r"references|acknowledg|funding|conflict", re.I), "back_matter"),
)


def sentence_kind(sentence: str) -> str:
    """finding, method, limitation or demographics.

    >>> sentence_kind("Participants were 25.1 +/- 5 years old.")
    'demographics'
    >>> sentence_kind("Average sweat rate: soccer 0.94 ± 0.38 L/h; basketball 0.95 ± 0.42 L/h.")
    'finding'
    >>> sentence_kind("What it does not show: long-term outcomes.")
    'limitation'
    >>> sentence_kind("Rest 2-3 min between sets for strength.")
    'finding'
    >>> sentence_kind("Programme: 9 weeks, high volume, with a 1-week deload at the midpoint.")
    'method'
    >>> sentence_kind("For the original youth trial of the 11+, see Soligard 2008.")
    'method'
    >>> sentence_kind("The findings apply to non-specific pain, not to back pain with red flags.")
    'limitation'
    """
    if (
        _DEMOGRAPHICS.search(sentence)
        and _WHO.search(sentence)
        and not (_RESULT.search(sentence) and not _SPREAD.search(sentence))
    ):
        return "demographics"
    if _LIMITATION.search(sentence):
        return "limitation"
    if _METHOD.search(sentence) or _DESIGN_LABEL.match(sentence) or _POINTER.match(sentence.strip()):
        return "method"
    return "finding"


# a number followed by a unit is no age: "I'm 80 kg", "over 60 min", "over 70% VO2max"
_NOT_AN_AGE = (
    r"(?![.,]\d|\s*(?:%|-\d|kgs?|lbs?|pounds?|km|k\b|mi|miles?|m\b|metres?|meters?|mins?|minutes?|"
    r"s\b|secs?|seconds?|weeks?|months?|days?|hours?|hrs?|h\b|reps?|sets?|x\b|cm|ft|in\b|bpm|ml|"
    r"mg|kcal|calories|watts?|w\b|percent|g\b|times?|people|participants|studies|trials))"
)
_AGE = re.compile(
    r"\b(\d{1,2})[- ](?:year|yr)s?[- ]old|\baged? (\d{1,2})\b|\b(\d{1,2}) ?y/?o\b"
    # "adults over 70 with low bone density", "someone over 60", "in my 70s"
    rf"|\b(?:over|past|older than) (?:the age of )?(\d{{2}})\b{_NOT_AN_AGE}"
    r"|\bin (?:my|his|her|their|your) (\d)0s\b"
    # how people introduce themselves: "34f rower", "62m retired", "swimmer 41M, ..."; not
    # "sprint 60m, walk back" or "a 40m dash"
    r"|(?<![\w.])(\d{2}) ?f\b(?!t)"
    r"|(?<!sprint )(?<!sprints )(?<!run )(?<!swim )(?<!row )(?<!ran )(?<!swam )(?<!dash )(?<!of )(?<!a )(?<!the )"
    r"(?<!x )(?<![\w.])(\d{2}) ?m\b(?=\s*(?:[,/)]|$|\s(?:retired|here|guy|and|with|who|\d)))"
    # "I'm 16, is creatine safe?", "my dad is 68", "grandma (81)"; not "I'm 5 weeks postpartum"
    r"|\b(?:i(?:'m|m| am)|(?:dad|father|mum|mom|mother|grandma|grandpa|grandmother|grandfather|"
    r"granny|nan|nana|wife|husband|partner|son|daughter|brother|sister|client|patient|friend|"
    rf"he|she)(?:'s| is|,)?) \(?(\d{{1,2}})\b\)?{_NOT_AN_AGE}",
    re.I,
)


def ages_in(text: str) -> list[int]:
    """Ages a text gives ("a 12-year-old", "aged 70", "over 60", "in my 70s": 70).

    >>> ages_in("I'm 16, is creatine safe for me?"), ages_in("I'm 80 kg and 5 weeks out")
    ([16], [])
    >>> ages_in("adults over 70 with low bone density"), ages_in("over 60 min at over 70% VO2max")
    ([70], [])
    >>> ages_in("62m retired, never lifted"), ages_in("34f rower"), ages_in("sprint 60m, walk back")
    ([62], [34], [])
    """
    found = []
    for match in _AGE.finditer(text):
        age = int(next(g for g in match.groups() if g))
        found.append(age * 10 if match.group(5) else age)
    return found


# Children who are why a parent trains little, not who trains: "bc of the kids".
_ASKERS_CHILDREN = re.compile(
    r"\b(?:because of|bc of|cos of|coz of|cuz of|cause of|with|after|around|looking after|drop(?:ping)? off|"
    r"pick(?:ing)? up) (?:the|my|our|a|two|three|2|3) (?:kids|children|toddlers?|baby|newborn)\b"
    r"|\b(?:because of|bc of|cos of|coz of|cuz of|cause of) (?:kids|children|toddlers|work and kids)\b"
    r"|\b(?:a job|a 9-5|work|full[- ]time) and (?:two|three|2|3|the|my) (?:kids|children)\b",
    re.I,
)


def without_askers_children(text: str) -> str:
    """The text with the children who are why a parent trains little left out: a search for
    "a week with a 9-5 and 2 kids" should not find papers on children.

    >>> without_askers_children("fit 2 strength sessions into a week with a 9-5 and 2 kids")
    'fit 2 strength sessions into a week with  '
    >>> without_askers_children("only 5-6 hrs a week cuz of kids")
    'only 5-6 hrs a week  '
    """
    return _ASKERS_CHILDREN.sub(" ", text)


def populations_in(text: str) -> set[str]:
    """Groups named in a text, ages included ("a 12-year-old" is youth, "aged 70" older).

    >>> sorted(populations_in("A 12-year-old can start supervised strength training."))
    ['youth']
    >>> populations_in("Is HIIT safe for someone over 60?"), populations_in("in my 70s")
    ({'older'}, {'older'})
    >>> populations_in("Long (over 60 min), hard (over 70% VO2max) sessions")
    set()
    >>> populations_in("I only get to the gym twice a week bc of the kids")  # a parent asks
    set()
    >>> populations_in("how do i fit 2 strength sessions into a week with a 9-5 and 2 kids")
    set()
    """
    groups = groups_in(without_askers_children(text), POPULATIONS)
    for age in ages_in(text):
        if age < 18:
            groups.add("youth")
        elif age >= 60:
            groups.add("older")
    return groups


def said_about(sentence: str) -> set[str]:
    """The groups a paper's sentence is about. Its "young athletes" may be college athletes
    ("sudden cardiac arrest in young athletes" of the NCAA) or fit adults, so only a question
    or a title ("... in Young Athletes?") makes them children or teenagers.

    >>> said_about("Low vitamin D is common even in fit, young athletes."), said_about("Girls aged 12.")
    (set(), {'youth'})
    """
    return populations_in(_YOUNG_ATHLETES.sub(" ", sentence))


_YOUNG_ATHLETES = re.compile(r"\byoung athletes?\b", re.I)


# Groups whose findings do not carry over to everyone ("trained" and "untrained" do, roughly).
SPECIAL_GROUPS = frozenset(
    {"older", "youth", "pregnant", "postpartum", "diabetes", "hypertension", "cardiac", "obese",
     "type 1 diabetes", "type 2 diabetes", "para", "arthritis", "menopause"}
)
# Groups one adult may belong to at once: neither is a mismatch for the other.
_ANY_ADULT = frozenset({"adult", "trained"})
# Kinds of one group whose findings do not carry over to each other: how structured training
# moves blood glucose in type 2 diabetes is no answer to a type 1 runner's hypos.
_KINDS_OF = ({"type 1 diabetes", "type 2 diabetes"},)


def other_kind(special: set[str], asked: set[str]) -> bool:
    """Whether a sentence about `special` groups is about another kind of a group asked about.

    >>> other_kind({"diabetes", "type 2 diabetes"}, {"diabetes", "type 1 diabetes"})
    True
    >>> other_kind({"diabetes"}, {"diabetes", "type 1 diabetes"})
    False
    """
    return any(kinds & special and kinds & asked and not kinds & special & asked for kinds in _KINDS_OF)


# Who to ask when the findings were not gathered in the group a question is about.
_GROUP_NOTES = {
    "youth": ("children or teenagers", "a coach or doctor who works with young athletes"),
    "older": ("older adults", "a doctor or a coach who trains older adults"),
    "pregnant": ("pregnancy", "a midwife or doctor"),
    "postpartum": ("the months after childbirth", "a midwife, doctor or pelvic-health physio"),
    "diabetes": ("people with diabetes", "a doctor"),
    "hypertension": ("people with high blood pressure", "a doctor"),
    "cardiac": ("people with heart disease", "a cardiologist"),
    "obese": ("people living with obesity", "a doctor"),
    "para": ("para athletes", "a coach or physiotherapist who works with para athletes"),
    "arthritis": ("people with arthritis", "a physiotherapist or doctor"),
    "menopause": ("women around the menopause", "a doctor or a coach who works with women in midlife"),
}


def untested_note(
    asked: set[str], chosen: Sequence[Sentence], groups_of: dict[int, set[str]]
) -> str | None:
    """A caveat when the question is about a special group and no chosen finding (nor its
    paper's title, by evidence number in `groups_of`) is: "creatine is safe" from studies in
    adults is not an answer about teenagers until someone who knows them says so.

    >>> s = Sentence(text="Creatine is safe at 3-5 g a day.", n=1, score=1.0)
    >>> untested_note({"youth"}, [s], {1: populations_in("Creatine in adults")})
    'These findings are not specific to children or teenagers: check them with a coach or doctor who works with young athletes.'
    >>> untested_note({"youth"}, [s], {1: populations_in("Creatine in adolescent athletes")}) is None
    True
    """
    groups = sorted(asked & SPECIAL_GROUPS & set(_GROUP_NOTES))
    if not groups or not chosen:
        return None
    if any(_special(c, groups_of) & set(groups) for c in chosen):
        return None
    who, ask = _GROUP_NOTES[groups[0]]
    return f"These findings are not specific to {who}: check them with {ask}."


def other_group_note(
    asked: set[str], chosen: Sequence[Sentence], groups_of: dict[int, set[str]]
) -> str | None:
    """A caveat when the answer opens with a finding about a special group the question is not
    about (nor the athlete's profile): "exercise is a first-line treatment for painful knee
    osteoarthritis" is no verdict on a squatter's sore knee until the reader knows whose knees.

    >>> s = Sentence(text="Exercise eases painful knee osteoarthritis.", n=1, score=1.0)
    >>> other_group_note(set(), [s], {1: set()})
    'The main finding comes from studies of people with arthritis and may not apply as it stands.'
    >>> other_group_note({"arthritis"}, [s], {1: set()}) is None
    True
    """
    if not chosen or asked & SPECIAL_GROUPS:
        return None
    groups = sorted(_special(chosen[0], groups_of) & set(_GROUP_NOTES))
    if not groups:
        return None
    return (f"The main finding comes from studies of {_GROUP_NOTES[groups[0]][0]} and may not "
            "apply as it stands.")  # fmt: skip


def asked_populations(question: str, profile: AthleteProfile | None) -> set[str]:
    """The groups a question is about: named in it, or implied by the athlete's profile."""
    groups = populations_in(question)
    ages = ages_in(question)
    if profile is not None and profile.age is not None:
        ages.append(profile.age)
    if any(18 <= a < 60 for a in ages) and not groups & {"older", "youth"}:
        groups.add("adult")  # an adult's own age: findings about other age groups do not fit
    if profile is not None:
        if profile.age is not None and profile.age >= 60:
            groups.add("older")
        if profile.age is not None and profile.age < 18:
            groups.add("youth")
        if profile.pregnant:
            groups.add("pregnant")
        groups |= groups_in(" ".join(profile.conditions), POPULATIONS)
    return groups


MAX_EMBEDDED = 32  # sentences scored by the models per question
RERANK_WEIGHT = 0.5  # the cross-encoder's say, tuned on the tune split (bench/evidence_selection.py)

# --- scoring ---------------------------------------------------------------------------------


def _bm25(query: set[str], docs: list[set[str]]) -> list[float]:
    """BM25 (k1=1.2, b=0.75 on word sets) as a share of the query's total idf weight."""
    n = len(docs)
    df = Counter(w for d in docs for w in d)
    idf = {w: math.log(1 + (n - df[w] + 0.5) / (df[w] + 0.5)) for w in query}
    total = sum(idf.values()) or 1.0
    avg = sum(len(d) for d in docs) / (n or 1) or 1.0
    out = []
    for d in docs:
        norm = 1.2 * (0.25 + 0.75 * len(d) / avg)
        out.append(sum(idf[w] * 2.2 / (1 + norm) for w in query & d) / total)
    return out


_REFERENCE_MARK = re.compile(
    r"\s?\[\s?\d{1,3}(?:\s?[,\u2013-]\s?\d{1,3})*\s?\]"  # a paper's own [12] or [3-5]
    r"|\s?\(\s?\d{1,3}(?:\s?[,\u2013-]\s?\d{1,3})*\s?\)(?=[\s.,;:]|$)"  # or (66), (3, 4)
)


def strip_reference_marks(text: str) -> str:
    """A paper's numeric reference marks removed: they read as debris, and "[12]" would pass
    for one of fitcoach's own citations.

    >>> strip_reference_marks("Athletes eat more protein (103). Others agree [4, 5].")
    'Athletes eat more protein. Others agree.'
    """
    return _REFERENCE_MARK.sub("", text)


def _balanced(text: str) -> bool:
    return all(text.count(a) == text.count(b) for a, b in ("()", "[]"))


_FRONT_MATTER = re.compile(r"^(key ?words|abbreviations|correspondence|received|accepted|citation)\b", re.I)


# A table flattened into one line: a lower-case word runs into a capitalised row label
# ("... g/kg of body weight Preserving and building muscle mass 1.4-2.0 g/kg ... During ...").
_ROW_BREAK = re.compile(
    r"\b(?!(?:and|or|by|of|with|from|in|to|the|at|for|as|than|versus|vs)\b)[a-z][\w/%)-]* "
    r"[A-Z][a-z]{2,} (?=[a-z\d(])"
)  # after "and", "by", "of" ... a capital starts a name, not a row


def _table_row_run(sentence: str) -> bool:
    return len(_ROW_BREAK.findall(sentence)) >= 3 and len(numbers_in(sentence)) >= 3


# The longest sentence an answer quotes (bench/answer_quality.py calls a longer one a run-on):
# a reader loses the thread, and a table or a page run together reads so too.
MAX_WORDS = 70


# A PDF heading inside a sentence: "... Grams of = Carbohydrates 3.3 Protein Preserving ...".
_HEADING_INSIDE = re.compile(
    r"\s\d+(?:\.\d+){1,3}\s+[A-Z][a-z]+\s+[A-Z][a-z]"
    r"|\s(?:TABLE|FIGURE|FIG\.?)\s+\d+\b"  # "take omega-3 after or with TABLE 2 Recommendation of ..."
)
# A note speaking of itself is no finding: "... but this note does not summarise those findings";
# nor is a paper praising its own use: "The research results provide valuable information for
# soccer coaches".
_ABOUT_ITSELF = re.compile(
    r"\bthis note\b|\bdoes not summari[sz]e\b"
    r"|\b(?:provides?|offers?|gives?) (?:valuable|useful|important|practical) (?:information|insights?)\b",
    re.I,
)


def _usable(sentence: str) -> bool:
    if _table_row_run(sentence):
        return False
    words = sentence.split()
    proper = sentence[:1].isupper() or sentence[:1].isdigit()  # not a split fragment
    fragment = bool(re.match(r"\d+(?:\.\d+)?\s*[,;:)]", sentence)) or not _balanced(sentence)
    if _FRONT_MATTER.match(sentence) or _HEADING_INSIDE.search(sentence) or _ABOUT_ITSELF.search(sentence):
        return False
    # a sentence cut off by a chunk boundary ("... who must move their body against") has
    # no stop: quoting it would put half a claim in the answer
    ended = bool(re.search(r"[.!?][\"')\]\u201d\u2019]*$", sentence.rstrip()))
    return proper and ended and not fragment and 5 <= len(words) <= MAX_WORDS


def _kind(text: str, e: Evidence, caveats: frozenset[str]) -> str:
    """A sentence's kind in its passage; `caveats` are every passage's limitations, since
    overlapping chunks repeat a sentence without the "What it does not show:" before it."""
    if text in caveats or (e.section and re.search(r"limitation", e.section, re.I)):
        return "limitation"
    kind = sentence_kind(text)
    if kind == "finding" and e.section and _STUDY_SECTION.search(e.section):
        kind = "method"  # what a study did is background, not a finding to lead with
    return kind


def _covered(word: str, words: set[str]) -> bool:
    return word in words or any(w.startswith(word) or word.startswith(w) for w in words if len(w) >= 4)


def sentence_features(
    question: str,
    pool: Sequence[tuple[str, Evidence]],
    lexical: Sequence[float],
    similarity: Sequence[float],
    evidence: Sequence[Evidence],
    profile: AthleteProfile | None = None,
) -> list[dict[str, float]]:
    """What the score of each (sentence, passage) in `pool` is made of, by name; the weights
    are in agent/data/rank_weights.yaml (see `rank_weights`)."""
    q_words = content_words(question)
    wants_number = bool(_ASKS_NUMBER.search(question))
    wants_verdict = bool(_ASKS_VERDICT.search(question.strip()))
    units = asked_units(question)
    count = asked_count(question)
    asked = asked_populations(question, profile)
    phases = phases_in(question)
    asks_set_rest = bool(_ASKS_SET_REST.search(question))
    nutrients = nutrients_in(question)
    regions = regions_in(question)
    hurts = bool(regions) and bool(_HURTS.search(question))
    conditions = conditions_in(question)
    stated = stated_amounts(question)
    goal = training_goal(question)
    already_hurt = bool(_ALREADY_HURT.search(question)) and not _ASKS_PREVENTION.search(question)
    titles = {e.n: content_words(e.title) for e in evidence}
    caveats = frozenset(c for e in evidence for c in e.caveats)
    rows = []
    for (text, e), lex, sim in zip(pool, lexical, similarity, strict=True):
        kind = _kind(text, e, caveats)
        own = content_words(text) | titles[e.n]
        f: dict[str, float] = {
            "constant": 1.0,  # keeps fitted scores on the thresholds' scale
            "similarity": sim,
            "lexical": lex,
            "passage_similarity": e.similarity or 0.0,
            "title_overlap": len(q_words & titles[e.n]) / (len(q_words) or 1),
            "coverage": sum(_covered(w, own) for w in q_words) / (len(q_words) or 1),
            "anaphora": float(bool(_ANAPHORA.match(text))),
            "worked_example": float(bool(_EXAMPLE.search(text))),
            "advice": float(bool(_ADVICE.search(text))),
            f"kind_{kind}": 1.0,
        }
        section = next((name for rx, name in _SECTIONS if e.section and rx.search(e.section)), None)
        if section:
            f[f"section_{section}"] = 1.0
        has_number = bool(numbers_in(text)) and kind != "demographics"
        if wants_number:
            f["number_asked_given" if has_number else "number_asked_missing"] = 1.0
        if units:
            given = any(u.search(text) for u in units)
            f["unit_asked_given" if given else "unit_asked_missing"] = 1.0
        if count is not None and has_number and not count.search(text):
            f["count_unit_missing"] = 1.0  # asked how many days, told how many minutes
        if stated and in_stated_band(text, stated):
            f["amount_in_band"] = 1.0  # "a 2-hour training day": the "1-3 h/day" row of a table
        if wants_verdict and _VERDICT.search(text):
            f["verdict_asked_given"] = 1.0
        if goal and for_other_goal(text, goal):
            f["goal_mismatch"] = 1.0  # stuck on a bench number, told what suits a muscle-size goal
        if nutrients:
            said = nutrients_in(f"{e.title} {text}")
            if said and not said & nutrients:
                f["nutrient_mismatch"] = 1.0  # asked about carbs, told a protein target
        if regions:
            said = regions_in(f"{e.title} {text}")
            if said and not said & regions:
                f["region_mismatch"] = 1.0  # asked about shin splints, told about ankle sprains
        about = f"{e.title} {e.text}"  # the passage: "Dosing is chronic" is on beta-alanine
        if (conditions and not conditions_in(about) & conditions) or (nutrients and not nutrients_in(about)):
            # asked about lifting on little sleep, told rest intervals; asked how to periodise
            # carbohydrate, told how to periodise training
            f["condition_missing"] = 1.0
        if conditions:
            said = conditions_in(f"{e.title} {text}")
            if said and not said & conditions:
                f["condition_mismatch"] = 1.0  # asked about altitude, told how to acclimatise to heat
        if hurts and not regions_in(f"{e.title} {e.text}") & regions:
            f["region_missing"] = 1.0  # tweaked the lower back deadlifting, told about deadlift 1RMs
        set_in = phases_in(text)
        if phases and set_in and not set_in & phases:
            f["phase_mismatch"] = 1.0  # asked what to do after a session, told what to do before
        if already_hurt and (_PREVENTS_INJURY.search(text) or _PREVENTS_INJURY.search(e.title)):
            f["prevention_mismatch"] = 1.0  # had ACL surgery, told every team should run a prevention programme
        if not asks_set_rest and (_BETWEEN_SETS.search(text) or _REST_PAPER.search(e.title)):
            f["rest_between_sets"] = 1.0  # asked whether to rest a sore body, told to rest between sets
        named = said_about(text) | populations_in(e.title)
        if named and asked:
            if named & asked:
                f["population_match"] = 1.0
            elif not named | asked <= _ANY_ADULT:  # "im 24" and "a trained lifter" agree
                f["population_mismatch"] = 1.0
        elif named and not asked:
            f["population_unasked"] = 1.0  # a finding about a special group, asked from outside it
        elif asked - {"adult", "trained"}:
            # asked about pregnancy, age, a condition or a beginner; what holds in general
            # holds for a trained lifter too
            f["population_general"] = 1.0
        rows.append(f)
    return rows


_WEIGHTS_FILE = Path(__file__).with_name("data") / "rank_weights.yaml"


@functools.cache
def rank_weights() -> dict[str, float]:
    """Each sentence feature's weight. The similarity's weight is 1, so a score reads as a
    cosine similarity adjusted by the rest; `python -m fitcoach.finetune.rank_weights` fits the
    others on the team's tune-split labels and rewrites the file."""
    import yaml

    data = yaml.safe_load(_WEIGHTS_FILE.read_text(encoding="utf-8"))
    weights = data.get("weights") if isinstance(data, dict) else None
    if not isinstance(weights, dict) or not all(
        isinstance(k, str) and isinstance(v, (int, float)) for k, v in weights.items()
    ):
        raise ValueError(f"{_WEIGHTS_FILE} must hold `weights:` mapping feature names to numbers")
    return {k: float(v) for k, v in weights.items()}


class Candidates(NamedTuple):
    """The sentences worth scoring for a question, with what their scores are made of."""

    pool: list[tuple[str, Evidence]]
    lexical: list[float]
    similarity: list[float]
    features: list[dict[str, float]]


def candidates(
    question: str,
    evidence: Sequence[Evidence],
    profile: AthleteProfile | None = None,
    embedder: Any | None = None,
) -> Candidates:
    """Every usable evidence sentence (the best MAX_EMBEDDED by a cheap score when there are
    more), embedded with its paper's title, and its features."""
    pool = [(s, e) for e in evidence for s in e.sentences if _usable(s)]
    if not pool:
        return Candidates([], [], [], [])
    q_words = content_words(question)
    lexical = _bm25(q_words, [content_words(s) for s, _ in pool])
    if len(pool) > MAX_EMBEDDED:
        # Embedding (and cross-encoding) every sentence of every passage costs more than the
        # rest of an answer: keep the ones that share words with the question, sit in the
        # passages closest to it, or that give the rate the question asks for ("60 g/h" shares
        # no word with "grams per hour").
        units = asked_units(question)
        cheap = [
            0.35 * lex + 0.25 * (e.similarity or 0.0) + 0.1 * any(u.search(s) for u in units)
            for lex, (s, e) in zip(lexical, pool, strict=True)
        ]
        keep = sorted(sorted(range(len(pool)), key=lambda i: -cheap[i])[:MAX_EMBEDDED])
        pool, lexical = [pool[i] for i in keep], [lexical[i] for i in keep]
    if embedder is not None:
        # Each sentence is embedded with its paper's title, the context a reader has.
        vectors = embedder.embed([question] + [f"{e.title}: {s}" for s, e in pool])
        similarity = [cosine(vectors[0], v) for v in vectors[1:]]
    else:
        similarity = [0.0] * len(pool)
    features = sentence_features(question, pool, lexical, similarity, evidence, profile)
    return Candidates(pool, lexical, similarity, features)


def rank_sentences(
    question: str,
    evidence: Sequence[Evidence],
    profile: AthleteProfile | None = None,
    embedder: Any | None = None,
    reranker: Any | None = None,
) -> list[Sentence]:
    """Every usable evidence sentence, best first, scored against the question."""
    found = candidates(question, evidence, profile, embedder)
    if not found.pool:
        return []
    relevance = (
        reranker.score(question, [f"{e.title}: {s}" for s, e in found.pool]) if reranker else None
    )
    weights = rank_weights()
    out: list[Sentence] = []
    for i, (text, e) in enumerate(found.pool):
        score = sum(weights.get(name, 0.0) * value for name, value in found.features[i].items())
        if relevance is not None:
            score += RERANK_WEIGHT * (relevance[i] - 0.5)
        kind = next(name[5:] for name in found.features[i] if name.startswith("kind_"))
        out.append(Sentence(text=text, n=e.n, score=round(score, 4),
                            similarity=round(found.similarity[i], 4),
                            lexical=round(found.lexical[i], 4), kind=kind))  # fmt: skip
    out.sort(key=lambda s: s.score, reverse=True)
    return out


def groups_by_source(evidence: Sequence[Evidence]) -> dict[int, set[str]]:
    """The groups each evidence passage's paper is about, by its title, keyed by number."""
    return {e.n: populations_in(e.title) for e in evidence}


def _special(s: Sentence, groups_of: dict[int, set[str]]) -> set[str]:
    """The special groups a sentence is about: those it names, else its paper's title's (a
    note on pregnancy and the postpartum period says "leakage of amniotic fluid" of pregnancy
    only)."""
    named = said_about(s.text) & SPECIAL_GROUPS
    return named or groups_of.get(s.n, set()) & SPECIAL_GROUPS


# How far below the sentence floor a support may sit once its lead has cleared it.
SUPPORT_BELOW_FLOOR = 0.1
# How much further in meaning from the question a support may sit than its lead: a PE
# teacher's concussion question drew "a 12-year-old can start strength training" (0.40
# against the lead's 0.65) on its age alone. Set on the tune split of bench/answer_quality.py
# by replaying `select`: 0.15 kept every answer's key points (one more answer held them all)
# and dropped 7 supports, most of them off the question; 0.1 lost key points in 3 answers.
SUPPORT_SIMILARITY_GAP = 0.15
# Groups whose answers take supports only from findings about them: general strength advice
# ("heavy sets build a bigger 1RM") is no support for a client 22 weeks pregnant. (For older
# adults or teenagers general findings often do carry over; the tune split lost recall there.)
OWN_GROUP_ONLY = frozenset({"pregnant", "postpartum"})


def says_over(words: set[str], other: set[str]) -> bool:
    """Whether a sentence with these content words holds nearly all of another's (six or
    more) with more added: two papers, or the model and its source, saying one thing."""
    return len(other) >= 6 and len(words & other) >= 0.9 * len(other)


def _repeats(words: set[str], chosen: set[str]) -> bool:
    """Whether a sentence with these content words says a chosen one over: mostly its words,
    or nearly all of the chosen one's with more added."""
    return len(words & chosen) > 0.7 * max(len(words), 1) or says_over(words, chosen)


def select(
    ranked: Sequence[Sentence],
    limit: int = 4,
    floor: float = 0.0,
    per_passage: int = 2,
    margin: float = 0.25,
    strong: float = 1.0,
    asked: set[str] | None = None,
    groups_of: dict[int, set[str]] | None = None,
    needs: Sequence[re.Pattern[str]] = (),
    need_margin: float = 0.4,
    lead_need: re.Pattern[str] | None = None,
) -> list[Sentence]:
    """The lead and up to three supporting findings above `floor`, each support within `margin`
    of the lead's score or `strong` on its own (a far weaker sentence is padding, not support;
    a margin, not a ratio, since a score's zero is arbitrary): no near-duplicates, at most `per_passage` from one
    passage, limitations and methods never chosen. Limit and margin were set on the tune split
    of bench/answer_quality.py: lead + 3 within 0.25 covered 75/125 answers' key points in full,
    against 68/125 for lead + 2 within 0.15, with one more answer holding an off-topic line;
    admitting supports scoring 1.0 or more made it 77/125, with none. A last support within
    0.6 of the margin keeps 77/125 and drops one more off-topic line. A support about a special
    group (youth, older adults, pregnancy, a condition) that neither the question (`asked`,
    from `asked_populations`) nor the lead is about is skipped: "a 12-year-old can start
    strength training" does not support an adult's question on training to failure. The
    group may be named by the sentence or by its paper's title (`groups_of`, by evidence
    number): "2-3 sets with 2 minutes of rest" from an older-adults position stand is advice
    for them. When the question is about a special group, a sentence about another one is
    never chosen, lead included: what older adults should lift is no answer for a 13-year-old.
    When it names no special group, a general finding within `margin` of a special-group one
    leads instead (a parent who trains "bc of the kids" gets adult advice). The lead must clear
    `floor`; a support may sit SUPPORT_BELOW_FLOOR under it. Each of `needs` (from
    `question_needs`) not met by the chosen sentences is met, when it can be, by the best
    admissible sentence within `need_margin` of the lead (or of `strong`, when the lead scores
    higher). A chosen sentence matching `lead_need` (the count asked for, `count_asked`) and
    within `margin` of the lead opens the answer."""
    chosen: list[Sentence] = []
    asked = asked or set()
    groups_of = groups_of or {}
    used: Counter[int] = Counter()

    def admissible(s: Sentence, answers_part: bool = False) -> bool:
        # the lead must clear the floor; a support, whose lead already has, may sit a little
        # below it ("is failure a good idea or am I frying myself?" scores low throughout)
        if s.score < floor - (SUPPORT_BELOW_FLOOR if chosen else 0.0):
            return False
        if s.kind != "finding" or used[s.n] >= per_passage:
            return False
        # a sentence sharing no word with the question needs a chosen one of its passage and
        # to be as close in meaning as the lead: papers say "NHE" once they have named it. One
        # that gives what a part asks for ("two to three sessions per week" for "how often")
        # is tied to the question by that.
        if s.lexical == 0 and not answers_part and not (
            any(c.n == s.n for c in chosen) and s.similarity >= chosen[0].similarity
            and len(content_words(s.text)) >= 6  # not a table's "15/15: +5.5%, 60.5 to 64.4"
        ):  # fmt: skip
            return False
        if chosen and not answers_part and s.similarity < chosen[0].similarity - SUPPORT_SIMILARITY_GAP:
            return False
        if _EXAMPLE_MASS.search(s.text) and any(_EXAMPLE_MASS.search(c.text) for c in chosen):
            return False  # one worked example is enough: a 70 kg athlete's and an 80 kg lifter's confuse
        words = content_words(s.text)
        # two papers' casein lines: "Pre-sleep casein of 30-40 g raises overnight muscle protein
        # synthesis" and "A pre-sleep dose of 30-40 g of casein raises ... and metabolic rate"
        if any(_repeats(words, content_words(c.text)) for c in chosen):
            return False
        if (_ANAPHORA.match(s.text) or _REFERS_BACK.search(s.text)) and not (chosen and chosen[-1].n == s.n):
            return False  # "It fits best in congested periods" needs its own passage's sentence before it
        special = _special(s, groups_of)
        if special and asked & SPECIAL_GROUPS and (not special & asked or other_kind(special, asked)):
            return False  # asked about a 13-year-old: what older adults should lift is no answer
        if chosen and asked & OWN_GROUP_ONLY and not special & asked:
            return False  # 22 weeks pregnant: "heavy sets build a bigger 1RM" is no support
        lead = chosen[0] if chosen else None
        return not (lead and special and not special & (
            asked | said_about(lead.text) | groups_of.get(lead.n, set())
        ))  # fmt: skip

    # Asked about no special group, a general finding within the margin leads, not one about
    # children or older adults ("twice a week bc of the kids" is a parent's own training).
    general_lead = None
    if not asked & SPECIAL_GROUPS:
        general_lead = next((s for s in ranked if not _special(s, groups_of) and admissible(s)), None)
    for s in ranked:
        # the last support must be closer (0.6 of the margin): a fourth sentence is where
        # answers drift off the question
        reach = margin * (0.6 if len(chosen) == limit - 1 else 1.0)
        # A worked example for one body mass ("for a 70 kg athlete, roughly 110-170 g/day")
        # cannot open, so it does not set the bar either: the rule it works through ("1.6-2.4
        # g/kg/day") may sit up to twice the margin below it and still lead.
        bar = next((c.score for c in chosen if not _EXAMPLE_MASS.search(c.text)), None)
        if bar is None and chosen:
            bar = chosen[0].score - margin
        if bar is not None and s.score < bar - reach and s.score < strong:
            # A lead far above `strong` sets no bar its own passage cannot meet: after "about 90
            # g/h beyond 2.5-3 h", the same review's "up to about 60 g/h for 2-3 h events" may
            # follow. Other papers still have to come within the margin.
            if s.score < strong - reach or bar <= strong:
                break
            if s.n != chosen[0].n:
                continue
        if not admissible(s):
            continue
        if not chosen and general_lead is not None and s is not general_lead and _special(s, groups_of) and (
            general_lead.score >= s.score - margin
        ):  # fmt: skip
            continue
        chosen.append(s)
        used[s.n] += 1
        if len(chosen) == limit:
            break
    # A close sentence that leans on its passage ("Both approaches need about 12 weeks of
    # loading") cannot open an answer, but once a sentence of its passage is chosen it may
    # follow that one.
    for s in ranked:
        if len(chosen) == limit or not chosen or s.score < chosen[0].score - margin:
            break
        hosts = [i for i, c in enumerate(chosen) if c.n == s.n]
        if s in chosen or not hosts or not _ANAPHORA.match(s.text):
            continue
        after, rest = chosen[: hosts[-1] + 1], chosen[hosts[-1] + 1 :]
        chosen[:] = after  # judged as if it came right after its passage's sentence
        words = content_words(s.text)
        fits = admissible(s) and not any(_repeats(words, content_words(c.text)) for c in rest)
        chosen[:] = after + ([s] if fits else []) + rest
        used[s.n] += fits
    # Each part of the question gets its answer: "how often" a frequency, "and do I need a
    # loading phase?" a sentence about loading, from a little further down the ranking when
    # the closest sentences all answer the first part.
    for need in needs:
        if not chosen or any(need.search(c.text) for c in chosen):
            continue
        # a full answer makes room by dropping its last support that answers no part
        spare = [i for i, c in enumerate(chosen) if i and not any(n.search(c.text) for n in needs)]
        if len(chosen) == limit and not spare:
            continue
        answer = next((
            s for s in ranked
            # measured from a lead no higher than `strong`: a very close lead (1.3 for "is
            # creatine safe and effective") must not put the dose it was also asked beyond reach
            if s.score >= min(chosen[0].score, strong) - need_margin and s not in chosen and need.search(s.text)
            and admissible(s, answers_part=True)
        ), None)  # fmt: skip
        if answer is None:
            continue
        if len(chosen) == limit:
            used[chosen.pop(spare[-1]).n] -= 1
        chosen.append(answer)
        used[answer.n] += 1
    # The lead states the finding for everyone; a worked example ("for a 70 kg runner that is
    # 350 g") supports it, and the athlete's own numbers come from a calculator. Nor does a
    # sentence that goes on from another ("So a powerlifter ...", "Finally, neither ...") open.
    # Nor, when the question names no special group, does a finding about one ("Healthy older
    # lifters respond strongly") open an answer to everyone when a general one was chosen too.
    def opens(s: Sentence, *, for_all: bool) -> bool:
        if _EXAMPLE.search(s.text) or _GOES_ON.match(s.text):
            return False
        return not (for_all and _special(s, groups_of) and not asked & SPECIAL_GROUPS)

    general = next(
        (i for i, s in enumerate(chosen) if opens(s, for_all=True)),
        next((i for i, s in enumerate(chosen) if opens(s, for_all=False)), 0),
    )
    # Asked about a special group, a finding that names it opens: "in type 1 diabetes, exercise
    # still brings ..." before "break up long bouts of sitting" for a type 1 runner's lows. (In
    # pregnancy every chosen finding is about it, and the ones that say so are the lists of
    # contraindications.)
    named = asked & (SPECIAL_GROUPS - OWN_GROUP_ONLY)
    if chosen and named and not said_about(chosen[general].text) & named:
        general = next(
            (i for i, s in enumerate(chosen) if said_about(s.text) & named and opens(s, for_all=False)),
            general,
        )
    # The first sentence answers the question: "how many sets should I do to grow" opens with
    # the line that gives sets, not the close one on choosing a periodisation model by taste
    # (`lead_need`: the count the question asks for, see `count_asked`).
    if chosen and lead_need is not None and not lead_need.search(chosen[general].text):
        general = next((
            i for i, s in enumerate(chosen)
            if lead_need.search(s.text) and opens(s, for_all=True) and s.score >= chosen[general].score - margin
        ), general)  # fmt: skip
    ordered = chosen[general : general + 1] + chosen[:general] + chosen[general + 1 :]
    # "Finally, neither programme improved..." after another paper's sentence goes on from
    # nothing the reader saw: the connective goes, the finding stays word for word.
    for i in range(1, len(ordered)):
        connective = _CONNECTIVE.match(ordered[i].text)
        if connective and ordered[i - 1].n != ordered[i].n:
            rest = ordered[i].text[connective.end() :]
            ordered[i] = ordered[i].model_copy(update={"text": rest[:1].upper() + rest[1:]})
    return ordered


def caveat(ranked: Sequence[Sentence], chosen: Sequence[Sentence], floor: float) -> Sentence | None:
    """The limitation a coach would add, from a passage the answer already cites, about what
    the answer is about: a review of caffeine and creatine that doubts creatine's effect is no
    caveat to its caffeine dose."""
    cited = {c.n for c in chosen}
    named = nutrients_in(" ".join(c.text for c in chosen))
    for s in ranked:
        if (
            s.kind == "limitation" and s.n in cited and s.score >= floor - 0.1 and s.lexical > 0
            and not nutrients_in(s.text) - named
            and not _ANAPHORA.match(s.text)  # "It involved novices only": which "it"?
            and not _POINTER.match(s.text.strip())  # "..., see Malliaras 2013." limits nothing
        ):  # fmt: skip
            return s
    return None
