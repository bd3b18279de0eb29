"""The llama.cpp runtime on a tiny random GGUF written here with the `gguf` package: decoding
(greedy, repetition penalty, stop strings, streaming, the prompt cache), the PEFT -> GGUF LoRA
conversion checked logit by logit against transformers + PEFT, runtime selection, threads."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from langchain_core.messages import HumanMessage, SystemMessage

from fitcoach.errors import ConfigError, ModelNotAvailableError
from fitcoach.settings import load_settings

TEMPLATE = (
    "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\n' + m['content'] + '<|im_end|>\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
EOS = 2
DIMS = {"n_embd": 64, "n_head": 4, "n_kv": 2, "n_ff": 128, "n_layer": 2}


def _byte_symbols() -> list[str]:
    """Byte-level BPE's printable stand-in for each byte: printable Latin-1 bytes are
    themselves, the others are moved above U+00FF in order."""
    printable = {*range(33, 127), *range(161, 173), *range(174, 256)}
    symbols, moved = [], 0
    for b in range(256):
        if b in printable:
            symbols.append(chr(b))
        else:
            symbols.append(chr(256 + moved))
            moved += 1
    return symbols


def write_tiny_gguf(path: Path, seed: int = 0) -> Path:
    """A 2-layer llama with a byte-level vocabulary (+ ChatML specials and one merge), float32
    weights drawn from `seed`, output tied to the embeddings."""
    import gguf

    rng = np.random.default_rng(seed)
    d = DIMS
    head = d["n_embd"] // d["n_head"]
    tokens = [*SPECIAL, *_byte_symbols(), "ab"]
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("tiny")
    writer.add_block_count(d["n_layer"])
    writer.add_context_length(512)
    writer.add_embedding_length(d["n_embd"])
    writer.add_feed_forward_length(d["n_ff"])
    writer.add_head_count(d["n_head"])
    writer.add_head_count_kv(d["n_kv"])
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_freq_base(10000.0)
    writer.add_rope_dimension_count(head)
    writer.add_vocab_size(len(tokens))
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types([3] * len(SPECIAL) + [1] * (len(tokens) - len(SPECIAL)))
    writer.add_token_merges(["a b"])
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(EOS)
    writer.add_add_bos_token(False)
    writer.add_chat_template(TEMPLATE)

    def rand(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.2).astype(np.float32)

    writer.add_tensor("token_embd.weight", rand(len(tokens), d["n_embd"]))
    kv = d["n_kv"] * head
    for i in range(d["n_layer"]):
        writer.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(d["n_embd"], np.float32))
        writer.add_tensor(f"blk.{i}.attn_q.weight", rand(d["n_embd"], d["n_embd"]))
        writer.add_tensor(f"blk.{i}.attn_k.weight", rand(kv, d["n_embd"]))
        writer.add_tensor(f"blk.{i}.attn_v.weight", rand(kv, d["n_embd"]))
        writer.add_tensor(f"blk.{i}.attn_output.weight", rand(d["n_embd"], d["n_embd"]))
        writer.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(d["n_embd"], np.float32))
        writer.add_tensor(f"blk.{i}.ffn_gate.weight", rand(d["n_ff"], d["n_embd"]))
        writer.add_tensor(f"blk.{i}.ffn_up.weight", rand(d["n_ff"], d["n_embd"]))
        writer.add_tensor(f"blk.{i}.ffn_down.weight", rand(d["n_embd"], d["n_ff"]))
    writer.add_tensor("output_norm.weight", np.ones(d["n_embd"], np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture(scope="module")
def llama_cpp():
    return pytest.importorskip("llama_cpp")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory, llama_cpp) -> Path:
    return write_tiny_gguf(tmp_path_factory.mktemp("tiny") / "tiny.gguf")


def chat(tiny: Path, **kwargs):
    from fitcoach.agent.llm_llamacpp import LlamaCppChatModel

    return LlamaCppChatModel(model_path=tiny, **{"max_new_tokens": 24, "n_ctx": 512, **kwargs})


MESSAGES = [SystemMessage("You coach."), HumanMessage("How much protein? ab ab")]


# --- decoding ------------------------------------------------------------------------------


def test_greedy_answer_is_deterministic_and_streams_the_same_text(tiny: Path) -> None:
    llm = chat(tiny)
    first = llm.invoke(MESSAGES)
    usage = first.response_metadata["token_usage"]
    assert usage["output_tokens"] == 24 and usage["input_tokens"] > 10 and usage["threads"] >= 1
    assert first.response_metadata["runtime"] == "llama.cpp"
    assert first.content.strip()
    assert chat(tiny).invoke(MESSAGES).content == first.content  # a fresh model agrees
    streamed = "".join(chunk.content for chunk in llm.stream(MESSAGES))
    assert streamed.strip() == first.content


def test_prompt_cache_reuse_gives_the_answer_of_a_fresh_model(tiny: Path) -> None:
    warm = chat(tiny)
    other = [SystemMessage("You coach."), HumanMessage("Completely different question")]
    warm.invoke(MESSAGES)
    warm_other = warm.invoke(other).content  # shares only the system turn with the cache
    warm_again = warm.invoke(MESSAGES).content
    assert warm_other == chat(tiny).invoke(other).content
    assert warm_again == chat(tiny).invoke(MESSAGES).content


def test_prompt_uses_the_gguf_chat_template(tiny: Path) -> None:
    llm = chat(tiny)
    tokens = llm.prompt_tokens(MESSAGES)
    text = llm.load().detokenize(tokens, special=True).decode()
    assert text == (
        "<|im_start|>system\nYou coach.<|im_end|>\n<|im_start|>user\nHow much protein? ab ab"
        "<|im_end|>\n<|im_start|>assistant\n"
    )
    assert tokens[0] == 1 and tokens.count(259) == 2  # specials parsed, the "ab" merge applied


def test_stop_string_cuts_the_answer_in_both_modes(tiny: Path) -> None:
    full = chat(tiny, repetition_penalty=1.0).invoke(MESSAGES).content
    stop = full[6:9]
    expected = full[: full.index(stop)].strip()
    llm = chat(tiny, repetition_penalty=1.0)
    assert llm.invoke(MESSAGES, stop=[stop]).content == expected
    pieces = [c.content for c in llm.stream(MESSAGES, stop=[stop])]
    assert "".join(pieces).strip() == expected
    assert all(stop not in p for p in pieces)


def test_end_token_ends_the_answer(tiny: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fitcoach.agent.llm_llamacpp import LlamaCppChatModel

    three = chat(tiny, max_new_tokens=3).invoke(MESSAGES).content
    picked: list[int] = []
    real = LlamaCppChatModel._next_token

    def end_after_three(self, logits, seen):  # the model "chooses" <|im_end|> as 4th token
        picked.append(real(self, logits, seen))
        return EOS if len(picked) > 3 else picked[-1]

    monkeypatch.setattr(LlamaCppChatModel, "_next_token", end_after_three)
    reply = chat(tiny).invoke(MESSAGES)
    assert reply.response_metadata["token_usage"]["output_tokens"] == 3
    assert reply.content == three


def test_sampling_is_seeded(tiny: Path) -> None:
    a = chat(tiny, temperature=1.5, seed=3).invoke(MESSAGES).content
    assert a == chat(tiny, temperature=1.5, seed=3).invoke(MESSAGES).content
    assert a != chat(tiny).invoke(MESSAGES).content


def test_repetition_penalty_follows_transformers() -> None:
    from fitcoach.agent.llm_llamacpp import LlamaCppChatModel

    llm = LlamaCppChatModel(repetition_penalty=2.0)
    logits = np.array([3.0, 2.0, -1.0, -0.5], dtype=np.float32)
    seen = np.array([True, False, False, False])
    assert llm._next_token(logits, seen) == 1  # 3.0 / 2 = 1.5 < 2.0
    # a seen token's negative score is multiplied: -0.2 * 2 = -0.4 falls below unseen -0.3
    assert llm._next_token(np.array([-0.2, -0.3], np.float32), np.array([True, False])) == 1
    assert logits[0] == 3.0  # llama.cpp's buffer is never modified in place
    assert LlamaCppChatModel(repetition_penalty=1.0)._next_token(logits, seen) == 0


def test_context_overflow_says_what_to_lower(tiny: Path) -> None:
    with pytest.raises(ModelNotAvailableError) as err:
        chat(tiny, n_ctx=64, max_new_tokens=60).invoke(MESSAGES)
    assert "EVIDENCE_K" in err.value.hint


def test_unloadable_file_names_the_runtime_switch(tmp_path: Path, llama_cpp) -> None:
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF not really")
    with pytest.raises(ModelNotAvailableError) as err:
        chat(bad).invoke(MESSAGES)
    assert "RUNTIME=transformers" in err.value.hint


@given(st.text("ab<>", max_size=12), st.lists(st.text("ab<>", min_size=1, max_size=4), max_size=3))
def test_withheld_tail_is_the_longest_stop_prefix(text: str, stops: list[str]) -> None:
    from fitcoach.agent.llm_llamacpp import _stop_prefix_len

    n = _stop_prefix_len(text, stops)
    assert all(not text.endswith(s[:k]) for s in stops for k in range(n + 1, len(s)))
    assert n == 0 or any(text.endswith(s[:n]) and n < len(s) for s in stops)


# --- the adapter: PEFT on transformers vs GGUF LoRA on llama.cpp ------------------------------


def _logits_llama(model: Path, ids: list[int], lora: Path | None = None) -> np.ndarray:
    from llama_cpp import Llama

    llm = Llama(str(model), lora_path=str(lora) if lora else None, n_ctx=128, logits_all=True,
                verbose=False)  # fmt: skip
    llm.eval(ids)
    out = np.array(llm.scores[: len(ids)])
    llm.close()
    return out


@pytest.fixture(scope="module")
def hf_tiny(tiny: Path):
    torch = pytest.importorskip("torch")
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(tiny.parent, gguf_file=tiny.name, dtype=torch.float32)


@pytest.mark.parametrize(
    "variant",
    [{}, {"use_rslora": True}, {"alpha_pattern": {"q_proj": 3}, "rank_pattern": {"k_proj": 2}}],
    ids=["plain", "rslora", "patterns"],
)
def test_gguf_lora_matches_peft_logit_for_logit(tmp_path, tiny, hf_tiny, variant) -> None:
    import copy

    import torch
    from peft import LoraConfig, get_peft_model

    from fitcoach.lora_gguf import convert_peft_adapter

    torch.manual_seed(0)
    config = LoraConfig(
        r=4, lora_alpha=8, lora_dropout=0.0, init_lora_weights=False, **variant,
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
    )  # fmt: skip
    peft_model = get_peft_model(copy.deepcopy(hf_tiny), config).eval()
    peft_model.save_pretrained(tmp_path / "adapter")
    ids = [1, 120, 118, 104, 117, 13, 107, 104, 111, 111, 114, 35, 259, 2, 1, 97]
    with torch.no_grad():
        expected = peft_model(torch.tensor([ids])).logits[0].numpy()
        base = hf_tiny(torch.tensor([ids])).logits[0].numpy()

    export = convert_peft_adapter(tmp_path / "adapter", tiny, tmp_path / "a.gguf", dtype="f32")
    assert export.tensors == 2 * 7 * DIMS["n_layer"] and export.architecture == "llama"
    got = _logits_llama(tiny, ids, export.path)
    # llama.cpp keeps its KV cache in float16: a few 1e-3 of logit noise, against an adapter
    # effect of whole logits; a wrong q/k row order or scale would be off by the latter
    assert np.abs(base - expected).max() > 0.5
    assert np.abs(got - expected).max() < 0.05
    assert np.abs(_logits_llama(tiny, ids) - base).max() < 0.05
    half = convert_peft_adapter(tmp_path / "adapter", tiny, tmp_path / "h.gguf", dtype="f16")
    assert np.abs(_logits_llama(tiny, ids, half.path) - expected).max() < 0.05
    assert half.size_mb < export.size_mb


def test_merged_model_equals_the_adapter_applied_at_load(tmp_path, tiny, hf_tiny) -> None:
    import copy

    import torch
    from peft import LoraConfig, get_peft_model

    from fitcoach.lora_gguf import convert_peft_adapter, merged_model

    torch.manual_seed(0)
    config = LoraConfig(r=4, lora_alpha=8, init_lora_weights=False,
                        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "down_proj"])  # fmt: skip
    get_peft_model(copy.deepcopy(hf_tiny), config).save_pretrained(tmp_path / "adapter")
    lora = convert_peft_adapter(tmp_path / "adapter", tiny, tmp_path / "a.gguf", dtype="f32").path
    ids = [1, 120, 118, 104, 117, 13, 107, 104, 111, 111, 114, 35, 259, 2, 1, 97]
    merged = merged_model(tiny, lora, tmp_path / "merged")
    assert merged is not None and merged.parent == tmp_path / "merged"
    applied = _logits_llama(tiny, ids, lora)
    assert np.abs(_logits_llama(tiny, ids) - applied).max() > 0.5  # the adapter matters
    assert np.abs(_logits_llama(merged, ids) - applied).max() < 0.05
    stamp = merged.stat().st_mtime_ns
    assert merged_model(tiny, lora, tmp_path / "merged") == merged  # made once, then reused
    assert merged.stat().st_mtime_ns == stamp
    assert tiny.stat().st_size == merged.stat().st_size  # same layout: only weights rewritten
    other = convert_peft_adapter(tmp_path / "adapter", tiny, tmp_path / "b.gguf", dtype="f16").path
    assert merged_model(tiny, other, tmp_path / "merged") != merged  # keyed by the adapter
    assert not list((tmp_path / "merged").glob(".*"))  # no temporary file left behind


def test_conversion_refuses_what_a_gguf_lora_cannot_hold(tmp_path: Path, tiny: Path) -> None:
    from fitcoach.lora_gguf import convert_peft_adapter

    folder = tmp_path / "dora"
    folder.mkdir()
    (folder / "adapter_config.json").write_text(json.dumps({"use_dora": True, "r": 4}))
    (folder / "adapter_model.safetensors").write_bytes(b"")
    with pytest.raises(ConfigError) as err:
        convert_peft_adapter(folder, tiny, tmp_path / "x.gguf")
    assert "DoRA" in err.value.message and "transformers" in err.value.hint
    with pytest.raises(ConfigError):
        convert_peft_adapter(tmp_path, tiny, tmp_path / "x.gguf")  # not an adapter folder
    assert not (tmp_path / "x.gguf").exists()


def test_runtime_adapter_prefers_a_matching_shipped_gguf(tmp_path, tiny, hf_tiny) -> None:
    import copy

    import torch
    from peft import LoraConfig, get_peft_model

    from fitcoach.lora_gguf import GGUF_ADAPTER_FILE, convert_peft_adapter, runtime_adapter

    def save(seed: int) -> None:
        torch.manual_seed(seed)
        config = LoraConfig(r=2, target_modules=["q_proj"], init_lora_weights=False)
        get_peft_model(copy.deepcopy(hf_tiny), config).save_pretrained(folder)

    folder = tmp_path / "my-adapter"
    save(0)
    cache = tmp_path / "cache"
    converted = runtime_adapter(folder, tiny, cache)  # nothing shipped: converted once, cached
    assert converted.parent == cache and converted.name.startswith("my-adapter-")
    assert runtime_adapter(folder, tiny, cache) == converted
    convert_peft_adapter(folder, tiny, folder / GGUF_ADAPTER_FILE)
    assert runtime_adapter(folder, tiny, cache) == folder / GGUF_ADAPTER_FILE
    save(1)  # the PEFT weights changed after the GGUF was made: the stale GGUF is not used
    fresh = runtime_adapter(folder, tiny, cache)
    assert fresh.parent == cache and fresh != converted
    assert runtime_adapter(folder / GGUF_ADAPTER_FILE, tiny, cache) == folder / GGUF_ADAPTER_FILE


def test_rope_row_reorder_interleaves_each_heads_halves() -> None:
    from fitcoach.lora_gguf import rope_reorder_rows

    rows = np.arange(8)[:, None]  # 2 heads of 4 rows: halves [0 1][2 3] and [4 5][6 7]
    assert rope_reorder_rows(rows, 2)[:, 0].tolist() == [0, 2, 1, 3, 4, 6, 5, 7]


# --- choosing the runtime --------------------------------------------------------------------


def _llama_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from fitcoach.agent import llm

    monkeypatch.setattr(llm, "llama_cpp_status", lambda: (None, "llama-cpp-python is not installed"))


def test_auto_runtime_is_llama_cpp_when_installed(llama_cpp) -> None:
    from fitcoach.agent.llm import choose_runtime, make_chat_model
    from fitcoach.agent.llm_llamacpp import LlamaCppChatModel

    choice = choose_runtime(load_settings())
    assert choice.runtime == "llama.cpp" and "installed" in choice.reason and choice.llama_cpp
    llm, label = make_chat_model(load_settings())
    assert isinstance(llm, LlamaCppChatModel) and llm._llama is None  # nothing loaded yet
    assert label == "smollm2-135m-instruct + fitcoach-smollm2"
    assert llm.adapter is not None and llm.adapter.name == "fitcoach-smollm2"


def test_without_llama_cpp_auto_falls_back_and_explicit_fails(monkeypatch) -> None:
    from fitcoach.agent.llm import LocalChatModel, choose_runtime, make_chat_model

    _llama_missing(monkeypatch)
    choice = choose_runtime(load_settings())
    assert choice.runtime == "transformers" and "not installed" in choice.reason
    llm, _ = make_chat_model(load_settings())
    assert isinstance(llm, LocalChatModel)
    with pytest.raises(ModelNotAvailableError) as err:
        make_chat_model(load_settings(agent={"runtime": "llama.cpp"}))
    assert "make setup" in err.value.hint and "RUNTIME=transformers" in err.value.hint


def test_hugging_face_directories_run_on_transformers(tmp_path: Path) -> None:
    from fitcoach.agent.llm import choose_runtime

    folder = tmp_path / "hf"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    assert choose_runtime(load_settings(agent={"model": str(folder)})).runtime == "transformers"
    with pytest.raises(ConfigError) as err:
        choose_runtime(load_settings(agent={"model": str(folder), "runtime": "llama.cpp"}))
    assert ".gguf" in err.value.hint
    openai = load_settings(agent={"model": "openai:x", "runtime": "llama.cpp"})
    assert choose_runtime(openai).runtime == "openai"


def test_a_local_gguf_file_is_a_model_on_either_runtime(tiny: Path) -> None:
    from fitcoach.agent.llm import LocalChatModel, make_chat_model
    from fitcoach.agent.llm_llamacpp import LlamaCppChatModel

    llm, label = make_chat_model(load_settings(agent={"model": str(tiny)}))
    assert isinstance(llm, LlamaCppChatModel) and label == f"{tiny} (no adapter)"
    assert llm.invoke(MESSAGES).content  # the user's file runs as given, nothing derived
    assert llm.model_path == tiny and llm.lora_path is None
    hf, _ = make_chat_model(load_settings(agent={"model": str(tiny), "runtime": "transformers"}))
    assert isinstance(hf, LocalChatModel)


def test_gguf_lora_file_as_adapter_needs_llama_cpp(tmp_path: Path, llama_cpp) -> None:
    from fitcoach.agent.llm import make_chat_model

    lora = tmp_path / "lora.gguf"
    lora.write_bytes(b"GGUF")
    llm, label = make_chat_model(load_settings(agent={"adapter": str(lora), "runtime": "auto"}))
    assert label.endswith("+ lora")
    with pytest.raises(ConfigError) as err:
        make_chat_model(load_settings(agent={"adapter": str(lora), "runtime": "transformers"}))
    assert "llama.cpp" in err.value.hint


def test_bundled_model_is_rewritten_once_as_float16(tmp_path, tiny, monkeypatch) -> None:
    from fitcoach import models

    monkeypatch.setattr(models, "LLMS", {**models.LLMS, "tiny": models.LLMS["smollm2-135m-instruct"]})
    monkeypatch.setattr(models, "gguf_file", lambda name: tiny)
    derived = models.runtime_gguf("tiny", tmp_path)
    assert derived == tmp_path / "tiny.f16.gguf" and derived.stat().st_size < tiny.stat().st_size
    stamp = derived.stat().st_mtime_ns
    assert models.runtime_gguf("tiny", tmp_path).stat().st_mtime_ns == stamp  # reused
    assert models.runtime_gguf(str(tiny), tmp_path) == tiny  # a user's own file: as given
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind


def test_doctor_says_which_runtime_and_why(monkeypatch) -> None:
    from fitcoach.agent.cli.doctor import _runtime_check

    check = _runtime_check(load_settings())
    assert check.ok
    _llama_missing(monkeypatch)
    check = _runtime_check(load_settings())
    assert check.ok and check.detail.startswith("transformers") and "not installed" in check.detail
    check = _runtime_check(load_settings(agent={"runtime": "llama.cpp"}))
    assert not check.ok and "make setup" in check.hint


# --- threads -----------------------------------------------------------------------------


@given(st.integers(1, 64), st.floats(0, 80))
def test_threads_stay_within_the_free_cores(cores: int, busy: float) -> None:
    from fitcoach.agent.llm_threads import threads_for

    n = threads_for(cores, busy)
    assert 1 <= n <= cores
    assert threads_for(cores, busy + 1) <= n


def test_thread_table() -> None:
    from fitcoach.agent.llm_threads import threads_for

    assert [threads_for(2, b) for b in (0.0, 0.2, 0.3, 1.0, 1.3, 5.0)] == [2, 2, 1, 1, 1, 1]
    assert [threads_for(8, b) for b in (0.1, 1.2, 3.0)] == [8, 7, 5]


def test_cpu_watch_counts_only_other_processes(monkeypatch) -> None:
    from fitcoach.agent import llm_threads

    samples = iter([
        llm_threads._Sample(at=10.0, busy_ticks=1000, own_ticks=500),
        # 1 s later: 150 ticks busy in all, 100 of them this process's: others used 0.5 core
        llm_threads._Sample(at=11.0, busy_ticks=1150, own_ticks=600),
        llm_threads._Sample(at=11.02, busy_ticks=1152, own_ticks=601),  # too short a window
        llm_threads._Sample(at=11.04, busy_ticks=1154, own_ticks=602),
        # later: little CPU used over the window, but 3 other threads runnable right now
        llm_threads._Sample(at=12.04, busy_ticks=1164, own_ticks=607, running=4),
        llm_threads._Sample(at=12.042, busy_ticks=1164, own_ticks=607, running=5),  # re-reads:
        llm_threads._Sample(at=12.044, busy_ticks=1164, own_ticks=607, running=4),  # the least
    ])  # fmt: skip
    monkeypatch.setattr(llm_threads, "_sample", lambda: next(samples))
    watch = llm_threads.CpuWatch()
    watch._ticks = 100
    assert watch.others_busy() == pytest.approx(0.5)
    assert watch.threads(2) == 1
    assert watch.threads(4) == 3  # back-to-back: the last estimate stands (no new sample)
    # the window runs from the last full reading (11.0 s): 7 ticks of others over 1.04 s
    assert watch.others_busy() == 3.0 and watch.last_estimate == pytest.approx(0.07 / 1.04)


def test_fixed_thread_setting_is_used(tiny: Path) -> None:
    llm = chat(tiny, threads=1)
    assert llm.invoke(MESSAGES).response_metadata["token_usage"]["threads"] == 1
    assert llm.last_threads == 1
