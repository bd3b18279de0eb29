"""Every tool through `fitcoach tool`: same JSON as the Python API, files for profile and set
log, and one-line errors with a non-zero exit instead of tracebacks."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from fitcoach.agent.tools import TOOLS, call_tool
from fitcoach.agent.tools.args import inputs_from_pairs
from fitcoach.cli import cli


@pytest.fixture
def runner():
    return CliRunner()


def _pairs(example):
    return [f"{k}={v if isinstance(v, str) else json.dumps(v)}" for k, v in example.items()]


@pytest.mark.parametrize("name", list(TOOLS))
def test_every_tool_runs_from_the_cli_with_its_example(runner, name):
    spec = TOOLS[name]
    result = runner.invoke(cli, ["tool", name, *_pairs(spec.example), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == call_tool(name, spec.example).model_dump(mode="json")
    human = runner.invoke(cli, ["tool", name, *_pairs(spec.example)])
    assert human.exit_code == 0 and data["summary"] in human.stdout
    assert "reference:" in human.stdout


def test_list(runner):
    result = runner.invoke(cli, ["tool", "list"])
    assert result.exit_code == 0
    for name in ("one-rep-max", "rpe-load", "next-load", "workload-ratio", "convert", "screen"):
        assert name in result.stdout
    data = json.loads(runner.invoke(cli, ["tool", "list", "--json"]).stdout)
    assert {d["name"] for d in data} == set(TOOLS)
    assert all(d["inputs"]["properties"] for d in data)


def test_one_rep_max_issue_example(runner):
    result = runner.invoke(
        cli, ["tool", "one-rep-max", "load=100", "reps=5", "formula=epley", "--json"]
    )
    assert json.loads(result.stdout)["one_rm"] == 116.7


def test_screen_with_profile_file_and_flags(runner, tmp_path):
    profile = tmp_path / "athlete.toml"
    profile.write_text('age = 52\nactivity_level = "inactive"\nconditions = ["type 2 diabetes"]\n')
    result = runner.invoke(
        cli, ["tool", "screen", "text=Can I start HIIT?", f"profile={profile}", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [f["code"] for f in data["flags"]] == ["acsm_disease_inactive"]
    assert data["flags"][0]["action"] == "refer"
    assert data["intensity_requested"] == "vigorous"


def test_screen_profile_keys_inline(runner):
    result = runner.invoke(
        cli, ["tool", "screen", "text=Plan my week", "pregnant=true", "pregnancy_week=30", "--json"]
    )
    assert [f["code"] for f in json.loads(result.stdout)["flags"]] == ["pregnancy"]


def test_next_load_from_csv_log(runner, tmp_path):
    log = tmp_path / "sets.csv"
    log.write_text(
        "exercise,load,reps,rpe,date,unit\n"
        "bench press,80,5,8,2026-01-05,kg\nbench press,80,7,9,2026-01-05,kg\n"
        "bench press,80,5,8,2026-01-08,kg\nbench press,80,7,9,2026-01-08,kg\n"
    )
    result = runner.invoke(cli, ["tool", "next-load", f"log={log}", "target_reps=5", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["action"], data["next_load"], data["method"]) == ("increase", 82.5, "two-for-two")


def test_workload_ratio_json_list(runner):
    result = runner.invoke(
        cli, ["tool", "workload-ratio", "loads=[300,320,310,450]", "period=week", "--json"]
    )
    data = json.loads(result.stdout)
    assert data["rolling"]["ratio"] == 1.3 and data["caveat"]


def test_workload_ratio_acute_and_chronic(runner):
    result = runner.invoke(cli, ["tool", "workload-ratio", "acute=1800", "chronic=1200", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ratio"] == 1.5 and data["zone"] == "danger"


def test_notes_come_back_first_in_the_warnings(runner):
    result = runner.invoke(
        cli, ["tool", "one-rep-max", "load=225", "reps=5", 'notes=["unit assumed: kg"]', "--json"]
    )
    assert json.loads(result.stdout)["warnings"] == ["unit assumed: kg"]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["one-rep-max", "load=100", "reps=0"], "reps"),
        (["one-rep-max", "load=100", "reps=5", "unit=stone"], "'kg' or 'lb'"),
        (["rpe-load", "reps=5", "rpe=11", "load=100"], "rpe"),
        (["next-load", "log=[]", "rep_min=8", "rep_max=12"], "log"),
        (["next-load", "log=missing.csv", "target_reps=5"], "not found"),
        (["workload-ratio", "loads=[1,2]"], "too few"),
        (["convert", "value=10", "from_unit=kg"], "to_unit"),
        (["convert", "10kg"], "key=value"),
        (["screen", "profile=nope.toml"], "not found"),
        (["screen", "text=hi", "age=300"], "age"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(runner, args, fragment):
    result = runner.invoke(cli, ["tool", *args])
    assert result.exit_code != 0
    assert (
        "Traceback" not in result.output
        and result.exception is None
        or isinstance(result.exception, SystemExit)
    )
    first = result.stderr.splitlines()[0]
    assert first.startswith("error: ") and fragment in first


def test_unknown_tool_lists_the_valid_ones(runner):
    result = runner.invoke(cli, ["tool", "two-rep-max"])
    assert result.exit_code != 0 and "one-rep-max" in result.output


def test_text_stays_text():
    inputs = inputs_from_pairs(TOOLS["screen"], ["text=42", "age=40"])
    assert inputs == {"text": "42", "profile": {"age": 40}}
