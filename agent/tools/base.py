"""The shapes every coaching tool shares: inputs validated by pydantic, results that name the
rule and reference they applied, safety flags, and the `ToolRun` record the agent keeps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fitcoach.errors import ToolInputError

Unit = Literal["kg", "lb"]


class ToolInput(BaseModel):
    """Base of every tool's input model: unknown keys are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")

    notes: list[str] | None = Field(
        None,
        description="Assumptions made in reading the inputs from what the person wrote (a unit "
        "they left out, plates read as a load); repeated first in the result's warnings.",
    )


class ToolResult(BaseModel):
    """Base of every tool's result: what was computed, which rule, which reference."""

    model_config = ConfigDict(extra="forbid")

    summary: str = Field(description="One sentence with the key numbers and units, quotable as is.")
    rule: str = Field(description="The rule or formula applied, in words.")
    reference: str = Field(description="Citation for that rule.")
    warnings: list[str] = Field(default_factory=list, description="Caveats the user must see.")


Severity = Literal["absolute", "relative", "caution"]
Action = Literal["refer", "clearance_before_vigorous", "modify", "monitor"]
Intensity = Literal["light", "moderate", "vigorous"]


class SafetyFlag(BaseModel):
    """One finding of the contraindication screen; no later step may remove it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(description="Stable identifier, e.g. `acsm_symptoms`, `aha_unstable_angina`.")
    severity: Severity
    action: Action = Field(
        description="`refer` means stop and see a clinician before this activity."
    )
    message: str = Field(description="What was found and what to do, in plain words.")
    reference: str = Field(description="Citation of the rule that raised the flag.")
    evidence: list[str] = Field(
        default_factory=list, description="Profile fields or text snippets that triggered it."
    )


class ExerciseSwap(BaseModel):
    """An exercise that loads an injured region, and what to do instead."""

    model_config = ConfigDict(extra="forbid")

    exercise: str
    pattern: str
    instead: list[str] = Field(default_factory=list, description="Lower-load alternatives.")


class InjuryAdvice(BaseModel):
    """What an injured region means for training: patterns to modify, who to see."""

    model_config = ConfigDict(extra="forbid")

    region: str = Field(description="Canonical region, e.g. `knee`, `lower_back`, `achilles`.")
    mentioned_as: str = Field(description="How the user or profile named it.")
    loaded_patterns: list[str] = Field(description="Movement patterns that load the region.")
    exercises_to_modify: list[ExerciseSwap] = Field(default_factory=list)
    modifications: list[str] = Field(default_factory=list, description="General modifications.")
    see: str = Field(description="The professional to see.")
    refer_now: list[str] = Field(
        default_factory=list, description="Red flags that mean see someone before training."
    )
    reference: str


class ScreenResult(ToolResult):
    """The deterministic contraindication screen: flags, injury advice, and what was detected."""

    flags: list[SafetyFlag] = Field(default_factory=list)
    injuries: list[InjuryAdvice] = Field(default_factory=list)
    intensity_requested: Intensity | None = Field(
        None, description="Highest intensity the question or profile asked for, if stated."
    )
    detected: list[str] = Field(
        default_factory=list, description="Vocabulary codes found in the text (after negation)."
    )
    negated: list[str] = Field(
        default_factory=list, description="Codes mentioned but negated ('no chest pain')."
    )
    others: list[str] = Field(
        default_factory=list, description="Codes said of someone else or people in general."
    )

    @property
    def refer(self) -> bool:
        """True when any flag says stop and see a clinician before the activity asked about."""
        return any(flag.action == "refer" for flag in self.flags)

    @property
    def codes(self) -> list[str]:
        return [flag.code for flag in self.flags]


class ToolRun(BaseModel):
    """One tool call as the agent records it in `tool_results` (exactly these keys)."""

    model_config = ConfigDict(extra="forbid")

    tool: str
    inputs: dict[str, Any]
    output: dict[str, Any]
    rule: str
    reference: str


class ToolSpec(BaseModel):
    """A registry entry: how to call a tool and what it needs."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    name: str
    description: str
    input_model: type[ToolInput]
    function: Callable[..., ToolResult] = Field(description="Takes a validated input model.")
    example: dict[str, Any] = Field(description="Inputs that work, for help texts and tests.")


def load_data(name: str) -> Any:
    """A YAML file from `agent/tools/data/` (the C loader when present: the catalogue is big)."""
    from importlib import resources

    import yaml

    text = resources.files("fitcoach.agent.tools").joinpath("data", name).read_text("utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def describe_validation_error(model: type[BaseModel], exc: ValidationError) -> str:
    """One line naming each bad field, what was given and what is allowed."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or model.__name__
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if err["type"] == "extra_forbidden":
            allowed = ", ".join(model.model_fields)
            msg = f"unknown input (allowed: {allowed})"
        elif err["type"] == "missing":
            msg = "required"
        given = repr(err.get("input"))
        given = given if len(given) <= 60 else given[:57] + "..."
        shown = "" if err["type"] in ("missing", "extra_forbidden") else f" (got {given})"
        parts.append(f"{loc}: {msg}{shown}")
    return "; ".join(parts)


def parse_inputs(model: type[ToolInput], inputs: dict[str, Any] | ToolInput) -> ToolInput:
    """Validate `inputs` against a tool's model; a bad value raises `ToolInputError`."""
    if isinstance(inputs, model):
        return inputs
    if isinstance(inputs, BaseModel):
        inputs = inputs.model_dump()
    try:
        return model.model_validate(inputs)
    except ValidationError as exc:
        fields = ", ".join(
            f"{name}{'' if f.is_required() else '?'}" for name, f in model.model_fields.items()
        )
        raise ToolInputError(
            describe_validation_error(model, exc), hint=f"inputs are: {fields}"
        ) from None
