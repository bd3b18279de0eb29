"""Heart-rate zones (Tanaka, Karvonen, ACSM bands) and running-volume progression (Nielsen 2014,
Buist 2008, Frandsen 2025), checked by hand."""

from __future__ import annotations

import pytest

from fitcoach.agent.tools import heart_rate_zones, running_progression
from fitcoach.agent.tools import references as refs
from fitcoach.errors import ToolInputError


def test_tanaka_zones_by_percent_of_max():
    r = heart_rate_zones(age=40)
    # 208 - 0.7 x 40 = 180; 57-63% = 102.6-113.4; 64-76% = 115.2-136.8; 77-95% = 138.6-171
    assert (r.max_hr, r.max_hr_source, r.method) == (180, "tanaka", "percent_max")
    assert [z.bpm for z in r.zones] == [(103, 113), (115, 137), (139, 171), (173, 180)]
    assert "Tanaka: 208 - 0.7 x 40" in r.summary and refs.TANAKA in r.reference


def test_karvonen_zones_with_resting_heart_rate():
    r = heart_rate_zones(age=40, resting_hr=60)
    # reserve 120: 60 + 0.30 x 120 = 96, 0.39 -> 106.8, 0.40 -> 108, 0.59 -> 130.8, 0.60 -> 132,
    # 0.89 -> 166.8, 0.90 -> 168
    assert r.method == "heart_rate_reserve"
    assert [z.bpm for z in r.zones] == [(96, 107), (108, 131), (132, 167), (168, 180)]
    assert [z.name for z in r.zones] == ["light", "moderate", "vigorous", "near maximal to maximal"]
    assert refs.KARVONEN in r.reference


def test_measured_maximum_is_used_as_given():
    r = heart_rate_zones(max_hr=190, resting_hr=50, age=30)
    # reserve 140: moderate 40-59% = 106-132.6 -> 106-133
    assert r.max_hr_source == "measured" and r.zones[1].bpm == (106, 133)
    assert refs.TANAKA not in r.reference
    assert not any("age-predicted" in w for w in r.warnings)


def test_zone_inputs_are_checked():
    with pytest.raises(ToolInputError, match="age"):
        heart_rate_zones()
    with pytest.raises(ToolInputError, match="too close"):
        heart_rate_zones(max_hr=120, resting_hr=105)


def test_running_progression_plan_and_target():
    r = running_progression(weekly_distance=30, weeks=4, target=45)
    # 30 x 1.1 = 33, 36.3, 39.93, 43.92; 45 reached in week 5 (48.3)
    assert r.plan == [33.0, 36.3, 39.9, 43.9] and r.weeks_to_target == 5
    assert any("Buist 2008" in w and "Nielsen 2014" in w for w in r.warnings)
    assert refs.NIELSEN in r.reference and refs.BUIST in r.reference


def test_running_history_flags_a_two_week_jump():
    r = running_progression(history=[20, 22, 25, 40])
    # last two weeks: 22 -> 40 = +81.8%
    assert r.current == 40 and r.two_week_change_pct == 81.8
    assert any("81.8%" in w and "30%" in w for w in r.warnings)
    # a week held at 40 before +10%: 40, 44, 48.4, 53.24
    assert r.plan == [40.0, 44.0, 48.4, 53.2]
    calm = running_progression(history=[30, 31, 33])
    assert calm.two_week_change_pct == 10.0 and len(calm.warnings) == 1


def test_long_run_cap_and_fast_rate_warning():
    r = running_progression(weekly_distance=40, longest_run=16, rate_pct=20, weeks=2)
    # longest 16 km + 10% = 17.6 km; 20%/week: 48, 57.6
    assert r.next_long_run_max == 17.6 and r.plan == [48.0, 57.6]
    assert any("compounds to more than 30%" in w for w in r.warnings)
    with pytest.raises(ToolInputError, match="weekly_distance"):
        running_progression(weeks=3)
