"""The one error tree of fitcoach: every error says what went wrong and what to change.

The library raises these; the CLI prints `message` and `hint` and exits non-zero.
A contraindication is a result, never an exception.
"""

from __future__ import annotations


class FitcoachError(Exception):
    """Base of every error fitcoach raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(FitcoachError):
    """A setting, settings file or argument is invalid."""

    exit_code = 2


class UnknownNameError(ConfigError):
    """A registry lookup (tool, reader, reward, model, recipe) named something unknown."""

    def __init__(self, kind: str, name: str, valid: list[str] | tuple[str, ...]) -> None:
        super().__init__(
            f"unknown {kind} {name!r}",
            hint="choose one of: " + ", ".join(sorted(valid)),
        )
        self.name = name
        self.valid = sorted(valid)


class ModelNotAvailableError(FitcoachError):
    """A model cannot be resolved: a bundled package is missing or a hub id is unreachable."""


class LibraryError(FitcoachError):
    """The paper library is unusable: locked, inconsistent, or unreachable."""


class LibraryLockedError(LibraryError):
    """Another process holds the write lock of an embedded library."""


class IngestError(FitcoachError):
    """One file could not be ingested; `reason` is a short code, `hint` the fix."""

    def __init__(self, reason: str, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.reason = reason


class ToolInputError(FitcoachError, ValueError):
    """A coaching tool was given input outside what it accepts."""

    exit_code = 2
