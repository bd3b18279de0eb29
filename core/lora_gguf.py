"""PEFT LoRA adapter -> GGUF LoRA adapter, the form llama.cpp applies at load (`lora_path`).

Written with the `gguf` package, numpy and safetensors only (no torch, no llama.cpp tools), so
`fitcoach finetune export` can ship it and the llama.cpp runtime can convert any PEFT adapter
directory on first use. A LoRA file stays small (the shipped one is ~5 MB in float16); a
merged base + adapter GGUF would be 20-50x larger, so we ship the adapter, not a merged model.

llama.cpp applies a LoRA at every step as two extra small matrix products per weight, which
cost a third of the bundled model's speed here (a 450-token prompt read in 0.81 s instead of
0.51 s). So the runtime merges: `merged_model` writes base + adapter once per machine into a
float16 copy of the base file (same layout, each adapted weight W replaced by W + B A in place),
and loads that with no adapter. Only float16/float32 bases merge; a quantised user file keeps
the adapter applied at load.

What llama.cpp's adapter loader expects, and the two conversions it takes:
- metadata `general.type = adapter`, `adapter.type = lora`, and the base model's
  `general.architecture`; per adapted weight `<gguf name>.weight`, two tensors
  `<gguf name>.weight.lora_a` (rank x in, in PyTorch order) and `.lora_b` (out x rank);
- names: Hugging Face module paths become GGUF names through gguf's own tensor-name map for
  the architecture, the same map the base model's converter used;
- llama-family q/k projections: the HF -> GGUF converter reorders each head's rows of q and k
  from rotate-half to interleaved rotary pairs. B's rows are W's output rows, so B gets the same
  reorder; A acts on the input side and is unchanged.
- scaling: PEFT adds (alpha/r) B A (alpha/sqrt(r) with rsLoRA, per-module r and alpha with
  rank/alpha patterns). We fold each module's scale into B and write no `adapter.lora.alpha`,
  for which llama.cpp uses scale 1: exact for every PEFT scaling variant.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from .errors import ConfigError

GGUF_ADAPTER_FILE = "adapter_model.gguf"
PEFT_WEIGHTS_FILE = "adapter_model.safetensors"
# Provenance written into every converted file: a conversion is reused only while the PEFT
# weights it came from are unchanged.
SOURCE_KEY = "fitcoach.peft_sha256"

# Architectures whose HF -> GGUF conversion reorders q/k rows (True) or keeps them (False).
# Others are refused rather than converted wrongly.
ROPE_REORDER = {"llama": True, "mistral": True, "qwen2": False, "qwen3": False, "phi3": False}

_PREFIX = "base_model.model."
_KEY = re.compile(r"^(?P<module>.+)\.lora_(?P<part>[AB])(?:\.[^.]+)?\.weight$")


class LoraExport(BaseModel):
    """What a conversion wrote."""

    path: Path
    sha256: str
    size_mb: float
    tensors: int
    architecture: str
    dtype: Literal["f16", "f32"]
    source_sha256: str


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def base_shape(base_gguf: Path) -> dict[str, Any]:
    """Architecture, block count and head counts of a base GGUF (metadata only, memory-mapped)."""
    import gguf

    reader = gguf.GGUFReader(str(base_gguf))

    def field(key: str) -> Any:
        f = reader.fields.get(key)
        return f.contents() if f is not None else None

    arch = field("general.architecture")
    if not arch:
        raise ConfigError(f"{base_gguf} has no general.architecture", hint="use a GGUF model file")
    return {
        "architecture": arch,
        "blocks": int(field(f"{arch}.block_count") or 0),
        "heads": int(field(f"{arch}.attention.head_count") or 0),
        "kv_heads": int(field(f"{arch}.attention.head_count_kv") or field(f"{arch}.attention.head_count") or 0),
    }


def rope_reorder_rows(weight: Any, heads: int) -> Any:
    """Reorder the output rows of a q or k projection (or of its LoRA B) from rotate-half
    halves to interleaved pairs, per head: rows [a0..a(h-1), b0..b(h-1)] -> [a0, b0, a1, b1...]."""
    rows = weight.shape[0]
    half = rows // heads // 2
    return weight.reshape(heads, 2, half, *weight.shape[1:]).swapaxes(1, 2).reshape(weight.shape)


def _alpha_for(module: str, config: dict[str, Any]) -> float:
    """PEFT's alpha for one module: the longest alpha_pattern key that ends the module path."""
    best: tuple[int, float] | None = None
    for pattern, alpha in (config.get("alpha_pattern") or {}).items():
        if re.fullmatch(rf"(.*\.)?{pattern}", module) and (best is None or len(pattern) > best[0]):
            best = (len(pattern), float(alpha))
    return best[1] if best else float(config.get("lora_alpha", 8))


def _check_config(config: dict[str, Any], folder: Path) -> None:
    problems = []
    if config.get("peft_type", "LORA") != "LORA":
        problems.append(f"peft_type {config.get('peft_type')}")
    if config.get("use_dora"):
        problems.append("DoRA")
    if config.get("modules_to_save"):
        problems.append(f"modules_to_save {config['modules_to_save']}")
    if config.get("bias", "none") != "none":
        problems.append(f"bias={config['bias']}")
    if problems:
        raise ConfigError(
            f"adapter {folder} uses {', '.join(problems)}, which a GGUF LoRA cannot express",
            hint="run it on the transformers runtime: FITCOACH_AGENT__RUNTIME=transformers",
        )


def convert_peft_adapter(
    adapter_dir: Path,
    base_gguf: Path,
    dest: Path,
    dtype: Literal["f16", "f32"] = "f16",
) -> LoraExport:
    """Write the PEFT adapter in `adapter_dir` as a GGUF LoRA for `base_gguf`'s model, atomically.

    float16 halves the file; its rounding (2^-11 relative) is far below the base model's own
    float16/quantised weights, so it does not change greedy answers measurably.
    """
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    config_file, weights_file = adapter_dir / "adapter_config.json", adapter_dir / PEFT_WEIGHTS_FILE
    if not config_file.is_file() or not weights_file.is_file():
        raise ConfigError(
            f"{adapter_dir} is not a PEFT LoRA adapter directory",
            hint=f"it needs adapter_config.json and {PEFT_WEIGHTS_FILE} (saved by PEFT)",
        )
    config = json.loads(config_file.read_text())
    _check_config(config, adapter_dir)
    shape = base_shape(base_gguf)
    arch = shape["architecture"]
    if arch not in ROPE_REORDER:
        raise ConfigError(
            f"converting LoRA adapters for the {arch!r} architecture is not supported",
            hint="run the model on the transformers runtime: FITCOACH_AGENT__RUNTIME=transformers",
        )
    arch_enum = {name: key for key, name in gguf.MODEL_ARCH_NAMES.items()}[arch]
    names = gguf.get_tensor_name_map(arch_enum, shape["blocks"])

    pairs: dict[str, dict[str, Any]] = {}
    for key, value in load_file(str(weights_file)).items():
        match = _KEY.match(key.removeprefix(_PREFIX))
        if match is None:
            raise ConfigError(
                f"adapter tensor {key!r} is not a LoRA A/B weight",
                hint="only plain LoRA on linear layers converts to GGUF; use the transformers runtime",
            )
        pairs.setdefault(match["module"], {})[match["part"]] = value

    out_type = np.float16 if dtype == "f16" else np.float32
    tensors: list[tuple[str, Any]] = []
    for module in sorted(pairs):
        part = pairs[module]
        if set(part) != {"A", "B"}:
            raise ConfigError(f"adapter module {module} lacks lora_A or lora_B", hint="re-save it")
        target = names.get_name(module)
        if target is None:
            raise ConfigError(
                f"adapter module {module} has no counterpart in the {arch} GGUF layout",
                hint="use the transformers runtime: FITCOACH_AGENT__RUNTIME=transformers",
            )
        a = part["A"].astype(np.float32)
        b = part["B"].astype(np.float32)
        rank = a.shape[0]
        alpha = _alpha_for(module, config)
        b = b * (alpha / math.sqrt(rank) if config.get("use_rslora") else alpha / rank)
        if ROPE_REORDER[arch] and target.endswith(".attn_q"):
            b = rope_reorder_rows(b, shape["heads"])
        elif ROPE_REORDER[arch] and target.endswith(".attn_k"):
            b = rope_reorder_rows(b, shape["kv_heads"])
        tensors.append((f"{target}.weight.lora_a", np.ascontiguousarray(a, dtype=out_type)))
        tensors.append((f"{target}.weight.lora_b", np.ascontiguousarray(b, dtype=out_type)))
    if not tensors:
        raise ConfigError(f"adapter {adapter_dir} holds no LoRA weights", hint="re-save it")

    source_sha = sha256_file(weights_file)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}-", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        writer = gguf.GGUFWriter(str(tmp), arch)
        writer.add_type(gguf.GGUFType.ADAPTER)
        writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
        writer.add_name(adapter_dir.resolve().name)
        writer.add_string(SOURCE_KEY, source_sha)
        for name, array in tensors:
            writer.add_tensor(name, array)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        tmp.chmod(0o644)  # mkstemp's 0600 would hide a shipped or shared file from other users
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return LoraExport(
        path=dest,
        sha256=sha256_file(dest),
        size_mb=round(dest.stat().st_size / 2**20, 2),
        tensors=len(tensors),
        architecture=arch,
        dtype=dtype,
        source_sha256=source_sha,
    )


def recorded_source(lora_gguf: Path) -> str | None:
    """The PEFT weights' sha256 a converted file records (None for files made elsewhere)."""
    import gguf

    field = gguf.GGUFReader(str(lora_gguf)).fields.get(SOURCE_KEY)
    return str(field.contents()) if field is not None else None


def runtime_adapter(adapter: Path, base_gguf: Path, cache_dir: Path) -> Path:
    """The GGUF LoRA llama.cpp should load for `adapter`: a .gguf file as given; in a PEFT
    directory, its shipped `adapter_model.gguf` while that matches the PEFT weights, else a
    conversion cached under `cache_dir` (made once, keyed by the weights' sha256)."""
    if adapter.is_file() and adapter.suffix == ".gguf":
        return adapter
    weights = adapter / PEFT_WEIGHTS_FILE
    shipped = adapter / GGUF_ADAPTER_FILE
    if not weights.is_file():
        if shipped.is_file():
            return shipped
        raise ConfigError(
            f"no LoRA weights in {adapter}",
            hint=f"it needs {PEFT_WEIGHTS_FILE} or {GGUF_ADAPTER_FILE}",
        )
    source = sha256_file(weights)
    if shipped.is_file() and recorded_source(shipped) == source:
        return shipped
    cached = cache_dir / f"{adapter.resolve().name}-{source[:12]}.gguf"
    if not cached.is_file():
        convert_peft_adapter(adapter, base_gguf, cached)
    return cached


MERGEABLE_TYPES = ("F16", "F32")


def merged_model(base_gguf: Path, lora_gguf: Path, cache_dir: Path) -> Path | None:
    """`base_gguf` with the GGUF LoRA `lora_gguf` added into its weights, cached under
    `cache_dir` (made once, keyed by both files), or None when the base is quantised.

    The copy keeps the base file's byte layout: each adapted float weight W is overwritten in
    place by W + B A computed in float32 (B already carries the PEFT scale, see above), so
    metadata, tokenizer and every other tensor are the base's own bytes.
    """
    key = hashlib.sha256(
        f"{base_gguf.resolve()}:{base_gguf.stat().st_size}:{sha256_file(lora_gguf)}".encode()
    ).hexdigest()[:12]
    dest = cache_dir / f"{base_gguf.name.removesuffix('.gguf')}+{lora_gguf.stem}-{key}.gguf"
    if dest.is_file():  # before any parsing: reading a base's metadata takes a second
        return dest
    import gguf
    import numpy as np

    base = gguf.GGUFReader(str(base_gguf))
    weights = {t.name: t for t in base.tensors}
    lora = {t.name: t for t in gguf.GGUFReader(str(lora_gguf)).tensors}
    targets = sorted(name.removesuffix(".lora_a") for name in lora if name.endswith(".lora_a"))
    missing = [t for t in targets if t not in weights]
    if missing:
        raise ConfigError(
            f"adapter {lora_gguf} adapts {missing[0]}, which {base_gguf} does not have",
            hint="the adapter was trained for another model; check FITCOACH_AGENT__MODEL",
        )
    if any(weights[t].tensor_type.name not in MERGEABLE_TYPES for t in targets):
        return None
    del base  # the reader's memory map; the copy below is opened for writing
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}-", dir=cache_dir)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(base_gguf, tmp)
        copy = gguf.GGUFReader(str(tmp), "r+")
        for tensor in copy.tensors:
            if tensor.name not in targets:
                continue
            a = np.asarray(lora[tensor.name + ".lora_a"].data, dtype=np.float32)
            b = np.asarray(lora[tensor.name + ".lora_b"].data, dtype=np.float32)
            w = tensor.data
            if (b.shape[0], a.shape[1]) != w.shape:
                raise ConfigError(
                    f"adapter {lora_gguf} does not fit {tensor.name} of {base_gguf}: "
                    f"{b.shape[0]}x{a.shape[1]} against {w.shape[0]}x{w.shape[1]}",
                    hint="the adapter was trained for another model; check FITCOACH_AGENT__MODEL",
                )
            w[...] = (w.astype(np.float32) + b @ a).astype(w.dtype)
        copy.data.flush()
        del copy
        tmp.chmod(0o644)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest
