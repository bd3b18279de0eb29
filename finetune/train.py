"""The training stages: continual pre-training, SFT and GRPO/DAPO, LoRA throughout.

    fitcoach finetune cpt --recipe cpu     # then sft, then rl
    accelerate launch -m fitcoach.finetune.cli sft --recipe gpu   # several GPUs

One LoRA adapter is carried through the stages: `cpt` creates it, `sft` and `rl` keep
training the adapter of the stage before (read from `<run>/<stage>/`). Each stage writes its
adapter, `loss.jsonl` and `meta.json` there, checkpoints under `checkpoints/` so an
interrupted stage resumes from the last one, and is skipped once its `meta.json` exists.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import platform
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from fitcoach.errors import ConfigError
from fitcoach.finetune.recipe import Recipe

PARENT = {"cpt": None, "sft": "cpt", "rl": "sft"}


class StageMeta(BaseModel):
    """What a stage leaves for the next one (and for the model card)."""

    model_config = ConfigDict(extra="forbid")

    stage: str
    recipe: dict[str, Any]
    base_model: str
    parent: str | None = Field(None, description="Stage whose adapter this one started from.")
    data_hashes: dict[str, str] = Field(default_factory=dict)
    metrics: dict[str, Any] = Field(default_factory=dict)
    files: dict[str, str] = Field(default_factory=dict, description="sha256 of written files.")
    versions: dict[str, str] = Field(default_factory=dict)
    seconds: float = 0.0


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_meta(stage_dir: Path) -> StageMeta | None:
    path = stage_dir / "meta.json"
    return StageMeta.model_validate_json(path.read_text()) if path.is_file() else None


def write_meta(stage_dir: Path, meta: StageMeta) -> None:
    # Written last, atomically: its presence is what marks the stage as finished.
    tmp = stage_dir / "meta.json.tmp"
    tmp.write_text(meta.model_dump_json(indent=2))
    tmp.replace(stage_dir / "meta.json")


def versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("torch", "transformers", "trl", "peft", "accelerate"):
        with contextlib.suppress(md.PackageNotFoundError):
            out[pkg] = md.version(pkg)
    return out


def require_stage(run_dir: Path, stage: str, for_stage: str) -> StageMeta:
    meta = read_meta(run_dir / stage)
    if meta is None:
        raise ConfigError(
            f"stage {for_stage!r} needs the output of {stage!r}, which is not in {run_dir}",
            hint=f"run `fitcoach finetune {stage}` with the same --recipe and --output first",
        )
    return meta


def setup_torch(recipe: Recipe) -> None:
    import torch

    if recipe.threads:
        torch.set_num_threads(recipe.threads)
    torch.manual_seed(recipe.seed)


def load_for_training(
    recipe: Recipe, models_dir: Path, adapter_dir: Path | None
) -> tuple[Any, Any]:
    """Base model plus a trainable adapter: the previous stage's, or a fresh LoRA."""
    import torch

    from fitcoach.models import load_causal_lm

    dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[recipe.precision]
    model, tokenizer = load_causal_lm(recipe.base_model, models_dir, dtype=dtype)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.train()
    if recipe.lora.full_parameter:
        if adapter_dir is not None:  # full-parameter stages hand off whole model directories
            model, tokenizer = load_causal_lm(str(adapter_dir), models_dir, dtype=dtype)
            model.train()
        return model, tokenizer
    from peft import LoraConfig, PeftModel, get_peft_model

    if adapter_dir is not None:
        model = PeftModel.from_pretrained(model, str(adapter_dir), is_trainable=True)
    else:
        lora = recipe.lora
        layers = None
        if lora.top_layers:
            n_layers = model.config.num_hidden_layers
            layers = list(range(max(0, n_layers - lora.top_layers), n_layers))
        config = LoraConfig(
            layers_to_transform=layers,
            r=lora.r,
            lora_alpha=lora.alpha,
            lora_dropout=lora.dropout,
            target_modules=lora.target_modules,
            task_type="CAUSAL_LM",
        )
        model = get_peft_model(model, config)
    return model, tokenizer


def _last_checkpoint(ckpt_dir: Path) -> str | None:
    if not ckpt_dir.is_dir():
        return None
    from transformers.trainer_utils import get_last_checkpoint

    return get_last_checkpoint(str(ckpt_dir))


def _loss_logger(path: Path) -> Any:
    from transformers import TrainerCallback

    class LossLog(TrainerCallback):
        """Appends every logged metric row to loss.jsonl (survives a resume)."""

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kw: Any) -> None:
            if logs:
                with open(path, "a") as fh:
                    fh.write(json.dumps({"step": state.global_step, **logs}) + "\n")

    return LossLog()


def _common_args(recipe: Recipe, stage_dir: Path, cfg: Any) -> dict[str, Any]:
    return {
        "output_dir": str(stage_dir / "checkpoints"),
        "max_steps": cfg.max_steps,
        "per_device_train_batch_size": cfg.batch_size,
        "learning_rate": cfg.lr,
        "lr_scheduler_type": "cosine",
        "logging_steps": cfg.logging_steps,
        "save_steps": cfg.save_steps,
        "save_total_limit": 2,
        "seed": recipe.seed,
        "report_to": [],
        "bf16": recipe.precision == "bf16",
        "fp16": recipe.precision == "fp16",
        "gradient_checkpointing": recipe.gradient_checkpointing,
        "dataloader_num_workers": 0,
        "disable_tqdm": False,
    }


def _finish(
    stage: str,
    recipe: Recipe,
    run_dir: Path,
    trainer: Any,
    tokenizer: Any,
    data_hashes: dict[str, str],
    started: float,
    extra: dict[str, Any] | None = None,
) -> StageMeta:
    stage_dir = run_dir / stage
    trainer.model.save_pretrained(str(stage_dir))
    tokenizer.save_pretrained(str(stage_dir))
    history = [row for row in trainer.state.log_history if "loss" in row]
    metrics: dict[str, Any] = {
        "steps": trainer.state.global_step,
        "first_loss": history[0]["loss"] if history else None,
        "final_loss": history[-1]["loss"] if history else None,
        **(extra or {}),
    }
    files = {
        p.name: sha256(p)
        for p in stage_dir.iterdir()
        if p.is_file() and p.suffix in (".safetensors", ".json") and p.name != "meta.json"
    }
    meta = StageMeta(
        stage=stage,
        recipe=recipe.model_dump(mode="json"),
        base_model=recipe.base_model,
        parent=PARENT.get(stage),
        data_hashes=data_hashes,
        metrics=metrics,
        files=files,
        versions=versions(),
        seconds=round(time.time() - started, 1),
    )
    write_meta(stage_dir, meta)
    return meta


def _dataset(rows: list[dict[str, Any]]) -> Any:
    from datasets import Dataset

    return Dataset.from_list(rows)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def run_cpt(recipe: Recipe, run_dir: Path, models_dir: Path) -> StageMeta:
    """Continual pre-training: next-token loss on the training documents' text, packed."""
    return _run_sft_like("cpt", recipe, run_dir, models_dir)


def run_sft(recipe: Recipe, run_dir: Path, models_dir: Path) -> StageMeta:
    """Supervised fine-tuning on grounded dialogues; loss on the answer tokens only."""
    return _run_sft_like("sft", recipe, run_dir, models_dir)


def _run_sft_like(stage: str, recipe: Recipe, run_dir: Path, models_dir: Path) -> StageMeta:
    from trl import SFTConfig, SFTTrainer

    data = require_stage(run_dir, "data", stage)
    parent = PARENT[stage]
    adapter_dir = run_dir / parent if parent else None
    if parent:
        require_stage(run_dir, parent, stage)
    started = time.time()
    setup_torch(recipe)
    cfg = recipe.cpt if stage == "cpt" else recipe.sft
    stage_dir = run_dir / stage
    stage_dir.mkdir(parents=True, exist_ok=True)
    model, tokenizer = load_for_training(recipe, models_dir, adapter_dir)

    if stage == "cpt":
        rows = _read_jsonl(run_dir / "data" / "cpt.jsonl")
        dataset = _dataset(rows)
        hashes = {"cpt.jsonl": data.metrics["hashes"]["cpt.jsonl"]}
        extra_args: dict[str, Any] = {"dataset_text_field": "text"}
    else:
        rows = [
            {
                "prompt": d["messages"],
                "completion": [{"role": "assistant", "content": d["answer"]}],
            }
            for d in _read_jsonl(run_dir / "data" / "sft.jsonl")
        ]
        dataset = _dataset(rows)
        hashes = {"sft.jsonl": data.metrics["hashes"]["sft.jsonl"]}
        extra_args = {"completion_only_loss": True}

    args = SFTConfig(
        **_common_args(recipe, stage_dir, cfg),
        gradient_accumulation_steps=cfg.grad_accum,
        warmup_steps=int(cfg.warmup_ratio * cfg.max_steps),
        max_length=cfg.max_length,
        packing=cfg.packing,
        **extra_args,
    )
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=dataset,
        processing_class=tokenizer,
        callbacks=[_loss_logger(stage_dir / "loss.jsonl")],
    )
    resume = _last_checkpoint(stage_dir / "checkpoints")
    result = trainer.train(resume_from_checkpoint=resume)
    extra = {
        "resumed_from": Path(resume).name if resume else None,
        "examples": len(rows),
        "train_runtime_s": round(result.metrics.get("train_runtime", 0.0), 1),
        "seconds_per_step": round(
            result.metrics.get("train_runtime", 0.0) / max(1, cfg.max_steps), 2
        ),
        "packing": cfg.packing,
        "trainable_params": _trainable(model),
    }
    return _finish(stage, recipe, run_dir, trainer, tokenizer, hashes, started, extra)


def _trainable(model: Any) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def rl_rows(dialogues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """GRPO dataset rows: the prompt plus every column a reward reads."""
    return [
        {
            "prompt": d["messages"],
            "n_evidence": d["n_evidence"],
            "tool_runs": json.dumps(d["tool_runs"]),
            "expect_citation": d["expect_citation"],
            "expect_refer": d["expect_refer"],
            "expect_abstain": d["expect_abstain"],
        }
        for d in dialogues
    ]


def run_rl(recipe: Recipe, run_dir: Path, models_dir: Path) -> StageMeta:
    """GRPO with the DAPO loss (clip-higher, token-level normalisation, no KL) on verifiable
    rewards: citations, tool numbers, safety, abstention, format."""
    from trl import GRPOConfig, GRPOTrainer

    from fitcoach.finetune.rewards import get_reward

    data = require_stage(run_dir, "data", "rl")
    require_stage(run_dir, "sft", "rl")
    started = time.time()
    setup_torch(recipe)
    cfg = recipe.rl
    stage_dir = run_dir / "rl"
    stage_dir.mkdir(parents=True, exist_ok=True)
    reward_funcs = [get_reward(name) for name in cfg.rewards]
    model, tokenizer = load_for_training(recipe, models_dir, run_dir / "sft")
    tokenizer.padding_side = "left"
    rows = rl_rows(_read_jsonl(run_dir / "data" / "rl.jsonl"))
    args = GRPOConfig(
        **_common_args(recipe, stage_dir, cfg),
        loss_type="dapo",
        beta=cfg.beta,
        epsilon=cfg.epsilon,
        epsilon_high=cfg.epsilon_high,
        num_generations=cfg.num_generations,
        max_completion_length=cfg.max_completion_length,
        temperature=cfg.temperature,
        reward_weights=cfg.reward_weights,
        mask_truncated_completions=False,
        log_completions=False,
    )
    trainer = GRPOTrainer(
        model=model,
        reward_funcs=reward_funcs,
        args=args,
        train_dataset=_dataset(rows),
        processing_class=tokenizer,
        callbacks=[_loss_logger(stage_dir / "loss.jsonl")],
    )
    resume = _last_checkpoint(stage_dir / "checkpoints")
    result = trainer.train(resume_from_checkpoint=resume)
    history = trainer.state.log_history
    reward_rows = [r for r in history if "reward" in r]
    extra = {
        "resumed_from": Path(resume).name if resume else None,
        "prompts": len(rows),
        "rewards": cfg.rewards,
        "first_reward": reward_rows[0]["reward"] if reward_rows else None,
        "final_reward": reward_rows[-1]["reward"] if reward_rows else None,
        "train_runtime_s": round(result.metrics.get("train_runtime", 0.0), 1),
    }
    return _finish(
        "rl",
        recipe,
        run_dir,
        trainer,
        tokenizer,
        {"rl.jsonl": data.metrics["hashes"]["rl.jsonl"]},
        started,
        extra,
    )
