"""The screen's rule book: flag rules, code tables and thresholds from data/screening.yaml,
validated by pydantic at first use, so a rule is edited as data and a bad edit fails loudly
(unknown reference, unknown flag code, an absolute flag that does not refer)."""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from fitcoach.errors import ConfigError

from . import references as refs
from .base import Action, Severity, describe_validation_error, load_data

DATA_FILE = "screening.yaml"


def citation(name: str) -> str:
    """The citation string for a reference name of the YAML (`riebe` -> refs.RIEBE)."""
    value = getattr(refs, name.upper(), None)
    if not isinstance(value, str) or not name.islower():
        known = sorted(
            k.lower() for k, v in vars(refs).items() if k.isupper() and isinstance(v, str)
        )
        raise ValueError(f"unknown reference {name!r}; known: {', '.join(known)}")
    return value


class RuleVariant(BaseModel):
    """The same flag with what changes when a detail changes what holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Severity | None = None
    action: Action | None = None
    message: str | None = None


class Rule(BaseModel):
    """One flag code: how serious, what to do, which rule, and what the person reads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: Severity
    action: Action
    source: str = Field(description="Reference name in references.py, e.g. `riebe`.")
    reference: str = Field(description="The full citation of `source`.")
    message: str = Field(min_length=30)
    variants: dict[str, RuleVariant] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _cite(cls, data: Any) -> Any:
        # The YAML names a reference; the rule carries the citation itself.
        if isinstance(data, dict) and "source" not in data and "reference" in data:
            data = {**data, "source": data["reference"], "reference": citation(data["reference"])}
        return data

    @model_validator(mode="after")
    def _absolute_refers(self) -> Rule:
        for name, v in {"": self, **self.variants}.items():
            if (v.severity or self.severity) == "absolute" and (v.action or self.action) != "refer":
                raise ValueError(f"an absolute flag must refer (variant {name or 'base'!r})")
        return self

    def variant(self, name: str | None) -> RuleVariant:
        """The named variant filled in from the base rule (`None` = the base rule)."""
        v = self.variants[name] if name else RuleVariant()
        return RuleVariant(
            severity=v.severity or self.severity,
            action=v.action or self.action,
            message=v.message or self.message,
        )


class Thresholds(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    low_intake_kcal: int
    severe_bp: tuple[int, int]
    high_bp: tuple[int, int]
    parq_bp: tuple[int, int]
    placenta_previa_week: int


class Tables(BaseModel):
    """Which vocabulary codes each rule family reads (code -> flag code where they differ)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    symptoms: tuple[str, ...]
    aha: dict[str, str]
    disease: tuple[str, ...]
    cardiac_aha: tuple[str, ...]
    acog_absolute: dict[str, str]
    imply_pregnant: tuple[str, ...]
    acog_relative: tuple[str, ...]
    acog_warning: tuple[str, ...]
    medication: tuple[str, ...]
    medicines: dict[str, str]
    reds: tuple[str, ...]
    metabolic_renal: tuple[str, ...]
    rhabdomyolysis: tuple[str, ...]
    heat_illness: tuple[str, ...]
    heat_signs_with_hot_conditions: tuple[str, ...]
    concussion: tuple[str, ...]
    concussion_signs_with_head_impact: tuple[str, ...]
    calf_swelling_with_calf_pain: tuple[str, ...]
    warning_signs: tuple[str, ...]


class RuleBook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    thresholds: Thresholds
    tables: Tables
    rules: dict[str, Rule]

    @model_validator(mode="after")
    def _flags_exist(self) -> RuleBook:
        t = self.tables
        named = [f"symptom_{c}" for c in t.symptoms]
        for table in (t.aha, t.acog_absolute, t.medicines):
            named += list(table.values())
        missing = sorted(set(named) - set(self.rules))
        if missing:
            raise ValueError(f"tables name flag codes with no rule: {', '.join(missing)}")
        return self


@functools.cache
def rulebook() -> RuleBook:
    """The validated rule book (read once, with the C YAML loader when available)."""
    try:
        return RuleBook.model_validate(load_data(DATA_FILE))
    except ValidationError as exc:
        raise ConfigError(
            f"agent/tools/data/{DATA_FILE} is invalid: {describe_validation_error(RuleBook, exc)}",
            hint="fix the named entry; references are names in agent/tools/references.py",
        ) from None
