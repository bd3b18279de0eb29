"""Acute:chronic workload ratio, rolling and EWMA, reported as a flag to discuss with its
critique attached, never as an injury prediction."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from fitcoach.errors import ToolInputError

from . import references as refs
from .base import ToolInput, ToolResult, parse_inputs

Zone = Literal["low", "sweet_spot", "caution", "danger"]
WINDOWS = {"day": (7, 28), "week": (1, 4)}  # acute, chronic window in periods
CAVEAT = (
    "The ratio is a prompt for a conversation, not an injury prediction: Impellizzeri et al. "
    "(2020) show that dividing by a chronic load that contains the acute load couples the two, "
    "that the zone thresholds were not derived causally, and that the ratio alone does not "
    "tell anyone how much to train."
)


def zone_of(ratio: float) -> Zone:
    """Gabbett 2016 bands: <0.8 low, 0.8-1.3 sweet spot, 1.3-1.5 caution, >=1.5 danger."""
    if ratio < 0.8:
        return "low"
    if ratio <= 1.3:
        return "sweet_spot"
    if ratio < 1.5:
        return "caution"
    return "danger"


_ZONE_WORDS = {
    "low": "below the 0.8-1.3 range (load well below what the athlete is used to)",
    "sweet_spot": "inside the 0.8-1.3 range",
    "caution": "between 1.3 and 1.5 (a rapid rise)",
    "danger": "at or above 1.5, the range Gabbett (2016) linked to the highest injury rates",
}


class WorkloadInput(ToolInput):
    loads: list[float] | None = Field(
        None,
        min_length=1,
        description="Training loads per period, oldest first (e.g. session-RPE x minutes, AU, "
        "or weekly km). Or give `acute` and `chronic` instead.",
    )
    acute: float | None = Field(
        None, ge=0, le=1_000_000, description="Acute load (last week's total), with `chronic`."
    )
    chronic: float | None = Field(
        None, ge=0, le=1_000_000, description="Chronic load (weekly mean over 4 weeks)."
    )
    period: Literal["day", "week"] = Field(
        "day", description="What each value covers: acute/chronic = 7/28 days or 1/4 weeks."
    )
    method: Literal["rolling", "ewma", "both"] = "both"
    coupled: bool = Field(
        True,
        description="Rolling chronic window includes the acute one (Hulin 2016); "
        "false = the chronic window is the 4 weeks before it.",
    )

    @field_validator("loads")
    @classmethod
    def _loads(cls, loads: list[float] | None) -> list[float] | None:
        for i, value in enumerate(loads or []):
            if not 0 <= value <= 100_000:
                raise ValueError(
                    f"loads[{i}] = {value:g}: each load must be between 0 and 100000 "
                    "(e.g. session-RPE x minutes)"
                )
        return loads

    @model_validator(mode="after")
    def _one_way(self) -> WorkloadInput:
        direct = self.acute is not None or self.chronic is not None
        if direct and (self.acute is None or self.chronic is None):
            raise ValueError("give `acute` and `chronic` together")
        if direct == (self.loads is not None):
            raise ValueError("give either `loads` (per period) or `acute` and `chronic`")
        return self


class AcwrValue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    acute: float
    chronic: float
    ratio: float | None = Field(description="None when the chronic load is zero.")
    zone: Zone | None


class WorkloadResult(ToolResult):
    period: Literal["day", "week"]
    n_periods: int = Field(description="Periods in `loads` (0 when acute/chronic were given).")
    rolling: AcwrValue | None = Field(None, description="Acute and chronic per week.")
    ewma: AcwrValue | None = Field(None, description="EWMA acute and chronic per period.")
    ratio: float | None = Field(description="Headline ratio (rolling if computed, else EWMA).")
    zone: Zone | None
    caveat: str = CAVEAT


def _value(acute: float, chronic: float) -> AcwrValue:
    if chronic <= 0:
        return AcwrValue(acute=round(acute, 1), chronic=0.0, ratio=None, zone=None)
    ratio = round(acute / chronic, 2)
    return AcwrValue(
        acute=round(acute, 1), chronic=round(chronic, 1), ratio=ratio, zone=zone_of(ratio)
    )


def rolling_acwr(loads: list[float], period: str = "day", coupled: bool = True) -> AcwrValue:
    """Acute = last week's total; chronic = mean weekly total over the 4-week window."""
    a, c = WINDOWS[period]
    per_week = 7 if period == "day" else 1
    acute = sum(loads[-a:]) / a * per_week
    window = loads[-c:] if coupled else loads[-(a + c) : -a]
    chronic = sum(window) / c * per_week
    return _value(acute, chronic)


def ewma_acwr(loads: list[float], period: str = "day") -> AcwrValue:
    """Williams 2017: EWMA with lambda = 2/(N+1), N = 7 and 28 days (1 and 4 weeks)."""
    a, c = WINDOWS[period]
    la, lc = 2 / (a + 1), 2 / (c + 1)
    acute = chronic = loads[0]
    for value in loads[1:]:
        acute = la * value + (1 - la) * acute
        chronic = lc * value + (1 - lc) * chronic
    return _value(acute, chronic)


def _direct(inp: WorkloadInput) -> WorkloadResult:
    """The ratio of an acute and a chronic load the coach already has."""
    value = _value(inp.acute, inp.chronic)
    warnings = [CAVEAT]
    if value.ratio is None:
        warnings.insert(0, "chronic load is zero: the ratio is undefined")
        zone_text = "undefined"
    else:
        zone_text = f"{value.zone.replace('_', ' ')} zone, {_ZONE_WORDS[value.zone]}"
    return WorkloadResult(
        period="week",
        n_periods=0,
        rolling=value,
        ratio=value.ratio,
        zone=value.zone,
        warnings=warnings,
        summary=f"ACWR {_show(value.ratio)} (acute {inp.acute:g} / chronic {inp.chronic:g}): "
        f"{zone_text}",
        rule="ACWR = acute load / chronic load; zones (Gabbett 2016): <0.8 low, 0.8-1.3 sweet "
        "spot, 1.3-1.5 caution, >=1.5 danger",
        reference="; ".join([refs.GABBETT, refs.IMPELLIZZERI]),
    )


def _workload_ratio(inp: WorkloadInput) -> WorkloadResult:
    if inp.loads is None:
        return _direct(inp)
    a, c = WINDOWS[inp.period]
    need = c if inp.coupled else a + c
    if len(inp.loads) < need:
        unit = "daily" if inp.period == "day" else "weekly"
        raise ToolInputError(
            f"{len(inp.loads)} {unit} loads is too few: the chronic window needs at least {need}",
            hint="give at least 28 daily loads (or 4 weekly totals with period=week)",
        )
    rolling = ewma = None
    rules, references, parts = [], [], []
    if inp.method in ("rolling", "both"):
        rolling = rolling_acwr(inp.loads, inp.period, inp.coupled)
        kind = "coupled" if inp.coupled else "uncoupled"
        rules.append(f"rolling ({kind}): last-week load / mean weekly load over 4 weeks")
        references += [refs.HULIN, refs.GABBETT]
        parts.append(
            f"rolling ACWR {_show(rolling.ratio)} (acute {rolling.acute:g}, chronic "
            f"{rolling.chronic:g} per week)"
        )
    if inp.method in ("ewma", "both"):
        ewma = ewma_acwr(inp.loads, inp.period)
        rules.append("EWMA with lambda = 2/(N+1), N = 7 and 28 days (1 and 4 weeks)")
        references.append(refs.WILLIAMS_EWMA)
        parts.append(f"EWMA ACWR {_show(ewma.ratio)}")
    headline = rolling if rolling is not None else ewma
    warnings = [CAVEAT]
    if headline.ratio is None:
        warnings.insert(0, "chronic load is zero: the ratio is undefined")
        zone_text = "undefined"
    else:
        zone_text = f"{headline.zone.replace('_', ' ')} zone, {_ZONE_WORDS[headline.zone]}"
    rules.append(
        "zones (Gabbett 2016): <0.8 low, 0.8-1.3 sweet spot, 1.3-1.5 caution, >=1.5 danger"
    )
    references.append(refs.IMPELLIZZERI)
    return WorkloadResult(
        period=inp.period,
        n_periods=len(inp.loads),
        rolling=rolling,
        ewma=ewma,
        ratio=headline.ratio,
        zone=headline.zone,
        warnings=warnings,
        summary="; ".join(parts) + f": {zone_text}",
        rule="; ".join(rules),
        reference="; ".join(dict.fromkeys(references)),
    )


def _show(ratio: float | None) -> str:
    return "undefined" if ratio is None else f"{ratio:.2f}"


def workload_ratio(
    loads: list[float] | None = None,
    period: str = "day",
    method: str = "both",
    coupled: bool = True,
    acute: float | None = None,
    chronic: float | None = None,
) -> WorkloadResult:
    """Acute:chronic workload ratio of `loads` (oldest first), or of `acute` and `chronic`
    given directly, with zones and the critique."""
    inputs = {"loads": loads, "period": period, "method": method, "coupled": coupled,
              "acute": acute, "chronic": chronic}  # fmt: skip
    return _workload_ratio(parse_inputs(WorkloadInput, inputs))
