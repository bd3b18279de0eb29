"""Placeholder until the rule engine lands: keeps the `screen` contract importable."""

from __future__ import annotations

from .base import ScreenResult
from .profile import AthleteProfile


def screen(text: str, profile: AthleteProfile | dict | None = None) -> ScreenResult:
    if isinstance(profile, dict):
        profile = AthleteProfile.model_validate(profile)
    return ScreenResult(
        summary="Screen not implemented yet: 0 flags",
        rule="placeholder",
        reference="",
        warnings=["the contraindication screen is not implemented yet"],
    )
