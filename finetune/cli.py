"""`fitcoach finetune`: one subcommand per stage, each a thin call into `finetune.pipeline`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from fitcoach.cli.common import echo_json, get_settings, handle_errors


def _run(recipe: str | None, output: str | None, sets: tuple[str, ...]) -> Any:
    from fitcoach.finetune.pipeline import make_run

    settings = get_settings()
    return make_run(recipe or settings.train.recipe, output, settings, list(sets))


def _stage_options(func: Any) -> Any:
    func = click.option(
        "--set",
        "sets",
        multiple=True,
        metavar="KEY=VALUE",
        help="Override a recipe field, e.g. --set sft.max_steps=20 (repeatable).",
    )(func)
    func = click.option(
        "--output",
        type=click.Path(file_okay=False),
        help="Run directory (default: <runs_dir>/<recipe name>).",
    )(func)
    func = click.option(
        "--recipe",
        "-r",
        default=None,
        help="cpu-smoke, cpu, gpu or a YAML file (default: the train.recipe setting).",
    )(func)
    return func


@click.group()
def finetune() -> None:
    """Post-training pipeline: data -> cpt -> sft -> rl -> eval -> report -> export.

    \b
    Examples:
      fitcoach finetune run --recipe cpu          # everything, skipping finished stages
      fitcoach finetune sft --recipe cpu --set sft.max_steps=50
      fitcoach finetune eval --recipe cpu && fitcoach finetune report --recipe cpu
      fitcoach finetune export --recipe cpu --dest finetune/adapters/fitcoach-smollm2
    """


def _stage_command(stage: str, doc: str) -> None:
    @finetune.command(name=stage, help=doc)
    @_stage_options
    @click.option("--force", is_flag=True, help="Redo the stage even if it finished.")
    @handle_errors
    def command(recipe: str | None, output: str | None, sets: tuple[str, ...], force: bool) -> None:
        from fitcoach.finetune.pipeline import run_stage

        result = run_stage(_run(recipe, output, sets), stage, force=force)
        echo_json(result.model_dump(mode="json") if hasattr(result, "model_dump") else result)


_stage_command("data", "Build CPT text, SFT dialogues and RL prompts, split by document.")
_stage_command("cpt", "Continual pre-training (LoRA) on the library's training documents.")
_stage_command("sft", "Supervised fine-tuning on grounded dialogues (completion-only loss).")
_stage_command("rl", "GRPO with the DAPO loss on verifiable rewards.")
_stage_command(
    "eval", "Score base and each stage: exams by log-likelihood, grounded metrics by generation."
)


@finetune.command()
@_stage_options
@click.option(
    "--out", type=click.Path(file_okay=False), help="Folder for REPORT.md and report.png."
)
@handle_errors
def report(recipe: str | None, output: str | None, sets: tuple[str, ...], out: str | None) -> None:
    """Write REPORT.md and report.png: base vs CPT vs SFT vs RL on every metric."""
    from fitcoach.finetune.pipeline import stage_report

    echo_json(stage_report(_run(recipe, output, sets), Path(out) if out else None))


@finetune.command()
@_stage_options
@click.option("--dest", type=click.Path(file_okay=False), help="Model directory to write.")
@handle_errors
def merge(recipe: str | None, output: str | None, sets: tuple[str, ...], dest: str | None) -> None:
    """Merge the final adapter into the base: a standalone model directory."""
    from fitcoach.finetune.pipeline import stage_merge

    echo_json(stage_merge(_run(recipe, output, sets), Path(dest) if dest else None))


@finetune.command()
@_stage_options
@click.option("--dest", type=click.Path(file_okay=False), help="Folder for adapter + card.")
@handle_errors
def export(recipe: str | None, output: str | None, sets: tuple[str, ...], dest: str | None) -> None:
    """Copy the final adapter with MODEL_CARD.md and meta.json (sha256 of every file), and the
    adapter as a GGUF LoRA for llama.cpp (adapter_model.gguf)."""
    from fitcoach.finetune.pipeline import stage_export

    echo_json(stage_export(_run(recipe, output, sets), Path(dest) if dest else None))


@finetune.command(name="export-gguf")
@click.argument("adapter_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--base", default="smollm2-135m-instruct", show_default=True,
    help="The GGUF base model the adapter was trained on (registry name or .gguf file).",
)  # fmt: skip
@handle_errors
def export_gguf(adapter_dir: Path, base: str) -> None:
    """Write an exported PEFT adapter as a GGUF LoRA for llama.cpp, beside it.

    Adds `adapter_model.gguf` and its sha256 to the folder's meta.json and MODEL_CARD.md, for a
    folder exported before `export` wrote the GGUF itself.

    \b
    Example:
      fitcoach finetune export-gguf finetune/adapters/fitcoach-smollm2
    """
    from fitcoach.finetune.card import add_gguf

    echo_json(add_gguf(adapter_dir, base))


@finetune.command(name="run")
@_stage_options
@click.option("--stages", default=None, help="Comma-separated subset, e.g. data,cpt,sft.")
@handle_errors
def run_cmd(
    recipe: str | None, output: str | None, sets: tuple[str, ...], stages: str | None
) -> None:
    """Run every stage in order; finished stages are skipped, interrupted ones resume."""
    from fitcoach.finetune.pipeline import run_all

    chosen = [s.strip() for s in stages.split(",")] if stages else None
    result = run_all(_run(recipe, output, sets), chosen, log=lambda m: click.echo(m, err=True))
    echo_json(result)


@finetune.command(name="recipes")
@handle_errors
def recipes_cmd() -> None:
    """List the bundled recipes."""
    from fitcoach.finetune.recipe import load_recipe, recipe_names

    echo_json({name: load_recipe(name).description for name in recipe_names()})


if __name__ == "__main__":  # `accelerate launch -m fitcoach.finetune.cli sft --recipe gpu`
    finetune()
