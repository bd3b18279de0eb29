"""`fitcoach config`: the resolved settings, as TOML or JSON."""

from __future__ import annotations

from typing import Any

import click

from fitcoach.cli.common import echo_json, get_settings, handle_errors
from fitcoach.settings import config_file_path


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of TOML.")
@handle_errors
def config(as_json: bool) -> None:
    """Print the resolved settings (defaults < settings file < FITCOACH_* environment).

    Every key can be set in the settings file or as FITCOACH_<SECTION>__<KEY>.

    \b
    Examples:
      fitcoach config
      FITCOACH_AGENT__ADAPTER=none fitcoach config --json
    """
    settings = get_settings()
    data = settings.model_dump(mode="json")
    if as_json:
        echo_json(data)
        return
    click.echo(f"# resolved from {config_file_path()} and the environment")
    click.echo(_to_toml(data))


def _to_toml(data: dict[str, Any]) -> str:
    import json

    top = [
        f"{k} = {json.dumps(v)}"
        for k, v in data.items()
        if not isinstance(v, dict) and v is not None
    ]
    lines = top
    for key, value in data.items():
        if isinstance(value, dict):
            lines.append(f"\n[{key}]")
            lines += [f"{k} = {json.dumps(v)}" for k, v in value.items() if v is not None]
    return "\n".join(lines)
