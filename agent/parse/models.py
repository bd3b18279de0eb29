"""Typed statements the parser finds in what an athlete writes. Every number keeps whether it
was written (`derived=False`) or worked out (a set count from a list of reps, a load from
"2 plates"), so a test can check that no written number is invented."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Unit = Literal["kg", "lb"]
UnitSource = Literal["stated", "message", "profile"]
SeriesUnit = Literal["km", "mi", "au", "min", "h"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Load(_Model):
    """A load as written: a number and unit, bodyweight (optionally plus added load), or plates."""

    value: float | None = Field(None, description="External load; None for bodyweight alone.")
    unit: Unit | None = Field(None, description="None when the message gave no unit.")
    unit_source: UnitSource | None = Field(None, description="Where the unit came from.")
    bodyweight: bool = Field(False, description="Bodyweight exercise (value = added load).")
    plates: int | None = Field(None, description="Plates a side, when written as plates.")
    derived: bool = Field(False, description="Value worked out (from plates), not written.")

    def brief(self) -> str:
        """Compact form for tables: `40 kg`, `100 ?` (no unit), `bw`, `bw+20 kg`,
        `225 lb (2 plates)`."""
        unit = self.unit or "?"
        if self.bodyweight:
            return "bw" if self.value is None else f"bw+{_num(self.value)} {unit}"
        text = f"{_num(self.value)} {unit}"
        return f"{text} ({self.plates} plates)" if self.plates is not None else text


class SetGroup(_Model):
    """Sets of one exercise at one load: performed, or the target a programme sets."""

    kind: Literal["performed", "target"] = "performed"
    exercise: str | None = Field(None, description="Catalogue name, e.g. `back squat`.")
    exercise_text: str | None = Field(None, description="The words that named it.")
    sets: int | None = None
    sets_derived: bool = Field(False, description="Counted from a list of reps, not written.")
    reps: list[int] = Field(default_factory=list, description="Reps of each set, in order.")
    rep_range: tuple[int, int] | None = Field(None, description="`3x8-10`: (8, 10).")
    goal_reps: int | None = Field(None, description="Scheme reps when a set beat them.")
    load: Load | None = None
    rpe: float | None = None
    rpe_high: float | None = Field(None, description="Top of an RPE range (`RPE 8-9`).")
    rir: float | None = Field(None, description="Reps in reserve, as written.")
    rir_high: float | None = None
    amrap: bool = Field(False, description="Last (or only) set as many reps as possible.")
    sessions: int = Field(1, description="How many sessions this describes ('twice' = 2).")
    sessions_written: bool = Field(False, description="`sessions` came from the message.")
    text: str = Field("", description="The part of the message it was read from.")

    def brief(self) -> dict:
        out: dict = {}
        if self.kind != "performed":
            out["kind"] = self.kind
        if self.exercise:
            out["ex"] = self.exercise
        if self.sets is not None:
            out["sets"] = self.sets
        if self.reps:
            out["reps"] = list(self.reps)
        if self.rep_range:
            out["range"] = list(self.rep_range)
        if self.goal_reps is not None:
            out["goal"] = self.goal_reps
        if self.load is not None:
            out["load"] = self.load.brief()
        if self.rpe is not None:
            out["rpe"] = (
                _num(self.rpe) if self.rpe_high is None else [_num(self.rpe), _num(self.rpe_high)]
            )
        if self.rir is not None:
            out["rir"] = (
                _num(self.rir) if self.rir_high is None else [_num(self.rir), _num(self.rir_high)]
            )
        if self.amrap:
            out["amrap"] = True
        if self.sessions != 1:
            out["sessions"] = self.sessions
        return out


class Series(_Model):
    """Successive totals, oldest first: weekly distances or loads ("20, 22, 25 and 40 km")."""

    values: list[float]
    unit: SeriesUnit | None = None


class OneRepMax(_Model):
    exercise: str | None = None
    load: Load


class Conversion(_Model):
    value: float
    from_unit: Unit
    to_unit: Unit


class Note(_Model):
    """An assumption the reader must see, or a question the coach should ask."""

    code: str = Field(description="Stable code, e.g. `unit_missing`.")
    text: str


class Parsed(_Model):
    """Everything the parser read from one message."""

    text: str
    sets: list[SetGroup] = Field(default_factory=list)
    series: list[Series] = Field(default_factory=list)
    acute: float | None = None
    chronic: float | None = None
    one_rms: list[OneRepMax] = Field(default_factory=list)
    conversions: list[Conversion] = Field(default_factory=list)
    body_mass: Load | None = Field(None, description="The athlete's body mass.")
    loads: list[Load] = Field(
        default_factory=list, description="Masses written with no exercise, sets or role."
    )
    max_hr: int | None = None
    resting_hr: int | None = None
    age: int | None = None
    weekly_distance: Series | None = Field(None, description="Current weekly distance.")
    loss_per_week: Load | None = Field(None, description="Target rate of weight loss per week.")
    hours_per_day: tuple[float, float] | None = Field(None, description="Training hours a day.")
    hours_from_minutes: bool = Field(False, description="Hours worked out from minutes.")
    frequency: int | None = Field(None, description="Sessions a week.")
    assumptions: list[Note] = Field(default_factory=list)
    questions: list[Note] = Field(default_factory=list)

    @property
    def performed(self) -> list[SetGroup]:
        return [g for g in self.sets if g.kind == "performed"]

    @property
    def targets(self) -> list[SetGroup]:
        return [g for g in self.sets if g.kind == "target"]

    def brief(self) -> dict:
        """The compact form the phrasing table states (empty fields left out)."""
        out: dict = {}
        if self.sets:
            out["sets"] = [g.brief() for g in self.sets]
        if self.series:
            out["series"] = [
                {"values": [_num(v) for v in s.values], **({"unit": s.unit} if s.unit else {})}
                for s in self.series
            ]
        for key in ("acute", "chronic", "max_hr", "resting_hr", "age", "frequency"):
            value = getattr(self, key)
            if value is not None:
                out[key] = _num(value)
        if self.one_rms:
            out["one_rm"] = [
                {**({"ex": o.exercise} if o.exercise else {}), "load": o.load.brief()}
                for o in self.one_rms
            ]
        if self.conversions:
            out["convert"] = [
                f"{_num(c.value)} {c.from_unit} -> {c.to_unit}" for c in self.conversions
            ]
        if self.body_mass is not None:
            out["body_mass"] = self.body_mass.brief()
        if self.loads:
            out["loads"] = [load.brief() for load in self.loads]
        if self.weekly_distance is not None:
            d = self.weekly_distance
            out["weekly_distance"] = f"{_num(d.values[0])} {d.unit}"
        if self.loss_per_week is not None:
            out["loss_per_week"] = self.loss_per_week.brief()
        if self.hours_per_day is not None:
            low, high = self.hours_per_day
            out["hours_per_day"] = _num(low) if low == high else [_num(low), _num(high)]
        if self.assumptions:
            out["assume"] = [n.code for n in self.assumptions]
        if self.questions:
            out["ask"] = [n.code for n in self.questions]
        return out

    def numbers(self) -> list[tuple[float, bool]]:
        """Every number read, as (value, derived): derived ones were worked out, not written."""
        out: list[tuple[float, bool]] = []
        for g in self.sets:
            if g.sets is not None:
                out.append((g.sets, g.sets_derived))
            out += [(r, False) for r in g.reps]
            out += [(v, False) for v in g.rep_range or ()]
            if g.goal_reps is not None:
                out.append((g.goal_reps, False))
            for v in (g.rpe, g.rpe_high, g.rir, g.rir_high):
                if v is not None:
                    out.append((v, False))
            if g.load is not None and g.load.value is not None:
                out.append((g.load.value, g.load.derived))
            if g.load is not None and g.load.plates is not None:
                out.append((g.load.plates, False))
            if g.sessions_written:
                out.append((g.sessions, False))
        for s in [*self.series, *([self.weekly_distance] if self.weekly_distance else [])]:
            out += [(v, False) for v in s.values]
        for v in (self.acute, self.chronic, self.max_hr, self.resting_hr, self.age,
                  self.frequency):  # fmt: skip
            if v is not None:
                out.append((v, False))
        for o in self.one_rms:
            out.append((o.load.value, o.load.derived))
        out += [(c.value, False) for c in self.conversions]
        for load in (self.body_mass, self.loss_per_week, *self.loads):
            if load is not None and load.value is not None:
                out.append((load.value, False))
        out += [(v, self.hours_from_minutes) for v in self.hours_per_day or ()]
        return out


def _num(value: float | int | None) -> float | int | None:
    """3.0 -> 3, 2.5 -> 2.5: numbers as people write them, for compact tables."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)
