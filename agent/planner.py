"""The deterministic planner: which tools to run with which numbers, what to search, and
whether the question is in scope at all. The numbers come from the training-statement parser
(`fitcoach.agent.parse`), never from a regex guess, and a chain of tools in one question
("convert 225 lb, then my 1RM for 3") is planned here too: a later tool takes an earlier tool's
result, computed by that same tool. No model is needed, so a 135M model never does arithmetic
or parses a set log."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from fitcoach.agent.evidence import SETS_BY_REPS
from fitcoach.agent.parse import parse
from fitcoach.agent.routes import TOOL_QUERIES, Router
from fitcoach.agent.state import Plan
from fitcoach.agent.tools.profile import AthleteProfile, SetEntry
from fitcoach.agent.tools.units import convert_value

# Vocabulary that puts a question inside fitcoach's field (stems, matched as word prefixes).
_FITNESS = (
    "train exercis workout lift squat bench deadlift press row pull push curl lunge "
    "strength muscle hypertroph power endurance aerobic cardio run jog sprint cycl swim row "
    "walk hiit interval vo2 heart rate rpe rir 1rm rep set load weight barbell dumbbell kettlebell "
    "progress overload periodi deload taper volume intensit frequen rest recover sleep "
    "protein creatine caffeine carb nutrition diet calori supplement hydrat fat "
    "injur pain knee back shoulder hip ankle achilles tendon tendin sprain strain rehab "
    "mobil stretch flexib warm fitness athlet sport coach gym pregnan postpartum "
    "blood pressure hypertens diabet osteopor bone arthrit older youth child adolesc "
    "acwr workload sore doms fatigue overtrain body compos lean mass plank core glute "
    "hamstring quad calf chest tricep bicep lat deltoid physical activ "
    "reps sets rows runs running runner hips lats abs max kg lb lbs 1rm e1rm "
    "bpm zone zones deficit mileage km foam massag cramp cooldown cool-down "
    "crossfit metcon wod amrap emom snatch ride rides riding bike biking marathon triathl race "
    "racing heat drink fluid sweat electrolyt sodium salt preworkout pre-workout gains "
    "climb boulder hangboard grip erg rowing paddl kayak ski hike yoga pilates routine "
    "programme program soccer football rugby basketball volleyball netball handball hockey "
    "tennis golf boxing wrestl judo karate bjj jiu grappl martial overreach squad pace pacing "
    "5k 10k testosteron hormon ergogen bulk cutting cals kcal hrv wearable vo2max vo2peak "
    "steroid anabolic sarm peptide"
)
FITNESS_TERMS = tuple(_FITNESS.split())

# Topics fitcoach does not cover; with no fitness term present they mean "out of scope".
_OFF_TOPIC = (
    "stock stocks invest bitcoin crypto mortgage tax taxes loan bank dividend portfolio "
    "capital president election politic movie film song poem lyric recipe translat python "
    "javascript password hack lottery horoscope"
)
OFF_TOPIC_TERMS = tuple(_OFF_TOPIC.split())

SCOPE_HELP = (
    "fitcoach answers questions about strength and endurance training, load progression "
    "(1RM, RPE, next-session loads, workload), exercise safety screening, recovery and "
    "sports nutrition, citing exercise-science papers."
)

_WORDS = re.compile(r"[a-z0-9]+")


def _stems(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def _has_term(words: Sequence[str], terms: Sequence[str]) -> bool:
    # Short terms ("set", "lat", "tax") must match whole words; longer ones are stems.
    return any(w == t or (len(t) > 3 and w.startswith(t)) for w in words for t in terms)


def in_scope(question: str) -> bool | None:
    """True when the question uses only fitness vocabulary, False when only off-topic
    vocabulary, None for both or neither (evidence similarity then decides).

    >>> in_scope("How much protein after a workout?"), in_scope("Should I buy bitcoin?")
    (True, False)
    >>> in_scope("How do I hack the gym's door code?") is None
    True
    >>> in_scope("Does foam rolling help?")  # recovery is coaching, even with no paper on it
    True
    >>> in_scope("Is 5x5 or 3x10 better for size?")
    True
    >>> in_scope("century ride in july heat, how much should i drink per hr?")  # cycling, fluids
    True
    >>> in_scope("fingers ache after climbing, will a hangboard help?")  # a sport is coaching
    True
    >>> in_scope("skinny 17yo trying to bulk, how many extra cals a day?")  # bulking is nutrition
    True
    """
    words = _stems(question)
    fitness = _has_term(words, FITNESS_TERMS) or bool(SETS_BY_REPS.search(question))
    off_topic = _has_term(words, OFF_TOPIC_TERMS)
    if fitness != off_topic:
        return fitness
    return None  # both ("hack my gym's door code") or neither: evidence similarity decides


def parse_sets(
    question: str, units: str | None = None, today: dt.date | None = None
) -> list[SetEntry]:
    """The sets a question reports, one entry per set, for the set log.

    >>> [(s.load, s.reps, s.rpe, s.unit) for s in parse_sets("I squatted 100 kg x 5 @ 8")]
    [(100.0, 5, 8.0, 'kg')]
    >>> [(s.load, s.reps) for s in parse_sets("3x10 at 40 kg on the leg press")]
    [(40.0, 10), (40.0, 10), (40.0, 10)]
    """
    router = Router(question, parse(question, units), None, (), today=today)
    return router.entries


def _kg(mass: Any) -> float | None:
    """A parsed body mass in kg (a number with no unit is read as kg)."""
    if mass is None or mass.value is None:
        return None
    return convert_value(mass.value, mass.unit or "kg", "kg")


def plan(
    question: str,
    profile: AthleteProfile | None = None,
    set_log: Sequence[SetEntry] = (),
    available: Sequence[str] | None = None,
) -> Plan:
    """Decide tools, inputs and queries for a question; `available` limits tool names.

    >>> p = plan("I did 3x10 at 40 kg on the leg press, what is my 1RM?")
    >>> [(c.name, c.inputs["load"], c.inputs["reps"]) for c in p.tool_calls]
    [('one-rep-max', 40.0, 10)]
    >>> plan("What is the capital of France?").scope
    'out'
    """
    if in_scope(question) is False:
        return Plan(scope="out", reason="off-topic vocabulary, no fitness terms")
    # The profile's unit counts as stated only if the person set it; the default is not theirs.
    units = profile.units if profile is not None and "units" in profile.model_fields_set else None
    router = Router(question, parse(question, units), profile, set_log)
    calls = router.route()
    if available is not None:
        calls = [c for c in calls if c.name in available]
    queries = [question] + [TOOL_QUERIES.get(c.name, "") for c in calls]
    return Plan(
        scope="in",
        tool_calls=calls,
        queries=list(dict.fromkeys(q for q in queries if q)),
        sets=router.entries,
        assumptions=router.assumptions,
        questions=router.questions,
        body_mass_kg=_kg(router.parsed.body_mass),
    )
