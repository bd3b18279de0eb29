"""The parser's contract beyond the phrasing table: typed results, the bugs it exists to fix,
notes a person can read, and the grammar built once."""

from __future__ import annotations

import doctest

import pytest

import fitcoach.agent.parse as parse_pkg
from fitcoach.agent.parse import Parsed, parse
from fitcoach.agent.parse.grammar import grammar


def test_the_reported_misreadings_are_gone():
    # Each of these once put the set count (or a rep count) where the load belongs.
    for text, load, sets, reps in [
        ("I did 3x10 at 40 kg on the leg press, RPE 6, what next week?", 40, 3, 10),
        ("Stuck at 80 kg for 5x5", 80, 5, 5),
        ("3x8 at 60 kg", 60, 3, 8),
    ]:
        (group,) = parse(text).sets
        assert (group.load.value, group.load.unit, group.sets) == (load, "kg", sets), text
        assert set(group.reps) == {reps}, text


def test_result_is_typed_and_serialisable():
    parsed = parse("squat 3x5 @ 100 kg rpe 8, got 7 on the last set twice")
    assert isinstance(parsed, Parsed)
    group = parsed.sets[0]
    assert (group.exercise, group.reps, group.goal_reps, group.sessions) == (
        "back squat",
        [5, 5, 7],
        5,
        2,
    )
    again = Parsed.model_validate_json(parsed.model_dump_json())
    assert again == parsed and again.sets[0].text.startswith("squat")


def test_missing_unit_is_a_question_with_the_number_in_it():
    parsed = parse("225 for 5")
    assert [q.code for q in parsed.questions] == ["unit_missing"]
    assert "225" in parsed.questions[0].text and "kg or lb" in parsed.questions[0].text
    told = parse("225 for 5", units="lb")
    assert told.sets[0].load.unit == "lb" and "profile" in told.assumptions[0].text


def test_plates_state_both_readings():
    note = parse("2 plates for 5 on bench").assumptions[0].text
    assert "225 lb" in note and "100 kg" in note


def test_grammar_is_built_once_and_module_docstring_runs():
    assert grammar() is grammar()
    failures, tried = doctest.testmod(parse_pkg, verbose=False)[:2]
    assert tried and not failures


def test_a_bare_number_with_no_lift_is_no_load() -> None:
    # "at 15" with no exercise, sets or unit is an age, not a weight to ask the unit of
    parsed = parse("should my rugby lads be doing strength training at 15 or is that bad?")
    assert parsed.loads == [] and parsed.questions == []
    assert [load.value for load in parse("is that ok at 100 kg?").loads] == [100.0]


def test_what_someone_cannot_do_is_no_set() -> None:
    assert parse("I'm 40, about 75 kg, and can't do a single pull-up yet.").sets == []
    assert len(parse("I can't do more than 5 reps at 100 kg").sets) == 1  # a 5RM
    # a miss before the set is not the set: the set that follows stays
    assert len(parse("I couldn't do my last set: 3x5 at 100 kg felt heavy").sets) == 1


@pytest.mark.parametrize(
    ("message", "mass"),
    [("21m 75kg, bench stuck at 100kg for 5", 75.0), ("25F, 60 kg, how much protein?", 60.0),
     ("30 yo / 80kg, squat 100 kg x 5", 80.0), ("I ran 20m sprints with a 10kg vest", None)],
)
def test_an_age_and_sex_before_a_weight_introduce_the_athlete(message: str, mass: float | None) -> None:
    got = parse(message).body_mass
    assert (got.value if got else None) == mass


def test_weekly_distances_named_before_the_numbers_are_a_series_in_that_unit():
    from fitcoach.agent.parse import parse

    found = parse("running km last 4 weeks: 22, 25, 31, 38. am i ramping too fast").series
    assert [(s.values, s.unit) for s in found] == [([22.0, 25.0, 31.0, 38.0], "km")]
    found = parse("weekly miles over the last 4 weeks: 10, 12, 15, 20").series
    assert [s.unit for s in found] == ["mi"]
