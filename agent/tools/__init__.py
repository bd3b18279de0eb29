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
from .endurance import (
    HeartRateZonesInput,
    RunningProgressionInput,
    _heart_rate_zones,
    _running_progression,
    heart_rate_zones,
    running_progression,
)
from .nutrition import (
    BodyMassInput,
    CarbohydrateInput,
    EnergyDeficitInput,
    FluidInput,
    ProteinInput,
    _caffeine,
    _carbohydrate,
    _creatine,
    _energy_deficit,
    _fluid,
    _protein,
    caffeine,
    carbohydrate,
    creatine,
    energy_deficit,
    fluid,
    protein,
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


register(
    ToolSpec(
        name="protein",
        description="Daily protein for a body mass: ISSN 2017 1.4-2.0 g/kg (2.3-3.1 g/kg in an "
        "energy deficit), Morton 2018's ~1.6 g/kg breakpoint and its ~2.2 g/kg upper bound, "
        "and grams per meal.",
        input_model=ProteinInput,
        function=_protein,
        example={"body_mass": 80, "unit": "kg", "goal": "build"},
    )
)
register(
    ToolSpec(
        name="carbohydrate",
        description="Daily carbohydrate for a body mass by training load (ACSM/AND/DC 2016: "
        "light 3-5, ~1 h/day 5-7, 1-3 h/day 6-10, >4-5 h/day 8-12 g/kg), from the load or "
        "the hours trained a day.",
        input_model=CarbohydrateInput,
        function=_carbohydrate,
        example={"body_mass": 70, "unit": "kg", "load": "high"},
    )
)
register(
    ToolSpec(
        name="caffeine",
        description="Caffeine dose in mg for a body mass: 3-6 mg/kg about an hour before "
        "exercise (ISSN 2021), with the low (2 mg/kg) and side-effect (9 mg/kg) marks.",
        input_model=BodyMassInput,
        function=_caffeine,
        example={"body_mass": 70, "unit": "kg"},
    )
)
register(
    ToolSpec(
        name="creatine",
        description="Creatine monohydrate: loading ~0.3 g/kg/day for 5-7 days in four doses, "
        "then 3-5 g/day, or 3-5 g/day from the start (ISSN 2017, 2021).",
        input_model=BodyMassInput,
        function=_creatine,
        example={"body_mass": 80, "unit": "kg"},
    )
)
register(
    ToolSpec(
        name="heart-rate-zones",
        description="ACSM heart-rate zones from a measured maximum or the Tanaka age-predicted "
        "maximum (208 - 0.7 x age), by heart-rate reserve (Karvonen) when a resting rate is "
        "given, else by % of maximum.",
        input_model=HeartRateZonesInput,
        function=_heart_rate_zones,
        example={"age": 40, "resting_hr": 60},
    )
)
register(
    ToolSpec(
        name="running-progression",
        description="Weekly running distances ahead at a chosen % increase, the last two weeks' "
        "change against Nielsen 2014's 30% mark, weeks to a target and a long-run cap, with "
        "the (weak) evidence on progression rates as a caveat.",
        input_model=RunningProgressionInput,
        function=_running_progression,
        example={"history": [20, 22, 25, 30], "unit": "km", "weeks": 4, "target": 45},
    )
)
register(
    ToolSpec(
        name="energy-deficit",
        description="Daily energy deficit for a target weekly rate of weight loss (7,700 "
        "kcal/kg, with Hall 2011's caveat that it overstates long-term loss) and the rate as % "
        "of body mass (Garthe 2011).",
        input_model=EnergyDeficitInput,
        function=_energy_deficit,
        example={"rate": 0.5, "unit": "kg", "body_mass": 80},
    )
)
register(
    ToolSpec(
        name="fluid",
        description="Fluid to drink after a session from the body mass it cost: about 1.5 L "
        "per kg lost, with sodium, and the loss against the 2% mark (ACSM 2007).",
        input_model=FluidInput,
        function=_fluid,
        example={"mass_lost": 1.5, "unit": "kg", "body_mass": 70},
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
    "caffeine",
    "call_tool",
    "carbohydrate",
    "convert",
    "creatine",
    "energy_deficit",
    "fluid",
    "get_tool",
    "heart_rate_zones",
    "langchain_tools",
    "next_load",
    "read_set_log",
    "one_rep_max",
    "protein",
    "rir_chart",
    "rpe_load",
    "run_tool",
    "running_progression",
    "screen",
    "workload_ratio",
]
