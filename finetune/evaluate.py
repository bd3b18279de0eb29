"""The `eval` stage: exams by option log-likelihood, grounded-answer metrics by generation.

    fitcoach finetune eval --recipe cpu

Exams are scored as lm-evaluation-harness scores multiple choice: the summed log-probability
of each option's text as the continuation of the question prompt (`acc`), and the same divided
by the option's length in bytes (`acc_norm`). Only the `heldout` split of the in-domain exam is
reported. Grounded metrics generate greedily on held-out-document prompts and apply the same
checks the RL rewards use. Each model's scores go to `<run>/eval/<model>.json`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from fitcoach.finetune.recipe import Recipe
from fitcoach.finetune.records import DATA_DIR, MCQ, load_mcqs, mcq_messages
from fitcoach.finetune.rewards import abstains, citation_ok, format_score, refers


class McqScore(BaseModel):
    model_config = ConfigDict(extra="forbid")

    n: int
    acc: float
    acc_norm: float


class GroundedScore(BaseModel):
    model_config = ConfigDict(extra="forbid")

    n: int
    citation_validity: float | None = Field(description="Cited correctly where citing applies.")
    tool_number_fidelity: float | None = Field(description="Tool numbers copied exactly.")
    safety_accuracy: float = Field(description="Refers exactly when a flag says refer.")
    abstention_accuracy: float = Field(description="Abstains exactly when evidence is missing.")
    format: float
    counts: dict[str, int] = Field(default_factory=dict, description="Prompts per metric.")


class ModelScore(BaseModel):
    """One model's evaluation: what the report compares across stages."""

    model_config = ConfigDict(extra="forbid")

    model: str
    adapter: str | None
    exam: McqScore
    general: McqScore
    grounded: GroundedScore
    seconds: float
    samples: list[dict[str, Any]] = Field(default_factory=list)


def choice_logprobs(model: Any, tokenizer: Any, prompt: str, choices: list[str]) -> list[float]:
    """Sum log-probability of each choice as the continuation of `prompt`.

    The prompt is run once and its key/value cache shared by all choices (the prompt is most
    of the tokens, so this is several times cheaper than scoring each pair from scratch).
    """
    import torch

    p_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    c_ids = [tokenizer(c, add_special_tokens=False)["input_ids"] or [0] for c in choices]
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    with torch.no_grad():
        device = getattr(model, "device", "cpu")
        first = model(input_ids=torch.tensor([p_ids], device=device), use_cache=True)
        first_logp = torch.log_softmax(first.logits[0, -1].float(), dim=-1)
        cache = first.past_key_values
        cache.batch_repeat_interleave(len(choices))
        width = max(len(c) for c in c_ids)
        ids = torch.full((len(choices), width), pad, dtype=torch.long)
        mask = torch.zeros((len(choices), len(p_ids) + width), dtype=torch.long)
        mask[:, : len(p_ids)] = 1
        for i, c in enumerate(c_ids):
            ids[i, : len(c)] = torch.tensor(c)
            mask[i, len(p_ids) : len(p_ids) + len(c)] = 1
        ids, mask = ids.to(device), mask.to(device)
        logits = model(input_ids=ids, attention_mask=mask, past_key_values=cache).logits
    out = []
    for i, c in enumerate(c_ids):
        total = float(first_logp[c[0]])
        if len(c) > 1:
            # continuation token t is predicted by the logits at position t-1
            logp = torch.log_softmax(logits[i, : len(c) - 1].float(), dim=-1)
            rows = torch.arange(len(c) - 1, device=logp.device)
            total += float(logp[rows, torch.tensor(c[1:], device=logp.device)].sum())
        out.append(total)
    return out


def score_mcqs(model: Any, tokenizer: Any, items: list[MCQ]) -> McqScore:
    """acc and acc_norm (log-likelihood divided by the option's length in bytes)."""
    acc = acc_norm = 0
    for item in items:
        prompt = tokenizer.apply_chat_template(
            mcq_messages(item.question), tokenize=False, add_generation_prompt=True
        )
        s = choice_logprobs(model, tokenizer, prompt, item.choices)
        norm = [v / max(1, len(c.encode())) for v, c in zip(s, item.choices, strict=True)]
        n = len(item.choices)
        acc += int(max(range(n), key=s.__getitem__) == item.answer)
        acc_norm += int(max(range(n), key=norm.__getitem__) == item.answer)
    total = max(1, len(items))
    return McqScore(n=len(items), acc=acc / total, acc_norm=acc_norm / total)


def generate(
    model: Any,
    tokenizer: Any,
    conversations: list[list[dict[str, str]]],
    max_new_tokens: int,
    batch_size: int,
) -> list[str]:
    """Greedy answers, batched with left padding."""
    import torch

    tokenizer.padding_side = "left"
    out: list[str] = []
    for start in range(0, len(conversations), batch_size):
        texts = [
            tokenizer.apply_chat_template(c, tokenize=False, add_generation_prompt=True)
            for c in conversations[start : start + batch_size]
        ]
        enc = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
        enc = enc.to(getattr(model, "device", "cpu"))
        with torch.no_grad():
            ids = model.generate(
                **enc,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=tokenizer.pad_token_id,
            )
        for row in ids[:, enc["input_ids"].shape[1] :]:
            out.append(tokenizer.decode(row, skip_special_tokens=True).strip())
    return out


def grounded_metrics(dialogues: list[dict[str, Any]], answers: list[str]) -> GroundedScore:
    """Apply the reward checks to generated answers (pure; tested without a model)."""
    from fitcoach.agent.contract import numbers_reproduced

    cite = [
        citation_ok(a, d["n_evidence"], d["expect_citation"])
        for d, a in zip(dialogues, answers, strict=True)
        if d["expect_citation"] or d["kind"] == "tool"
    ]
    tools = [
        numbers_reproduced(a, d["tool_runs"])
        for d, a in zip(dialogues, answers, strict=True)
        if d["tool_runs"]
    ]
    safety = [refers(a) == d["expect_refer"] for d, a in zip(dialogues, answers, strict=True)]
    abstain = [abstains(a) == d["expect_abstain"] for d, a in zip(dialogues, answers, strict=True)]

    def mean(xs: list[bool]) -> float | None:
        return sum(xs) / len(xs) if xs else None

    return GroundedScore(
        n=len(answers),
        citation_validity=mean(cite),
        tool_number_fidelity=mean(tools),
        safety_accuracy=mean(safety) or 0.0,
        abstention_accuracy=mean(abstain) or 0.0,
        format=sum(format_score(a) for a in answers) / max(1, len(answers)),
        counts={
            "citation": len(cite),
            "tool": len(tools),
            "refer": sum(d["expect_refer"] for d in dialogues),
            "abstain": sum(d["expect_abstain"] for d in dialogues),
        },
    )


def pick_grounded(dialogues: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """A fixed, kind-balanced subset: round-robin over kinds in file order."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for d in dialogues:
        by_kind.setdefault(d["kind"], []).append(d)
    picked: list[dict[str, Any]] = []
    while len(picked) < n and any(by_kind.values()):
        for kind in sorted(by_kind):
            if by_kind[kind] and len(picked) < n:
                picked.append(by_kind[kind].pop(0))
    return picked


def evaluate_model(
    recipe: Recipe,
    run_dir: Path,
    models_dir: Path,
    name: str,
    adapter: Path | None,
    data_dir: Path = DATA_DIR,
) -> ModelScore:
    """Score one model (the base, or base + a stage's adapter) on every metric."""
    from fitcoach.finetune.train import setup_torch
    from fitcoach.models import load_causal_lm

    started = time.time()
    setup_torch(recipe)
    if adapter is not None and recipe.lora.full_parameter:  # the stage saved a whole model
        model, tokenizer = load_causal_lm(str(adapter), models_dir)
    else:
        model, tokenizer = load_causal_lm(
            recipe.base_model, models_dir, adapter=str(adapter) if adapter else None
        )
    if hasattr(model, "merge_and_unload"):
        # Folding LoRA into the weights makes every forward pass as cheap as the base model's.
        model = model.merge_and_unload()
    import torch

    if torch.cuda.is_available():  # scoring and generation are several times faster there
        model.to("cuda")
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    cfg = recipe.eval
    exam = [m for m in load_mcqs(data_dir / "exam.jsonl") if m.split == "heldout"]
    general = load_mcqs(data_dir / "general.jsonl")
    if cfg.mcq_limit:
        exam, general = exam[: cfg.mcq_limit], general[: cfg.mcq_limit]
    exam_score = score_mcqs(model, tokenizer, exam)
    general_score = score_mcqs(model, tokenizer, general)
    heldout = [
        json.loads(line) for line in (run_dir / "data" / "heldout.jsonl").read_text().splitlines()
    ]
    prompts = pick_grounded(heldout, cfg.grounded_prompts)
    answers = generate(
        model, tokenizer, [d["messages"] for d in prompts], cfg.max_new_tokens, cfg.gen_batch_size
    )
    return ModelScore(
        model=name,
        adapter=str(adapter) if adapter else None,
        exam=exam_score,
        general=general_score,
        grounded=grounded_metrics(prompts, answers),
        seconds=round(time.time() - started, 1),
        samples=[
            {"id": d["id"], "kind": d["kind"], "answer": a}
            for d, a in zip(prompts, answers, strict=True)
        ],
    )


def run_eval(
    recipe: Recipe, run_dir: Path, models_dir: Path, data_dir: Path = DATA_DIR
) -> dict[str, ModelScore]:
    """Evaluate every model of `recipe.eval.stages` that has not been scored yet."""
    from fitcoach.finetune.train import require_stage

    require_stage(run_dir, "data", "eval")
    out_dir = run_dir / "eval"
    out_dir.mkdir(parents=True, exist_ok=True)
    scores: dict[str, ModelScore] = {}
    for name in recipe.eval.stages:
        path = out_dir / f"{name}.json"
        if path.is_file():
            scores[name] = ModelScore.model_validate_json(path.read_text())
            continue
        adapter = None
        if name != "base":
            if not (run_dir / name / "meta.json").is_file():
                continue  # that stage was not trained in this run
            adapter = run_dir / name
        score = evaluate_model(recipe, run_dir, models_dir, name, adapter, data_dir)
        path.write_text(score.model_dump_json(indent=2))
        scores[name] = score
    return scores
