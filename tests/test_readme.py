"""The README cannot drift: its command reference is the CLI's own --help, and its Python
example runs. `python -m tests.test_readme --update` rewrites the reference."""

from __future__ import annotations

import re
import sys

import click
import pytest
from click.testing import CliRunner

import fitcoach
from fitcoach.cli import cli
from tests.conftest import REPO

README = REPO / "README.md"
START, END = "<!-- help-start -->", "<!-- help-end -->"


def command_paths(group: click.Command = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    if isinstance(group, click.Group):
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            paths += command_paths(group.get_command(ctx, name), (*prefix, name))
    return paths


def render_reference() -> str:
    runner = CliRunner()
    blocks = []
    for path in command_paths():
        result = runner.invoke(cli, [*path, "--help"], prog_name="fitcoach", terminal_width=92)
        assert result.exit_code == 0, result.output
        title = " ".join(("fitcoach", *path))
        blocks.append(f"### `{title}`\n\n```text\n{result.output.rstrip()}\n```\n")
    return "\n".join(blocks)


def replace_reference(text: str, reference: str) -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    return pattern.sub(lambda _: f"{START}\n{reference}\n{END}", text)


def test_command_reference_matches_help() -> None:
    text = README.read_text()
    assert START in text and END in text
    assert replace_reference(text, render_reference()) == text, (
        "README command reference is stale: run `python -m tests.test_readme --update`"
    )


def python_examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_example_runs_against_the_api(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """The embed example, with the heavy parts swapped for fakes (the slow test runs it real)."""
    from fitcoach.agent import coach as coach_module
    from tests.fakes_llm import FakeLibrary, fake_llm

    real = coach_module.Coach

    class FastCoach(real):
        def __init__(self, settings=None, llm=None, library=None, checkpointer=None, **kw):
            reply = "Your estimated one-rep max comes from the RPE chart."
            super().__init__(settings, llm or fake_llm(reply), library or FakeLibrary(), checkpointer, **kw)

    # the facade caches what it resolves: patch (and so restore) its copy too, first, while
    # it still resolves to the real class
    monkeypatch.setattr(fitcoach, "Coach", FastCoach)
    monkeypatch.setattr(coach_module, "Coach", FastCoach)
    (example,) = python_examples()
    exec(compile(example, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert '"question"' in out and '"safety_flags"' in out


@pytest.mark.slow
def test_readme_example_runs_for_real(capsys) -> None:
    (example,) = python_examples()
    exec(compile(example, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert '"citations"' in out


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python -m tests.test_readme --update")
    README.write_text(replace_reference(README.read_text(), render_reference()))
    print(f"updated {README}")


def test_layout_table_matches_the_tree() -> None:
    """Every folder in the README's layout table exists, and every top-level folder of the
    repository (hidden ones aside) is in the table."""
    text = README.read_text()
    section = text[text.index("## Layout") :].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z_]+)/` \|", section, re.M))
    present = {
        p.name for p in REPO.iterdir()
        if p.is_dir() and not p.name.startswith(".") and p.name not in {"build", "dist", "docs", "runs", "out"}
        and not p.name.endswith(".egg-info") and p.name != "__pycache__"
    }  # fmt: skip
    assert listed == present
