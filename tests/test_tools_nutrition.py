"""Nutrition calculators, checked by hand against the figures their sources state: ISSN 2017
and Morton 2018 (protein), ACSM/AND/DC 2016 (carbohydrate), ISSN 2021 (caffeine), ISSN 2017 and
2021 (creatine), the 7,700 kcal/kg rule with Hall 2011's caveat (energy deficit), and ACSM 2007
(fluid after a session)."""

from __future__ import annotations

import pytest

from fitcoach.agent.tools import (
    caffeine,
    call_tool,
    carbohydrate,
    creatine,
    energy_deficit,
    fluid,
    protein,
)
from fitcoach.agent.tools import references as refs
from fitcoach.errors import ToolInputError


def test_protein_80_kg():
    r = protein(80)
    # 1.4 x 80 = 112, 2.0 x 80 = 160; 1.6 x 80 = 128; 2.2 x 80 = 176; 0.25 x 80 = 20
    assert (r.range_g, r.point_g, r.upper_g, r.per_meal_g) == ((112, 160), 128, 176, 20)
    assert r.summary.startswith("Protein for 80 kg: 112-160 g/day (ISSN 2017: 1.4-2.0 g/kg)")
    assert refs.JAGER in r.reference and refs.MORTON in r.reference
    assert "1.03-2.20" in r.rule


def test_protein_in_pounds_and_in_a_deficit():
    r = protein(176, unit="lb")
    # 176 lb = 79.83 kg: 1.4 -> 111.8, 2.0 -> 159.7, 1.6 -> 127.7
    assert r.body_mass_kg == 79.83 and r.range_g == (112, 160) and r.point_g == 128
    assert "176 lb (79.8 kg)" in r.summary
    cut = protein(90, goal="energy_deficit")
    # 2.3 x 90 = 207, 3.1 x 90 = 279
    assert cut.range_g == (207, 279) and cut.range_g_per_kg == (2.3, 3.1)


@pytest.mark.parametrize(
    ("load", "expected"),
    [("light", (210, 350)), ("moderate", (350, 490)), ("high", (420, 700)),
     ("very_high", (560, 840))],
)  # fmt: skip
def test_carbohydrate_bands_for_70_kg(load, expected):
    # 70 kg x 3-5 / 5-7 / 6-10 / 8-12 g/kg
    assert carbohydrate(70, load).range_g == expected


def test_carbohydrate_from_hours():
    assert carbohydrate(60, hours_per_day=2).load == "high"  # 1-3 h/day: 6-10 g/kg
    assert carbohydrate(60, hours_per_day=2).range_g == (360, 600)
    assert carbohydrate(60, hours_per_day=5).load == "very_high"
    assert carbohydrate(60, hours_per_day=1).load == "moderate"
    between = carbohydrate(60, hours_per_day=3.5)
    assert between.load == "high" and "between the 1-3 h and 4-5 h bands" in between.warnings[0]
    with pytest.raises(ToolInputError, match="hours_per_day"):
        carbohydrate(60)


def test_caffeine_70_kg():
    r = caffeine(70)
    # 3 x 70 = 210, 6 x 70 = 420, 2 x 70 = 140, 9 x 70 = 630 mg
    assert (r.range_mg, r.low_dose_mg, r.side_effect_mg) == ((210, 420), 140, 630)
    assert "60 minutes before" in r.summary and r.reference == refs.GUEST
    assert caffeine(154, unit="lb").range_mg == (210, 419)  # 69.85 kg x 3 = 209.6, x 6 = 419.1


def test_creatine_80_kg():
    r = creatine(80)
    # 0.3 x 80 = 24 g/day, four doses of 6 g; maintenance 3-5 g/day
    assert (r.loading_g_per_day, r.loading_dose_g, r.maintenance_g_per_day) == (24.0, 6.0, (3, 5))
    assert "5-7 days" in r.summary and refs.KREIDER in r.reference
    assert creatine(65).loading_g_per_day == 19.5


def test_energy_deficit():
    r = energy_deficit(0.5, body_mass=80)
    # 0.5 kg x 7700 / 7 = 550 kcal/day; 0.5 / 80 = 0.625% -> 0.62 (round half to even)
    assert r.deficit_kcal_per_day == 550 and r.percent_body_mass_per_week == 0.62
    assert any("overstates long-term loss" in w for w in r.warnings)
    assert refs.HALL in r.reference
    lb = energy_deficit(1, unit="lb")
    # 1 lb = 0.45359237 kg; x 7700 / 7 = 498.95 -> 499 kcal/day (the "3,500 kcal/lb" rule)
    assert lb.deficit_kcal_per_day == 499
    fast = energy_deficit(1.2, body_mass=70)
    # 1.2 kg/week: 1320 kcal/day and 1.71% of body mass a week
    assert fast.deficit_kcal_per_day == 1320
    assert any("Garthe 2011" in w for w in fast.warnings)
    assert any("RED-S" in w for w in fast.warnings)


def test_fluid_after_a_session():
    r = fluid(1.5)
    # 1.5 L per kg lost: 1.5 x 1.5 = 2.25 L, shown as 2.3
    assert r.litres == 2.3 and r.percent_body_mass is None
    assert r.summary.startswith("To replace 1.5 kg lost: drink about 2.3 L over the next few hours")
    assert r.reference == refs.SAWKA
    hot = fluid(1.6, body_mass=70)  # 1.6 / 70 = 2.29%: over the 2% mark
    assert hot.percent_body_mass == 2.3 and "over the 2% mark" in hot.summary
    assert any("2% of body mass" in w for w in hot.warnings)
    assert "under the 2% mark" in fluid(1, body_mass=80).summary
    # 3 lb = 1.361 kg: 2.04 L, shown as 2 L
    assert fluid(3, "lb").litres == 2.0


@pytest.mark.parametrize(
    ("name", "inputs", "fragment"),
    [("protein", {"body_mass": 8}, "plausible"), ("protein", {"body_mass": 80, "unit": "st"}, "unit"),
     ("caffeine", {"body_mass": 900, "unit": "lb"}, "plausible"),
     ("energy-deficit", {"rate": 5}, "rate"), ("carbohydrate", {"body_mass": 70, "load": "epic"}, "load"),
     ("fluid", {"mass_lost": 9}, "one session"), ("fluid", {"mass_lost": 2, "body_mass": 2}, "smaller")],
)  # fmt: skip
def test_bad_inputs_say_what_to_change(name, inputs, fragment):
    with pytest.raises(ToolInputError, match=fragment):
        call_tool(name, inputs)
