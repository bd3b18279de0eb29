"""The llama.cpp runtime: a GGUF model (plus a GGUF LoRA) behind LangChain's chat interface.

Same contract as the transformers runtime in `agent/llm.py`, so the two give the same greedy
answer: the GGUF's own chat template, greedy decoding by default, and the same repetition
penalty as transformers' `repetition_penalty` (every token of prompt and answer seen so far,
positive logits divided, negative multiplied). llama.cpp's built-in sampler penalises only a
window of recent tokens, so decoding runs here, on the logits llama.cpp computes: one argmax
over 49k floats per token, a few microseconds next to the model's milliseconds.

The key-value cache is kept between calls: a prompt that starts like the previous one (the
system prompt, a follow-up question) is only read from where it differs.
"""

from __future__ import annotations

import codecs
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from fitcoach.agent.llm_threads import CpuWatch, usable_cores
from fitcoach.errors import ModelNotAvailableError

_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}
# For a GGUF without a chat template: ChatML, the format of the bundled model family.
CHATML = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content']"
    " + '<|im_end|>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}"
    "{% endif %}"
)


class LlamaCppChatModel(BaseChatModel):
    """A GGUF model run by llama.cpp (llama-cpp-python), optionally with a GGUF LoRA adapter.

    `model_path`/`lora_path` are the files llama.cpp loads (`model_name`/`adapter` only say
    what they came from); `prepare`, when given, is called
    once before loading and returns them (it derives the float16 copy of the bundled model and
    converts a PEFT adapter, so that building the wrapper stays free). `threads = 0` picks the
    thread count per answer from the cores other processes leave free (`llm_threads`).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_name: str | None = None  # the model as configured (a registry name or a path)
    adapter: Path | None = None  # the adapter as configured (a PEFT directory or a GGUF LoRA)
    model_path: Path | None = None
    lora_path: Path | None = None
    prepare: Any = None  # Callable[[], tuple[Path, Path | None]] | None
    max_new_tokens: int = 160
    temperature: float = 0.0
    repetition_penalty: float = 1.1
    threads: int = 0
    n_ctx: int = 4096
    seed: int = 0

    _llama: Any = PrivateAttr(default=None)
    _formatter: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.RLock)
    _watch: Any = PrivateAttr(default=None)
    _rng: Any = PrivateAttr(default=None)
    _last_threads: int | None = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "fitcoach-llama.cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_path": str(self.model_path) if self.model_path else None,
            "lora_path": str(self.lora_path) if self.lora_path else None,
        }

    @property
    def last_threads(self) -> int | None:
        """Threads the last answer used (None before the first)."""
        return self._last_threads

    # Loading ------------------------------------------------------------------------------

    def load(self) -> Any:
        """The `llama_cpp.Llama`, loading it (and running `prepare`) on first use."""
        with self._lock:
            if self._llama is None:
                self._watch = CpuWatch()
                if self.prepare is not None:
                    self.model_path, self.lora_path = self.prepare()
                if self.model_path is None:
                    raise ModelNotAvailableError("no GGUF model file given", hint="set model_path")
                from llama_cpp import Llama
                from llama_cpp.llama_chat_format import Jinja2ChatFormatter

                threads = self.threads or 1
                try:
                    llama = Llama(
                        model_path=str(self.model_path),
                        lora_path=str(self.lora_path) if self.lora_path else None,
                        n_ctx=self.n_ctx,
                        n_threads=threads,
                        n_threads_batch=threads,
                        seed=self.seed,
                        verbose=False,
                    )
                except (ValueError, RuntimeError) as exc:
                    raise ModelNotAvailableError(
                        f"llama.cpp cannot load {self.model_path}"
                        + (f" with {self.lora_path}" if self.lora_path else "")
                        + f": {exc}",
                        hint="check the file is a GGUF model (and the adapter a GGUF LoRA for "
                        "it), or set FITCOACH_AGENT__RUNTIME=transformers",
                    ) from None
                meta = llama.metadata
                vocab = llama.tokenizer_

                def text_of(token: int) -> str:
                    return vocab.detokenize([token], special=True).decode("utf-8", "replace")

                self._formatter = Jinja2ChatFormatter(
                    template=meta.get("tokenizer.chat_template") or CHATML,
                    eos_token=text_of(llama.token_eos()),
                    bos_token=text_of(llama.token_bos()),
                    add_generation_prompt=True,
                )
                import numpy as np

                self._rng = np.random.default_rng(self.seed)
                self._llama = llama
        return self._llama

    def close(self) -> None:
        """Free the model and its context (a later call loads it again)."""
        with self._lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None

    # Prompt -------------------------------------------------------------------------------

    def prompt_tokens(self, messages: list[BaseMessage]) -> list[int]:
        """The chat template applied to `messages`, tokenised (special tokens parsed)."""
        import llama_cpp

        llama = self.load()
        chat = [
            {
                "role": _ROLES.get(m.type, "user"),
                "content": m.content if isinstance(m.content, str) else str(m.content),
            }
            for m in messages
        ]
        prompt = self._formatter(messages=chat).prompt
        add_bos = bool(llama_cpp.llama_vocab_get_add_bos(llama_cpp.llama_model_get_vocab(llama.model)))
        return llama.tokenize(prompt.encode("utf-8"), add_bos=add_bos, special=True)

    # Decoding -----------------------------------------------------------------------------

    def _pick_threads(self) -> int:
        if self.threads:
            return self.threads
        return self._watch.threads(usable_cores()) if self._watch else 1

    def _read_prompt(self, llama: Any, tokens: list[int]) -> None:
        """Evaluate `tokens`, reusing the cached prefix they share with the last call."""
        cached = llama.input_ids[: llama.n_tokens].tolist()
        same = 0
        for a, b in zip(cached, tokens, strict=False):
            if a != b:
                break
            same += 1
        # at least the last prompt token is read again: its logits start the answer
        llama.n_tokens = min(same, len(tokens) - 1)
        llama.eval(tokens[llama.n_tokens :])

    def _next_token(self, logits: Any, seen: Any) -> int:
        import numpy as np

        scores = logits.copy()
        if self.repetition_penalty != 1.0:
            picked = scores[seen]
            scores[seen] = np.where(
                picked > 0, picked / self.repetition_penalty, picked * self.repetition_penalty
            )
        if self.temperature <= 0:
            return int(scores.argmax())
        scores = scores / self.temperature
        probs = np.exp(scores - scores.max())
        return int(self._rng.choice(len(probs), p=probs / probs.sum()))

    def _pieces(
        self, messages: list[BaseMessage], stop: list[str] | None, usage: dict[str, Any]
    ) -> Iterator[str]:
        """Generate text pieces (valid UTF-8, stop strings withheld), filling `usage`."""
        import llama_cpp
        import numpy as np

        with self._lock:
            llama = self.load()
            tokens = self.prompt_tokens(messages)
            if len(tokens) + self.max_new_tokens > self.n_ctx:
                raise ModelNotAvailableError(
                    f"the prompt ({len(tokens)} tokens) and answer budget ({self.max_new_tokens}) "
                    f"exceed the llama.cpp context of {self.n_ctx} tokens",
                    hint="lower FITCOACH_AGENT__EVIDENCE_K or FITCOACH_AGENT__MAX_NEW_TOKENS",
                )
            threads = self._pick_threads()
            self._last_threads = threads
            llama_cpp.llama_set_n_threads(llama.ctx, threads, threads)
            usage.update(input_tokens=len(tokens), output_tokens=0, threads=threads)
            self._read_prompt(llama, tokens)

            vocab = llama_cpp.llama_model_get_vocab(llama.model)
            n_vocab = llama.n_vocab()
            seen = np.zeros(n_vocab, dtype=bool)
            seen[np.asarray(tokens, dtype=np.int64)] = True
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            stops = [s for s in (stop or []) if s]
            generated: list[int] = []
            text_bytes = b""
            pending = ""  # decoded text not yet handed out: it may begin a stop string
            for _ in range(self.max_new_tokens):
                logits = np.ctypeslib.as_array(
                    llama_cpp.llama_get_logits_ith(llama.ctx, -1), shape=(n_vocab,)
                )
                token = self._next_token(logits, seen)
                if llama_cpp.llama_vocab_is_eog(vocab, token):
                    break
                generated.append(token)
                usage["output_tokens"] = len(generated)
                seen[token] = True
                # whole-sequence detokenising keeps tokenizers that join pieces with spaces right
                full = llama.detokenize(generated)
                pending += decoder.decode(full[len(text_bytes) :])
                text_bytes = full
                cut = min((i for i in (pending.find(s) for s in stops) if i >= 0), default=-1)
                if cut >= 0:
                    if pending[:cut]:
                        yield pending[:cut]
                    return
                keep = _stop_prefix_len(pending, stops)
                if len(pending) > keep:
                    yield pending[: len(pending) - keep]
                    pending = pending[len(pending) - keep :]
                llama.eval([token])
            pending += decoder.decode(b"", final=True)
            if pending:
                yield pending

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        usage: dict[str, Any] = {}
        text = "".join(self._pieces(messages, stop, usage)).strip()
        message = AIMessage(text, response_metadata={"token_usage": usage, "runtime": "llama.cpp"})
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        usage: dict[str, Any] = {}
        for piece in self._pieces(messages, stop, usage):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager is not None:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk


def _stop_prefix_len(text: str, stops: list[str]) -> int:
    """Length of the longest end of `text` that could still grow into a stop string."""
    best = 0
    for stop in stops:
        for n in range(min(len(stop) - 1, len(text)), best, -1):
            if text.endswith(stop[:n]):
                best = n
                break
    return best
