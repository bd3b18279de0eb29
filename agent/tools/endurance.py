"""Endurance arithmetic: heart-rate zones from a measured or age-predicted maximum (Tanaka,
named as such) and, with a resting rate, from the heart-rate reserve (Karvonen); and how fast to
add weekly running distance, with what the evidence does and does not show."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from . import references as refs
from .base import ToolInput, ToolResult, parse_inputs
from .units import fmt

# ACSM intensity classes (Garber 2011): % of heart-rate reserve and % of maximal heart rate.
ZONES: list[tuple[str, tuple[int, int], tuple[int, int]]] = [
    ("very light", (0, 29), (0, 56)),
    ("light", (30, 39), (57, 63)),
    ("moderate", (40, 59), (64, 76)),
    ("vigorous", (60, 89), (77, 95)),
    ("near maximal to maximal", (90, 100), (96, 100)),
]


def tanaka(age: int) -> float:
    """Age-predicted maximal heart rate, Tanaka 2001: 208 - 0.7 x age."""
    return 208 - 0.7 * age


def bpm(value: float) -> int:
    return int(value + 0.5)


class HeartRateZonesInput(ToolInput):
    age: int | None = Field(None, ge=10, le=100, description="Age in years (for Tanaka).")
    max_hr: int | None = Field(None, ge=100, le=230, description="Measured maximal heart rate.")
    resting_hr: int | None = Field(
        None, ge=30, le=110, description="Resting heart rate: zones from the heart-rate reserve."
    )

    @model_validator(mode="after")
    def _enough(self) -> HeartRateZonesInput:
        if self.age is None and self.max_hr is None:
            raise ValueError("give `age` (for an age-predicted maximum) or a measured `max_hr`")
        top = self.max_hr if self.max_hr is not None else tanaka(self.age)
        if self.resting_hr is not None and self.resting_hr >= top - 20:
            raise ValueError(
                f"resting_hr {self.resting_hr} is too close to the maximum {top:g}: check both"
            )
        return self


class Zone(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    percent: tuple[int, int] = Field(description="% of HR reserve or % of HRmax, per `method`.")
    bpm: tuple[int, int]


class HeartRateZonesResult(ToolResult):
    max_hr: int
    max_hr_source: Literal["measured", "tanaka"]
    resting_hr: int | None = None
    method: Literal["heart_rate_reserve", "percent_max"]
    zones: list[Zone]


def _heart_rate_zones(inp: HeartRateZonesInput) -> HeartRateZonesResult:
    measured = inp.max_hr is not None
    top = float(inp.max_hr) if measured else tanaka(inp.age)
    shown_max = bpm(top)
    warnings = []
    if measured:
        source = f"measured maximum {shown_max} bpm"
    else:
        source = f"age-predicted maximum {shown_max} bpm (Tanaka: 208 - 0.7 x {inp.age})"
        warnings.append(
            "An age-predicted maximum describes the average person: yours can differ by about "
            "10 bpm or more, so check the zones against how hard they feel or a field test."
        )
    if inp.resting_hr is not None:
        reserve = top - inp.resting_hr
        zones = [
            Zone(name=name, percent=hrr,
                 bpm=(bpm(inp.resting_hr + reserve * hrr[0] / 100),
                      bpm(inp.resting_hr + reserve * hrr[1] / 100)))
            for name, hrr, _ in ZONES[1:]
        ]  # fmt: skip
        method = "heart_rate_reserve"
        how = f"heart-rate reserve ({shown_max} - {inp.resting_hr} bpm resting, Karvonen)"
        rule = "target = resting + % x (max - resting) (Karvonen); ACSM %HRR bands"
        reference = f"{refs.KARVONEN}; {refs.GARBER}"
    else:
        zones = [
            Zone(name=name, percent=pmax, bpm=(bpm(top * pmax[0] / 100), bpm(top * pmax[1] / 100)))
            for name, _, pmax in ZONES[1:]
        ]
        method = "percent_max"
        how = "% of maximal heart rate"
        rule = "target = % x max; ACSM %HRmax bands"
        reference = refs.GARBER
        warnings.append(
            "With your resting heart rate the zones can use the heart-rate reserve, which "
            "tracks effort more closely than % of maximum."
        )
    if not measured:
        rule = "HRmax = 208 - 0.7 x age (Tanaka 2001); " + rule
        reference = f"{refs.TANAKA}; {reference}"
    warnings.append(
        "Beta-blockers and some other medicines blunt heart rate: then set intensity by "
        "perceived effort instead."
    )
    listed = ", ".join(f"{z.name} {z.bpm[0]}-{z.bpm[1]}" for z in zones)
    return HeartRateZonesResult(
        max_hr=shown_max,
        max_hr_source="measured" if measured else "tanaka",
        resting_hr=inp.resting_hr,
        method=method,
        zones=zones,
        summary=f"Heart-rate zones from the {source}, by {how}: {listed} bpm",
        rule=rule,
        reference=reference,
        warnings=warnings,
    )


def heart_rate_zones(
    age: int | None = None, max_hr: int | None = None, resting_hr: int | None = None
) -> HeartRateZonesResult:
    """ACSM heart-rate zones, e.g. `heart_rate_zones(age=40).max_hr == 180` (Tanaka)."""
    inputs = {"age": age, "max_hr": max_hr, "resting_hr": resting_hr}
    return _heart_rate_zones(parse_inputs(HeartRateZonesInput, inputs))


# --- running volume -------------------------------------------------------------------------
EVIDENCE = (
    "The evidence on how fast to add distance is weak. A graded 10%-a-week plan did not lower "
    "injuries in novices (20.8% vs 20.3%, Buist 2008). Novices who added more than 30% over two "
    "weeks had more distance-related injuries than those under 10% (hazard ratio 1.59, 95% CI "
    "0.96-2.66, not significant; 10-30% was not clearly worse; Nielsen 2014). A single run "
    "more than 10% longer than the longest of the past 30 days was linked to more injuries "
    "(Frandsen 2025). Treat the numbers as a cautious habit, not a guarantee."
)


class RunningProgressionInput(ToolInput):
    weekly_distance: float | None = Field(None, gt=0, le=500, description="This week's distance.")
    history: list[float] | None = Field(
        None, min_length=2, description="Weekly distances, oldest first (the last is this week)."
    )
    unit: Literal["km", "mi"] = "km"
    rate_pct: float = Field(10, gt=0, le=30, description="Planned increase per week, %.")
    weeks: int = Field(4, ge=1, le=16, description="Weeks to plan.")
    target: float | None = Field(None, gt=0, le=500, description="Weekly distance to build to.")
    longest_run: float | None = Field(None, gt=0, le=200, description="Longest run, past 30 days.")

    @model_validator(mode="after")
    def _start(self) -> RunningProgressionInput:
        if self.weekly_distance is None and self.history is None:
            raise ValueError("give `weekly_distance` or a `history` of weekly distances")
        if any(not 0 <= d <= 500 for d in self.history or []):
            raise ValueError("each weekly distance in `history` must be between 0 and 500")
        return self


class RunningProgressionResult(ToolResult):
    current: float
    unit: Literal["km", "mi"]
    plan: list[float] = Field(description="Weekly distances for the coming weeks.")
    two_week_change_pct: float | None = Field(None, description="Change over the last 2 weeks.")
    weeks_to_target: int | None = None
    next_long_run_max: float | None = Field(None, description="Longest run + 10%.")


def _running_progression(inp: RunningProgressionInput) -> RunningProgressionResult:
    current = inp.history[-1] if inp.history else inp.weekly_distance
    u, rate = inp.unit, inp.rate_pct / 100
    warnings = []
    change = None
    if inp.history and len(inp.history) >= 3 and inp.history[-3] > 0:
        change = round(100 * (current - inp.history[-3]) / inp.history[-3], 1)
        if change > 30:
            warnings.append(
                f"Your distance rose {fmt(change)}% over the last two weeks, beyond the 30% "
                "that Nielsen 2014 linked to more distance-related injuries in novices: the plan "
                "holds this distance for a week before adding more."
            )
    plan, distance = [], current
    for week in range(inp.weeks):
        if not (week == 0 and change is not None and change > 30):
            distance = distance * (1 + rate)
        plan.append(round(distance, 1))
    to_target = None
    summary = (
        f"From {fmt(current)} {u}/week at +{fmt(inp.rate_pct)}% a week: "
        + ", ".join(f"{fmt(d)}" for d in plan)
        + f" {u} over the next {inp.weeks} week{'s' if inp.weeks != 1 else ''}"
    )
    if change is not None:
        summary += f"; the last two weeks changed {fmt(change)}%"
    if inp.target is not None and inp.target > current:
        weeks, distance = 0, current
        while distance < inp.target - 1e-9 and weeks < 200:
            distance, weeks = distance * (1 + rate), weeks + 1
        to_target = weeks
        summary += f"; {fmt(inp.target)} {u}/week is {weeks} weeks away at this rate"
    long_cap = None
    if inp.longest_run is not None:
        long_cap = round(inp.longest_run * 1.1, 1)
        summary += f"; keep the next long run to about {fmt(long_cap)} {u} (longest + 10%)"
    if inp.rate_pct > 15:
        warnings.append(
            f"+{fmt(inp.rate_pct)}% a week compounds to more than 30% in two weeks, the "
            "range Nielsen 2014 linked to more distance-related injuries."
        )
    warnings.append(EVIDENCE)
    return RunningProgressionResult(
        current=current,
        unit=u,
        plan=plan,
        two_week_change_pct=change,
        weeks_to_target=to_target,
        next_long_run_max=long_cap,
        summary=summary,
        rule="weekly distance x (1 + rate) each week (10% a week by default, a convention), "
        "holding one week first after >30% over two weeks (Nielsen 2014); single long run <= "
        "longest of the past 30 days + 10% (Frandsen 2025)",
        reference=f"{refs.NIELSEN}; {refs.BUIST}; {refs.FRANDSEN}",
        warnings=warnings,
    )


def running_progression(**kwargs: object) -> RunningProgressionResult:
    """Weekly distances ahead, e.g. `running_progression(weekly_distance=30).plan[0] == 33.0`."""
    return _running_progression(parse_inputs(RunningProgressionInput, kwargs))
