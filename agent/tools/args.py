"""`key=value` strings to tool inputs, for the calculator CLI and anyone scripting the tools:
values are JSON when they parse as JSON, and a profile or set log may be given as a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fitcoach.errors import ToolInputError

from .base import ToolSpec
from .profile import AthleteProfile
from .progression import read_set_log


def parse_value(raw: str) -> Any:
    """JSON if it parses (numbers, lists, true/false, objects), else the string itself."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _file_or_value(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    path = Path(value).expanduser()
    if key == "profile":
        if not path.is_file():
            raise ToolInputError(
                f"profile file not found: {value}",
                hint="profile=PATH to a .toml, .yaml or .json profile",
            )
        return AthleteProfile.load(path)
    if key == "log":
        if not path.is_file():
            raise ToolInputError(
                f"set log file not found: {value}",
                hint="log=PATH to a CSV (exercise,load,reps,rpe,date,unit) or JSON",
            )
        if path.suffix.lower() == ".json":
            try:
                return json.loads(path.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise ToolInputError(
                    f"set log {value} is not valid JSON: {exc}",
                    hint="a JSON list of sets, or a CSV with exercise,load,reps,rpe,date,unit",
                ) from None
        return read_set_log(path)
    return value


def inputs_from_pairs(spec: ToolSpec, pairs: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """Turn `["load=100", "reps=5"]` into inputs for `spec`. Keys of the athlete profile
    (`age=45`, `conditions=[...]`) are gathered into `profile` for tools that take one."""
    fields = spec.input_model.model_fields
    inputs: dict[str, Any] = {}
    profile: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise ToolInputError(
                f"expected key=value, got {pair!r}",
                hint="inputs are: " + ", ".join(fields),
            )
        # Free text stays text even when it looks like JSON ("text=5" is a question).
        value = raw if key == "text" else parse_value(raw)
        if key not in fields and "profile" in fields and key in AthleteProfile.model_fields:
            profile[key] = value
            continue
        inputs[key] = _file_or_value(key, value)
    if profile:
        base = inputs.get("profile") or {}
        if isinstance(base, AthleteProfile):
            base = base.model_dump(exclude_defaults=True)
        inputs["profile"] = {**base, **profile}
    return inputs
