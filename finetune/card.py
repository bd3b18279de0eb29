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
        **gguf_meta(dest),
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

    # name only the stages this adapter went through (an RL stage may be left out of a release)
    chain = ["cpt", "sft", "rl"]
    trained = [STAGE_TEXT[n] for n in chain[: chain.index(stage) + 1] if n in stages]
    lines = [
        f"# {dest.name}: LoRA adapter for {run.recipe.base_model}",
        "",
        f"A domain post-trained adapter for fitcoach's answer model: {', then '.join(trained)}. "
        f"Built by `fitcoach finetune run --recipe {run.recipe.name}` (final stage: {stage}).",
        "",
        "## Files",
        "",
        f"- `{weights.name}` sha256 `{adapter_sha}` ({size_mb:.2f} MB)",
        f"- `{config.name}` sha256 `{meta_out['adapter_config_sha256']}`",
        *([gguf_line(meta_out)] if "gguf_sha256" in meta_out else []),
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
        *([USE_GGUF] if "gguf_sha256" in meta_out else []),
        "",
    ]
    card = dest / "MODEL_CARD.md"
    card.write_text("\n".join(lines))
    return card


STAGE_TEXT = {
    "cpt": "continual pre-training on the training split of the starter library",
    "sft": "supervised fine-tuning on grounded coaching dialogues (numbered evidence, tool "
    "results, safety flags, abstention)",
    "rl": "GRPO with the DAPO loss on verifiable rewards",
}
USE_GGUF = (
    "On the llama.cpp runtime the agent applies `adapter_model.gguf` at load "
    "(llama.cpp's `lora_path`); on transformers, the PEFT files."
)
_GGUF_MARK = "- `adapter_model.gguf` sha256"


def gguf_meta(dest: Path) -> dict[str, Any]:
    """meta.json fields for the GGUF LoRA in `dest`, if there is one."""
    from fitcoach.lora_gguf import GGUF_ADAPTER_FILE, recorded_source

    gguf = dest / GGUF_ADAPTER_FILE
    if not gguf.is_file():
        return {}
    return {
        "gguf_file": gguf.name,
        "gguf_sha256": sha256(gguf),
        "gguf_size_mb": round(gguf.stat().st_size / 2**20, 2),
        "gguf_source_sha256": recorded_source(gguf),
    }


def gguf_line(meta: dict[str, Any]) -> str:
    return (
        f"{_GGUF_MARK} `{meta['gguf_sha256']}` ({meta['gguf_size_mb']:.2f} MB): the same "
        "adapter as a GGUF LoRA for llama.cpp (float16, scale folded into B, q/k rows in GGUF "
        "order), converted from the safetensors above by `fitcoach finetune export` (or "
        "`export-gguf`)"
    )


def add_gguf(dest: Path, base_model: str) -> dict[str, Any]:
    """Convert the PEFT adapter in `dest` to `adapter_model.gguf` beside it, and record the new
    file's sha256 in its meta.json and MODEL_CARD.md (for a folder exported before the GGUF
    existed, such as the shipped one)."""
    from fitcoach.lora_gguf import GGUF_ADAPTER_FILE, convert_peft_adapter
    from fitcoach.models import gguf_file

    export = convert_peft_adapter(dest, gguf_file(base_model), dest / GGUF_ADAPTER_FILE)
    meta_file, card_file = dest / "meta.json", dest / "MODEL_CARD.md"
    if meta_file.is_file():
        meta = json.loads(meta_file.read_text())
        meta.update(gguf_meta(dest))
        meta_file.write_text(json.dumps(meta, indent=2, default=str))
    if card_file.is_file():
        line = gguf_line(gguf_meta(dest))
        lines = [x for x in card_file.read_text().split("\n") if not x.startswith(_GGUF_MARK)]
        at = next((i + 1 for i, x in enumerate(lines) if x.startswith("- `adapter_config.json`")), None)
        if at is not None:
            lines.insert(at, line)
        if USE_GGUF not in lines:
            lines.insert(len(lines) - 1 if lines and not lines[-1] else len(lines), USE_GGUF)
        card_file.write_text("\n".join(lines))
    return export.model_dump(mode="json")


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
