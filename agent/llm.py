"""Model back-ends for the answer step, chosen by setting: the bundled local model (plus the
shipped LoRA adapter), any local GGUF file, Hugging Face directory or hub id, or an
OpenAI-compatible server. All are LangChain chat models, so a caller may also pass any chat
model in.

Local GGUF models run on one of two runtimes (`agent.runtime`): llama.cpp
(`llm_llamacpp.LlamaCppChatModel`, the default when llama-cpp-python is installed: several
times faster on a CPU) or transformers (`LocalChatModel` below, which also runs any Hugging
Face model and is what training and exam scoring use).
"""

from __future__ import annotations

import importlib.metadata
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from fitcoach.errors import ConfigError, ModelNotAvailableError, UnknownNameError
from fitcoach.settings import Settings

_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}


class LocalChatModel(BaseChatModel):
    """A transformers causal LM behind LangChain's chat interface: the model's chat template,
    greedy decoding by default, token streaming through `TextIteratorStreamer`.

    Weights load on the first generation (or `load()`), once, under a lock.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_name: str
    models_dir: Path
    adapter: Path | None = None
    max_new_tokens: int = 160
    temperature: float = 0.0
    repetition_penalty: float = 1.1

    _model: Any = PrivateAttr(default=None)
    _tokenizer: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "fitcoach-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "adapter": str(self.adapter) if self.adapter else None,
        }

    def load(self) -> tuple[Any, Any]:
        """(model, tokenizer), loading them on first use."""
        with self._lock:
            if self._model is None:
                from fitcoach.models import load_causal_lm

                model, self._tokenizer = load_causal_lm(
                    self.model_name, self.models_dir, adapter=self.adapter
                )
                if hasattr(model, "merge_and_unload"):
                    # Serving only: folding the LoRA weights in removes the adapter's extra
                    # matmuls from every generated token.
                    model = model.merge_and_unload()
                self._model = model
        return self._model, self._tokenizer

    def _inputs(self, messages: list[BaseMessage]) -> Any:
        _, tokenizer = self.load()
        chat = [
            {
                "role": _ROLES.get(m.type, "user"),
                "content": m.content if isinstance(m.content, str) else str(m.content),
            }
            for m in messages
        ]
        return tokenizer.apply_chat_template(
            chat, add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt"
        )

    def _generation_kwargs(self, stop: list[str] | None) -> dict[str, Any]:
        _, tokenizer = self.load()
        kwargs: dict[str, Any] = {
            "max_new_tokens": self.max_new_tokens,
            "repetition_penalty": self.repetition_penalty,
            "pad_token_id": tokenizer.pad_token_id or tokenizer.eos_token_id,
        }
        if self.temperature > 0:
            kwargs.update(do_sample=True, temperature=self.temperature)
        else:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        if stop:
            kwargs.update(stop_strings=stop, tokenizer=tokenizer)
        return kwargs

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        import torch

        model, tokenizer = self.load()
        inputs = self._inputs(messages)
        with torch.inference_mode():
            output = model.generate(**inputs, **self._generation_kwargs(stop))
        new = output[0, inputs["input_ids"].shape[1] :]
        text = tokenizer.decode(new, skip_special_tokens=True).strip()
        usage = {
            "input_tokens": int(inputs["input_ids"].shape[1]),
            "output_tokens": int(new.shape[0]),
        }
        message = AIMessage(text, response_metadata={"token_usage": usage})
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        import torch
        from transformers import TextIteratorStreamer

        model, tokenizer = self.load()
        inputs = self._inputs(messages)
        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True)
        errors: list[BaseException] = []

        def run() -> None:
            try:
                with torch.inference_mode():
                    model.generate(**inputs, **self._generation_kwargs(stop), streamer=streamer)
            except BaseException as exc:  # surfaced in the caller's thread below
                errors.append(exc)
                streamer.end()

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        for piece in streamer:
            if not piece:
                continue
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager is not None:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk
        worker.join()
        if errors:
            raise errors[0]


# --- resolution from settings --------------------------------------------------------------------


def resolve_adapter(settings: Settings) -> tuple[Path | None, str]:
    """The adapter directory (or GGUF LoRA file) for the configured local model, and how to
    describe it.

    `default` means the shipped fitcoach adapter for the bundled base, else none; a missing
    shipped adapter falls back to the plain base model (said so in the label).
    """
    from fitcoach.models import LLMS, default_adapter_dir

    choice = settings.agent.adapter
    model = settings.agent.model
    if choice == "none":
        return None, "no adapter"
    if choice == "default":
        folder = default_adapter_dir()
        if model in LLMS and folder is not None and (folder / "adapter_config.json").is_file():
            return folder, folder.name
        return None, "no adapter"
    path = Path(choice).expanduser()
    if path.suffix == ".gguf" and path.is_file():
        return path, path.stem
    if not (path / "adapter_config.json").is_file():
        raise ConfigError(
            f"adapter {path} is not a LoRA adapter directory (no adapter_config.json)",
            hint="set FITCOACH_AGENT__ADAPTER to default, none, a directory saved by PEFT, or "
            "a GGUF LoRA file",
        )
    return path, path.name


# --- runtimes ------------------------------------------------------------------------------

RUNTIMES = ("llama.cpp", "transformers")
LLAMA_CPP_PIP = "pip install llama-cpp-python==0.3.36"


class RuntimeChoice(BaseModel):
    """Which runtime runs the local model, and why (shown by `fitcoach doctor`)."""

    runtime: Literal["llama.cpp", "transformers", "openai"]
    reason: str
    llama_cpp: str | None = Field(None, description="llama-cpp-python version, if importable.")
    problem: str | None = Field(None, description="Why llama.cpp is not usable, if it is not.")


def llama_cpp_status() -> tuple[str | None, str | None]:
    """(version, None) when llama-cpp-python imports, else (None, what went wrong).

    Importing it (0.2 s) rather than only finding it catches a build whose shared library
    cannot load."""
    try:
        import llama_cpp  # noqa: F401
    except ImportError as exc:
        if getattr(exc, "name", None) == "llama_cpp":
            return None, "llama-cpp-python is not installed"
        return None, f"llama-cpp-python does not load: {exc}"
    except OSError as exc:  # its shared library is missing or built for another CPU
        return None, f"llama-cpp-python does not load: {exc}"
    try:
        return importlib.metadata.version("llama-cpp-python"), None
    except importlib.metadata.PackageNotFoundError:
        return "unknown", None


def choose_runtime(settings: Settings) -> RuntimeChoice:
    """Resolve `agent.runtime` for `agent.model`; raises when an explicit choice cannot run."""
    wanted = settings.agent.runtime
    from fitcoach.models import llm_source_kind

    kind = llm_source_kind(settings.agent.model)
    if kind == "openai":
        return RuntimeChoice(runtime="openai", reason="the model is served over the OpenAI API")
    is_gguf = kind in ("bundled", "gguf")
    if wanted == "transformers":
        return RuntimeChoice(runtime="transformers", reason="agent.runtime = transformers")
    if not is_gguf:
        if wanted == "llama.cpp":
            raise ConfigError(
                f"the llama.cpp runtime needs a GGUF model, and {settings.agent.model!r} is a "
                "Hugging Face model",
                hint="set FITCOACH_AGENT__MODEL to a .gguf file or FITCOACH_AGENT__RUNTIME=auto",
            )
        return RuntimeChoice(
            runtime="transformers", reason="a Hugging Face model runs on transformers"
        )
    version, problem = llama_cpp_status()
    if problem is None:
        why = "agent.runtime = llama.cpp" if wanted == "llama.cpp" else (
            "agent.runtime = auto and llama-cpp-python is installed"
        )
        return RuntimeChoice(runtime="llama.cpp", reason=why, llama_cpp=version)
    if wanted == "llama.cpp":
        raise ModelNotAvailableError(
            f"agent.runtime = llama.cpp, but {problem}",
            hint=f"run `make setup` or `{LLAMA_CPP_PIP}` (a one-time C++ build), or set "
            "FITCOACH_AGENT__RUNTIME=transformers",
        )
    return RuntimeChoice(
        runtime="transformers",
        reason=f"agent.runtime = auto and {problem}; `{LLAMA_CPP_PIP}` makes answers faster",
        problem=problem,
    )


def _local(settings: Settings) -> tuple[BaseChatModel, str]:
    from fitcoach.models import llm_source

    llm_source(settings.agent.model)  # fail now, with a hint, on an unknown name
    adapter, adapter_label = resolve_adapter(settings)
    label = (
        f"{settings.agent.model} + {adapter_label}"
        if adapter is not None
        else f"{settings.agent.model} ({adapter_label})"
    )
    if choose_runtime(settings).runtime == "llama.cpp":
        return _llama_cpp(settings, adapter), label
    if adapter is not None and adapter.suffix == ".gguf":
        raise ConfigError(
            f"adapter {adapter} is a GGUF LoRA, which only the llama.cpp runtime loads",
            hint="point FITCOACH_AGENT__ADAPTER at the PEFT adapter directory, or set "
            "FITCOACH_AGENT__RUNTIME=llama.cpp",
        )
    llm = LocalChatModel(
        model_name=settings.agent.model,
        models_dir=settings.models_dir,
        adapter=adapter,
        max_new_tokens=settings.agent.max_new_tokens,
        temperature=settings.agent.temperature,
    )
    return llm, label


def _llama_cpp(settings: Settings, adapter: Path | None) -> BaseChatModel:
    from fitcoach.agent.llm_llamacpp import LlamaCppChatModel

    model, models_dir = settings.agent.model, settings.models_dir

    def prepare() -> tuple[Path, Path | None]:
        # run on first generation: derives the float16 copy of the bundled model, converts a
        # PEFT adapter without a shipped GGUF and merges the adapter in, each once per machine
        from fitcoach.lora_gguf import merged_model, runtime_adapter
        from fitcoach.models import gguf_file, runtime_gguf

        base = runtime_gguf(model, models_dir)
        if adapter is None:
            return base, None
        lora = runtime_adapter(adapter, gguf_file(model), models_dir / "adapters")
        merged = merged_model(base, lora, models_dir / "merged")
        return (merged, None) if merged is not None else (base, lora)

    return LlamaCppChatModel(
        model_name=model,
        adapter=adapter,
        prepare=prepare,
        max_new_tokens=settings.agent.max_new_tokens,
        temperature=settings.agent.temperature,
        threads=settings.agent.threads,
    )


def _openai(settings: Settings) -> tuple[BaseChatModel, str]:
    try:
        from langchain_openai import ChatOpenAI
    except ImportError:
        raise ModelNotAvailableError(
            "langchain-openai is not installed", hint="pip install langchain-openai"
        ) from None
    name = settings.agent.model.removeprefix("openai:")
    llm = ChatOpenAI(
        model=name,
        base_url=settings.agent.openai_base_url,
        api_key=settings.agent.openai_api_key or "not-needed",
        temperature=settings.agent.temperature,
        max_tokens=settings.agent.max_new_tokens,
    )
    return llm, f"openai:{name}"


BACKENDS: dict[str, Callable[[Settings], tuple[BaseChatModel, str]]] = {
    "bundled": _local,
    "gguf": _local,
    "dir": _local,
    "hub": _local,
    "openai": _openai,
}


def make_chat_model(settings: Settings) -> tuple[BaseChatModel, str]:
    """The chat model `settings.agent.model` names, and its label for `CoachAnswer.model`.

    Nothing is loaded here: local weights load on the first generation.
    """
    from fitcoach.models import LLMS, llm_source_kind

    kind = llm_source_kind(settings.agent.model)
    if kind not in BACKENDS:
        raise UnknownNameError(
            "model",
            settings.agent.model,
            [*LLMS, "openai:<model>", "<file.gguf>", "<local directory>", "<org/hub-id>"],
        )
    return BACKENDS[kind](settings)


def describe_model(llm: Any) -> str:
    """A label for a chat model passed in by the caller."""
    for attr in ("model_name", "model", "model_id"):
        value = getattr(llm, attr, None)
        if isinstance(value, str) and value:
            return value
    return type(llm).__name__
