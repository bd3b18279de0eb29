"""Recipes: one YAML file per training scale, parsed into a typed, validated `Recipe`.

A recipe is data (finetune/recipes/*.yaml); `load_recipe` resolves a name or a path, and
`with_overrides` applies dotted `key=value` overrides from the command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fitcoach.errors import ConfigError, UnknownNameError

RECIPES_DIR = Path(__file__).parent / "recipes"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataConfig(_Section):
    seed: int = Field(0, description="Seed for every random choice of the data stage.")
    heldout_docs: float = Field(
        0.2, gt=0, lt=1, description="Fraction of library documents kept out of all training."
    )
    sft_dialogues: int = Field(2000, ge=1, description="Grounded SFT dialogues to build.")
    exam_train_copies: int = Field(
        2, ge=0, description="Times each `train`-split exam item appears as an SFT answer."
    )
    rl_prompts: int = Field(200, ge=1, description="RL prompts built from training documents.")
    heldout_prompts: int = Field(120, ge=1, description="Grounded prompts from held-out documents.")
    evidence_passages: int = Field(3, ge=1, le=8, description="Passages shown per prompt.")
    evidence_words: int = Field(50, ge=10, description="Words kept of each passage.")


class LoraConfig(_Section):
    full_parameter: bool = Field(False, description="Train every weight instead of a LoRA.")
    r: int = Field(16, ge=1)
    alpha: int = Field(32, ge=1)
    dropout: float = Field(0.05, ge=0, lt=1)
    top_layers: int | None = Field(
        None,
        ge=1,
        description="Adapt only the top N decoder layers: backward then stops there, so a "
        "step is cheaper (useful on a CPU).",
    )
    target_modules: list[str] = Field(
        default_factory=lambda: [
            "q_proj",
            "k_proj",
            "v_proj",
            "o_proj",
            "gate_proj",
            "up_proj",
            "down_proj",
        ]
    )


class TrainStage(_Section):
    max_steps: int = Field(100, ge=1)
    batch_size: int = Field(8, ge=1, description="Per-device batch size.")
    grad_accum: int = Field(1, ge=1)
    lr: float = Field(2e-4, gt=0)
    warmup_ratio: float = Field(0.05, ge=0, lt=1)
    max_length: int = Field(384, ge=16, description="Tokens per sequence (longer are cut).")
    packing: bool = Field(False, description="Pack several examples into one sequence.")
    save_steps: int = Field(50, ge=1, description="Checkpoint interval, for resume.")
    logging_steps: int = Field(5, ge=1)


class RLStage(_Section):
    max_steps: int = Field(30, ge=1)
    batch_size: int = Field(4, ge=1, description="Completions per device step.")
    num_generations: int = Field(4, ge=2, description="Completions sampled per prompt (group).")
    max_completion_length: int = Field(64, ge=8)
    lr: float = Field(5e-6, gt=0)
    beta: float = Field(0.0, ge=0, description="KL weight; DAPO drops the KL term.")
    epsilon: float = Field(0.2, gt=0, description="Lower clip range.")
    epsilon_high: float = Field(0.28, gt=0, description="Upper clip range (DAPO clip-higher).")
    temperature: float = Field(1.0, gt=0)
    rewards: list[str] = Field(
        default_factory=lambda: ["citation", "tool_numbers", "safety", "format"],
        description="Reward function names (finetune.rewards.REWARDS).",
    )
    reward_weights: list[float] | None = None
    save_steps: int = Field(10, ge=1)
    logging_steps: int = Field(1, ge=1)


class EvalConfig(_Section):
    stages: list[Literal["base", "cpt", "sft", "rl"]] = Field(
        default_factory=lambda: ["base", "cpt", "sft", "rl"]
    )
    grounded_prompts: int = Field(40, ge=1, description="Held-out grounded prompts to generate.")
    max_new_tokens: int = Field(80, ge=8)
    gen_batch_size: int = Field(8, ge=1)
    mcq_limit: int | None = Field(None, description="Score only the first N MCQs (smoke runs).")


class Recipe(_Section):
    name: str
    description: str = ""
    base_model: str = Field(
        "smollm2-135m-instruct", description="Registry name, local model directory or hub id."
    )
    seed: int = 0
    threads: int | None = Field(2, description="torch threads; None leaves torch's default.")
    precision: Literal["fp32", "bf16", "fp16"] = "fp32"
    gradient_checkpointing: bool = False
    data: DataConfig = Field(default_factory=DataConfig)
    lora: LoraConfig = Field(default_factory=LoraConfig)
    cpt: TrainStage = Field(default_factory=TrainStage)
    sft: TrainStage = Field(default_factory=TrainStage)
    rl: RLStage = Field(default_factory=RLStage)
    eval: EvalConfig = Field(default_factory=EvalConfig)


def recipe_names() -> list[str]:
    return sorted(p.stem for p in RECIPES_DIR.glob("*.yaml"))


def load_recipe(name_or_path: str | Path, overrides: list[str] | None = None) -> Recipe:
    """A bundled recipe by name (`cpu-smoke`, `cpu`, `gpu`) or a YAML file by path."""
    import yaml

    path = Path(name_or_path)
    if not (path.suffix in (".yaml", ".yml") and path.is_file()):
        if str(name_or_path) not in recipe_names():
            raise UnknownNameError("recipe", str(name_or_path), [*recipe_names(), "<file.yaml>"])
        path = RECIPES_DIR / f"{name_or_path}.yaml"
    raw = yaml.safe_load(path.read_text()) or {}
    for item in overrides or []:
        _apply_override(raw, item)
    try:
        return Recipe.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid recipe {path}: {problems}", hint=f"fix {path}") from None


def _apply_override(raw: dict[str, Any], item: str) -> None:
    """`sft.max_steps=10` -> raw["sft"]["max_steps"] = 10 (value parsed as YAML)."""
    import yaml

    if "=" not in item:
        raise ConfigError(f"override {item!r} is not key=value", hint="write e.g. sft.max_steps=10")
    key, value = item.split("=", 1)
    node = raw
    *parents, leaf = key.strip().split(".")
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"override {item!r}: {part} is not a section", hint="check the key")
    node[leaf] = yaml.safe_load(value)
