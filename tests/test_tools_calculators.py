"""Hand-checked cases for the load tools, worked from the published formulas, plus the
validation errors a user hits with bad input."""

from __future__ import annotations

import math

import pytest

from fitcoach.agent.tools import (
    TOOLS,
    call_tool,
    convert,
    next_load,
    one_rep_max,
    read_set_log,
    rir_chart,
    rpe_load,
    run_tool,
    workload_ratio,
)
from fitcoach.agent.tools.strength import RPE_CHART, RPE_COLUMNS, percent_1rm
from fitcoach.agent.tools.units import LB_IN_KG, round_to
from fitcoach.errors import ToolInputError, UnknownNameError

# --- 1RM ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("epley", 116.7),  # 100 * (1 + 5/30) = 116.67
        ("brzycki", 112.5),  # 100 * 36 / 32
        ("lombardi", 117.5),  # 100 * 5**0.1 = 117.46
        ("mayhew", 119.0),  # 10000 / (52.2 + 41.9 e^-0.275) = 119.01
        ("wathan", 116.6),  # 10000 / (48.8 + 53.8 e^-0.375) = 116.58
    ],
)
def test_one_rep_max_hand_checked(formula, expected):
    result = one_rep_max(100, 5, formula=formula)
    assert result.one_rm == expected
    assert result.estimates[formula] == expected
    assert result.reliable and not result.warnings
    assert str(expected).rstrip("0").rstrip(".") in result.summary


def test_one_rep_max_summary_and_reference():
    result = one_rep_max(100, 5)
    assert result.summary == "Estimated 1RM: 116.7 kg (Epley, 100 kg x 5)"
    brz = one_rep_max(225, 10, formula="brzycki", unit="lb")
    assert brz.one_rm == 300.0  # 225 * 36 / 27
    assert "10.1080/07303084.1993.10606684" in brz.reference


def test_single_rep_is_its_own_max():
    assert all(v == 142.5 for v in one_rep_max(142.5, 1).estimates.values())


def test_one_rep_max_warns_beyond_ten_reps():
    result = one_rep_max(60, 15)
    assert not result.reliable
    assert result.one_rm == 90.0  # still returned: 60 * (1 + 15/30)
    assert "unreliable" in result.warnings[0]


# --- RPE ------------------------------------------------------------------------------------


def test_rpe_chart_is_one_sequence_of_reps_plus_rir():
    # Each row is the row above shifted by one rep (two half-steps of RPE).
    for reps in range(2, 13):
        assert RPE_CHART[reps][:-2] == RPE_CHART[reps - 1][2:]
    for row in RPE_CHART.values():
        assert list(row) == sorted(row, reverse=True)
    assert RPE_CHART[1][0] == 100.0 and RPE_COLUMNS[0] == 10.0


def test_rpe_load_from_one_rm():
    result = rpe_load(5, 8, one_rm=200)
    assert result.percent_1rm == 81.1 and result.rir == 2
    assert result.load == 162.5  # 162.2 rounded to 2.5 kg
    assert "162.5 kg" in result.summary


def test_e1rm_from_set_and_target():
    result = rpe_load(5, 8, load=140, target_reps=3, target_rpe=9)
    assert result.one_rm == 172.6  # 140 / 0.811
    assert result.e1rm_from_set
    assert result.target_percent_1rm == 89.2
    assert result.target_load == 155.0  # 172.63 * 0.892 = 154.0 -> 155 (2.5 kg plates)


def test_percent_interpolates_between_half_steps():
    assert percent_1rm(3, 8.25) == pytest.approx((86.3 + 87.8) / 2)
    assert percent_1rm(1, 10) == 100.0


@pytest.mark.parametrize(("reps", "rpe"), [(13, 9), (5, 6), (5, 1)])
def test_rpe_outside_chart_raises(reps, rpe):
    with pytest.raises(ToolInputError, match="chart covers"):
        rpe_load(reps, rpe, one_rm=100)


def test_rir_chart_loads():
    chart = rir_chart(one_rm=200)
    assert chart.rows[4].percent_1rm["8"] == 81.1
    assert chart.rows[4].loads["8"] == 162.5
    assert chart.rir_scale["9"] == "1 rep left"


# --- units ----------------------------------------------------------------------------------


def test_conversion_is_exact():
    assert LB_IN_KG == 0.45359237
    assert convert(1, "lb", "kg").exact == 0.45359237
    assert convert(100, "kg", "lb").result == 220.46
    assert convert(225, "lbs", "kg").result == 102.06
    assert convert(60, "kg", "kg").result == 60


def test_round_to_plates():
    assert round_to(101.2, 2.5) == 100.0
    assert round_to(101.25, 2.5) == 102.5  # halves go up
    assert round_to(137, 5) == 135.0
    assert round_to(0.3 * 3, 0.1) == 0.9


# --- workload -------------------------------------------------------------------------------


def test_constant_load_is_one():
    result = workload_ratio([50.0] * 28)
    assert result.rolling.ratio == 1.0 and result.ewma.ratio == 1.0
    assert result.zone == "sweet_spot"
    assert any("Impellizzeri" in w for w in result.warnings)
    assert "ijspp.2019-0864" in result.reference


def test_weekly_spike_hand_checked():
    result = workload_ratio([100, 100, 100, 200], period="week")
    # rolling: 200 / mean(100, 100, 100, 200) = 200 / 125
    assert result.rolling.ratio == 1.6 and result.rolling.zone == "danger"
    # EWMA: acute lambda = 1 -> 200; chronic lambda = 0.4 -> 0.4*200 + 0.6*100 = 140
    assert result.ewma.acute == 200 and result.ewma.chronic == 140 and result.ewma.ratio == 1.43
    assert "1.60" in result.summary and "danger" in result.summary


def test_uncoupled_uses_the_weeks_before():
    result = workload_ratio([100, 100, 100, 100, 200], period="week", coupled=False)
    assert result.rolling.ratio == 2.0


def test_zero_chronic_is_undefined_not_an_error():
    result = workload_ratio([0.0] * 28, method="rolling")
    assert result.ratio is None and "undefined" in result.summary


def test_too_few_loads():
    with pytest.raises(ToolInputError, match="too few"):
        workload_ratio([300, 320, 310])


def test_acute_and_chronic_given_directly():
    result = workload_ratio(acute=1800, chronic=1200)
    # 1800 / 1200 = 1.5: Gabbett's danger zone starts at 1.5
    assert (result.ratio, result.zone, result.n_periods) == (1.5, "danger", 0)
    assert result.summary.startswith("ACWR 1.50 (acute 1800 / chronic 1200): danger zone")
    assert workload_ratio(acute=900, chronic=1000).zone == "sweet_spot"
    assert workload_ratio(acute=100, chronic=0).ratio is None
    with pytest.raises(ToolInputError, match="together"):
        workload_ratio(acute=1800)
    with pytest.raises(ToolInputError, match="either"):
        workload_ratio([1, 2, 3, 4], acute=1, chronic=2)


# --- next load ------------------------------------------------------------------------------


def _log(exercise, *sessions, unit="kg"):
    """sessions: (date, load, [reps...], [rpe...] or None)."""
    rows = []
    for date, load, reps, rpes in sessions:
        for i, r in enumerate(reps):
            rows.append(
                {
                    "exercise": exercise,
                    "load": load,
                    "reps": r,
                    "date": date,
                    "unit": unit,
                    "rpe": rpes[i] if rpes else None,
                }
            )
    return rows


def test_double_progression_increase():
    log = _log("back squat", ("2026-01-05", 100, [12, 12, 12], [8, 8.5, 9]))
    result = next_load(log, rep_min=8, rep_max=12, training_status="novice")
    # novice, large lift: +7.5% of 100 = 107.5, already on a 2.5 kg step
    assert (result.action, result.next_load, result.target_reps) == ("increase", 107.5, 8)
    assert "107.5 kg x 8" in result.summary


def test_double_progression_hold_adds_a_rep():
    log = _log("bench press", ("2026-01-05", 80, [12, 11, 10], None))
    result = next_load(log, rep_min=8, rep_max=12)
    assert (result.action, result.next_load, result.target_reps) == ("hold", 80, 12)


def test_small_lift_increase_is_at_least_one_plate_step():
    log = _log("dumbbell curl", ("2026-01-05", 12, [15, 15], None))
    result = next_load(log, rep_min=10, rep_max=15)
    # intermediate small lift: 2.5% of 12 = 0.3 kg -> rounds to 12, so one 2.5 kg step
    assert result.next_load == 14.5
    assert any("increment" in w for w in result.warnings)
    assert any("more than 10%" in w for w in result.warnings)
    fine = next_load(log, rep_min=10, rep_max=15, increment=0.5)
    assert fine.next_load == 12.5


def test_two_for_two_needs_two_sessions():
    one = _log("bench press", ("2026-01-05", 80, [5, 5, 7], None))
    assert next_load(one, target_reps=5).action == "hold"
    two = one + _log("bench press", ("2026-01-08", 80, [5, 6, 7], None))
    result = next_load(two, target_reps=5)
    # NSCA: small/upper-body lift, intermediate -> low end 1.25 kg, rounded to 2.5 kg plates
    assert result.method == "two-for-two" and result.action == "increase"
    assert result.next_load == 82.5
    lb = next_load(
        _log(
            "back squat",
            ("2026-01-05", 225, [5, 7], None),
            ("2026-01-08", 225, [5, 8], None),
            unit="lb",
        ),
        target_reps=5,
    )
    assert lb.unit == "lb" and lb.next_load == 230  # large lift: +5 lb


def test_missed_reps_hold_then_deload():
    once = _log("bench press", ("2026-01-05", 80, [5, 5, 4], None))
    assert next_load(once, target_reps=5).action == "hold"
    twice = once + _log("bench press", ("2026-01-08", 80, [5, 4, 3], None))
    result = next_load(twice, target_reps=5)
    assert result.action == "deload" and result.next_load == 72.5  # 72 -> 72.5


def test_rpe10_twice_backs_off():
    log = _log("deadlift", ("2026-01-05", 180, [5], [10]), ("2026-01-09", 180, [5], [10]))
    result = next_load(log, target_reps=5)
    assert result.action == "back_off" and result.next_load == 170.0  # 171 -> 170


def test_mixed_units_and_lb_output():
    log = _log("bench press", ("2026-01-05", 100, [12, 12], None))
    result = next_load(log, rep_min=8, rep_max=12, unit="lb")
    assert result.unit == "lb" and result.increment == 5
    assert result.next_load % 5 == 0 and result.last_load == 220.46


def test_several_exercises_need_a_name():
    log = _log("bench press", ("2026-01-05", 100, [12], None)) + _log(
        "squat", ("2026-01-05", 120, [8], None)
    )
    with pytest.raises(ToolInputError, match="several exercises"):
        next_load(log, rep_min=8, rep_max=12)
    assert next_load(log, exercise="Squat", rep_min=8, rep_max=12).exercise == "squat"


def test_read_set_log_csv(tmp_path):
    path = tmp_path / "sets.csv"
    path.write_text(
        "exercise,load,reps,rpe,date,unit\n"
        "back squat,100,12,8,2026-01-05,kg\nback squat,100,12,,2026-01-05,kg\n"
    )
    entries = read_set_log(path)
    assert len(entries) == 2 and entries[1].rpe is None
    bad = tmp_path / "bad.csv"
    bad.write_text("exercise,load,reps,date\nsquat,100,0,2026-01-05\n")
    with pytest.raises(ToolInputError, match="line 2"):
        read_set_log(bad)


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tool", "inputs", "fragment"),
    [
        ("one-rep-max", {"load": -5, "reps": 5}, "greater than 0"),
        ("one-rep-max", {"load": 5000, "reps": 5}, "at most 1000"),
        ("one-rep-max", {"load": 1500, "reps": 5, "unit": "lb"}, None),  # fine in lb
        ("one-rep-max", {"load": 100, "reps": 0}, "greater than or equal to 1"),
        ("one-rep-max", {"load": 100, "reps": 31}, "less than or equal to 30"),
        ("one-rep-max", {"load": 100, "reps": 5, "unit": "stone"}, "'kg' or 'lb'"),
        ("one-rep-max", {"load": 100, "reps": 5, "formula": "magic"}, "epley"),
        ("one-rep-max", {"load": 100, "reps": 5, "sets": 3}, "unknown input"),
        ("rpe-load", {"reps": 5, "rpe": 11, "load": 100}, "less than or equal to 10"),
        ("rpe-load", {"reps": 5, "rpe": 0, "load": 100}, "greater than or equal to 1"),
        ("rpe-load", {"reps": 5, "rpe": 8}, "exactly one of"),
        ("next-load", {"log": [], "rep_min": 8, "rep_max": 12}, "at least 1"),
        (
            "next-load",
            {"log": [{"exercise": "squat", "load": 100, "reps": 5, "date": "2026-01-01"}]},
            "rep range",
        ),
        ("workload-ratio", {"loads": []}, "at least 1"),
        ("workload-ratio", {"loads": [float("nan")] * 28}, "between 0 and 100000"),
        ("convert", {"value": 10, "from_unit": "kg", "to_unit": "stone"}, "'kg' or 'lb'"),
    ],
)
def test_bad_input_says_what_is_allowed(tool, inputs, fragment):
    if fragment is None:
        assert call_tool(tool, inputs).summary
        return
    with pytest.raises(ToolInputError) as info:
        call_tool(tool, inputs)
    assert fragment in str(info.value)
    assert info.value.hint  # names the inputs


def test_unknown_tool_lists_valid_names():
    with pytest.raises(UnknownNameError) as info:
        run_tool("two-rep-max", {})
    assert "one-rep-max" in info.value.hint


def test_every_tool_example_runs_and_records_rule_and_reference():
    for name, spec in TOOLS.items():
        run = run_tool(name, spec.example)
        assert set(run.model_dump()) == {"tool", "inputs", "output", "rule", "reference"}
        assert run.rule and run.reference and run.output["summary"]
        assert not any(isinstance(v, float) and math.isnan(v) for v in run.output.values())
