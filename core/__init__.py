"""fitcoach: evidence-based fitness coaching, offline.

    >>> import fitcoach
    >>> coach = fitcoach.Coach()                      # bundled model + shipped adapter
    >>> answer = coach.ask("How much protein do I need per day?")
    >>> fitcoach.run_tool("one-rep-max", {"load": 100, "reps": 5}).summary

This package is the `core` room (settings, errors, the model registry, text helpers, the CLI
root); the rooms `fitcoach.ingest`, `fitcoach.knowledge`, `fitcoach.agent` and
`fitcoach.finetune` sit on top of it. The names below are imported on first use, so
`import fitcoach` stays light (no torch, no chromadb).
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> "module:attribute"
_EXPORTS = {
    "Coach": "fitcoach.agent.coach:Coach",
    "CoachAnswer": "fitcoach.agent.coach:CoachAnswer",
    "AthleteProfile": "fitcoach.agent.tools.profile:AthleteProfile",
    "Library": "fitcoach.knowledge.library:Library",
    "Settings": "fitcoach.settings:Settings",
    "load_settings": "fitcoach.settings:load_settings",
    "run_tool": "fitcoach.agent.tools:run_tool",
    "screen": "fitcoach.agent.tools:screen",
    "FitcoachError": "fitcoach.errors:FitcoachError",
}

__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import version

        return version("fitcoach")
    if name not in _EXPORTS:
        raise AttributeError(f"module 'fitcoach' has no attribute {name!r}")
    module, attr = _EXPORTS[name].split(":")
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
