"""What every command shares: settings from the context, error formatting, JSON output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from fitcoach.errors import FitcoachError
from fitcoach.settings import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])


def get_settings(ctx: click.Context | None = None, **overrides: Any) -> Settings:
    """Settings for this invocation: the group's --config file, env, then `overrides`."""
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    config_file = (root.obj or {}).get("config_file")
    return load_settings(config_file, **overrides)


def handle_errors(func: F) -> F:
    """Turn a FitcoachError into a one-line message plus hint and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except FitcoachError as exc:
            click.secho(f"error: {exc.message}", fg="red", err=True)
            if exc.hint:
                click.echo(f"hint: {exc.hint}", err=True)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


def echo_json(data: Any) -> None:
    """Print exactly one JSON document on stdout."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
