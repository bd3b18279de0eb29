"""The stage registry and the Python API the CLI mirrors: run one stage, or all in order.

    >>> from fitcoach.finetune.pipeline import make_run, run_all
    >>> run = make_run("cpu-smoke", "runs/smoke")   # a recipe name, YAML path or Recipe
    >>> run_all(run)            # data -> cpt -> sft -> rl -> eval -> report -> export  # doctest: +SKIP

A stage whose `meta.json` exists is skipped (pass `force=True` to redo it); a stage stopped
half-way resumes from its last checkpoint.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from fitcoach.errors import UnknownNameError
from fitcoach.finetune.recipe import Recipe, load_recipe
from fitcoach.settings import Settings, load_settings

PIPELINE = ["data", "cpt", "sft", "rl", "eval", "report", "export"]
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
FULL_MODEL_FILES = (
    "config.json",
    "generation_config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "chat_template.jinja",
)


class Run(BaseModel):
    """Where one recipe's stages live and what they load."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    recipe: Recipe
    run_dir: Path
    models_dir: Path


def make_run(
    recipe: str | Path | Recipe,
    output: str | Path | None = None,
    settings: Settings | None = None,
    overrides: list[str] | None = None,
) -> Run:
    settings = settings or load_settings()
    if not isinstance(recipe, Recipe):
        recipe = load_recipe(recipe, overrides)
    run_dir = Path(output) if output else settings.runs_dir / recipe.name
    return Run(recipe=recipe, run_dir=run_dir, models_dir=settings.models_dir)


def stage_data(run: Run) -> Any:
    from fitcoach.finetune.dialogues import build
    from fitcoach.finetune.train import StageMeta, versions, write_meta

    started = time.time()
    stage_dir = run.run_dir / "data"
    metrics = build(run.recipe.data, stage_dir)
    meta = StageMeta(
        stage="data",
        recipe=run.recipe.model_dump(mode="json"),
        base_model=run.recipe.base_model,
        data_hashes=metrics["hashes"],
        metrics=metrics,
        versions=versions(),
        seconds=round(time.time() - started, 1),
    )
    write_meta(stage_dir, meta)
    return meta


def stage_cpt(run: Run) -> Any:
    from fitcoach.finetune.train import run_cpt

    return run_cpt(run.recipe, run.run_dir, run.models_dir)


def stage_sft(run: Run) -> Any:
    from fitcoach.finetune.train import run_sft

    return run_sft(run.recipe, run.run_dir, run.models_dir)


def stage_rl(run: Run) -> Any:
    from fitcoach.finetune.train import run_rl

    return run_rl(run.recipe, run.run_dir, run.models_dir)


def stage_eval(run: Run) -> Any:
    from fitcoach.finetune.evaluate import run_eval

    scores = run_eval(run.recipe, run.run_dir, run.models_dir)
    summary = {name: s.model_dump(exclude={"samples"}) for name, s in scores.items()}
    (run.run_dir / "eval" / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def final_stage(run: Run) -> str:
    """The last trained stage of this run (rl, else sft, else cpt)."""
    for stage in ("rl", "sft", "cpt"):
        if (run.run_dir / stage / "meta.json").is_file():
            return stage
    from fitcoach.errors import ConfigError

    raise ConfigError(
        f"no trained stage in {run.run_dir}", hint="run `fitcoach finetune run` first"
    )


def _load_scores(run: Run) -> dict[str, Any]:
    from fitcoach.finetune.evaluate import ModelScore

    scores = {}
    for name in ("base", "cpt", "sft", "rl"):
        path = run.run_dir / "eval" / f"{name}.json"
        if path.is_file():
            scores[name] = ModelScore.model_validate_json(path.read_text())
    return scores


def stage_report(run: Run, out_dir: Path | None = None) -> dict[str, str]:
    from fitcoach.finetune.report import write_report
    from fitcoach.finetune.train import read_meta, require_stage

    require_stage(run.run_dir, "data", "report")
    scores = _load_scores(run)
    if not scores:
        from fitcoach.errors import ConfigError

        raise ConfigError(
            f"no evaluation in {run.run_dir / 'eval'}", hint="run `fitcoach finetune eval` first"
        )
    times = {}
    for stage in ("data", "cpt", "sft", "rl"):
        meta = read_meta(run.run_dir / stage)
        if meta:
            times[stage] = f"{meta.seconds:.0f} s"
    info = {"recipe": run.recipe.name, "base model": run.recipe.base_model, "stage times": times}
    md, png = write_report(scores, out_dir or run.run_dir / "report", info)
    return {"markdown": str(md), "chart": str(png)}


def stage_merge(run: Run, dest: Path | None = None) -> dict[str, str]:
    """Fold the final adapter into the base weights: a standalone model directory."""
    from fitcoach.models import load_causal_lm

    stage = final_stage(run)
    dest = dest or run.run_dir / "merge"
    if run.recipe.lora.full_parameter:  # the stage already saved a whole model
        model, tokenizer = load_causal_lm(str(run.run_dir / stage), run.models_dir)
    else:
        model, tokenizer = load_causal_lm(
            run.recipe.base_model, run.models_dir, adapter=run.run_dir / stage
        )
        model = model.merge_and_unload()
    model.save_pretrained(str(dest))
    tokenizer.save_pretrained(str(dest))
    marker = {"from": stage, "base": run.recipe.base_model}
    (dest / "fitcoach-merge.json").write_text(json.dumps(marker))
    return {"model_dir": str(dest), "from": stage}


def stage_export(run: Run, dest: Path | None = None) -> dict[str, str]:
    """Copy the final weights (the LoRA adapter, or the whole model when trained full-parameter)
    with a model card and meta.json into `dest`, ready to ship. A LoRA adapter on a GGUF base
    is also written as a GGUF LoRA (`adapter_model.gguf`) for the llama.cpp runtime."""
    from fitcoach.finetune.card import weights_file, write_card
    from fitcoach.finetune.train import sha256
    from fitcoach.lora_gguf import GGUF_ADAPTER_FILE, convert_peft_adapter
    from fitcoach.models import llm_source

    stage = final_stage(run)
    dest = dest or run.run_dir / "export"
    dest.mkdir(parents=True, exist_ok=True)
    names = ADAPTER_FILES if not run.recipe.lora.full_parameter else FULL_MODEL_FILES
    for name in names:
        if (run.run_dir / stage / name).is_file():
            shutil.copy2(run.run_dir / stage / name, dest / name)
    (dest / GGUF_ADAPTER_FILE).unlink(missing_ok=True)  # never ship one from an older adapter
    base = llm_source(run.recipe.base_model)
    gguf = None
    if not run.recipe.lora.full_parameter and base.kind in ("bundled", "gguf") and base.path:
        gguf = convert_peft_adapter(dest, base.path, dest / GGUF_ADAPTER_FILE)
    card = write_card(run, stage, dest, _load_scores(run))
    weights = weights_file(dest)
    out = {"dir": str(dest), "from": stage, "card": str(card), "sha256": sha256(weights)}
    if gguf is not None:
        out["gguf_sha256"] = gguf.sha256
    return out


STAGES: dict[str, Callable[..., Any]] = {
    "data": stage_data,
    "cpt": stage_cpt,
    "sft": stage_sft,
    "rl": stage_rl,
    "eval": stage_eval,
    "report": stage_report,
    "merge": stage_merge,
    "export": stage_export,
}


def is_done(run: Run, stage: str) -> bool:
    if stage in ("data", "cpt", "sft", "rl"):
        return (run.run_dir / stage / "meta.json").is_file()
    if stage == "eval":
        return (run.run_dir / "eval" / "summary.json").is_file()
    return False  # report/export/merge are cheap: always redone


def run_stage(run: Run, stage: str, force: bool = False, **kwargs: Any) -> Any:
    if stage not in STAGES:
        raise UnknownNameError("stage", stage, list(STAGES))
    if force and stage in ("data", "cpt", "sft", "rl"):
        shutil.rmtree(run.run_dir / stage, ignore_errors=True)
    if force and stage == "eval":
        shutil.rmtree(run.run_dir / "eval", ignore_errors=True)
    if is_done(run, stage):
        return {"skipped": stage, "reason": "meta.json exists"}
    return STAGES[stage](run, **kwargs)


def run_all(
    run: Run, stages: list[str] | None = None, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Every stage in order, skipping finished ones; times each stage."""
    out: dict[str, Any] = {}
    for stage in stages or PIPELINE:
        started = time.time()
        log(f"[fitcoach finetune] stage {stage} ...")
        run_stage(run, stage)
        seconds = round(time.time() - started, 1)
        log(f"[fitcoach finetune] stage {stage} done in {seconds} s")
        out[stage] = {"seconds": seconds}
    return out
