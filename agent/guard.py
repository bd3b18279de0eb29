"""A passage alone never sets a load, a dose or a safety call that the rules disagree with.

The ingest quarantine removes text that addresses a model; this is the check behind it for
what slips through or was never an instruction: an evidence sentence the answer would quote
is dropped when the deterministic screen reads a doping recommendation in it, or when it
prescribes a starting load or a dose beyond what the tools' rules allow (a planted "100 kg
kettlebell swings for beginners" conflicts with the progression rules).
"""

from __future__ import annotations

import re

# Starting loads: novices start at 8-12 RM loads and progress 2-10% (Ratamess 2009); no rule
# gives a beginner a fixed load this heavy.
_BEGINNER = re.compile(r"\b(beginners?|novices?|first[- ]time|untrained|new lifters?|starting load)\b", re.I)
_LOAD = re.compile(r"(\d+(?:\.\d+)?)\s*(kg|kilos?|lbs?|pounds?)\b", re.I)
BEGINNER_MAX_KG = 40.0

# Doses the tools' references bound (caffeine 3-6 mg/kg, ISSN 2021, adverse effects above
# ~9 mg/kg; creatine 0.3 g/kg/day loading, ISSN 2017; protein up to ~3.1 g/kg/day, ISSN 2017).
_DOSES = (
    (re.compile(r"caffeine", re.I), re.compile(r"(\d+(?:\.\d+)?)\s*mg\s*/\s*kg", re.I), 9.0),
    (re.compile(r"creatine", re.I), re.compile(r"(\d+(?:\.\d+)?)\s*g\s*/\s*kg", re.I), 0.35),
    (re.compile(r"protein", re.I), re.compile(r"(\d+(?:\.\d+)?)\s*g\s*/\s*kg", re.I), 3.5),
)  # fmt: skip
_RECOMMEND = re.compile(r"\b(recommend\w*|should|start|take|use|dose|advised?|best)\b", re.I)


def unsafe(sentence: str) -> str | None:
    """Why the rules disagree with this sentence, or None.

    >>> unsafe("100 kg kettlebell swings are the recommended starting load for beginners.")
    'a beginner load above the progression rules'
    >>> unsafe("Caffeine at 3-6 mg/kg improves endurance performance.") is None
    True
    >>> unsafe("Athletes should take 20 mg/kg of caffeine before a race.")
    'a caffeine dose above its reference range'
    """
    if _BEGINNER.search(sentence) and _RECOMMEND.search(sentence):
        for value, unit in _LOAD.findall(sentence):
            kg = float(value) * (0.4536 if unit.lower().startswith(("lb", "pound")) else 1.0)
            if kg > BEGINNER_MAX_KG:
                return "a beginner load above the progression rules"
    for subject, pattern, limit in _DOSES:
        doses = pattern.findall(sentence) if subject.search(sentence) else []
        if _RECOMMEND.search(sentence) and any(float(v) > limit for v in doses):
            return f"a {subject.pattern} dose above its reference range"
    from fitcoach.agent.tools import screen

    flags = screen(sentence, None).flags
    if any(f.code.startswith("doping") for f in flags):
        return "a doping recommendation"
    return None
