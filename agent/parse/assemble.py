"""From grammar atoms to typed statements: which sets belong to which exercise, which load and
effort belong to which sets, and what the message left unsaid (a unit) - stated as a note or
asked as a question, never guessed silently."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from .models import Conversion, Load, Note, OneRepMax, Parsed, SeriesUnit, SetGroup, Unit
from .models import Series as SeriesModel
from .tokens import Atom

REP_KINDS = {"load_reps", "scheme", "reps_at", "reps_list", "reps"}
SET_KINDS = REP_KINDS | {
    "sets_only", "load", "rpe", "rir", "amrap", "last_set", "repeat", "target", "rep_range"
}  # fmt: skip
# A standard barbell: 45 lb bar and 45 lb plates, or 20 kg bar and 20 kg plates.
PLATE = {"lb": (45.0, 45.0), "kg": (20.0, 20.0)}
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)|\n")
_MASS_UNIT = {"kg": re.compile(r"(?<![a-z])(?:kgs?|kilos?|kilograms?)(?![a-z])", re.I),
              "lb": re.compile(r"(?<![a-z])(?:lbs?|pounds?)(?![a-z])", re.I)}  # fmt: skip


def message_unit(text: str) -> Unit | None:
    """The one mass unit a message writes anywhere ("im 70kg, squat stuck at 100x5"): a load
    given without one is in it. None when it writes none, or both.

    >>> message_unit("im 34, 70kg, squat stuck at 100x5"), message_unit("100x5, 180 lb me, 80 kg her")
    ('kg', None)
    """
    found = [unit for unit, rx in _MASS_UNIT.items() if rx.search(text)]
    return found[0] if len(found) == 1 else None  # type: ignore[return-value]


@dataclass
class _Draft:
    """A set group being put together from consecutive atoms."""

    start: int
    end: int
    kind: str = "performed"
    sets: int | None = None
    sets_derived: bool = False
    reps: list[int] = field(default_factory=list)
    rep_range: tuple[int, int] | None = None
    goal: int | None = None
    load: dict[str, Any] | None = None
    rpe: tuple[float, float | None] | None = None
    rir: tuple[float, float | None] | None = None
    amrap: bool = False
    sessions: int | None = None
    closed: bool = False  # takes no more atoms (a stated rep range)

    @property
    def has_reps(self) -> bool:
        return bool(self.reps) or self.rep_range is not None

    @property
    def substantive(self) -> bool:
        return self.has_reps or self.load is not None or self.sets is not None


@functools.cache
def bodyweight_exercises() -> frozenset[str]:
    """Exercises done with the body as the load: any load written for them is added load."""
    from fitcoach.agent.tools.catalogue import exercises

    own = {"bodyweight", "pull-up bar", "dip bars", "rings"}
    return frozenset(e.name for e in exercises() if set(e.equipment) <= own)


def _sentences(text: str) -> list[int]:
    """Start offsets of each sentence."""
    return [0] + [m.end() for m in _SENTENCE_END.finditer(text)]


def _sentence_of(starts: list[int], pos: int) -> int:
    return max(i for i, s in enumerate(starts) if s <= pos)


class Assembler:
    def __init__(self, text: str, atoms: list[Atom], units: Unit | None, original: str) -> None:
        self.text = text
        self.original = original  # same length as `text`: spans index both
        self.atoms = atoms
        self.units = units
        self.message_unit = message_unit(original)
        self.starts = _sentences(text)
        self.result = Parsed(text=original)

    # --- set groups ---------------------------------------------------------------------
    def groups(self) -> list[tuple[_Draft, Atom | None]]:
        """Each sentence's set atoms, split by the exercises named in it, merged into drafts
        paired with their exercise atom."""
        by_sentence: dict[int, list[Atom]] = {}
        for atom in self.atoms:
            if atom.kind in SET_KINDS or atom.kind == "exercise":
                by_sentence.setdefault(_sentence_of(self.starts, atom.start), []).append(atom)
        out: list[tuple[_Draft, Atom | None]] = []
        last_ex: Atom | None = None
        for _, items in sorted(by_sentence.items()):
            exercises = [a for a in items if a.kind == "exercise"]
            sets = [a for a in items if a.kind != "exercise"]
            if not sets:
                last_ex = exercises[-1] if exercises else last_ex
                continue
            segments = self._segments(items, exercises, last_ex)
            for ex, seg in segments:
                drafts = self._merge(seg)
                # A bare set count ("2 or 3 sets?") says nothing unless an exercise owns it.
                real = [d for d in drafts if d.substantive and (ex or d.has_reps or d.load)]
                if not real and out and not exercises:
                    # "RPE 8." after a set in the previous sentence: it belongs to that set.
                    for d in drafts:
                        self._absorb(out[-1][0], d)
                    continue
                out += [(d, ex) for d in real]
            if exercises:
                last_ex = exercises[-1]
        return out

    def _segments(
        self, items: list[Atom], exercises: list[Atom], carried: Atom | None
    ) -> list[tuple[Atom | None, list[Atom]]]:
        if not exercises:
            return [(carried, [a for a in items if a.kind != "exercise"])]
        first_set = next(i for i, a in enumerate(items) if a.kind != "exercise")
        first_ex = next(i for i, a in enumerate(items) if a.kind == "exercise")
        segments: list[tuple[Atom | None, list[Atom]]] = []
        if first_set < first_ex:
            # Postfix: "3x10 at 40 kg on the leg press, RPE 6" - sets name their exercise
            # after them; anything after the last exercise still belongs to it.
            current: list[Atom] = []
            for atom in items:
                if atom.kind == "exercise":
                    segments.append((atom, current))
                    current = []
                else:
                    current.append(atom)
            if current:
                ex, seg = segments[-1]
                segments[-1] = (ex, seg + current)
        else:
            # Prefix: "squat 3x5 at 100 kg, bench 3x8 at 60 kg".
            for atom in items:
                if atom.kind == "exercise":
                    segments.append((atom, []))
                else:
                    segments[-1][1].append(atom)
        return [(ex, seg) for ex, seg in segments if seg]

    def _merge(self, atoms: list[Atom]) -> list[_Draft]:
        drafts: list[_Draft] = []
        target = False
        repeat: int | None = None

        def new(atom: Atom) -> _Draft:
            nonlocal target, repeat
            d = _Draft(start=atom.start, end=atom.end)
            if target:
                d.kind, target = "target", False
            if repeat is not None:
                d.sessions, repeat = repeat, None
            drafts.append(d)
            return d

        for atom in atoms:
            v = atom.values
            cur = drafts[-1] if drafts and not drafts[-1].closed else None
            if atom.kind == "target":
                target = True
                continue
            if atom.kind == "rep_range":  # "in an 8-12 rep range": the goal, not a set
                drafts.append(
                    _Draft(atom.start, atom.end, "target", rep_range=v["range"], closed=True)
                )
                continue
            if atom.kind == "repeat":
                if cur is not None and cur.sessions is None and cur.substantive:
                    cur.sessions, cur.end = v["n"], max(cur.end, atom.end)
                else:
                    repeat = v["n"]
                continue
            if atom.kind in REP_KINDS:
                d = cur if cur is not None and not cur.has_reps else None
                if d is None or (target and d.kind != "target"):
                    d = new(atom)
                self._fill(d, v)
            elif atom.kind == "sets_only":
                d = cur if cur is not None and cur.sets is None else new(atom)
                d.sets = v["sets"]
                if len(d.reps) == 1 and d.sets > 1:
                    d.reps = d.reps * d.sets
            elif atom.kind == "load":
                d = cur if cur is not None and cur.load is None else new(atom)
                d.load = dict(v)
            elif atom.kind == "last_set":
                if cur is None or not cur.reps:
                    continue
                cur.goal = cur.goal or cur.reps[-1]
                cur.reps[-1] = v["reps"]
                d = cur
            else:  # rpe, rir, amrap
                d = cur
                taken = {"rpe": d and d.rpe, "rir": d and d.rir, "amrap": d and d.amrap}
                if d is None or taken[atom.kind]:
                    d = new(atom)
                if atom.kind == "rpe":
                    d.rpe = (v["rpe"], v["rpe_high"])
                elif atom.kind == "rir":
                    d.rir = (v["rir"], v["rir_high"])
                else:
                    d.amrap = True
            d.start, d.end = min(d.start, atom.start), max(d.end, atom.end)
        return drafts

    @staticmethod
    def _fill(d: _Draft, v: dict[str, Any]) -> None:
        if v.get("range"):
            d.rep_range = v["range"]
        if v.get("reps"):
            d.reps = list(v["reps"])
            if d.sets is not None and len(d.reps) == 1 and d.sets > 1:
                d.reps = d.reps * d.sets  # "3 sets ... 10 reps each"
        if v.get("sets") is not None:
            d.sets = v["sets"]
            d.sets_derived = bool(v.get("sets_derived"))
        if v.get("amrap"):
            d.amrap = True
        if "value" in v and d.load is None:
            d.load = {"value": v["value"], "unit": v.get("unit")}
        if "plates" in v and d.load is None:
            d.load = {"plates": v["plates"]}
        if v.get("bw") and d.load is None:
            d.load = {"bw": True}

    @staticmethod
    def _absorb(into: _Draft, extra: _Draft) -> None:
        into.rpe = into.rpe or extra.rpe
        into.rir = into.rir or extra.rir
        into.amrap = into.amrap or extra.amrap
        into.sessions = into.sessions or extra.sessions

    def set_group(self, d: _Draft, ex: Atom | None) -> SetGroup:
        load = self._load(d.load, what="load") if d.load else None
        if load is not None and ex is not None and ex.values["name"] in bodyweight_exercises():
            load = load.model_copy(update={"bodyweight": True})  # dips with 20 kg = bw + 20 kg
        sets = d.sets
        if sets is None and d.reps:
            sets = len(d.reps)
        return SetGroup(
            kind=d.kind,
            exercise=ex.values["name"] if ex else None,
            exercise_text=ex.values["text"] if ex else None,
            sets=sets,
            sets_derived=d.sets_derived or (d.sets is None and bool(d.reps)),
            reps=d.reps,
            rep_range=d.rep_range,
            goal_reps=d.goal,
            load=load,
            rpe=d.rpe[0] if d.rpe else None,
            rpe_high=d.rpe[1] if d.rpe else None,
            rir=d.rir[0] if d.rir else None,
            rir_high=d.rir[1] if d.rir else None,
            amrap=d.amrap,
            sessions=d.sessions or 1,
            sessions_written=d.sessions is not None,
            text=self.original[self._span_start(d, ex) : d.end],
        )

    def _span_start(self, d: _Draft, ex: Atom | None) -> int:
        same = ex is not None and _sentence_of(self.starts, ex.start) == _sentence_of(
            self.starts, d.start
        )
        return min(d.start, ex.start) if same else d.start

    # --- loads and units ------------------------------------------------------------------
    def _load(self, raw: dict[str, Any], what: str) -> Load:
        if raw.get("plates") is not None:
            return self._plates(raw["plates"])
        value, unit = raw.get("value"), raw.get("unit")
        source = "stated" if unit else None
        if value is not None and unit is None:
            shown = f"{value:g}"
            found = (
                (self.message_unit, "message", "the unit your message uses") if self.message_unit
                else (self.units, "profile", "the unit in your profile") if self.units
                else None
            )  # fmt: skip
            if found:
                unit, source, where = found
                self._note(
                    "assumptions",
                    f"unit_from_{source}",
                    f"No unit was given for {shown}: read as {unit}, {where}.",
                )
            else:
                self._note(
                    "questions",
                    "unit_missing",
                    f"No unit was given for {shown} ({what}): was it kg or lb?",
                )
        return Load(value=value, unit=unit, unit_source=source, bodyweight=bool(raw.get("bw")))

    def _plates(self, n: int) -> Load:
        unit: Unit = self.units or "lb"
        bar, plate = PLATE[unit]
        value = bar + 2 * plate * n
        if self.units:
            text = (
                f"{n} plate{'s' if n != 1 else ''} a side read as {value:g} {unit} "
                f"({bar:g} {unit} bar, {plate:g} {unit} plates, the unit in your profile)."
            )
        else:
            kg = PLATE["kg"][0] + 2 * PLATE["kg"][1] * n
            text = (
                f"{n} plate{'s' if n != 1 else ''} a side read as {value:g} lb (45 lb bar and "
                f"45 lb plates); with a 20 kg bar and 20 kg plates it is {kg:g} kg."
            )
        self._note("assumptions", "plates", text)
        return Load(value=value, unit=unit, unit_source="profile" if self.units else None,
                    plates=n, derived=True)  # fmt: skip

    def _note(self, where: str, code: str, text: str) -> None:
        notes: list[Note] = getattr(self.result, where)
        if all(n.text != text for n in notes):
            notes.append(Note(code=code, text=text))

    # --- everything else ------------------------------------------------------------------
    def others(self) -> None:
        r = self.result
        for atom in self.atoms:
            v = atom.values
            if atom.kind == "convert":
                r.conversions.append(Conversion(value=v["value"], from_unit=v["from"],
                                                to_unit=v["to"]))  # fmt: skip
            elif atom.kind == "acute":
                r.acute = v["value"]
            elif atom.kind == "chronic":
                r.chronic = v["value"]
            elif atom.kind == "heart":
                r.max_hr = int(v["max"]) if "max" in v else r.max_hr
                r.resting_hr = int(v["resting"]) if "resting" in v else r.resting_hr
            elif atom.kind == "body_mass" and r.body_mass is None:
                r.body_mass = self._load(v, what="body weight")
            elif atom.kind == "loss":
                r.loss_per_week = Load(value=v["value"], unit=v["unit"], unit_source="stated")
            elif atom.kind == "weekly":
                r.weekly_distance = SeriesModel(values=[v["value"]], unit=v["unit"])
            elif atom.kind == "hours":
                self._hours(v)
            elif atom.kind == "series":
                unit: SeriesUnit | None = v["unit"]
                r.series.append(SeriesModel(values=v["values"], unit=unit))
            elif atom.kind == "frequency":
                r.frequency = v["n"]
            elif atom.kind == "one_rm":
                r.one_rms.append(self._one_rm(atom))

    def _hours(self, v: dict[str, Any]) -> None:
        low, high = v["low"], v["high"]
        if v["minutes"]:
            low, high = round(low / 60, 2), round(high / 60, 2)  # derived, marked as such
            self.result.hours_from_minutes = True
        self.result.hours_per_day = (low, high)

    def _one_rm(self, atom: Atom) -> OneRepMax:
        v = atom.values
        name = v.get("ex")
        if name is None:
            # The lift named nearest before it in the same sentence ("my squat 1RM is ...").
            sentence = _sentence_of(self.starts, atom.start)
            before = [a for a in self.atoms if a.kind == "exercise" and a.end <= atom.start
                      and _sentence_of(self.starts, a.start) == sentence]  # fmt: skip
            name = before[-1].values["name"] if before else None
        return OneRepMax(exercise=name, load=self._load(v, what="1RM"))


# What someone cannot yet do is no set they did.
_CANNOT = re.compile(
    r"\b(?:can'?t|cannot|can not|couldn'?t|could not|unable to|not able to|never (?:done|managed))"
    r"\s+(?:\w+\s+){0,3}?(?:do|get|manage|lift|complete|hit)\b"
    r"(?!\s+(?:more|over|beyond|past)\b)",  # "can't do more than 5 at 100 kg" is a 5RM
    re.I,
)


def assemble(
    text: str, atoms: list[Atom], units: Unit | None = None, original: str | None = None
) -> Parsed:
    """Typed statements from the atoms the grammar found in `text` (normalised from
    `original`, character for character)."""
    a = Assembler(text, atoms, units, original if original is not None else text)
    for draft, ex in a.groups():
        if _CANNOT.search(a.original[max(0, draft.start - 12) : draft.end]):
            continue  # "can't do a single pull-up" is no set of one
        if ex is None and draft.load and not (draft.has_reps or draft.sets or draft.rpe
                                              or draft.rir or draft.amrap):  # fmt: skip
            # "for 68 kg": a mass with no exercise and no sets is not a set; keep it as one.
            # A bare number is no mass without them: "strength training at 15" is an age.
            if draft.load.get("unit") or draft.load.get("plates") is not None or draft.load.get("bw"):
                a.result.loads.append(a._load(draft.load, what="load"))
            continue
        a.result.sets.append(a.set_group(draft, ex))
    a.others()
    return a.result
