"""Sports-nutrition arithmetic per kilogram of body mass: daily protein, carbohydrate by training
load, caffeine and creatine doses, the energy deficit for a target rate of weight loss, and the
fluid to drink after a session from the body mass it cost.
Each range is the one its position stand or meta-analysis states; the rounding is ours."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from . import references as refs
from .base import ToolInput, ToolResult, Unit, parse_inputs
from .units import LB_IN_KG, convert_value, fmt, normalize_unit

KCAL_PER_KG = 7700  # the static rule: ~3,500 kcal per lb; Hall 2011 shows it overstates loss
HALL_CAVEAT = (
    "The 7,700 kcal per kg rule overstates long-term loss: energy expenditure falls as weight "
    "falls, so the same deficit removes less and less (Hall 2011); early losses are partly "
    "water and glycogen. Re-check intake and the trend every few weeks."
)


class BodyMassInput(ToolInput):
    body_mass: float = Field(description="Body mass in `unit` (kg or lb).")
    unit: Unit = Field("kg", description="kg or lb (lbs, pounds, kilos accepted).")

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, value: Any) -> Any:
        return normalize_unit(value)

    @model_validator(mode="after")
    def _plausible(self) -> BodyMassInput:
        kg = self.kg
        if not 20 <= kg <= 400:
            raise ValueError(
                f"body_mass {self.body_mass:g} {self.unit} is not a plausible adult body mass "
                "(20-400 kg): check the number and the unit"
            )
        return self

    @property
    def kg(self) -> float:
        return self.body_mass * LB_IN_KG if self.unit == "lb" else self.body_mass

    def shown(self) -> str:
        text = f"{fmt(self.body_mass)} {self.unit}"
        return text if self.unit == "kg" else f"{text} ({fmt(round(self.kg, 1))} kg)"


def grams(per_kg: float, kg: float) -> int:
    """Whole grams (or mg) for a per-kg amount; halves round up."""
    return int(per_kg * kg + 0.5 + 1e-9)


# --- protein ------------------------------------------------------------------------------
class ProteinInput(BodyMassInput):
    goal: Literal["build", "maintain", "energy_deficit"] = Field(
        "build", description="build or maintain muscle, or keep it during an energy deficit."
    )


class ProteinResult(ToolResult):
    body_mass_kg: float
    range_g: tuple[int, int] = Field(description="Daily grams for the goal's g/kg range.")
    range_g_per_kg: tuple[float, float]
    point_g: int = Field(description="Grams at Morton 2018's ~1.6 g/kg/day breakpoint.")
    upper_g: int = Field(description="Grams at ~2.2 g/kg/day, the breakpoint's upper 95% CI.")
    per_meal_g: int = Field(description="About 0.25 g/kg per meal (ISSN 2017).")


def _protein(inp: ProteinInput) -> ProteinResult:
    kg = inp.kg
    per_kg = (2.3, 3.1) if inp.goal == "energy_deficit" else (1.4, 2.0)
    low, high = grams(per_kg[0], kg), grams(per_kg[1], kg)
    point, upper, meal = grams(1.6, kg), grams(2.2, kg), grams(0.25, kg)
    if inp.goal == "energy_deficit":
        head = (
            f"Protein for {inp.shown()} in an energy deficit: {low}-{high} g/day "
            f"(2.3-3.1 g/kg, ISSN 2017 for resistance-trained people cutting)"
        )
    else:
        head = f"Protein for {inp.shown()}: {low}-{high} g/day (ISSN 2017: 1.4-2.0 g/kg)"
    summary = (
        f"{head}; about {point} g/day (1.6 g/kg) is where extra protein stopped adding muscle "
        f"in Morton 2018, and {upper} g/day (2.2 g/kg) covers the upper end of its uncertainty; "
        f"about {meal} g per meal (0.25 g/kg) over 3-5 meals"
    )
    return ProteinResult(
        body_mass_kg=round(kg, 2),
        range_g=(low, high),
        range_g_per_kg=per_kg,
        point_g=point,
        upper_g=upper,
        per_meal_g=meal,
        summary=summary,
        rule="g/day = g/kg x body mass: ISSN 1.4-2.0 g/kg/day (2.3-3.1 in a deficit); Morton "
        "2018 breakpoint 1.62 g/kg/day, 95% CI 1.03-2.20; 0.25 g/kg per meal",
        reference=f"{refs.JAGER}; {refs.MORTON}",
        warnings=[
            "Morton 2018's 1.6 g/kg is a population average with a wide interval (about "
            "1.0-2.2 g/kg): some people gain from more. People with kidney disease need "
            "individual advice."
        ],
    )


def protein(body_mass: float, unit: str = "kg", goal: str = "build") -> ProteinResult:
    """Daily protein, e.g. `protein(80).range_g == (112, 160)`."""
    return _protein(
        parse_inputs(ProteinInput, {"body_mass": body_mass, "unit": unit, "goal": goal})
    )


# --- carbohydrate ---------------------------------------------------------------------------
Load = Literal["light", "moderate", "high", "very_high"]
CARB_RANGES: dict[str, tuple[int, int, str]] = {
    "light": (3, 5, "light, low-intensity or skill-based training"),
    "moderate": (5, 7, "a moderate programme of about 1 hour a day"),
    "high": (6, 10, "1-3 hours a day of moderate-to-high intensity"),
    "very_high": (8, 12, "more than 4-5 hours a day"),
}


class CarbohydrateInput(BodyMassInput):
    load: Load | None = Field(None, description="light, moderate, high or very_high.")
    hours_per_day: float | None = Field(
        None, ge=0, le=12, description="Training hours a day, when `load` is not given."
    )

    @model_validator(mode="after")
    def _load_or_hours(self) -> CarbohydrateInput:
        if self.load is None and self.hours_per_day is None:
            raise ValueError("give `load` (light/moderate/high/very_high) or `hours_per_day`")
        return self


class CarbohydrateResult(ToolResult):
    body_mass_kg: float
    load: Load
    range_g: tuple[int, int]
    range_g_per_kg: tuple[int, int]


def load_from_hours(hours: float) -> tuple[Load, str | None]:
    """The ACSM/AND/DC 2016 band for a day's training hours, and a note where it is a call."""
    if hours < 1:
        return "moderate", (
            f"{fmt(hours)} h a day read as the moderate band (about 1 h/day); for light or "
            "skill-based sessions the light band (3-5 g/kg) applies"
        )
    if hours <= 3:
        return ("moderate", None) if hours == 1 else ("high", None)
    if hours < 4:
        return "high", f"{fmt(hours)} h a day falls between the 1-3 h and 4-5 h bands: high used"
    return "very_high", None


def _carbohydrate(inp: CarbohydrateInput) -> CarbohydrateResult:
    warnings = []
    load = inp.load
    if load is None:
        load, note = load_from_hours(inp.hours_per_day)
        if note:
            warnings.append(note)
    low_per_kg, high_per_kg, words = CARB_RANGES[load]
    low, high = grams(low_per_kg, inp.kg), grams(high_per_kg, inp.kg)
    warnings.append(
        "These are starting ranges to adjust to the day's training, body-composition goals and "
        "gut tolerance; a sports dietitian can individualise them."
    )
    return CarbohydrateResult(
        body_mass_kg=round(inp.kg, 2),
        load=load,
        range_g=(low, high),
        range_g_per_kg=(low_per_kg, high_per_kg),
        summary=f"Carbohydrate for {inp.shown()} on {words}: {low}-{high} g/day "
        f"({low_per_kg}-{high_per_kg} g/kg)",
        rule="g/day = g/kg x body mass; light 3-5, moderate (~1 h/day) 5-7, 1-3 h/day of "
        "moderate-to-high intensity 6-10, >4-5 h/day 8-12 g/kg/day",
        reference=f"{refs.THOMAS}; {refs.BURKE}",
        warnings=warnings,
    )


def carbohydrate(
    body_mass: float, load: str | None = None, hours_per_day: float | None = None, unit: str = "kg"
) -> CarbohydrateResult:
    """Daily carbohydrate by training load, e.g. `carbohydrate(70, "high").range_g == (420, 700)`."""
    inputs = {"body_mass": body_mass, "unit": unit, "load": load, "hours_per_day": hours_per_day}
    return _carbohydrate(parse_inputs(CarbohydrateInput, inputs))


# --- caffeine -------------------------------------------------------------------------------
class CaffeineResult(ToolResult):
    body_mass_kg: float
    range_mg: tuple[int, int] = Field(description="3-6 mg/kg.")
    low_dose_mg: int = Field(description="About 2 mg/kg, the lowest dose that may work.")
    side_effect_mg: int = Field(description="About 9 mg/kg, where side effects become common.")


def _caffeine(inp: BodyMassInput) -> CaffeineResult:
    kg = inp.kg
    low, high, floor, ceiling = grams(3, kg), grams(6, kg), grams(2, kg), grams(9, kg)
    return CaffeineResult(
        body_mass_kg=round(kg, 2),
        range_mg=(low, high),
        low_dose_mg=floor,
        side_effect_mg=ceiling,
        summary=f"Caffeine for {inp.shown()}: {low}-{high} mg (3-6 mg/kg), usually about 60 "
        f"minutes before exercise; as little as {floor} mg (2 mg/kg) may help, and around "
        f"{ceiling} mg (9 mg/kg) side effects become common without extra benefit",
        rule="mg = mg/kg x body mass: 3-6 mg/kg consistently improves performance; minimum "
        "perhaps ~2 mg/kg; ~9 mg/kg brings frequent side effects",
        reference=refs.GUEST,
        warnings=[
            "Try the dose in training first: responses vary (genetics, habitual intake), and "
            "caffeine can disturb sleep after evening sessions. Pregnancy, heart rhythm problems "
            "or anxiety call for a doctor's advice first."
        ],
    )


def caffeine(body_mass: float, unit: str = "kg") -> CaffeineResult:
    """Caffeine dose, e.g. `caffeine(70).range_mg == (210, 420)`."""
    return _caffeine(parse_inputs(BodyMassInput, {"body_mass": body_mass, "unit": unit}))


# --- fluid replacement ------------------------------------------------------------------------
LITRES_PER_KG_LOST = 1.5  # ACSM 2007: when recovery is rushed, ~1.5 L per kg lost
DEFICIT_MARK = 2.0  # % of body mass lost as water, past which aerobic performance suffers


class FluidInput(ToolInput):
    mass_lost: float = Field(gt=0, description="Body mass lost over the session, in `unit`.")
    unit: Unit = Field("kg", description="Unit of `mass_lost` and `body_mass` (kg or lb).")
    body_mass: float | None = Field(None, description="Body mass before the session, for the loss in %.")

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, value: Any) -> Any:
        return normalize_unit(value)

    @model_validator(mode="after")
    def _plausible(self) -> FluidInput:
        if convert_value(self.mass_lost, self.unit, "kg") > 6:
            raise ValueError(
                f"mass_lost {self.mass_lost:g} {self.unit} is more than one session's sweat "
                "(6 kg at most): give the weight lost between before and after one session"
            )
        if self.body_mass is not None and not self.mass_lost < self.body_mass:
            raise ValueError("mass_lost must be smaller than body_mass: check the two numbers")
        return self


class FluidResult(ToolResult):
    mass_lost_kg: float
    litres: float = Field(description="About 1.5 L per kg lost, when recovery is rushed.")
    percent_body_mass: float | None = Field(None, description="The loss as % of body mass.")


def _fluid(inp: FluidInput) -> FluidResult:
    lost_kg = convert_value(inp.mass_lost, inp.unit, "kg")
    litres = int(LITRES_PER_KG_LOST * lost_kg * 10 + 0.5) / 10  # halves up: 2.25 L is 2.3
    summary = (
        f"To replace {fmt(inp.mass_lost)} {inp.unit} lost: drink about {fmt(litres)} L over the "
        f"next few hours (about 1.5 L per kg lost, since some of what you drink is passed as "
        f"urine), with sodium from food or a salty drink"
    )
    warnings = []
    pct = None
    if inp.body_mass is not None:
        pct = round(100 * inp.mass_lost / inp.body_mass, 1)
        over = "over" if pct > DEFICIT_MARK else "under"
        summary += f"; {fmt(pct)}% of {fmt(inp.body_mass)} {inp.unit}, {over} the 2% mark"
        if pct > DEFICIT_MARK:
            warnings.append(
                "Losing more than 2% of body mass in a session can hurt endurance performance, "
                "especially in the heat: drink a little more during similar sessions next time."
            )
    warnings.append(
        "Never drink so much that you gain weight during exercise: overdrinking risks low "
        "blood sodium (hyponatraemia)."
    )
    return FluidResult(
        mass_lost_kg=round(lost_kg, 3),
        litres=litres,
        percent_body_mass=pct,
        summary=summary,
        rule="litres = 1.5 x kg of body mass lost; a loss over 2% of body mass is the "
        "performance mark",
        reference=refs.SAWKA,
        warnings=warnings,
    )


def fluid(mass_lost: float, unit: str = "kg", body_mass: float | None = None) -> FluidResult:
    """Fluid to drink after a session, e.g. `fluid(1.5).litres == 2.3`."""
    inputs = {"mass_lost": mass_lost, "unit": unit, "body_mass": body_mass}
    return _fluid(parse_inputs(FluidInput, inputs))


# --- creatine -------------------------------------------------------------------------------
class CreatineResult(ToolResult):
    body_mass_kg: float
    loading_g_per_day: float = Field(description="0.3 g/kg/day, for 5-7 days.")
    loading_dose_g: float = Field(description="One of four daily loading doses.")
    maintenance_g_per_day: tuple[int, int] = (3, 5)


def _creatine(inp: BodyMassInput) -> CreatineResult:
    kg = inp.kg
    loading = round(0.3 * kg, 1)
    dose = round(loading / 4, 1)
    return CreatineResult(
        body_mass_kg=round(kg, 2),
        loading_g_per_day=loading,
        loading_dose_g=dose,
        summary=f"Creatine monohydrate for {inp.shown()}: either load with {fmt(loading)} g/day "
        f"(0.3 g/kg, as 4 doses of about {fmt(dose)} g) for 5-7 days, then 3-5 g/day; or take "
        "3-5 g/day from the start, which fills muscle stores in about 3-4 weeks",
        rule="loading ~0.3 g/kg/day for 5-7 days, then 3-5 g/day to maintain; or 3-5 g/day "
        "without loading",
        reference=f"{refs.KREIDER}; {refs.ANTONIO}",
        warnings=[
            "Expect about 1-2 kg of extra body mass from water held in muscle after loading "
            "(matters for weight classes). With kidney disease or nephrotoxic medication, ask a "
            "doctor first."
        ],
    )


def creatine(body_mass: float, unit: str = "kg") -> CreatineResult:
    """Creatine loading and maintenance, e.g. `creatine(80).loading_g_per_day == 24.0`."""
    return _creatine(parse_inputs(BodyMassInput, {"body_mass": body_mass, "unit": unit}))


# --- energy deficit -------------------------------------------------------------------------
class EnergyDeficitInput(ToolInput):
    rate: float = Field(gt=0, le=2.5, description="Target loss per week, in `unit`.")
    unit: Unit = Field("kg", description="Unit of `rate` and `body_mass` (kg or lb).")
    body_mass: float | None = Field(None, description="Body mass, to express the rate in %/week.")

    @field_validator("unit", mode="before")
    @classmethod
    def _unit(cls, value: Any) -> Any:
        return normalize_unit(value)


class EnergyDeficitResult(ToolResult):
    rate_kg_per_week: float
    deficit_kcal_per_day: int = Field(description="rate x 7,700 kcal/kg / 7 days.")
    percent_body_mass_per_week: float | None = None


def _energy_deficit(inp: EnergyDeficitInput) -> EnergyDeficitResult:
    to_kg = LB_IN_KG if inp.unit == "lb" else 1.0
    rate_kg = inp.rate * to_kg
    deficit = int(rate_kg * KCAL_PER_KG / 7 + 0.5)
    warnings = [HALL_CAVEAT]
    pct = None
    summary = (
        f"Losing {fmt(inp.rate)} {inp.unit}/week takes a deficit of about {deficit} kcal/day "
        f"({round(rate_kg, 3):g} kg x 7,700 kcal/kg / 7 days)"
    )
    if inp.body_mass is not None:
        pct = round(100 * inp.rate / inp.body_mass, 2)
        summary += f", {fmt(pct)}% of {fmt(inp.body_mass)} {inp.unit} a week"
        if pct > 1.0:
            warnings.append(
                f"{fmt(pct)}% of body mass a week is fast: athletes losing ~0.7%/week kept more "
                "lean mass and strength than at ~1.4%/week (Garthe 2011)."
            )
    if deficit > 1000:
        warnings.append(
            "A deficit over 1,000 kcal/day risks low energy availability (RED-S) if you train "
            "hard: plan it with a sports dietitian or doctor."
        )
    return EnergyDeficitResult(
        rate_kg_per_week=round(rate_kg, 4),
        deficit_kcal_per_day=deficit,
        percent_body_mass_per_week=pct,
        summary=summary,
        rule="kcal/day = kg per week x 7,700 kcal/kg / 7 (the static rule; it overstates "
        "long-term loss)",
        reference=f"{refs.HALL}; {refs.GARTHE}",
        warnings=warnings,
    )


def energy_deficit(
    rate: float, unit: str = "kg", body_mass: float | None = None
) -> EnergyDeficitResult:
    """Daily deficit for a weekly loss rate, e.g. `energy_deficit(0.5).deficit_kcal_per_day == 550`."""
    inputs = {"rate": rate, "unit": unit, "body_mass": body_mass}
    return _energy_deficit(parse_inputs(EnergyDeficitInput, inputs))
