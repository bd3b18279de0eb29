"""kg and lb, exactly, and rounding a load to the plates a lifter actually has."""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field, field_validator

from . import references as refs
from .base import ToolInput, ToolResult, Unit, parse_inputs

LB_IN_KG = 0.45359237  # exact by the 1959 international agreement
DEFAULT_INCREMENT = {
    "kg": 2.5,
    "lb": 5.0,
}  # smallest jump with a pair of the smallest common plates
_ALIASES = {
    "kg": "kg",
    "kgs": "kg",
    "kilo": "kg",
    "kilos": "kg",
    "kilogram": "kg",
    "kilograms": "kg",
    "lb": "lb",
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
    "#": "lb",
}


def normalize_unit(value: Any) -> Any:
    """Accept the spellings people type (`lbs`, `kilos`); anything else fails validation."""
    if isinstance(value, str):
        return _ALIASES.get(value.strip().lower(), value)
    return value


def convert_value(value: float, from_unit: str, to_unit: str) -> float:
    """Exact conversion between kg and lb (no rounding)."""
    if from_unit == to_unit:
        return value
    return value * LB_IN_KG if from_unit == "lb" else value / LB_IN_KG


def round_to(value: float, increment: float) -> float:
    """Nearest multiple of `increment` (halves round up), free of float noise."""
    if increment <= 0:
        raise ValueError("increment must be positive")
    steps = math.floor(value / increment + 0.5 + 1e-9)
    return round(steps * increment, 6)


def fmt(value: float) -> str:
    """A load as people write it: `100`, `102.5`, `116.7`."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


class ConvertInput(ToolInput):
    value: float = Field(ge=0, le=1e6, description="Amount to convert.")
    from_unit: Unit = Field(description="kg or lb.")
    to_unit: Unit = Field(description="kg or lb.")

    @field_validator("from_unit", "to_unit", mode="before")
    @classmethod
    def _units(cls, value: Any) -> Any:
        return normalize_unit(value)


class ConvertResult(ToolResult):
    value: float
    from_unit: Unit
    result: float = Field(description="Converted value, rounded to 0.01.")
    to_unit: Unit
    exact: float = Field(description="Converted value at full precision.")


def _convert(inp: ConvertInput) -> ConvertResult:
    exact = convert_value(inp.value, inp.from_unit, inp.to_unit)
    result = round(exact, 2)
    return ConvertResult(
        value=inp.value,
        from_unit=inp.from_unit,
        result=result,
        to_unit=inp.to_unit,
        exact=exact,
        summary=f"{fmt(inp.value)} {inp.from_unit} = {fmt(result)} {inp.to_unit}",
        rule="1 lb = 0.45359237 kg exactly; result rounded to 0.01",
        reference=refs.NIST_POUND,
    )


def convert(value: float, from_unit: str, to_unit: str) -> ConvertResult:
    """Convert a mass between kg and lb, e.g. `convert(100, "kg", "lb").result == 220.46`."""
    inputs = {"value": value, "from_unit": from_unit, "to_unit": to_unit}
    return _convert(parse_inputs(ConvertInput, inputs))
