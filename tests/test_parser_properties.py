"""Properties of the training-statement parser, for any message: it never yields a number the
message does not contain (worked-out numbers aside, and marked as such), it never raises, and a
load written without a unit is never given one silently. Hypothesis runs with the fixed
profile of tests/conftest.py."""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from fitcoach.agent.parse import parse
from fitcoach.agent.parse.tokens import lexicon

WORDS = {**lexicon()["numbers"], "a": 1, "an": 1, "once": 1, "single": 1, "singles": 1,
         "twice": 2, "double": 2, "doubles": 2, "couple": 2, "thrice": 3, "triple": 3,
         "triples": 3}  # fmt: skip


def message_numbers(text: str) -> set[float]:
    """Every number a reader can see in `text`: digits (decimal point or comma) and words."""
    low = text.lower()
    found = {float(m.replace(",", ".")) for m in re.findall(r"\d+(?:[.,]\d+)?", low)}
    found |= {float(m) for m in re.findall(r"\d+", low)}  # "62,5" also shows 62 and 5
    found |= {float(v) for w, v in WORDS.items() if re.search(rf"\b{w}\b", low)}
    return found


def written_numbers_are_in_the_message(text: str, units: str | None = None) -> None:
    seen = message_numbers(text)
    for value, derived in parse(text, units=units).numbers():
        if not derived:
            assert float(value) in seen, f"{value} is not in {text!r}"


lifts = st.sampled_from(["squat", "bench", "deadlift", "ohp", "leg press", "pull-ups", "rdl",
                         "curls", "rows", "hip thrust", "dips", ""])  # fmt: skip
units = st.sampled_from(["kg", "kgs", "kilos", "lb", "lbs", "pounds", "#", ""])
loads = st.one_of(st.integers(1, 500).map(str), st.floats(1, 400).map(lambda f: f"{f:.1f}"))
small = st.integers(1, 30).map(str)
joiners = st.sampled_from([" x ", "x", " for ", " @ ", " at ", ", ", "/", " and ", " sets of ",
                           " reps ", " rpe ", " in the tank ", " on the last set ", " twice ",
                           " plates ", " + ", " - ", " to ", " weeks ", " a week ", ": "])  # fmt: skip
fragment = st.one_of(lifts, units, loads, small, joiners,
                     st.sampled_from(["amrap", "bodyweight", "my programme says", "max",
                                      "i weigh", "resting hr", "acute", "chronic", "km",
                                      "convert", "to", "three", "ten", "a double"]))  # fmt: skip
messages = st.lists(fragment, min_size=1, max_size=14).map(" ".join)


@settings(max_examples=250, deadline=None)
@given(messages, st.sampled_from([None, "kg", "lb"]))
@example("3x10 at 40 kg on the leg press, RPE 6", None)
@example("62,5 kg x 8 @ 8.5", None)
@example("2 plates for 5 on bench", None)
@example("a set of 20 at 60 kg then a double at 100", "kg")
@example("about 90 minutes a day", None)
def test_parser_never_yields_a_number_absent_from_the_message(text, profile_units):
    written_numbers_are_in_the_message(text, profile_units)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120))
def test_parser_never_raises_on_any_text(text):
    parsed = parse(text)
    written_numbers_are_in_the_message(text)
    assert parsed.text == text


@settings(max_examples=200, deadline=None)
@given(st.integers(21, 600), st.integers(1, 20), lifts,
       st.sampled_from(["{w} for {r}", "{w}x{r}", "{r} at {w}", "5x5 at {w}", "{w} x {r} @ 8"]))  # fmt: skip
def test_a_load_without_a_unit_is_asked_about_or_stated(weight, reps, lift, template):
    # Without a unit, a number over 20 next to "for", "at" or "x" is read as a load.

    text = f"{lift} {template.format(w=weight, r=reps)}".strip()
    bare = parse(text)
    groups = [g for g in bare.sets if g.load is not None and g.load.value == weight]
    assert groups, (text, bare.brief())
    assert all(g.load.unit is None for g in groups)
    assert [q.code for q in bare.questions] and all(str(weight) in q.text for q in bare.questions)
    for unit in ("kg", "lb"):
        told = parse(text, units=unit)
        loaded = [g for g in told.sets if g.load is not None and g.load.value == weight]
        assert loaded and all(g.load.unit == unit and g.load.unit_source == "profile"
                              for g in loaded)  # fmt: skip
        assert any(n.code == "unit_from_profile" for n in told.assumptions) and not told.questions


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 10), st.integers(1, 20), st.integers(11, 400), units.filter(bool))
def test_sets_x_reps_never_reads_the_set_count_as_the_load(sets, reps, weight, unit):
    for text in (f"{sets}x{reps} at {weight} {unit}", f"{sets} sets of {reps} at {weight}{unit}",
                 f"{weight} {unit} for {sets}x{reps}", f"{sets}x{reps} {weight} {unit}"):  # fmt: skip
        (group,) = parse(text).sets
        assert group.load.value == weight and group.sets == sets, text
        assert group.reps == [reps] * sets, text
