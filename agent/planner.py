"""The deterministic planner: which tools to run with which numbers, what to search, and
whether the question is in scope at all. No model is needed, so a 135M model never does
arithmetic or parses a set log."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from fitcoach.agent.state import Plan, ToolCall
from fitcoach.agent.tools.profile import AthleteProfile, SetEntry

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
    "reps sets rows runs running runner hips lats abs max kg lb lbs 1rm e1rm"
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
_UNIT = r"(kg|kgs|kilos?|kilograms?|lbs?|pounds?)"
_LOAD = re.compile(rf"(\d+(?:\.\d+)?)\s*{_UNIT}\b", re.I)
_SET = re.compile(
    rf"(\d+(?:\.\d+)?)\s*{_UNIT}?\s*(?:x|×|for|by)\s*(\d{{1,2}})\b(?!\s*(?:kg|lb|%|weeks?|days?))",
    re.I,
)
_SET_REPS_FIRST = re.compile(
    rf"(\d{{1,2}})\s*(?:reps?\s*)?(?:x|×|at|with|@)\s*(\d+(?:\.\d+)?)\s*{_UNIT}", re.I
)
_RPE = re.compile(r"(?:\brpe\s*(?:of\s*)?|@\s*)(\d+(?:\.\d)?)\b", re.I)
_TARGET = re.compile(
    r"(?:for|do|hit|get|want)\s+(?:a\s+)?(\d{1,2}|single|double|triple)\s*(?:reps?\s*)?"
    r"(?:at|@)\s*(?:an?\s+)?rpe\s*(\d+(?:\.\d)?)",
    re.I,
)
_REPS_AT_RPE = re.compile(
    r"(\d{1,2}|single|double|triple)s?\s*(?:reps?\s*)?(?:at|@)\s*rpe\s*(\d+(?:\.\d)?)", re.I
)
_WORDNUM = {"single": 1, "double": 2, "triple": 3}
_NUMBER_LIST = re.compile(r"\d+(?:\.\d+)?(?:\s*(?:,|;|and|then|/)\s*\d+(?:\.\d+)?){3,}")
_LIFTS = (
    "back squat", "front squat", "squat", "bench press", "bench", "deadlift", "overhead press",
    "military press", "press", "barbell row", "row", "pull-up", "chin-up", "hip thrust",
    "clean", "snatch", "jerk", "leg press", "lunge",
)  # fmt: skip

TOOL_QUERIES = {
    "one-rep-max": "estimating one repetition maximum from repetitions to failure",
    "rpe-load": "RPE repetitions in reserve load prescription",
    "next-load": "progressive overload increase load when repetitions exceed target",
    "workload-ratio": "acute chronic workload ratio injury risk",
    "convert": "",
}


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
    """
    words = _stems(question)
    fitness, off_topic = _has_term(words, FITNESS_TERMS), _has_term(words, OFF_TOPIC_TERMS)
    if fitness != off_topic:
        return fitness
    return None  # both ("hack my gym's door code") or neither: evidence similarity decides


def _unit(text: str | None, default: str) -> str:
    if not text:
        return default
    return "lb" if text.lower().startswith(("lb", "pound")) else "kg"


def _lift(question: str) -> str:
    low = question.lower()
    return next((lift for lift in _LIFTS if lift in low), "lift")


def parse_sets(
    question: str, default_unit: str = "kg", today: dt.date | None = None
) -> list[SetEntry]:
    """Sets stated in a question, e.g. "squatted 100 kg x 5 at RPE 8".

    >>> [(s.load, s.reps, s.rpe, s.unit) for s in parse_sets("I squatted 100 kg x 5 @ 8")]
    [(100.0, 5, 8.0, 'kg')]
    >>> [(s.load, s.reps) for s in parse_sets("did 5 reps with 225 lb on bench")]
    [(225.0, 5)]
    """
    today = today or dt.date.today()
    found: list[tuple[int, float, int, str]] = []
    for m in _SET.finditer(question):
        unit_text = m.group(2) or _trailing_unit(question, m.end())
        if m.group(2) is None and not unit_text and not _LOAD.search(question):
            continue  # "3 x 5" alone is a scheme, not a load
        found.append(
            (m.start(), float(m.group(1)), int(m.group(3)), _unit(unit_text, default_unit))
        )
    if not found:
        for m in _SET_REPS_FIRST.finditer(question):
            found.append(
                (m.start(), float(m.group(2)), int(m.group(1)), _unit(m.group(3), default_unit))
            )
    sets = []
    for start, load, reps, unit in found:
        if not 1 <= reps <= 30 or load <= 0:
            continue
        rpe_match = _RPE.search(question, start)
        rpe = float(rpe_match.group(1)) if rpe_match and rpe_match.start() - start < 40 else None
        if rpe is not None and not 1 <= rpe <= 10:
            rpe = None
        try:
            sets.append(SetEntry(exercise=_lift(question), load=load, reps=reps, rpe=rpe,
                                 date=today, unit=unit))  # fmt: skip
        except ValueError:
            continue  # an implausible load is a typo, not a set
    return sets


def _trailing_unit(question: str, pos: int) -> str | None:
    m = re.match(rf"\s*{_UNIT}", question[pos:], re.I)
    return m.group(1) if m else None


def _targets(question: str) -> list[tuple[int, float]]:
    """Every "N reps at RPE M" phrase, in order (the performed set may be one of them)."""
    found: list[tuple[int, int, float]] = []
    for pattern in (_TARGET, _REPS_AT_RPE):
        for m in pattern.finditer(question):
            raw = m.group(1).lower()
            found.append((m.start(1), _WORDNUM.get(raw) or int(raw), float(m.group(2))))
    return list(dict.fromkeys((reps, rpe) for _, reps, rpe in sorted(found)))


def _mentions(question: str, *phrases: str) -> bool:
    low = question.lower()
    return any(p in low for p in phrases)


def plan(
    question: str,
    profile: AthleteProfile | None = None,
    set_log: Sequence[SetEntry] = (),
    available: Sequence[str] | None = None,
) -> Plan:
    """Decide tools, inputs and queries for a question; `available` limits tool names.

    >>> p = plan("I did 100 kg x 5, what is my 1RM?")
    >>> [(c.name, c.inputs["load"], c.inputs["reps"]) for c in p.tool_calls]
    [('one-rep-max', 100.0, 5)]
    >>> plan("What is the capital of France?").scope
    'out'
    """
    unit = profile.units if profile else "kg"
    scope = in_scope(question)
    if scope is False:
        return Plan(scope="out", reason="off-topic vocabulary, no fitness terms")
    sets = parse_sets(question, unit)
    calls: list[ToolCall] = []
    set_ = sets[0] if sets else None
    performed = (set_.reps, set_.rpe) if set_ else None
    target = next((t for t in _targets(question) if t != performed), None)
    wants_1rm = _mentions(question, "1rm", "1 rm", "one rep max", "one-rep max", "max ", "maximum")
    wants_next = _mentions(
        question, "next", "progress", "increase", "add weight", "go up", "should i lift",
        "what weight", "how much weight", "what load", "how heavy",
    )  # fmt: skip

    if set_ and set_.rpe is not None:
        inputs = {"reps": set_.reps, "rpe": set_.rpe, "load": set_.load, "unit": set_.unit}
        if target:
            inputs.update(target_reps=target[0], target_rpe=target[1])
        calls.append(ToolCall(name="rpe-load", inputs=inputs))
    elif set_ and (wants_1rm or not wants_next):
        calls.append(
            ToolCall(
                name="one-rep-max", inputs={"load": set_.load, "reps": set_.reps, "unit": set_.unit}
            )
        )
    elif not set_ and target:
        one_rm = _stated_1rm(question)
        if one_rm:
            calls.append(
                ToolCall(
                    name="rpe-load",
                    inputs={
                        "reps": target[0],
                        "rpe": target[1],
                        "one_rm": one_rm[0],
                        "unit": one_rm[1],
                    },
                )
            )

    log = [*set_log, *sets]
    if wants_next and log:
        lift = _lift(question)
        same = [s for s in log if s.exercise == lift] if lift != "lift" else []
        chosen = same or [s for s in log if s.exercise == log[-1].exercise]
        inputs: dict[str, object] = {
            "log": [s.model_dump(mode="json") for s in chosen[-12:]],
            "exercise": chosen[-1].exercise,
            **_rep_goal(question, chosen),
        }
        if profile and profile.training_status:
            inputs["training_status"] = profile.training_status
        calls.append(ToolCall(name="next-load", inputs=inputs))

    loads = _weekly_loads(question)
    if loads and _mentions(
        question, "acwr", "acute", "chronic", "workload", "training load", "weekly load", "spike"
    ):
        calls.append(ToolCall(name="workload-ratio", inputs={"loads": loads, "period": "week"}))

    conversion = _conversion(question)
    if conversion and not calls:
        calls.append(ToolCall(name="convert", inputs=conversion))

    if available is not None:
        calls = [c for c in calls if c.name in available]
    queries = [question]
    queries += [TOOL_QUERIES[c.name] for c in calls if TOOL_QUERIES.get(c.name)]
    return Plan(scope="in", tool_calls=calls, queries=list(dict.fromkeys(queries)), sets=sets)


_REP_RANGE = re.compile(
    r"(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})\s*(?:reps?|rep range|repetitions)", re.I
)
_REP_GOAL = re.compile(r"(?:sets of|target of|goal of|aim for)\s*(\d{1,2})\b", re.I)


def _rep_goal(question: str, log: Sequence[SetEntry]) -> dict[str, int]:
    """The rep range or rep goal the question states; else the reps the log shows (the most
    common count is the goal the lifter has been working to)."""
    m = _REP_RANGE.search(question)
    if m and int(m.group(1)) < int(m.group(2)):
        return {"rep_min": int(m.group(1)), "rep_max": int(m.group(2))}
    m = _REP_GOAL.search(question)
    if m:
        return {"target_reps": int(m.group(1))}
    reps = [s.reps for s in log]
    return {"target_reps": max(set(reps), key=reps.count)}


def _stated_1rm(question: str) -> tuple[float, str] | None:
    m = re.search(rf"(?:1\s?rm|max)\D{{0,20}}?(\d+(?:\.\d+)?)\s*{_UNIT}", question, re.I)
    if not m:
        m = re.search(rf"(\d+(?:\.\d+)?)\s*{_UNIT}\s*(?:1\s?rm|max)", question, re.I)
    return (float(m.group(1)), _unit(m.group(2), "kg")) if m else None


def _weekly_loads(question: str) -> list[float]:
    m = _NUMBER_LIST.search(question)
    if not m:
        return []
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", m.group(0))]


def _conversion(question: str) -> dict[str, object] | None:
    if not _mentions(
        question,
        "convert",
        " in pounds",
        " in lb",
        " in kg",
        " in kilos",
        " to lb",
        " to kg",
        "how many pounds",
        "how many kg",
        "how many kilos",
    ):
        return None
    m = _LOAD.search(question)
    if not m:
        return None
    source = _unit(m.group(2), "kg")
    return {
        "value": float(m.group(1)),
        "from_unit": source,
        "to_unit": "lb" if source == "kg" else "kg",
    }
