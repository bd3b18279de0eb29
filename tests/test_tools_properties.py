"""Property tests for the arithmetic tools: monotonic where the physiology says so, exact
unit round-trips, and never a negative or NaN load whatever valid input arrives."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from fitcoach.agent.tools import convert, next_load, one_rep_max, rpe_load, workload_ratio
from fitcoach.agent.tools.strength import FORMULAS, estimate_1rm, percent_1rm
from fitcoach.agent.tools.units import convert_value, round_to

loads = st.floats(min_value=1, max_value=500, allow_nan=False)
reps = st.integers(min_value=1, max_value=30)
formulas = st.sampled_from(sorted(FORMULAS))
fast = settings(max_examples=150, deadline=None)


@fast
@given(loads, loads, reps, formulas)
def test_1rm_monotonic_in_load(a, b, r, formula):
    low, high = sorted((a, b))
    assert estimate_1rm(low, r, formula) <= estimate_1rm(high, r, formula)


@fast
@given(loads, reps, reps, formulas)
def test_1rm_monotonic_in_reps_and_at_least_the_load(w, r1, r2, formula):
    low, high = sorted((r1, r2))
    assert w <= estimate_1rm(w, low, formula) <= estimate_1rm(w, high, formula) + 1e-9


@fast
@given(loads, reps, formulas, st.sampled_from(["kg", "lb"]))
def test_1rm_result_is_finite_positive(w, r, formula, unit):
    result = one_rep_max(w, r, formula=formula, unit=unit)
    assert math.isfinite(result.one_rm) and result.one_rm > 0
    assert result.reliable == (r <= 10)


rpes = st.sampled_from([6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10]) | st.floats(6.5, 10)


@fast
@given(st.integers(1, 12), st.integers(1, 12), rpes)
def test_percent_falls_with_reps(r1, r2, rpe):
    low, high = sorted((r1, r2))
    assert percent_1rm(low, rpe) >= percent_1rm(high, rpe)


@fast
@given(st.integers(1, 12), rpes, rpes)
def test_percent_rises_with_rpe(r, p1, p2):
    low, high = sorted((p1, p2))
    assert percent_1rm(r, low) <= percent_1rm(r, high) + 1e-9


@fast
@given(loads, loads, st.integers(1, 12), rpes)
def test_e1rm_from_set_monotonic_in_load(a, b, r, rpe):
    low, high = sorted((a, b))
    e_low = rpe_load(r, rpe, load=low).one_rm
    e_high = rpe_load(r, rpe, load=high).one_rm
    assert 0 < e_low <= e_high and e_low >= low - 0.05


@fast
@given(st.floats(0, 1e5, allow_nan=False), st.sampled_from(["kg", "lb"]))
def test_unit_round_trip(x, unit):
    other = "lb" if unit == "kg" else "kg"
    back = convert_value(convert_value(x, unit, other), other, unit)
    assert math.isclose(back, x, rel_tol=1e-12, abs_tol=1e-9)
    there = convert(x, unit, other)
    assert there.result == round(there.exact, 2) and there.exact >= 0


@fast
@given(st.floats(0, 1000), st.sampled_from([0.5, 1, 1.25, 2.5, 5]))
def test_round_to_lands_on_the_grid_within_half_a_step(x, inc):
    rounded = round_to(x, inc)
    assert abs(rounded - x) <= inc / 2 + 1e-9
    assert math.isclose(rounded / inc, round(rounded / inc), abs_tol=1e-6)


set_rows = st.lists(
    st.tuples(
        st.integers(0, 20),  # day offset
        st.floats(2.5, 300, allow_nan=False),
        st.integers(1, 20),
        st.none() | st.sampled_from([6, 7, 8, 9, 10]),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=120, deadline=None)
@given(
    set_rows,
    st.sampled_from(["auto", "double", "two-for-two", "acsm"]),
    st.sampled_from(["kg", "lb"]),
    st.sampled_from([None, "novice", "advanced"]),
)
def test_next_load_is_never_negative_or_nan(rows, method, unit, status):
    start = dt.date(2026, 1, 1)
    log = [
        {
            "exercise": "bench press",
            "load": w,
            "reps": r,
            "rpe": p,
            "date": start + dt.timedelta(days=d),
            "unit": unit,
        }
        for d, w, r, p in rows
    ]
    result = next_load(log, rep_min=6, rep_max=10, method=method, training_status=status)
    assert math.isfinite(result.next_load) and result.next_load > 0
    assert result.action in ("increase", "hold", "deload", "back_off")
    if result.action == "increase":
        assert result.next_load > result.last_load
    elif result.action in ("deload", "back_off"):
        assert result.next_load < result.last_load
    assert str(result.target_reps) in result.summary


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(0, 2000, allow_nan=False), min_size=28, max_size=60))
def test_workload_ratio_is_finite_or_undefined(values):
    result = workload_ratio(values)
    for value in (result.rolling, result.ewma):
        assert value.ratio is None or (math.isfinite(value.ratio) and value.ratio >= 0)
