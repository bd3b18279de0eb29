"""Who is training: the athlete profile the screen and the progression tools read.

Every field is optional so a bare question still screens; what is unknown is treated
conservatively by the rules that need it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from fitcoach.errors import ConfigError

from .base import Unit, describe_validation_error

# Above every raw and equipped lift on record, and any plausible sled; beyond it is a typo.
MAX_LOAD = {"kg": 1000.0, "lb": 2204.6}
MAX_REPS = 30
_BP = re.compile(r"^\s*(\d{2,3})\s*/\s*(\d{2,3})\s*(mm ?hg)?\s*$", re.I)
_SEX = {"f": "female", "woman": "female", "m": "male", "man": "male"}


def check_load(value: float, unit: str) -> float:
    """A load must be positive and below any lift ever recorded in that unit."""
    limit = MAX_LOAD.get(unit, MAX_LOAD["kg"])
    if not value > 0:
        raise ValueError(f"load must be greater than 0 {unit}")
    if value > limit:
        raise ValueError(f"load must be at most {limit:g} {unit}; larger loads are not plausible")
    return value


class SetEntry(BaseModel):
    """One performed set, as a training log records it."""

    model_config = ConfigDict(extra="forbid")

    exercise: str = Field(description="Exercise name as logged, e.g. `back squat`.")
    load: float = Field(description="Load lifted (external load, not counting bodyweight).")
    reps: int = Field(ge=1, le=MAX_REPS, description="Repetitions completed, 1-30.")
    rpe: float | None = Field(None, ge=1, le=10, description="RPE on the RIR-based 1-10 scale.")
    date: dt.date = Field(description="Session date, YYYY-MM-DD.")
    unit: Unit = Field("kg", description="kg or lb.")

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, value: Any) -> Any:
        from .units import normalize_unit

        return normalize_unit(value)

    @model_validator(mode="after")
    def _load(self) -> SetEntry:
        check_load(self.load, self.unit)
        return self


class AthleteProfile(BaseModel):
    """What the screen and the tools know about the person; everything optional."""

    model_config = ConfigDict(extra="forbid")

    age: int | None = Field(None, ge=5, le=110, description="Age in years.")
    sex: Literal["female", "male", "other"] | None = Field(
        None, description="female, male or other."
    )
    pregnant: bool = Field(False, description="Currently pregnant.")
    pregnancy_week: int | None = Field(None, ge=1, le=45, description="Week of gestation.")
    activity_level: Literal["inactive", "active"] | None = Field(
        None,
        description="ACSM 2015: `active` = planned exercise of >=30 min at moderate intensity "
        "on >=3 days/week for >=3 months; anything less is `inactive`.",
    )
    conditions: list[str] = Field(default_factory=list, description="Known diagnoses, free text.")
    symptoms: list[str] = Field(default_factory=list, description="Current signs or symptoms.")
    medications: list[str] = Field(default_factory=list, description="Prescribed medications.")
    injuries: list[str] = Field(default_factory=list, description="Current injuries or pain.")
    resting_bp: str | None = Field(
        None, description="Resting blood pressure as `systolic/diastolic` in mmHg, e.g. `145/95`."
    )
    units: Unit = Field("kg", description="Preferred load unit, kg or lb.")
    training_status: Literal["novice", "intermediate", "advanced"] | None = Field(
        None, description="Resistance-training status (ACSM 2009 categories)."
    )
    set_log: list[SetEntry] = Field(default_factory=list, description="Recent sets, for next-load.")

    @field_validator("sex", mode="before")
    @classmethod
    def _sex(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().lower()
            return _SEX.get(value, value)
        return value

    @field_validator("conditions", "symptoms", "medications", "injuries", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        # A CLI or form gives "asthma, hypertension"; a file gives a list.
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("resting_bp")
    @classmethod
    def _bp(cls, value: str | None) -> str | None:
        if value is None:
            return None
        match = _BP.match(str(value))
        if not match:
            raise ValueError("resting_bp must look like `145/95` (systolic/diastolic, mmHg)")
        sys_, dia = int(match.group(1)), int(match.group(2))
        if not (60 <= sys_ <= 300 and 30 <= dia <= 200 and dia < sys_):
            raise ValueError("resting_bp out of range: systolic 60-300, diastolic 30-200 mmHg")
        return f"{sys_}/{dia}"

    @property
    def systolic(self) -> int | None:
        return int(self.resting_bp.split("/")[0]) if self.resting_bp else None

    @property
    def diastolic(self) -> int | None:
        return int(self.resting_bp.split("/")[1]) if self.resting_bp else None

    @classmethod
    def load(cls, path: str | Path) -> AthleteProfile:
        """Read a profile from a TOML, YAML or JSON file (chosen by extension)."""
        path = Path(path)
        try:
            raw = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"cannot read profile {path}: {exc.strerror}", hint="pass an existing file"
            ) from None
        suffix = path.suffix.lower()
        try:
            if suffix == ".toml":
                import tomllib

                data = tomllib.loads(raw)
            elif suffix in (".yaml", ".yml"):
                import yaml

                data = yaml.safe_load(raw) or {}
            elif suffix == ".json":
                data = json.loads(raw)
            else:
                raise ConfigError(
                    f"unknown profile format {suffix!r}", hint="use .toml, .yaml/.yml or .json"
                )
        except ConfigError:
            raise
        except Exception as exc:  # parse errors of three libraries, one message
            raise ConfigError(
                f"cannot parse profile {path}: {exc}", hint="fix the file's syntax"
            ) from None
        if isinstance(data, dict) and "profile" in data and len(data) == 1:
            data = data["profile"]  # allow a [profile] table
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            fields = ", ".join(cls.model_fields)
            raise ConfigError(
                f"invalid profile {path}: {describe_validation_error(cls, exc)}",
                hint=f"profile fields are: {fields}",
            ) from None
