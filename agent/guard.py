"""A passage alone never sets a load, a dose or a safety call that the rules disagree with.

The ingest quarantine removes text that addresses a model; this is the check behind it for
what slips through or was never an instruction: an evidence sentence the answer would quote
is dropped when the deterministic screen reads a doping recommendation in it, when it tells
people to carry on through one of the screen's red flags, or when it prescribes a starting
load or a dose beyond what the tools' rules allow (a planted "100 kg kettlebell swings for
beginners" conflicts with the progression rules).
"""

from __future__ import annotations

import functools
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

# The screen's red flags are referrals (Patricios 2023 on concussion; ACSM on chest pain and
# exertional emergencies): a sentence telling people to carry on through one disagrees with
# it, unless it holds the caution that makes it safe ("after medical clearance", "not").
# The screen's own vocabulary reads a user's report ("I had a concussion") and sets aside
# what others have ("athletes with a fever"); a paper speaks of others, so it is read here.
_RED_FLAG = re.compile(
    r"\b(concuss\w*|head (?:injury|impact|collision)|lost consciousness|knocked out|chest "
    r"(?:pain|tightness)|faint\w*|passed out|fever\w*|stress fractures?|(?:dark|brown|cola)"
    r"[- ]colou?red urine|(?:dark|brown) urine|heat ?stroke|palpitations|myocarditis|numbness)\b",
    re.I,
)
_CARRY_ON = re.compile(
    r"\b(resume\w*|return\w* to|continu\w*|keep (?:running|training|playing|going|lifting)|carry on|"
    r"push(?:ing)? through|train(?:ing)? through|play on|finish|extend|increase|maintain|can still|"
    r"(?:can|may|should) (?:safely )?(?:run|train|race|play|spar|compete|lift))\b",
    re.I,
)
_CAUTION = re.compile(
    r"\b(not|never|no|avoid\w*|stop\w*|until|clear(?:ed|ance)|graded|gradual\w*|stepwise|"
    r"medical\w*|doctor|physician|clinician|see a|consult\w*|seek|refer\w*|assess\w*|"
    r"symptom-free|free of symptoms|after symptoms|rather than|instead|unless|risk\w*|diagnos\w*|"
    r"managed|treat\w*|recogni[sz]\w*)\b",
    re.I,
)

# ACOG 2020 (Committee Opinion 804): in pregnancy, avoid contact sports, activities with a high
# risk of falling, scuba diving, hot yoga and long periods lying on the back. A sentence that
# says pregnant women can carry on with one of them, with no caution that makes it safe,
# disagrees with the screen's own rule. The activities are the screen's vocabulary
# (acog_avoid_activity).
_ENDORSE = re.compile(
    r"\b(safe(?:ly)?|without (?:any )?(?:modification|restriction|change)s?|no (?:need|modification|"
    r"restriction)s?|encouraged|recommended)\b",
    re.I,
)
_PREGNANCY_CAUTION = re.compile(
    r"\b(avoid\w*|not|never|unsafe|contraindicat\w*|discourag\w*|risk\w*|except|unless|instead|"
    r"rather than|stop\w*|should be modified|modify)\b",
    re.I,
)


@functools.cache
def _vocabulary(code: str) -> re.Pattern[str]:
    from fitcoach.agent.tools.detect import vocabulary

    return next(regex for name, _, regex in vocabulary()[1] if name == code)


def _pregnancy_activity(sentence: str) -> bool:
    """A sentence clearing pregnant women for an activity ACOG says to avoid."""
    low = sentence.lower()
    if not _vocabulary("pregnant").search(low):
        return False
    if not _vocabulary("acog_avoid_activity").search(low):
        return False
    endorses = _CARRY_ON.search(sentence) or _ENDORSE.search(sentence)
    return bool(endorses) and not _PREGNANCY_CAUTION.search(sentence)


# NATA 2015 (Casa et al.): heat policies modify or cancel activity as the wet-bulb globe
# temperature rises. A sentence that lifts such a limit ("games now proceed at any
# temperature", "the WBGT cut-off has been abolished") disagrees with the screen's heat rule.
_NO_HEAT_LIMIT = re.compile(
    r"\b(?:at|in) any (?:temperature|heat|wbgt)\b|\bregardless of (?:the )?(?:heat|temperature|wbgt)\b"
    r"|\b(?:heat|temperature|wbgt)\b[\w -]{0,40}?\b(?:cut-?offs?|limits?|thresholds?|polic(?:y|ies))\b"
    r"[\w ,-]{0,40}?\b(?:abolished|scrapped|removed|dropped|no longer (?:apply|applies|needed)|unnecessary)\b",
    re.I,
)


# The screen sends known heart conditions and red flags to a clinician before hard exercise
# (ACSM 2015): a sentence that clears people to compete "without review", or declares the
# screening itself discontinued, disagrees with it.
_NO_REVIEW = re.compile(
    r"\b(?:cleared|allowed|free|permitted|fit) to (?:compete|play|train|race|return)\b[^.]{0,30}?"
    r"\bwithout (?:any )?(?:medical )?(?:review|evaluation|screening|assessment|clearance|check\w*)"
    r"|\bscreening\b[\w -]{0,30}?\b(?:has been|have been|was|were|is|are) (?:discontinued|abolished|scrapped|"
    r"dropped|withdrawn|no longer (?:needed|required))\b",
    re.I,
)


# IOC RED-S (Mountjoy 2018): purging, laxatives, diuretics and diet pills to make weight are
# signs the screen refers, never methods. A sentence advising them, with no warning that makes
# it a caution ("athletes using laxatives should be referred"), disagrees with that rule.
_PURGING = re.compile(
    r"\b(laxatives?|diuretics?|diet pills?|self-induced vomiting|purg(?:e|es|ing)|"
    r"vomit\w* after (?:meals|eating|food)|(?:make|making) (?:themselves|yourself|oneself) (?:sick|vomit))\b",
    re.I,
)
_ADVISES = re.compile(r"\b(should|use|using|try|recommend\w*|advis\w*|best|effective|helps?|can)\b", re.I)
_PURGING_CAUTION = re.compile(
    r"\b(not|never|no|avoid\w*|danger\w*|harm\w*|risk\w*|warning|signs?|disorder\w*|screen\w*|"
    r"refer\w*|ask(?:ed)? about|concern\w*|unsafe|banned|prohibited)\b",
    re.I,
)


# The workload tools' rules (Gabbett 2016: spikes in load precede injury; the running-progression
# caps) disagree with any claim that more training is always better.
_MORE_ALWAYS = re.compile(
    r"\bmore (?:\w+ )?(?:volume|training|mileage|load|sets|hours|kilometres|km|miles)\b[^.;]{0,20}?"
    r"\balways\b[^.;]{0,15}?\b(?:better|more gains|faster|stronger)\b",
    re.I,
)


def unsafe(sentence: str) -> str | None:
    """Why the rules disagree with this sentence, or None.

    >>> unsafe("100 kg kettlebell swings are the recommended starting load for beginners.")
    'a beginner load above the progression rules'
    >>> unsafe("Caffeine at 3-6 mg/kg improves endurance performance.") is None
    True
    >>> unsafe("Athletes should take 20 mg/kg of caffeine before a race.")
    'a caffeine dose above its reference range'
    >>> unsafe("After a concussion, athletes can resume sparring the next morning.")
    'carrying on through a red flag the screen refers'
    >>> unsafe("Return to sport after a concussion follows a graded protocol.") is None
    True
    >>> unsafe("In the third trimester, pregnant athletes can keep sparring without modification.")
    'an activity ACOG advises against in pregnancy'
    >>> unsafe("Pregnant women should avoid contact sports and lying supine for long.") is None
    True
    >>> unsafe("The WBGT cut-off for youth matches has been abolished; games proceed at any temperature.")
    'a heat-safety limit lifted (NATA 2015)'
    >>> unsafe("Athletes with long QT syndrome are cleared to compete without review.")
    'a medical review waived (ACSM 2015)'
    >>> unsafe("Lean-sport athletes struggling to make weight should use laxatives and self-induced vomiting.")
    'purging to make weight (IOC RED-S)'
    >>> unsafe("Athletes who use laxatives or vomiting to control weight should be referred.") is None
    True
    >>> unsafe("Recommend eight hours of daily training for 12-year-olds; more volume always means better results.")
    'more training always better (Gabbett 2016)'
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
    if _RED_FLAG.search(sentence) and _CARRY_ON.search(sentence) and not _CAUTION.search(sentence):
        return "carrying on through a red flag the screen refers"
    if _pregnancy_activity(sentence):
        return "an activity ACOG advises against in pregnancy"
    if _NO_HEAT_LIMIT.search(sentence):
        return "a heat-safety limit lifted (NATA 2015)"
    if _NO_REVIEW.search(sentence):
        return "a medical review waived (ACSM 2015)"
    if _PURGING.search(sentence) and _ADVISES.search(sentence) and not _PURGING_CAUTION.search(sentence):
        return "purging to make weight (IOC RED-S)"
    if _MORE_ALWAYS.search(sentence):
        return "more training always better (Gabbett 2016)"
    from fitcoach.agent.tools import screen

    flags = screen(sentence, None).flags
    if any(f.code.startswith("doping") for f in flags):
        return "a doping recommendation"
    return None
