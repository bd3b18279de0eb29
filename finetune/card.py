"""The model card shipped with an adapter: what it was trained on (hashes), how long, and how
it scored, written from the run's own meta.json files so the card cannot drift from them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fitcoach.finetune.train import read_meta, sha256


def write_card(run: Any, stage: str, dest: Path, scores: dict[str, Any]) -> Path:
    """Write MODEL_CARD.md and meta.json into `dest`, next to the copied adapter files."""
    from fitcoach.finetune.report import render_markdown

    stages = {}
    for name in ("data", "cpt", "sft", "rl"):
        meta = read_meta(run.run_dir / name)
        if meta is not None:
            stages[name] = meta
    weights = weights_file(dest)
    config = dest / ("adapter_config.json" if weights.name.startswith("adapter") else "config.json")
    adapter_sha = sha256(weights)
    size_mb = weights.stat().st_size / 2**20
    data_meta = stages["data"].metrics if "data" in stages else {}
    meta_out = {
        "name": dest.name,
        "base_model": run.recipe.base_model,
        "recipe": run.recipe.model_dump(mode="json"),
        "final_stage": stage,
        "adapter_sha256": adapter_sha,
        "weights_file": weights.name,
        "adapter_config_sha256": sha256(config),
        "adapter_size_mb": round(size_mb, 2),
        "data_hashes": data_meta.get("hashes", {}),
        "data_counts": data_meta.get("counts", {}),
        "stages": {
            n: {
                "seconds": m.seconds,
                "metrics": {k: v for k, v in m.metrics.items() if k != "hashes"},
            }
            for n, m in stages.items()
        },
        "eval": {n: s.model_dump(exclude={"samples"}) for n, s in scores.items()},
        "versions": stages[stage].versions if stage in stages else {},
    }
    (dest / "meta.json").write_text(json.dumps(meta_out, indent=2, default=str))

    lines = [
        f"# {dest.name}: LoRA adapter for {run.recipe.base_model}",
        "",
        "A domain post-trained adapter for fitcoach's answer model: continual pre-training on "
        "the training split of the starter library, supervised fine-tuning on grounded coaching "
        "dialogues (numbered evidence, tool results, safety flags, abstention), then GRPO with "
        "the DAPO loss on verifiable rewards. Built by `fitcoach finetune run --recipe "
        f"{run.recipe.name}`.",
        "",
        "## Files",
        "",
        f"- `{weights.name}` sha256 `{adapter_sha}` ({size_mb:.2f} MB)",
        f"- `{config.name}` sha256 `{meta_out['adapter_config_sha256']}`",
        _lora_line(run.recipe.lora),
        "",
        "## Data (sha256)",
        "",
    ]
    lines += [f"- `{k}` `{v}`" for k, v in meta_out["data_hashes"].items()]
    lines += [
        "",
        f"Counts: {json.dumps(meta_out['data_counts'])}; documents "
        f"{json.dumps(data_meta.get('documents', {}))} (split by document).",
        "",
        "## Training",
        "",
        "| stage | steps | seconds | first loss / reward | final |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for n, m in stages.items():
        if n == "data":
            continue
        first = m.metrics.get("first_reward", m.metrics.get("first_loss"))
        last = m.metrics.get("final_reward", m.metrics.get("final_loss"))
        lines.append(
            f"| {n} | {m.metrics.get('steps')} | {m.seconds:.0f} | {_fmt(first)} | {_fmt(last)} |"
        )
    lines += ["", "## Evaluation", ""]
    if scores:
        body = render_markdown(scores).split("\n", 2)[2]
        lines.append(body)
    else:
        lines.append("Not evaluated.")
    lines += [
        "",
        "## Use",
        "",
        "The agent loads base + this adapter by default "
        '(`agent.adapter = "default"`); `none` selects the plain base model.',
        "",
    ]
    card = dest / "MODEL_CARD.md"
    card.write_text("\n".join(lines))
    return card


def _lora_line(lora: Any) -> str:
    if lora.full_parameter:
        return "- Full-parameter training (every weight), no adapter."
    layers = f", top {lora.top_layers} layers" if lora.top_layers else ""
    return (
        f"- LoRA r={lora.r}, alpha={lora.alpha}{layers}, targets {', '.join(lora.target_modules)}"
    )


def _fmt(x: Any) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def weights_file(folder: Path) -> Path:
    """The adapter's (or full model's) safetensors file in an exported folder."""
    for name in ("adapter_model.safetensors", "model.safetensors"):
        if (folder / name).is_file():
            return folder / name
    from fitcoach.errors import ConfigError

    raise ConfigError(f"no weights in {folder}", hint="run `fitcoach finetune export` again")
