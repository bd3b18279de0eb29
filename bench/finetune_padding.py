"""How much of an SFT batch is padding: the most packing or padding-free batching could save.

    python bench/finetune_padding.py --recipe cpu [--data <run>/data/sft.jsonl]

On a CPU every padded position costs as much as a real token, so the padded share of a batch
bounds the speed-up that packing (or padding-free batching) can bring.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from fitcoach.finetune.recipe import load_recipe
from fitcoach.settings import load_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", default="cpu")
    parser.add_argument("--data", type=Path, default=None)
    args = parser.parse_args()
    from transformers import AutoTokenizer

    from fitcoach.models import resolve_llm

    recipe = load_recipe(args.recipe)
    settings = load_settings()
    data = args.data or settings.runs_dir / recipe.name / "data" / "sft.jsonl"
    tok = AutoTokenizer.from_pretrained(resolve_llm(recipe.base_model, settings.models_dir))
    rows = [json.loads(line) for line in data.read_text().splitlines() if line]
    cap = recipe.sft.max_length
    lengths = [
        min(cap, len(tok(tok.apply_chat_template(
            [*r["messages"], {"role": "assistant", "content": r["answer"]}], tokenize=False
        ))["input_ids"]))
        for r in rows
    ]
    rng = random.Random(0)
    order = lengths[:]
    rng.shuffle(order)
    b = recipe.sft.batch_size
    padded = sum(max(order[i : i + b]) * len(order[i : i + b]) for i in range(0, len(order), b))
    real = sum(lengths)
    lengths.sort()
    print(json.dumps({
        "examples": len(rows),
        "tokens_median": lengths[len(lengths) // 2],
        "tokens_p90": lengths[int(0.9 * len(lengths))],
        "batch_size": b,
        "padding_share_random_batches": round(1 - real / padded, 3),
        "max_speedup_from_packing": round(padded / real, 2),
    }, indent=2))


if __name__ == "__main__":
    main()
