"""One-repetition-maximum estimates and the RIR-based RPE chart: the load arithmetic a coach
does in their head, done the same way every time and citing where the numbers come from."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal, NamedTuple

from pydantic import BaseModel, Field, field_validator, model_validator

from fitcoach.errors import ToolInputError, UnknownNameError

from . import references as refs
from .base import ToolInput, ToolResult, Unit, parse_inputs
from .profile import MAX_REPS, check_load
from .units import DEFAULT_INCREMENT, fmt, normalize_unit, round_to

RELIABLE_REPS = 10  # the equations were fitted on sets of roughly 10 reps or fewer


class Formula(NamedTuple):
    label: str
    text: str
    reference: str
    estimate: Callable[[float, int], float]


# Each maps (load, reps) to an estimated 1RM; a single rep is its own 1RM by definition.
FORMULAS: dict[str, Formula] = {
    "epley": Formula("Epley", "1RM = w x (1 + r/30)", refs.EPLEY, lambda w, r: w * (1 + r / 30)),
    "brzycki": Formula(
        "Brzycki", "1RM = w x 36 / (37 - r)", refs.BRZYCKI, lambda w, r: w * 36 / (37 - r)
    ),
    "lombardi": Formula("Lombardi", "1RM = w x r^0.10", refs.LOMBARDI, lambda w, r: w * r**0.10),
    "mayhew": Formula(
        "Mayhew",
        "1RM = 100 w / (52.2 + 41.9 e^(-0.055 r))",
        refs.MAYHEW,
        lambda w, r: 100 * w / (52.2 + 41.9 * math.exp(-0.055 * r)),
    ),
    "wathan": Formula(
        "Wathan",
        "1RM = 100 w / (48.8 + 53.8 e^(-0.075 r))",
        refs.WATHAN,
        lambda w, r: 100 * w / (48.8 + 53.8 * math.exp(-0.075 * r)),
    ),
}


def estimate_1rm(load: float, reps: int, formula: str = "epley") -> float:
    """Unrounded 1RM from one set; `reps == 1` returns the load itself."""
    if formula not in FORMULAS:
        raise UnknownNameError("1RM formula", formula, list(FORMULAS))
    return load if reps == 1 else FORMULAS[formula].estimate(load, reps)


class OneRepMaxInput(ToolInput):
    load: float = Field(description="Load lifted for the set.")
    reps: int = Field(ge=1, le=MAX_REPS, description="Repetitions completed, 1-30.")
    formula: Literal["epley", "brzycki", "lombardi", "mayhew", "wathan"] = Field(
        "epley", description="Equation to report as the estimate."
    )
    unit: Unit = Field("kg", description="kg or lb (lbs, pounds, kilos accepted).")

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, value: Any) -> Any:
        return normalize_unit(value)

    @model_validator(mode="after")
    def _load(self) -> OneRepMaxInput:
        check_load(self.load, self.unit)
        return self


class OneRepMaxResult(ToolResult):
    one_rm: float = Field(description="Estimated 1RM, rounded to 0.1.")
    unit: Unit
    formula: str
    load: float
    reps: int
    reliable: bool = Field(description="False above 10 reps, where the equations lose accuracy.")
    estimates: dict[str, float] = Field(description="Every equation's estimate, for comparison.")


def _one_rep_max(inp: OneRepMaxInput) -> OneRepMaxResult:
    chosen = FORMULAS[inp.formula]
    one_rm = round(estimate_1rm(inp.load, inp.reps, inp.formula), 1)
    estimates = {name: round(estimate_1rm(inp.load, inp.reps, name), 1) for name in FORMULAS}
    warnings = []
    reliable = inp.reps <= RELIABLE_REPS
    if not reliable:
        low, high = min(estimates.values()), max(estimates.values())
        warnings.append(
            f"{inp.reps} reps is beyond the ~{RELIABLE_REPS}-rep range these equations were "
            f"built on: the estimate is unreliable (equations disagree, {fmt(low)}-{fmt(high)} "
            f"{inp.unit}); test a heavier set of 3-6 reps instead."
        )
    rule = f"{chosen.label}: {chosen.text}, w = load, r = reps; 1 rep = the load itself"
    return OneRepMaxResult(
        one_rm=one_rm,
        unit=inp.unit,
        formula=inp.formula,
        load=inp.load,
        reps=inp.reps,
        reliable=reliable,
        estimates=estimates,
        warnings=warnings,
        summary=f"Estimated 1RM: {fmt(one_rm)} {inp.unit} "
        f"({chosen.label}, {fmt(inp.load)} {inp.unit} x {inp.reps})",
        rule=rule,
        reference=chosen.reference,
    )


def one_rep_max(
    load: float, reps: int, formula: str = "epley", unit: str = "kg"
) -> OneRepMaxResult:
    """Estimate a 1RM from one set, e.g. `one_rep_max(100, 5).one_rm == 116.7` (Epley)."""
    inputs = {"load": load, "reps": reps, "formula": formula, "unit": unit}
    return _one_rep_max(parse_inputs(OneRepMaxInput, inputs))


# --- RPE -----------------------------------------------------------------------------------

# %1RM by reps (rows, 1-12) and RPE (columns, 10 down to 6.5 in half steps): the RIR-based
# chart popularised by Tuchscherer's Reactive Training Systems and used with the Zourdos/Helms
# RIR scale. Every row is the row above shifted by one rep: the chart depends only on reps
# done + reps in reserve, which is how `percent_1rm` interpolates between cells.
RPE_COLUMNS = (10.0, 9.5, 9.0, 8.5, 8.0, 7.5, 7.0, 6.5)
RPE_CHART: dict[int, tuple[float, ...]] = {
    1: (100.0, 97.8, 95.5, 93.9, 92.2, 90.7, 89.2, 87.8),
    2: (95.5, 93.9, 92.2, 90.7, 89.2, 87.8, 86.3, 85.0),
    3: (92.2, 90.7, 89.2, 87.8, 86.3, 85.0, 83.7, 82.4),
    4: (89.2, 87.8, 86.3, 85.0, 83.7, 82.4, 81.1, 79.9),
    5: (86.3, 85.0, 83.7, 82.4, 81.1, 79.9, 78.6, 77.4),
    6: (83.7, 82.4, 81.1, 79.9, 78.6, 77.4, 76.2, 75.1),
    7: (81.1, 79.9, 78.6, 77.4, 76.2, 75.1, 73.9, 72.3),
    8: (78.6, 77.4, 76.2, 75.1, 73.9, 72.3, 70.7, 69.4),
    9: (76.2, 75.1, 73.9, 72.3, 70.7, 69.4, 68.0, 66.7),
    10: (73.9, 72.3, 70.7, 69.4, 68.0, 66.7, 65.3, 64.0),
    11: (70.7, 69.4, 68.0, 66.7, 65.3, 64.0, 62.6, 61.3),
    12: (68.0, 66.7, 65.3, 64.0, 62.6, 61.3, 59.9, 58.6),
}
CHART_RULE = (
    "RIR-based RPE chart (RPE 10 = 0 reps in reserve, 9 = 1, 8 = 2 ...; Tuchscherer/RTS "
    "%1RM table for 1-12 reps at RPE 6.5-10)"
)
CHART_REFERENCE = f"{refs.ZOURDOS}; {refs.HELMS}"
RIR_SCALE: dict[float, str] = {
    10.0: "maximal effort, no reps left",
    9.5: "no more reps, but a little more load was possible",
    9.0: "1 rep left",
    8.5: "1, maybe 2 reps left",
    8.0: "2 reps left",
    7.5: "2, maybe 3 reps left",
    7.0: "3 reps left",
    5.5: "4-6 reps left (RPE 5-6)",
    3.5: "light effort (RPE 3-4)",
    1.5: "little to no effort (RPE 1-2)",
}


def _chart_sequence() -> list[float]:
    """%1RM as a function of reps + RIR in half steps, 1.0 .. 15.5 (read off the table)."""
    seq: dict[float, float] = {}
    for reps, row in RPE_CHART.items():
        for rpe, pct in zip(RPE_COLUMNS, row, strict=True):
            seq.setdefault(reps + (10 - rpe), pct)
    return [seq[k] for k in sorted(seq)]


_SEQUENCE = _chart_sequence()


def percent_1rm(reps: int, rpe: float) -> float:
    """%1RM for `reps` at `rpe`, linear between chart cells; outside the chart raises."""
    if not 1 <= reps <= 12:
        raise ToolInputError(
            f"the RPE chart covers 1-12 reps (got {reps})",
            hint="use reps between 1 and 12, or one-rep-max for longer sets",
        )
    if not 6.5 <= rpe <= 10:
        raise ToolInputError(
            f"the RPE chart covers RPE 6.5-10, i.e. 0-3.5 reps in reserve (got {rpe:g})",
            hint="ratings below 6.5 are too far from failure to estimate a 1RM from",
        )
    position = (reps + (10 - rpe) - 1.0) * 2  # index into the half-step sequence
    low = math.floor(position)
    high = min(low + 1, len(_SEQUENCE) - 1)
    frac = position - low
    return _SEQUENCE[low] + (_SEQUENCE[high] - _SEQUENCE[low]) * frac


class RpeLoadInput(ToolInput):
    reps: int = Field(ge=1, le=MAX_REPS, description="Reps of the set (chart: 1-12).")
    rpe: float = Field(ge=1, le=10, description="RPE of the set, 1-10 (chart: 6.5-10).")
    one_rm: float | None = Field(None, description="Known 1RM: gives the load for reps @ RPE.")
    load: float | None = Field(None, description="Load of a set done at reps @ RPE: gives e1RM.")
    target_reps: int | None = Field(None, ge=1, le=12, description="With `load`: plan a next set.")
    target_rpe: float | None = Field(None, ge=1, le=10, description="With `target_reps`.")
    unit: Unit = Field("kg", description="kg or lb (lbs, pounds, kilos accepted).")
    increment: float | None = Field(
        None, gt=0, le=50, description="Round loads to this (default 2.5 kg / 5 lb)."
    )

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, value: Any) -> Any:
        return normalize_unit(value)

    @model_validator(mode="after")
    def _one_of(self) -> RpeLoadInput:
        if (self.one_rm is None) == (self.load is None):
            raise ValueError("give exactly one of `one_rm` (to get a load) or `load` (to get e1RM)")
        check_load(self.one_rm if self.one_rm is not None else self.load, self.unit)
        if (self.target_reps is None) != (self.target_rpe is None):
            raise ValueError("give `target_reps` and `target_rpe` together")
        if self.target_reps is not None and self.load is None:
            raise ValueError("`target_reps`/`target_rpe` plan from a performed set: give `load`")
        return self


class RpeLoadResult(ToolResult):
    reps: int
    rpe: float
    rir: float = Field(description="Reps in reserve implied by the RPE (10 - RPE).")
    percent_1rm: float = Field(description="%1RM of reps @ RPE, rounded to 0.1.")
    unit: Unit
    one_rm: float | None = Field(None, description="Given 1RM, or e1RM estimated from the set.")
    load: float | None = Field(None, description="Given set load, or load for reps @ RPE.")
    e1rm_from_set: bool = Field(description="True when one_rm was estimated from the set.")
    target_reps: int | None = None
    target_rpe: float | None = None
    target_percent_1rm: float | None = None
    target_load: float | None = Field(None, description="Load for target_reps @ target_rpe.")


def _rpe_load(inp: RpeLoadInput) -> RpeLoadResult:
    increment = inp.increment or DEFAULT_INCREMENT[inp.unit]
    pct = percent_1rm(inp.reps, inp.rpe)
    rir = round(10 - inp.rpe, 1)
    u = inp.unit
    fields: dict[str, Any] = {}
    if inp.one_rm is not None:
        load = round_to(inp.one_rm * pct / 100, increment)
        summary = (
            f"{inp.reps} reps @ RPE {inp.rpe:g} = {pct:.1f}% of 1RM: {fmt(load)} {u} "
            f"from a {fmt(inp.one_rm)} {u} 1RM (rounded to {fmt(increment)} {u})"
        )
        fields.update(one_rm=inp.one_rm, load=load, e1rm_from_set=False)
    else:
        e1rm = round(inp.load * 100 / pct, 1)
        summary = (
            f"Estimated 1RM: {fmt(e1rm)} {u} ({fmt(inp.load)} {u} x {inp.reps} @ RPE "
            f"{inp.rpe:g} = {pct:.1f}% of 1RM)"
        )
        fields.update(one_rm=e1rm, load=inp.load, e1rm_from_set=True)
        if inp.target_reps is not None:
            tpct = percent_1rm(inp.target_reps, inp.target_rpe)
            target = round_to(inp.load * 100 / pct * tpct / 100, increment)
            summary += (
                f"; {inp.target_reps} reps @ RPE {inp.target_rpe:g} = {tpct:.1f}%: "
                f"{fmt(target)} {u}"
            )
            fields.update(
                target_reps=inp.target_reps,
                target_rpe=inp.target_rpe,
                target_percent_1rm=round(tpct, 1),
                target_load=target,
            )
    warnings = []
    if inp.rpe < 8 or (inp.target_rpe is not None and inp.target_rpe < 8):
        warnings.append(
            "RPE ratings further than 2 reps from failure are less accurate, especially in "
            "novices (Zourdos 2016); treat the numbers as a starting point."
        )
    return RpeLoadResult(
        reps=inp.reps,
        rpe=inp.rpe,
        rir=rir,
        percent_1rm=round(pct, 1),
        unit=u,
        **fields,
        warnings=warnings,
        summary=summary,
        rule=CHART_RULE,
        reference=CHART_REFERENCE,
    )


def rpe_load(reps: int, rpe: float, **kwargs: Any) -> RpeLoadResult:
    """Load for reps @ RPE from a 1RM (`one_rm=`), or e1RM from a set (`load=`)."""
    return _rpe_load(parse_inputs(RpeLoadInput, {"reps": reps, "rpe": rpe, **kwargs}))


class RirChartInput(ToolInput):
    one_rm: float | None = Field(None, description="If given, the chart is also shown as loads.")
    unit: Unit = Field("kg", description="kg or lb (lbs, pounds, kilos accepted).")
    increment: float | None = Field(None, gt=0, le=50, description="Rounding for loads.")

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, value: Any) -> Any:
        return normalize_unit(value)

    @model_validator(mode="after")
    def _load(self) -> RirChartInput:
        if self.one_rm is not None:
            check_load(self.one_rm, self.unit)
        return self


class RirChartRow(BaseModel):
    reps: int
    percent_1rm: dict[str, float] = Field(description="RPE (as text) -> %1RM.")
    loads: dict[str, float] | None = Field(None, description="RPE -> load, if one_rm was given.")


class RirChartResult(ToolResult):
    rir_scale: dict[str, str] = Field(description="RPE -> what it means in reps in reserve.")
    rows: list[RirChartRow]
    unit: Unit
    one_rm: float | None = None


def _rir_chart(inp: RirChartInput) -> RirChartResult:
    increment = inp.increment or DEFAULT_INCREMENT[inp.unit]
    rows = []
    for reps, row in RPE_CHART.items():
        pcts = {f"{rpe:g}": pct for rpe, pct in zip(RPE_COLUMNS, row, strict=True)}
        loads = None
        if inp.one_rm is not None:
            loads = {k: round_to(inp.one_rm * v / 100, increment) for k, v in pcts.items()}
        rows.append(RirChartRow(reps=reps, percent_1rm=pcts, loads=loads))
    summary = "RPE 10 = 0 reps in reserve, 9 = 1, 8 = 2; 5 reps @ RPE 8 = 81.1% of 1RM"
    if inp.one_rm is not None:
        five_at_8 = rows[4].loads["8"]
        summary += f" = {fmt(five_at_8)} {inp.unit} from a {fmt(inp.one_rm)} {inp.unit} 1RM"
    return RirChartResult(
        rir_scale={f"{k:g}": v for k, v in RIR_SCALE.items()},
        rows=rows,
        unit=inp.unit,
        one_rm=inp.one_rm,
        summary=summary,
        rule=CHART_RULE,
        reference=CHART_REFERENCE,
    )


def rir_chart(one_rm: float | None = None, unit: str = "kg") -> RirChartResult:
    """The RPE x reps -> %1RM chart and the RIR scale, optionally as loads for a 1RM."""
    return _rir_chart(parse_inputs(RirChartInput, {"one_rm": one_rm, "unit": unit}))
