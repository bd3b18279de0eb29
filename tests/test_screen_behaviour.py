"""The screen's contract beyond the table: deterministic and fast, flags immutable, profile
files, escalation by intensity, the detector's negation scope, and the catalogue's integrity."""

from __future__ import annotations

import time

import pytest
from pydantic import ValidationError

from fitcoach.agent.tools import AthleteProfile, SafetyFlag, screen
from fitcoach.agent.tools.catalogue import (
    exercises,
    find_exercises,
    injury_advice,
    lift_size,
    loads_region,
    regions,
)
from fitcoach.agent.tools.detect import find_age, find_mentions, find_pregnancy_week
from fitcoach.agent.tools.screen_rules import rulebook
from fitcoach.errors import ConfigError, UnknownNameError


def test_screen_is_deterministic_and_fast():
    text = (
        "I'm 58, sedentary, with type 2 diabetes and a sore knee; I get dizzy on stairs "
        "and want to start HIIT and heavy squats."
    )
    screen(text)  # first call compiles the vocabulary
    start = time.perf_counter()
    results = [screen(text).model_dump() for _ in range(50)]
    per_call = (time.perf_counter() - start) / 50
    assert all(r == results[0] for r in results)
    assert per_call < 0.05, f"{per_call * 1000:.1f} ms per screen"


def test_flags_cannot_be_edited_and_refer_follows_actions():
    result = screen("I get chest pain when I run")
    flag = result.flags[0]
    with pytest.raises(ValidationError):
        flag.action = "monitor"
    assert result.refer and flag.severity == "absolute"
    assert not screen("How many sets for biceps?").refer


def test_every_rule_is_complete():
    for code, rule in rulebook().rules.items():
        SafetyFlag(
            code=code,
            severity=rule.severity,
            action=rule.action,
            message=rule.message,
            reference=rule.reference,
        )
        assert rule.reference and len(rule.message) > 30, code
        if rule.severity == "absolute":
            assert rule.action == "refer", code


def test_clearance_before_vigorous_becomes_refer_for_vigorous_work():
    profile = {"activity_level": "active", "conditions": ["type 2 diabetes"]}
    moderate = screen("Plan my walking", profile)
    vigorous = screen("Plan my walking", profile, intensity="vigorous")
    assert moderate.flags[0].action == "clearance_before_vigorous"
    assert vigorous.codes == ["acsm_disease_vigorous"] and vigorous.refer


def test_profile_and_text_are_both_read(tmp_path):
    path = tmp_path / "me.yaml"
    path.write_text(
        "age: 34\nsex: F\npregnant: true\npregnancy_week: 31\n"
        "injuries: [left achilles]\nresting_bp: 120/80\n"
    )
    profile = AthleteProfile.load(path)
    assert profile.sex == "female" and profile.systolic == 120
    result = screen("I was told I have placenta previa", profile)
    assert {"acog_placenta_previa", "pregnancy", "injury_achilles"} <= set(result.codes)
    previa = next(f for f in result.flags if f.code == "acog_placenta_previa")
    assert previa.severity == "absolute"
    early = screen("I was told I have placenta previa", {"pregnant": True, "pregnancy_week": 20})
    assert next(f for f in early.flags if f.code == "acog_placenta_previa").severity == "relative"


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_profile_formats(tmp_path, suffix):
    path = tmp_path / f"p{suffix}"
    path.write_text(
        'age = 40\nconditions = ["asthma"]\n'
        if suffix == ".toml"
        else '{"age": 40, "conditions": "asthma, hypertension"}'
    )
    profile = AthleteProfile.load(path)
    assert profile.age == 40 and "asthma" in profile.conditions


def test_bad_profile_says_which_field(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text('age = 40\nresting_bp = "high"\nfavourite_lift = "squat"\n')
    with pytest.raises(ConfigError) as info:
        AthleteProfile.load(path)
    assert "resting_bp" in info.value.message and "favourite_lift" in info.value.message


@pytest.mark.parametrize(
    ("text", "code", "negated"),
    [
        ("no chest pain", "chest_pain", True),
        ("never had heart problems", "heart_disease", True),
        ("without dizziness", "dizziness", True),
        ("denies palpitations", "palpitations", True),
        ("I don't have diabetes", "diabetes", True),
        ("I haven't got asthma", "chronic_condition", True),
        ("no history of heart disease", "heart_disease", True),
        ("chest pain? no", "chest_pain", True),
        ("I'm not sure whether it's chest pain", "chest_pain", False),
        ("no problem lifting, but I have asthma", "chronic_condition", False),
        ("I've had no injuries. I have hypertension.", "hypertension", False),
        ("chest pain that doesn't go away", "chest_pain", False),
    ],
)
def test_negation_scope(text, code, negated):
    found = [m for m in find_mentions(text) if m.code == code]
    assert found and all(m.negated is negated for m in found), found


def test_other_people_are_not_the_user():
    found = find_mentions("My father had a stroke and my sister has asthma")
    assert found and all(m.other for m in found)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("my dad is 68, had a knee replacement, what should his first few weeks look like", "injury_knee"),
        ("my dad had a heart attack, can he start running again?", "acsm_disease_inactive"),
        ("my mum has osteoporosis, is lifting safe for her?", "osteoporosis"),
        ("my dad had a heart attack at 45, should I get checked before I start running?", None),
        ("my friend had a heart attack, should I worry about running?", None),
    ],
)
def test_a_relative_the_question_plans_for_is_screened_as_the_athlete(text, flagged):
    codes = [f.code for f in screen(text).flags]
    assert (flagged in codes) if flagged else codes == [], codes


def test_numbers_from_text():
    assert find_age("I'm 45 and want to run") == 45
    assert find_age("I'm 20 weeks pregnant") is None
    assert find_age("I have trained for 3 years") is None
    assert find_pregnancy_week("third trimester") == 30


def test_catalogue_integrity():
    catalogue = exercises()
    assert len(catalogue) >= 150
    names = [e.name for e in catalogue]
    assert len(names) == len(set(names))
    all_joints = {
        "ankle",
        "knee",
        "hip",
        "lumbar_spine",
        "thoracic_spine",
        "cervical_spine",
        "shoulder",
        "elbow",
        "wrist",
    }
    for ex in catalogue:
        assert ex.muscles and ex.equipment and set(ex.joints) <= all_joints, ex.name
    for region in regions().values():
        assert any(loads_region(ex, region) for ex in catalogue), region.name
        for pattern, swaps in region.swaps.items():
            assert pattern in region.patterns
            assert all(find_exercises(s) for s in swaps), (region.name, swaps)


def test_catalogue_lookup_and_injury_advice():
    assert [e.name for e in find_exercises("front squats and pull ups")] == [
        "front squat",
        "pull-up",
    ]
    assert lift_size("trap bar deadlift") == "large" and lift_size("lateral raise") == "small"
    advice = injury_advice("shoulder", "sore shoulder", "can I still bench and do overhead press?")
    assert [s.exercise for s in advice.exercises_to_modify] == ["bench press", "overhead press"]
    assert "landmine press" in advice.exercises_to_modify[1].instead
    assert advice.see.startswith("physiotherapist")
    with pytest.raises(UnknownNameError):
        injury_advice("spleen", "x")


def test_screen_json_has_flags_list():
    data = screen("I'm pregnant and have preeclampsia").model_dump(mode="json")
    assert isinstance(data["flags"], list)
    assert set(data["flags"][0]) == {
        "code",
        "severity",
        "action",
        "message",
        "reference",
        "evidence",
    }


def test_type_1_diabetes_is_screened_as_insulin_use():
    codes = [f.code for f in screen("type 1 diabetic, going low on long runs, how should i fuel?").flags]
    assert "med_insulin" in codes, codes
    codes = [f.code for f in screen("t1 diabetic here, my sugar tanks on long rides").flags]
    assert "med_insulin" in codes, codes
    codes = [f.code for f in screen("I have type 2 diabetes, how much should I walk?").flags]
    assert "med_insulin" not in codes, codes


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("after hard swim sets my heart goes really fast and fluttery even when im resting", True),
        ("my pulse was pounding for 10 min while resting after the race", True),
        ("my heart races at the end of a sprint", False),
        ("heart rate monitor says 180 on intervals", False),
    ],
)
def test_palpitations_in_everyday_words_are_referred(text, flagged):
    codes = [f.code for f in screen(text).flags]
    assert ("symptom_palpitations" in codes) is flagged, codes


@pytest.mark.parametrize(
    ("text", "code", "flagged"),
    [
        ("How risky is running a marathon for cardiac arrest?", "heart_disease", False),
        ("what is the risk of sudden cardiac arrest in marathon runners", "heart_disease", False),
        ("I had a cardiac arrest last year, can I run a marathon?", "heart_disease", True),
        ("How does fluid intake influence the risk of exercise-associated hyponatraemia?",
         "electrolyte", False),
        ("how do i avoid hyponatremia in an ironman", "electrolyte", False),
        ("How should athletes plan fluids to avoid both dehydration and exercise-associated hyponatraemia?",
         "electrolyte", False),
        ("I was told I have hyponatremia, can I still run?", "electrolyte", True),
        ("think i have symptoms of hyponatremia after the marathon", "electrolyte", True),
    ],
)
def test_asking_about_a_risk_is_not_having_the_condition(text, code, flagged):
    codes = [m.code for m in find_mentions(text)]
    assert (code in codes) is flagged, codes
