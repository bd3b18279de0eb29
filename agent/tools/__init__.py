"""Coaching tools: deterministic, typed calculators and the contraindication screen.

The agent never does arithmetic or safety judgement in the language model; it calls these.
`TOOLS` is the registry (name -> ToolSpec), `run_tool` the one entry point the agent and the
CLI share, `screen` the safety screen, `langchain_tools` thin LangChain wrappers.
"""

from __future__ import annotations

from typing import Any

from fitcoach.errors import UnknownNameError

from .base import (
    InjuryAdvice,
    SafetyFlag,
    ScreenResult,
    ToolInput,
    ToolResult,
    ToolRun,
    ToolSpec,
    parse_inputs,
)
from .profile import AthleteProfile, SetEntry
from .progression import NextLoadInput, _next_load, next_load, read_set_log
from .screening import ScreenInput, _screen
from .screening import screen as _screen_fn
from .strength import (
    OneRepMaxInput,
    RirChartInput,
    RpeLoadInput,
    _one_rep_max,
    _rir_chart,
    _rpe_load,
    one_rep_max,
    rir_chart,
    rpe_load,
)
from .units import ConvertInput, _convert, convert
from .workload import WorkloadInput, _workload_ratio, workload_ratio

TOOLS: dict[str, ToolSpec] = {}


def register(spec: ToolSpec) -> ToolSpec:
    TOOLS[spec.name] = spec
    return spec


register(
    ToolSpec(
        name="one-rep-max",
        description="Estimate a one-repetition maximum from a set (load x reps) with Epley, "
        "Brzycki, Lombardi, Mayhew or Wathan; warns above 10 reps.",
        input_model=OneRepMaxInput,
        function=_one_rep_max,
        example={"load": 100, "reps": 5, "formula": "epley", "unit": "kg"},
    )
)
register(
    ToolSpec(
        name="rpe-load",
        description="RIR-based RPE chart: the load for reps @ RPE from a 1RM, or the e1RM from a "
        "set done at an RPE (optionally the load for a target reps @ RPE).",
        input_model=RpeLoadInput,
        function=_rpe_load,
        example={"reps": 5, "rpe": 8, "load": 140, "target_reps": 3, "target_rpe": 9},
    )
)
register(
    ToolSpec(
        name="rir-chart",
        description="The RPE x reps -> %1RM chart and the reps-in-reserve scale, as loads if "
        "a 1RM is given.",
        input_model=RirChartInput,
        function=_rir_chart,
        example={"one_rm": 180, "unit": "kg"},
    )
)
register(
    ToolSpec(
        name="next-load",
        description="Next-session load for one exercise from a set log (load, reps, RPE, date): "
        "double progression in a rep range, the 2-for-2 rule or ACSM's 2-10% rule, rounded to "
        "the plates available; deload or back off after missed reps or repeated RPE 10.",
        input_model=NextLoadInput,
        function=_next_load,
        example={
            "exercise": "back squat",
            "rep_min": 8,
            "rep_max": 12,
            "log": [
                {"exercise": "back squat", "load": 100, "reps": 12, "rpe": 8, "date": "2026-01-05"},
                {"exercise": "back squat", "load": 100, "reps": 12, "rpe": 9, "date": "2026-01-05"},
            ],
        },
    )
)
register(
    ToolSpec(
        name="workload-ratio",
        description="Acute:chronic workload ratio (rolling 1/4-week and EWMA) with Gabbett's "
        "zones and the Impellizzeri critique as a caveat.",
        input_model=WorkloadInput,
        function=_workload_ratio,
        example={"loads": [300, 320, 310, 450], "period": "week"},
    )
)
register(
    ToolSpec(
        name="screen",
        description="Contraindication and safety screen of a question and an athlete profile "
        "(ACSM 2015, AHA, ACOG, PAR-Q+, RED-S, doping requests, injuries): a list of flags, each "
        "with severity, action (refer / clearance_before_vigorous / modify / monitor) and reference.",
        input_model=ScreenInput,
        function=_screen,
        example={
            "text": "How should I progress my squat with a sore knee?",
            "profile": {"age": 35, "activity_level": "active"},
        },
    )
)
register(
    ToolSpec(
        name="convert",
        description="Convert a load between kg and lb exactly (1 lb = 0.45359237 kg).",
        input_model=ConvertInput,
        function=_convert,
        example={"value": 100, "from_unit": "kg", "to_unit": "lb"},
    )
)


def get_tool(name: str) -> ToolSpec:
    """The registry entry for `name`; an unknown name lists the valid ones."""
    try:
        return TOOLS[name]
    except KeyError:
        raise UnknownNameError("tool", name, list(TOOLS)) from None


def _execute(spec: ToolSpec, parsed: ToolInput) -> ToolResult:
    result = spec.function(parsed)
    if parsed.notes:  # the reader sees what was assumed before the caveats of the rule
        fresh = [n for n in parsed.notes if n not in result.warnings]
        result = result.model_copy(update={"warnings": [*fresh, *result.warnings]})
    return result


def call_tool(name: str, inputs: dict[str, Any] | ToolInput) -> ToolResult:
    """Validate `inputs` and run tool `name`, returning its typed result."""
    spec = get_tool(name)
    return _execute(spec, parse_inputs(spec.input_model, inputs))


def run_tool(name: str, inputs: dict[str, Any] | ToolInput) -> ToolRun:
    """Run a tool and record it as the agent does: inputs as validated, output as JSON data."""
    spec = get_tool(name)
    parsed = parse_inputs(spec.input_model, inputs)
    result = _execute(spec, parsed)
    return ToolRun(
        tool=name,
        inputs=parsed.model_dump(mode="json", exclude_none=True),
        output=result.model_dump(mode="json"),
        rule=result.rule,
        reference=result.reference,
    )


def screen(
    text: str, profile: AthleteProfile | dict | None = None, intensity: str | None = None
) -> ScreenResult:
    """Deterministic contraindication screen of a question and an optional profile."""
    return _screen_fn(text, profile, intensity)


def langchain_tools() -> list:
    """LangChain `StructuredTool` wrappers of every registered tool (langchain imported here)."""
    from .lc import build_langchain_tools

    return build_langchain_tools(TOOLS)


__all__ = [
    "TOOLS",
    "AthleteProfile",
    "InjuryAdvice",
    "SafetyFlag",
    "ScreenResult",
    "SetEntry",
    "ToolResult",
    "ToolRun",
    "ToolSpec",
    "call_tool",
    "convert",
    "get_tool",
    "langchain_tools",
    "next_load",
    "read_set_log",
    "one_rep_max",
    "rir_chart",
    "rpe_load",
    "run_tool",
    "screen",
    "workload_ratio",
]
