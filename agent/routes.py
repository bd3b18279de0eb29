"""Routing: from a parsed question to tool calls, one route per tool, including chains in one
question (convert then 1RM; 1RM then the load for reps @ RPE; log then next load). A chained
tool's input is the earlier tool's result, computed by calling that tool here; every unit or
reading the message left open becomes a note the tool repeats in its warnings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from fitcoach.agent.parse import Parsed, SetGroup
from fitcoach.agent.state import ToolCall
from fitcoach.agent.tools.profile import MAX_REPS, AthleteProfile, SetEntry
from fitcoach.agent.tools.units import convert_value, normalize_unit

TOOL_QUERIES = {
    "one-rep-max": "estimating one repetition maximum from repetitions to failure",
    "rpe-load": "RPE repetitions in reserve load prescription",
    "rir-chart": "RPE repetitions in reserve scale",
    "next-load": "progressive overload increase load when repetitions exceed target",
    "workload-ratio": "acute chronic workload ratio injury risk",
    "convert": "",
    "protein": "daily protein intake g/kg muscle mass",
    "carbohydrate": "daily carbohydrate intake g/kg training load",
    "caffeine": "caffeine dose mg/kg exercise performance",
    "creatine": "creatine loading maintenance dose",
    "heart-rate-zones": "maximal heart rate age heart rate reserve intensity",
    "running-progression": "weekly running distance progression injury",
    "energy-deficit": "energy deficit rate of weight loss lean mass",
    "fluid": "fluid replacement after exercise body mass lost sweat rate sodium",
}
# Weight a session cost: "weighed myself after my long run and lost 1.5kg, how much to drink?"
_SESSION_LOSS = re.compile(
    r"\b(?:lost|lose|losing|down|dropped|dropping|sweat(?:ed)? out|sweated)\s+(?:about |around |like |"
    r"roughly |nearly |almost |over |~)?(\d+(?:\.\d+)?)\s*(kg|kgs|kilos?|lb|lbs|pounds)\b"
)
_SESSION = re.compile(
    r"\b(?:after|during|from|in|over)\b[^.?!]{0,30}?\b(?:run|runs|ride|session|training|game|match|"
    r"workout|practice|race|long run|sweat|heat)\b|\bweigh(?:ed)?\b|\bsweat"
)
_FLUID = ("drink", "fluid", "fluids", "rehydrate", "rehydrating", "rehydration", "water",
          "hydrate", "hydration", "replace")  # fmt: skip

# What the question asks for, by the words it uses.
INTENTS: dict[str, tuple[str, ...]] = {
    "one_rm": ("1rm", "1 rm", "one rep max", "one-rep max", "e1rm", "max", "maximum", "epley",
               "brzycki", "lombardi", "mayhew", "wathan", "estimate"),
    "next": ("next", "progress", "increase", "add weight", "add load", "go up", "move up",
             "should i lift", "what weight", "how much weight", "what load", "how heavy",
             "stuck", "plateau", "what now", "deload", "bump", "what should i do"),
    "chart": ("rpe chart", "rir chart", "rpe table", "rir table", "rpe scale", "rir scale",
              "percentage chart", "reps in reserve chart"),
    "workload": ("acwr", "acute", "chronic", "workload", "training load", "weekly load", "spike",
                 "spiking", "ratio", "too much", "too fast", "jump", "safe", "danger"),
    # with the misspellings people type ("how much protien do i need")
    "protein": ("protein", "protien", "protine", "portein"),
    "carbohydrate": ("carb", "carbs", "carbohydrate", "carbohydrates", "carbohydrat", "carbohyrate"),
    "caffeine": ("caffeine", "coffee", "espresso", "pre-workout caffeine", "caffiene", "cafeine",
                 "caffine"),
    "creatine": ("creatine", "creatin", "creatien", "kreatine"),
    # a nutrition calculator (and the body-weight question it needs) only for an amount asked
    "amount": ("how much", "how many", "gram", "grams", "what dose", "which dose", "per day",
               "a day", "daily", "should i take", "should i eat",
               "should i have", "should i drink"),
    # an amount per kilogram needs no body weight: the answer is the g/kg figure itself
    "per_kg": ("per kg", "g/kg", "mg/kg", "per kilo", "per kilogram", "/kg"),
    "hourly": ("per hour", "an hour", "each hour", "every hour", "g/h", "per hr", "hourly"),
    "deficit": ("deficit", "calorie", "calories", "kcal", "lose", "losing", "cut", "drop"),
    "zones": ("zone", "zones", "heart rate", "heart-rate", "hr", "bpm", "karvonen", "tanaka"),
    "build": ("increase", "build", "add", "progress", "how fast", "ramp", "mileage", "10%",
              "too much", "too fast", "more km", "safe", "jump"),
}  # fmt: skip
# Training-load words for the carbohydrate bands (ACSM/AND/DC 2016), most demanding first.
_CARB_LOAD = (
    ("very_high", ("ironman", "ultra", "stage race", "tour", "4 hours", "5 hours", "very high")),
    ("high", ("marathon", "long run", "hard", "intense", "high", "two hours", "2 hours",
              "3 hours", "endurance", "double session")),
    ("moderate", ("moderate", "an hour", "1 hour", "one hour", "60 min")),
    ("light", ("light", "easy", "skill", "rest day", "recovery day", "yoga")),
)  # fmt: skip
_FORMULAS = ("epley", "brzycki", "lombardi", "mayhew", "wathan")
_DOSE_TAKEN = re.compile(r"\b\d+(?:\.\d+)?\s*(?:g|mg|grams?|milligrams?)\s+(?:a|per|each)\s+day\b")
_ESTIMATE_1RM = ("1rm", "1 rm", "one rep max", "one-rep max", "e1rm", "rep max")


def _has(text: str, phrases: Sequence[str]) -> bool:
    return any(re.search(rf"(?<![a-z0-9]){re.escape(p)}(?![a-z])", text) for p in phrases)


# "am i eating too little or too much?" asks about food, not about adding distance
_NOT_DISTANCE = ("eat", "eating", "food", "calorie", "calories", "kcal", "protein", "carb",
                 "carbs", "drink", "drinking", "sleep", "sleeping")  # fmt: skip


# A goal months away ("to hit 140 kg within a year") is no next session: the estimated 1RM says
# how far off it is, and the evidence on progression answers how to get there.
_HORIZON = re.compile(
    r"\b(?:within|in|by|over)\s+(?:a|an|one|two|three|four|six|nine|twelve|\d+|the next|next)\s+"
    r"(?:years?|months?)\b|\bby (?:the )?(?:summer|christmas|next year|end of the year)\b",
    re.I,
)
# "stalled on ohp at 50kg for 3 wks", "stuck at 100 kg for two months"
_STALL = re.compile(
    r"\b(?:stall\w*|stuck|plateau\w*|(?:has|hasn'?t|have|haven'?t) (?:not )?moved|no progress)\b"
    r".{0,40}?\bfor (?:like |about |over |almost )?(?:\d+|a few|a couple of|several|two|three|"
    r"four|five|six) ?(?:wks?|weeks?|months?|mo|sessions?|workouts?)\b"
    # "benched 80kg for 5 for like 3 months now, stuck af"
    r"|\bfor (?:like |about |over |almost )?(?:\d+|a few|a couple of|several|two|three|four|five|six) ?"
    r"(?:wks?|weeks?|months?|mo)\b.{0,20}?\b(?:stall\w*|stuck|plateau\w*|no progress)\b",
    re.I,
)


# reps named as what to do next ("triples", "sets of 5"), not a count from the set itself
_PLANNED_REPS = re.compile(r"\b(?:singles|doubles|triples|sets of \d+)\b", re.I)


def asks_to_build(question: str) -> bool:
    """Whether some clause of the (lower-case) question asks about adding distance or load.

    >>> asks_to_build("ran 20, 25 and 30 km the last three weeks, is that too much?")
    True
    >>> asks_to_build("cycling 200km a week and still cant lose 4kg, am i eating too much?")
    False
    """
    return any(
        _has(clause, INTENTS["build"]) and not _has(clause, _NOT_DISTANCE)
        for clause in re.split(r"[,;.?!]", question)
    )


_HEART_RATE_WORDS = tuple(t for t in INTENTS["zones"] if t not in ("zone", "zones"))
# "zone 2" asked for as numbers, not as a share of the week
_ZONE_NUMBERS = ("my zones", "my zone", "calculate", "figure out", "work out", "what are",
                 "what is my", "set my", "set up")  # fmt: skip


def _asks_zones(question: str) -> bool:
    """Whether the question asks for heart-rate numbers: "how much of my riding should be zone
    2?" asks how to split the week, not for the zones' beats per minute.

    >>> _asks_zones("im 58, how much of my 250 km a week should be zone 2 vs the hard stuff?")
    False
    >>> _asks_zones("I'm 40, what are my heart rate zones?"), _asks_zones("58yo, work out my zones")
    (True, True)
    """
    if _has(question, _HEART_RATE_WORDS):
        return True
    return _has(question, ("zone", "zones")) and _has(question, _ZONE_NUMBERS)


def canonical_exercise(name: str | None) -> str | None:
    """A catalogue name for `name` ("squat" -> "back squat"), or the name as given."""
    if not name:
        return None
    from fitcoach.agent.tools.catalogue import find_exercises

    found = find_exercises(name)
    return found[0].name if found else name.lower().strip()


class Router:
    """Plans the tool calls for one question: `route()` returns them, `entries` are the sets
    the question reported (for the set log), `assumptions` and `questions` what was left open."""

    def __init__(
        self,
        question: str,
        parsed: Parsed,
        profile: AthleteProfile | None,
        set_log: Sequence[SetEntry],
        today: dt.date | None = None,
    ) -> None:
        self.q = question.lower()
        self.parsed = parsed
        self.profile = profile
        self.set_log = list(set_log)
        self.today = today or dt.date.today()
        self.default_unit = profile.units if profile is not None else "kg"
        self.assumptions: list[str] = []
        self.questions: list[str] = [n.text for n in parsed.questions]
        self.calls: list[ToolCall] = []
        self.entries = self._entries()

    # --- notes ------------------------------------------------------------------------------
    def _note(self, text: str) -> str:
        if text not in self.assumptions:
            self.assumptions.append(text)
        return text

    def _unit_of(self, value: float, unit: str | None, notes: list[str]) -> str:
        """The unit to compute in; a missing one is the default, said out loud."""
        if unit is not None:
            return unit
        other = "lb" if self.default_unit == "kg" else "kg"
        notes.append(
            self._note(
                f"No unit was given for {value:g}: computed in {self.default_unit}. If you "
                f"meant {other}, the arithmetic is the same with {other} in place of "
                f"{self.default_unit}."
            )
        )
        return self.default_unit

    def _load_notes(self, g: SetGroup) -> list[str]:
        notes = [n.text for n in self.parsed.assumptions if g.load is not None and (
            (n.code == "plates" and g.load.plates is not None)
            or n.code == f"unit_from_{g.load.unit_source}"  # the profile's or the message's unit
        )]  # fmt: skip
        for n in notes:
            self._note(n)
        return notes

    # --- the set log --------------------------------------------------------------------------
    def _entries(self) -> list[SetEntry]:
        """One entry per performed set that has reps and an external load."""
        out: list[SetEntry] = []
        for g in self.parsed.performed:
            load = g.load
            if not g.reps or load is None or load.value is None:
                continue
            unit = load.unit or self.default_unit
            rpe = self._rpe(g, [])
            for k in range(g.sessions):
                # Repeated sessions ("twice") are dated a day apart, oldest first.
                date = self.today - dt.timedelta(days=g.sessions - 1 - k)
                for reps in g.reps:
                    if not 1 <= reps <= MAX_REPS:
                        continue
                    try:
                        out.append(SetEntry(exercise=g.exercise or "lift", load=load.value,
                                            reps=reps, rpe=rpe, date=date, unit=unit))  # fmt: skip
                    except ValueError:
                        continue  # an implausible load (a typo) is not logged
        return out

    def _rpe(self, g: SetGroup, notes: list[str]) -> float | None:
        """The RPE to compute with: as written, the middle of a range, or 10 - RIR."""
        if g.rpe is not None and g.rpe_high is not None:
            mid = (g.rpe + g.rpe_high) / 2
            notes.append(self._note(f"RPE {g.rpe:g}-{g.rpe_high:g} read as {mid:g}."))
            return mid
        if g.rpe is not None:
            return g.rpe
        if g.rir is not None:
            rir = g.rir if g.rir_high is None else (g.rir + g.rir_high) / 2
            rpe = max(1.0, 10 - rir)
            notes.append(
                self._note(f"{rir:g} reps in reserve read as RPE {rpe:g} (RPE = 10 - RIR).")
            )
            return rpe
        return None

    # --- routes --------------------------------------------------------------------------------
    def route(self) -> list[ToolCall]:
        self._convert()
        self._strength()
        self._workload()
        self._chart()
        self._nutrition()
        self._endurance()
        return self.calls

    def _call(
        self, name: str, inputs: dict[str, Any], notes: list[str] = (), incidental: bool = False
    ) -> ToolCall:
        if notes:
            inputs = {**inputs, "notes": list(dict.fromkeys(notes))}
        call = ToolCall(name=name, inputs=inputs, incidental=incidental)
        self.calls.append(call)
        return call

    def _convert(self) -> None:
        self.converted: dict[str, Any] | None = None
        for c in self.parsed.conversions:
            self._call(
                "convert", {"value": c.value, "from_unit": c.from_unit, "to_unit": c.to_unit}
            )
            if self.converted is None:
                from fitcoach.agent.tools import convert

                result = convert(c.value, c.from_unit, c.to_unit)
                self.converted = {"value": c.value, "from": c.from_unit,
                                  "result": result.result, "to": c.to_unit}  # fmt: skip

    def _strength(self) -> None:
        performed = [g for g in self.parsed.performed if g.reps]
        asks = {k: _has(self.q, v) for k, v in INTENTS.items()}
        if _HORIZON.search(self.q):
            asks["next"] = False
        targets = [g for g in self.parsed.sets if g.load is None and g.reps and (
            g.rpe is not None or g.rir is not None) and len(g.reps) == 1]  # fmt: skip
        with_load = [g for g in performed if g.load is not None and g.load.value is not None
                     and not (g.load.bodyweight and g.load.value is None)]  # fmt: skip
        chain: list[str] = []
        if not with_load and self.converted and performed:
            # "Convert 225 lb to kg and give my 1RM for 3 reps": the set's load is the result.
            group, note = self._with_converted(performed[0])
            with_load, chain = [group], [note]
        targets = [t for t in targets if all(t is not g for g in with_load)]
        assumed = self._target_at_same_rpe(targets, with_load)
        if assumed is not None:
            targets = [assumed]
        one_rm_done = False
        # a set given with another question ("how many sets a week for chest?") still gets its
        # estimate, after the evidence that answers what was asked
        incidental = not asks["one_rm"] and not targets and not asks["next"]
        for g in self._top_sets(with_load):
            notes = chain + self._load_notes(g)
            rpe = self._rpe(g, notes)
            unit = self._unit_of(g.load.value, g.load.unit, notes)
            reps = max(g.reps) if rpe is None else g.reps[-1]
            usable_rpe = rpe is not None and 6.5 <= rpe <= 10 and reps <= 12
            target = targets[0] if targets else None
            if usable_rpe and (asks["one_rm"] or target or not asks["next"]):
                inputs = {"reps": reps, "rpe": rpe, "load": g.load.value, "unit": unit}
                if target is not None:
                    trpe = self._rpe(target, notes)
                    if trpe is not None and 6.5 <= trpe <= 10 and target.reps[0] <= 12:
                        inputs.update(target_reps=target.reps[0], target_rpe=trpe)
                        if target is assumed:
                            notes.append(self._note(
                                f"The {target.reps[0]}-rep sets are taken at RPE {trpe:g}, as hard "
                                "as the set you gave; say another RPE for another load."
                            ))  # fmt: skip
                self._call("rpe-load", inputs, notes, incidental=incidental and target is None)
                one_rm_done = True
            elif asks["one_rm"] or target is not None or not asks["next"]:
                inputs = {"load": g.load.value, "reps": min(reps, MAX_REPS), "unit": unit}
                formula = next((f for f in _FORMULAS if f in self.q), None)
                if formula:
                    inputs["formula"] = formula
                if rpe is not None:
                    notes.append(self._note(
                        f"The set was not to failure (RPE {rpe:g}), so this estimate is low."
                    ))  # fmt: skip
                self._call("one-rep-max", inputs, notes, incidental=incidental)
                one_rm_done = True
                if target is not None:
                    self._rpe_from_e1rm(inputs, target, notes)
        if not one_rm_done:
            self._rpe_from_stated_1rm(targets)
            if not with_load and not self.parsed.one_rms and _has(self.q, _ESTIMATE_1RM) and _has(
                self.q, ("estimate", "calculate", "work out", "figure out", "predict", "my 1rm",
                         "my one rep max", "my max")
            ):  # fmt: skip
                # "can I estimate my 1RM off a set of 5?": the calculator needs the set itself
                self.questions.append(
                    "What load did you lift, for how many reps (10 or fewer), and how close to failure?"
                )
        # "What load for a triple at RPE 9?" asks about the target, not the next session. A
        # stall of weeks told in one line is no session log: the rules need the sessions, and
        # the evidence on deloads and program changes answers it.
        about_target = targets and not _has(self.q, ("next", "progress", "stuck"))
        if asks["next"] and not about_target and (self.set_log or not _STALL.search(self.q)):
            self._next_load()

    def _target_at_same_rpe(self, targets: list[SetGroup], with_load: list[SetGroup]) -> SetGroup | None:
        """"100 kg x 5 @ 8 today, what should I load for triples?": the triples at the RPE of
        the set given, when the question names no RPE for them."""
        rated = next((g for g in with_load if g.rpe is not None and g.reps), None)
        if targets or rated is None:
            return None
        bare = next((g for g in self.parsed.sets if g.load is None and g.reps and len(g.reps) == 1
                     and g.rpe is None and g.rir is None and g.reps[0] != max(rated.reps)
                     and _PLANNED_REPS.search(g.text)), None)  # fmt: skip
        return bare.model_copy(update={"rpe": rated.rpe}) if bare is not None else None

    def _with_converted(self, g: SetGroup) -> tuple[SetGroup, str]:
        from fitcoach.agent.parse import Load

        c = self.converted
        note = self._note(
            f"Load {c['result']:g} {c['to']} is the {c['value']:g} {c['from']} converted "
            "(1 lb = 0.45359237 kg)."
        )
        load = Load(value=c["result"], unit=c["to"], unit_source="stated")
        return g.model_copy(update={"load": load}), note

    def _top_sets(self, groups: list[SetGroup]) -> list[SetGroup]:
        """Per exercise, the heaviest set group (most reps on a tie): one estimate each."""
        best: dict[str | None, SetGroup] = {}
        for g in groups:
            key = g.exercise
            held = best.get(key)
            if held is None or (g.load.value, max(g.reps)) > (held.load.value, max(held.reps)):
                best[key] = g
        return list(best.values())[:3]

    def _rpe_from_e1rm(self, inputs: dict[str, Any], target: SetGroup, notes: list[str]) -> None:
        """1RM then load for reps @ RPE: the e1RM the tool computed is the chart's 1RM."""
        from fitcoach.agent.tools import one_rep_max

        trpe = self._rpe(target, notes)
        if trpe is None or not 6.5 <= trpe <= 10 or target.reps[0] > 12:
            return
        e1rm = one_rep_max(inputs["load"], inputs["reps"], inputs.get("formula", "epley"),
                           inputs["unit"]).one_rm  # fmt: skip
        notes = [*notes, self._note(f"1RM {e1rm:g} {inputs['unit']} is the estimate above.")]
        self._call("rpe-load", {"reps": target.reps[0], "rpe": trpe, "one_rm": e1rm,
                                "unit": inputs["unit"]}, notes)  # fmt: skip

    def _rpe_from_stated_1rm(self, targets: list[SetGroup]) -> None:
        if not targets or not self.parsed.one_rms:
            return
        stated = self.parsed.one_rms[0]
        if stated.load.value is None:
            return
        notes: list[str] = []
        unit = self._unit_of(stated.load.value, stated.load.unit, notes)
        for target in targets[:2]:
            rpe = self._rpe(target, notes)
            if rpe is None or not 6.5 <= rpe <= 10 or target.reps[0] > 12:
                continue
            self._call("rpe-load", {"reps": target.reps[0], "rpe": rpe,
                                    "one_rm": stated.load.value, "unit": unit}, notes)  # fmt: skip

    def _next_load(self) -> None:
        log = [*self.set_log, *self.entries]
        if not log:
            return
        named = canonical_exercise(self._exercise_named())
        same = [s for s in log if canonical_exercise(s.exercise) == named] if named else []
        chosen = same or [s for s in log if s.exercise == log[-1].exercise]
        inputs: dict[str, Any] = {
            "log": [s.model_dump(mode="json") for s in chosen[-12:]],
            "exercise": chosen[-1].exercise,
            **self._rep_goal(chosen),
        }
        if self.profile is not None and self.profile.training_status:
            inputs["training_status"] = self.profile.training_status
        notes = [n for n in self.assumptions if n.startswith(("No unit", "RPE", "2 plates"))]
        self._call("next-load", inputs, notes)

    def _exercise_named(self) -> str | None:
        for g in self.parsed.sets:
            if g.exercise:
                return g.exercise
        from fitcoach.agent.tools.catalogue import find_exercises

        found = find_exercises(self.q)
        return found[0].name if found else None

    def _rep_goal(self, log: list[SetEntry]) -> dict[str, int]:
        """The target the question states (programme, rep range), else the reps a set beat,
        else the reps the log shows most often."""
        for g in self.parsed.targets:
            if g.rep_range and g.rep_range[0] < g.rep_range[1]:
                return {"rep_min": g.rep_range[0], "rep_max": g.rep_range[1]}
            if g.reps:
                return {"target_reps": g.reps[0]}
        for g in self.parsed.performed:
            if g.goal_reps:
                return {"target_reps": g.goal_reps}
            if g.rep_range and g.rep_range[0] < g.rep_range[1]:
                return {"rep_min": g.rep_range[0], "rep_max": g.rep_range[1]}
        reps = [s.reps for s in log]
        return {"target_reps": max(set(reps), key=reps.count)}

    def _workload(self) -> None:
        p = self.parsed
        if p.acute is not None and p.chronic is not None:
            self._call("workload-ratio", {"acute": p.acute, "chronic": p.chronic})
            return
        series = next((s for s in p.series if len(s.values) >= 4), None)
        if series is None or not _has(self.q, INTENTS["workload"]):
            return
        notes = []
        if series.unit in ("km", "mi", "min", "h"):
            notes.append(self._note(
                f"Weekly totals in {series.unit} used as the load (oldest first, one per week)."
            ))  # fmt: skip
        self._call("workload-ratio", {"loads": series.values, "period": "week"}, notes)

    def _chart(self) -> None:
        if not _has(self.q, INTENTS["chart"]):
            return
        stated = next((o for o in self.parsed.one_rms if o.load.value is not None), None)
        if stated is None:
            self._call("rir-chart", {})
            return
        notes: list[str] = []
        unit = self._unit_of(stated.load.value, stated.load.unit, notes)
        self._call("rir-chart", {"one_rm": stated.load.value, "unit": unit}, notes)

    # --- nutrition and endurance ---------------------------------------------------------------
    def _body_mass(self, notes: list[str]) -> tuple[float, str] | None:
        """The athlete's body mass and unit, from what they wrote; None asks for it."""
        mass = self.parsed.body_mass
        if mass is None and self.parsed.loads:
            mass = self.parsed.loads[0]
            notes.append(self._note(f"{mass.value:g} {mass.unit or ''} read as your body weight."
                                    .replace("  ", " ")))  # fmt: skip
        if mass is None or mass.value is None:
            if "What is your body weight (kg or lb)?" not in self.questions:
                self.questions.append("What is your body weight (kg or lb)?")
            return None
        unit = self._unit_of(mass.value, mass.unit, notes)
        return mass.value, unit

    def _fluid(self) -> None:
        """The fluid a session's weight loss calls for, when the question asks what to drink."""
        lost = _SESSION_LOSS.search(self.q)
        if not lost or not _has(self.q, _FLUID) or not _SESSION.search(self.q):
            return
        value, unit = float(lost.group(1)), normalize_unit(lost.group(2))
        if convert_value(value, unit, "kg") > 6:
            return  # a diet's total, not a session's sweat
        inputs: dict[str, Any] = {"mass_lost": value, "unit": unit}
        mass = self.parsed.body_mass
        if mass is not None and mass.value is not None and (mass.unit or unit) == unit and mass.value > value:
            inputs["body_mass"] = mass.value
        self._call("fluid", inputs)

    def _nutrition(self) -> None:
        self._fluid()
        asks = {k: _has(self.q, INTENTS[k]) for k in ("protein", "carbohydrate", "caffeine",
                                                      "creatine", "deficit")}  # fmt: skip
        loss = self.parsed.loss_per_week
        if not any(asks.values()) and loss is None:
            return
        notes: list[str] = []
        mass = None
        given = self.parsed.body_mass is not None or bool(self.parsed.loads)
        per_kg = _has(self.q, INTENTS["per_kg"])
        # a rate per hour ("carbs per hour in a race") does not scale with body weight, and the
        # calculators give daily amounts: the evidence answers it
        hourly = _has(self.q, INTENTS["hourly"])
        if hourly:
            asks["carbohydrate"] = False
        # a weight given is a number to work with; an amount asked needs one ("been on 5g a
        # day for a year" tells a dose, it does not ask for one)
        asked = _DOSE_TAKEN.sub(" ", self.q)
        amount = given or (_has(asked, INTENTS["amount"]) and not per_kg and not hourly)
        if amount and (asks["protein"] or asks["carbohydrate"] or asks["caffeine"] or asks["creatine"]):
            mass = self._body_mass(notes)
        if mass is not None:
            base = {"body_mass": mass[0], "unit": mass[1]}
            if asks["protein"]:
                cutting = loss is not None or _has(
                    self.q, ("cut", "cutting", "deficit", "diet", "dieting", "lose", "losing")
                )
                goal = "energy_deficit" if cutting else "build"
                self._call("protein", {**base, "goal": goal}, notes)
            if asks["carbohydrate"]:
                self._carbohydrate(base, notes)
            if asks["caffeine"]:
                self._call("caffeine", base, notes)
            if asks["creatine"]:
                self._call("creatine", base, notes)
        if loss is not None and loss.value is not None:
            self._deficit(loss.value, loss.unit or self.default_unit)

    def _carbohydrate(self, base: dict[str, Any], notes: list[str]) -> None:
        hours = self.parsed.hours_per_day
        if hours is not None:
            self._call("carbohydrate", {**base, "hours_per_day": hours[1]}, notes)
            return
        load = next((band for band, words in _CARB_LOAD if _has(self.q, words)), None)
        if load is None:
            self.questions.append("How many hours a day do you train, and how hard?")
            return
        self._call("carbohydrate", {**base, "load": load}, notes)

    def _deficit(self, rate: float, unit: str) -> None:
        inputs: dict[str, Any] = {"rate": rate, "unit": unit}
        notes: list[str] = []
        mass = self.parsed.body_mass
        if mass is not None and mass.value is not None:
            if (mass.unit or unit) == unit:
                inputs["body_mass"] = mass.value
            else:
                from fitcoach.agent.tools import convert

                inputs["body_mass"] = convert(mass.value, mass.unit, unit).result
                notes.append(self._note(
                    f"Body weight {mass.value:g} {mass.unit} = {inputs['body_mass']:g} {unit}."
                ))  # fmt: skip
        self._call("energy-deficit", inputs, notes)

    def _endurance(self) -> None:
        p = self.parsed
        age = p.age if p.age is not None else (self.profile.age if self.profile else None)
        if (
            _asks_zones(self.q)
            and (p.max_hr or age)
            and "heart-rate-zones" not in [c.name for c in self.calls]
        ):
            inputs = {k: v for k, v in (("age", age), ("max_hr", p.max_hr),
                                        ("resting_hr", p.resting_hr)) if v is not None}  # fmt: skip
            if p.max_hr is None and age is not None and not 10 <= age <= 100:
                return
            self._call("heart-rate-zones", inputs)
        distance = next((s for s in p.series if s.unit in ("km", "mi")), None)
        if not asks_to_build(self.q):
            return
        if distance is not None:
            self._call("running-progression", {"history": distance.values, "unit": distance.unit})
        elif p.weekly_distance is not None:
            d = p.weekly_distance
            self._call("running-progression", {"weekly_distance": d.values[0], "unit": d.unit})
