"""The coaching agent: the LangGraph graph, the coaching tools, model back-ends, API and CLI."""

from __future__ import annotations

from typing import Any

__all__ = ["AthleteProfile", "Coach", "CoachAnswer"]


def __getattr__(name: str) -> Any:  # nothing heavy at import: the CLI's --help stays fast
    if name in ("Coach", "CoachAnswer"):
        from . import coach

        return getattr(coach, name)
    if name == "AthleteProfile":
        from .tools.profile import AthleteProfile

        return AthleteProfile
    raise AttributeError(name)
