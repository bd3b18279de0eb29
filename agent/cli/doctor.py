"""`fitcoach doctor` and `fitcoach config`: is this installation ready, and what is it set to?"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sys
from pathlib import Path
from typing import Any

import click
from pydantic import BaseModel, Field

from fitcoach import models
from fitcoach.cli.common import echo_json, get_settings, handle_errors
from fitcoach.settings import Settings, config_file_path

PACKAGES = (
    "fitcoach",
    "torch",
    "transformers",
    "sentence-transformers",
    "peft",
    "trl",
    "langgraph",
    "langchain-core",
    "chromadb",
    "bm25s",
    "pypdf",
    "gguf",
    "pydantic",
)
OPTIONAL_PACKAGES = ("llama-cpp-python",)


class Check(BaseModel):
    """One line of the doctor's report."""

    name: str
    ok: bool
    detail: str = ""
    hint: str | None = Field(None, description="What to do when not ok.")


class DoctorReport(BaseModel):
    ok: bool
    python: str
    platform: str
    home: str
    config_file: str
    versions: dict[str, str | None]
    models: list[dict[str, Any]]
    library: dict[str, Any] | None
    checks: list[Check]


def run_checks(settings: Settings, *, library: bool = True) -> DoctorReport:
    """Inspect the installation without changing it (the library is only opened if it exists)."""
    checks: list[Check] = []
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
            checks.append(
                Check(
                    name=f"package {name}",
                    ok=False,
                    detail="not installed",
                    hint=_install_hint(name),
                )
            )
    # optional: without it local models run on transformers, so its absence is no failure
    for name in OPTIONAL_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    torch_version = versions.get("torch") or ""
    if torch_version and "+cu" in torch_version:
        checks.append(
            Check(
                name="torch build",
                ok=True,
                detail=f"{torch_version} (a CUDA build; the CPU build 2.13.0 is enough here)",
            )
        )

    home = settings.home
    writable = _writable(home)
    checks.append(
        Check(
            name="data directory",
            ok=writable,
            detail=str(home),
            hint=None if writable else "set FITCOACH_HOME to a writable directory",
        )
    )

    model_rows = models.describe(settings.models_dir)
    for row in model_rows:
        checks.append(
            Check(
                name=f"{row['kind']} {row['name']}",
                ok=row["ok"],
                detail=f"{row.get('path')} ({row.get('size_mb')} MB)"
                if row["ok"]
                else row["error"],
                hint=row.get("hint"),
            )
        )

    adapter = _adapter_check(settings)
    if adapter is not None:
        checks.append(adapter)
    checks.append(_runtime_check(settings))

    library_info = _library_info(settings) if library else None
    if library_info and library_info.get("error"):
        checks.append(
            Check(
                name="library",
                ok=False,
                detail=library_info["error"],
                hint=library_info.get("hint"),
            )
        )

    return DoctorReport(
        ok=all(c.ok for c in checks),
        python=sys.version.split()[0],
        platform=f"{platform.system()} {platform.machine()}",
        home=str(home),
        config_file=str(config_file_path()),
        versions=versions,
        models=model_rows,
        library=library_info,
        checks=checks,
    )


def _install_hint(package: str) -> str:
    if package == "torch":
        return "pip install torch==2.13.0 (the CPU build), then pip install -e ."
    if package == "fitcoach":
        return "pip install -e . from the repository root"
    return f"pip install {package} (or reinstall fitcoach: make setup)"


def _writable(path: Path) -> bool:
    probe = path if path.exists() else next((p for p in path.parents if p.exists()), None)
    return probe is not None and os.access(probe, os.W_OK)


def _adapter_check(settings: Settings) -> Check | None:
    choice = settings.agent.adapter
    if choice == "none" or models.llm_source_kind(settings.agent.model) != "bundled":
        return None
    path = models.default_adapter_dir() if choice == "default" else Path(choice).expanduser()
    ok = path is not None and (path / "adapter_config.json").is_file()
    return Check(
        name="adapter",
        ok=ok,
        detail=str(path) if ok else f"no adapter at {path}",
        hint=None
        if ok
        else "set FITCOACH_AGENT__ADAPTER=none to use the plain base model, or point it at an "
        "adapter directory (fitcoach finetune run --recipe cpu makes one)",
    )


def _runtime_check(settings: Settings) -> Check:
    """Which runtime answers (llama.cpp or transformers) and why; fails only when the settings
    demand llama.cpp and it cannot run."""
    from fitcoach.agent.llm import choose_runtime
    from fitcoach.errors import FitcoachError

    try:
        choice = choose_runtime(settings)
    except FitcoachError as exc:
        return Check(name="runtime", ok=False, detail=exc.message, hint=exc.hint)
    detail = f"{choice.runtime} ({choice.reason})"
    if choice.runtime == "llama.cpp":
        threads = settings.agent.threads
        detail += f"; threads {threads}" if threads else "; threads: chosen per answer from free cores"
    return Check(name="runtime", ok=True, detail=detail)


def _library_info(settings: Settings) -> dict[str, Any]:
    if settings.library.chroma_url is None and not settings.library_dir.exists():
        return {
            "documents": 0,
            "detail": "not created yet (the starter library is ingested on first use)",
        }
    try:
        from fitcoach.knowledge import Library

        stats = Library(settings).stats()
        return stats.model_dump() if hasattr(stats, "model_dump") else dict(stats)
    except Exception as exc:  # doctor reports, never crashes
        return {"error": f"{type(exc).__name__}: {exc}", "hint": getattr(exc, "hint", None)}


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option("--no-library", is_flag=True, help="Skip opening the library (faster).")
@handle_errors
def doctor(as_json: bool, no_library: bool) -> None:
    """Check that fitcoach is ready: versions, data directory, models, adapter, runtime, library.

    Exits non-zero when something is missing, with the command that fixes it.

    \b
    Examples:
      fitcoach doctor
      fitcoach doctor --json
    """
    report = run_checks(get_settings(), library=not no_library)
    if as_json:
        echo_json(report.model_dump())
    else:
        _print(report)
    if not report.ok:
        sys.exit(1)


def _print(report: DoctorReport) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        f"fitcoach {report.versions.get('fitcoach')}  python {report.python}  {report.platform}"
    )
    console.print(f"data directory: {report.home}\nsettings file:  {report.config_file}")
    table = Table("check", "", "detail", show_header=False, box=None)
    for check in report.checks:
        mark = "[green]ok[/green]" if check.ok else "[red]MISSING[/red]"
        detail = check.detail + (
            f"\n  [yellow]fix:[/yellow] {check.hint}" if check.hint and not check.ok else ""
        )
        table.add_row(check.name, mark, detail)
    console.print(table)
    versions = ", ".join(f"{k} {v}" for k, v in report.versions.items() if v and k != "fitcoach")
    console.print(f"[dim]{versions}[/dim]")
    if report.library is not None:
        console.print(f"library: {report.library}")
    console.print("[green]all good[/green]" if report.ok else "[red]some checks failed[/red]")
