"""Placeholder: lift size by keyword until the exercise catalogue lands."""

from __future__ import annotations

_LARGE = ("squat", "deadlift", "leg press", "lunge", "hip thrust", "clean", "snatch", "jerk",
          "good morning", "step up", "split squat", "rdl", "romanian")


def lift_size(exercise: str) -> str:
    name = exercise.lower()
    return "large" if any(word in name for word in _LARGE) else "small"
