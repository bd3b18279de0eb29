"""One settings tree for the whole of fitcoach.

Precedence, lowest to highest: field defaults < TOML file < environment (`FITCOACH_*`,
nested with `__`, e.g. `FITCOACH_AGENT__MODEL`) < explicit arguments. The TOML file is
`$FITCOACH_HOME/config.toml` unless `FITCOACH_CONFIG` or `load_settings(config_file=...)`
names another. Unknown keys are rejected everywhere.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from .errors import ConfigError


def default_home() -> Path:
    """The data directory: `$FITCOACH_HOME`, else the platform's user data dir."""
    env = os.environ.get("FITCOACH_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("fitcoach", appauthor=False))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class LibrarySettings(_Section):
    chroma_url: str | None = Field(
        None,
        description="URL of a `chroma run` server (e.g. http://127.0.0.1:8000) for a shared "
        "library; unset means an embedded PersistentClient under the data directory.",
    )
    collection: str = Field("fitcoach", description="Chroma collection name.")
    embedder: str = Field(
        "minilm-l6",
        description="Embedding model: a registry name (minilm-l6) or a local "
        "sentence-transformers directory.",
    )
    chunk_tokens: int = Field(
        220,
        ge=32,
        le=256,
        description="Largest chunk, in the embedder's word pieces (all-MiniLM-L6-v2 truncates "
        "at 256, so chunks stay below it).",
    )
    chunk_overlap: int = Field(40, ge=0, le=128, description="Word-piece overlap between chunks.")
    starter: bool = Field(
        True, description="Ingest the bundled starter library on first use of an empty library."
    )
    lock_timeout: float = Field(
        600.0, ge=0, description="Seconds to wait for another process's ingest lock."
    )


class RetrievalSettings(_Section):
    k: int = Field(5, ge=1, le=100, description="Passages returned by a search.")
    candidates: int = Field(
        30,
        ge=1,
        le=1000,
        description="Candidates taken from each retriever before fusion (30 measured best on "
        "bench/retrieval.py once chunks carry their document's keywords and results are spread "
        "over documents: hybrid recall@5 +0.01 over 10, which left too few distinct papers).",
    )
    per_document: int = Field(
        1,
        ge=0,
        le=100,
        description="Most passages of one document among a search's results before any "
        "document's next passage is listed (nothing is dropped: a search within one document "
        "still returns k of its passages); 0 ranks by score alone. 1 measured best on "
        "bench/retrieval.py: hybrid recall@5 +0.02, MRR +0.01 over no limit.",
    )
    # Tuned on bench/retrieval.py: at 0.5 a lexical hit cannot outrank the dense top hits on
    # its own but lifts chunks both retrievers agree on; 1.0 let BM25's noisier tail push
    # dense hits out.
    bm25_weight: float = Field(
        0.5,
        ge=0.0,
        le=5.0,
        description="Weight of the BM25 ranking in reciprocal-rank fusion (dense has 1).",
    )
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    mode: Literal["hybrid", "dense", "bm25"] = Field("hybrid", description="Retriever to use.")


class AgentSettings(_Section):
    model: str = Field(
        "smollm2-135m-instruct",
        description="Chat model: a registry name, a local Hugging Face model directory, a hub "
        "id (needs network), or `openai:<model>` for an OpenAI-compatible endpoint.",
    )
    adapter: str = Field(
        "default",
        description="LoRA adapter on the local model: `default` (the shipped fitcoach adapter), "
        "`none` (plain base model), or a path to an adapter directory.",
    )
    runtime: Literal["auto", "llama.cpp", "transformers"] = Field(
        "auto",
        description="What runs a local GGUF model: `llama.cpp` (llama-cpp-python, several times "
        "faster on a CPU), `transformers`, or `auto` = llama.cpp when llama-cpp-python is "
        "installed, else transformers. Hugging Face model directories always run on "
        "transformers. `fitcoach doctor` says which runs and why.",
    )
    threads: int = Field(
        0,
        ge=0,
        le=512,
        description="CPU threads for the llama.cpp runtime; 0 = decide per answer: all usable "
        "cores when other processes leave them idle, one fewer per core they keep busy, at "
        "least 1 (on 2 busy cores, 2 threads made the answer step 8-11x slower than 1: "
        "bench/latency.py --threads 1,2,0 --compete).",
    )
    openai_base_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible server (vLLM, Ollama, llama.cpp)."
    )
    openai_api_key: str | None = Field(None, description="API key for that server, if it needs one.")
    max_new_tokens: int = Field(
        96,
        ge=1,
        le=4096,
        description="Generation budget per answer (96 measured as fast as 160 with the same drafts: bench/latency.py).",
    )
    temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature; 0 is greedy.")
    evidence_k: int = Field(4, ge=1, le=20, description="Evidence passages shown to the model.")
    min_relevance: float = Field(
        0.3,
        ge=0.0,
        le=1.0,
        description="Cosine similarity below which retrieved evidence counts as irrelevant "
        "(the agent abstains when nothing passes).",
    )
    sentence_floor: float = Field(
        0.5,
        ge=-1.0,
        le=2.0,
        description="Score an evidence sentence needs to be used (cosine to the question plus "
        "BM25 and section/population priors, agent/data/rank_weights.yaml). Below it for every "
        "sentence, the answer says the library holds nothing on the question. Casual questions "
        "('is the 80/20 thing legit for cycling?') score lower than formal ones; the lowest "
        "answerable lead of the tune split of bench/answer_quality.py scores 0.50, and every "
        "lead under 0.5 among 96 questions written outside the team (most of them casual) was "
        "off-topic (a stretching line for clicking shoulders, a rest-interval line for an EMS "
        "suit).",
    )
    gap_score: float = Field(
        0.9,
        ge=0.0,
        le=3.0,
        description="When the question names an everyday word the library never uses, the best "
        "evidence sentence needs this score, else the answer is an honest gap "
        "(bench/answer_quality.py).",
    )
    reranker: str = Field(
        "default",
        description="Evidence reranker: `default` (the cross-encoder trained by "
        "`python -m fitcoach.finetune.reranker`, shipped in finetune/adapters/fitcoach-reranker), "
        "`none` (bi-encoder and priors only), or a folder holding reranker.safetensors.",
    )
    draft: bool = Field(
        True,
        description="Let the model phrase the supporting sentences (verified; the scores still "
        "choose and order the evidence). False: answers are composed from the evidence alone.",
    )


class TrainSettings(_Section):
    output_dir: Path | None = Field(
        None, description="Where finetune stages write; unset means <home>/runs."
    )
    recipe: str = Field("cpu", description="Default finetune recipe (cpu-smoke, cpu, gpu, or a YAML path).")
    seed: int = Field(0, description="Seed for data building and training.")


class ServeSettings(_Section):
    host: str = Field(
        "127.0.0.1",
        description="Address `fitcoach serve` binds. Loopback (127.0.0.1, ::1, localhost) by "
        "default; any other address requires `token` and the server refuses to start without it.",
    )
    port: int = Field(8000, ge=1, le=65535, description="TCP port `fitcoach serve` listens on.")
    token: SecretStr | None = Field(
        None,
        description="Bearer token every /v1 request must send as `Authorization: Bearer <token>`; "
        "unset means no auth (allowed on loopback only). Set it with FITCOACH_SERVE__TOKEN rather "
        "than in a shared file; `fitcoach config` masks it.",
    )
    max_upload_mb: float = Field(
        50.0,
        gt=0,
        le=4096,
        description="Largest upload to POST /v1/ingest, all files of one request together, in MB; "
        "a bigger request gets 413 before anything is written.",
    )
    max_concurrency: int = Field(
        2,
        ge=1,
        le=64,
        description="Questions answered at once (each may run the chat model); more wait in a "
        "queue. The bundled model on a CPU gains little above 2; raise it for a GPU or an "
        "OpenAI-compatible server.",
    )
    timeout_s: float = Field(
        120.0,
        gt=0,
        le=3600,
        description="Seconds a question may wait in the queue and run together; past it the "
        "client gets 503 (still queued) or 504 (still running).",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Origins allowed to call the API from another site's web page (CORS), e.g. "
        "[\"https://coach.example.org\"]; empty means no CORS headers at all.",
    )


class Settings(BaseSettings):
    """All of fitcoach's configuration. Build it with `load_settings()`."""

    model_config = SettingsConfigDict(
        env_prefix="FITCOACH_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_assignment=True,
    )

    home: Path = Field(default_factory=default_home, description="Data directory (FITCOACH_HOME).")
    offline: bool = Field(
        True,
        description="Never reach a model hub unless a hub id was asked for by name; "
        "HF_HUB_OFFLINE is set for bundled models.",
    )
    library: LibrarySettings = Field(default_factory=LibrarySettings, description="The paper library.")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="Search.")
    agent: AgentSettings = Field(default_factory=AgentSettings, description="The coaching agent.")
    train: TrainSettings = Field(default_factory=TrainSettings, description="Post-training.")
    serve: ServeSettings = Field(
        default_factory=ServeSettings,
        description="`fitcoach serve` (HTTP API and web page) and `fitcoach mcp`.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_file = _TOML_FILE.get()
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    # Derived locations -------------------------------------------------------------
    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def library_dir(self) -> Path:
        return self.home / "library"

    @property
    def runs_dir(self) -> Path:
        return self.train.output_dir or self.home / "runs"

    @property
    def threads_db(self) -> Path:
        return self.home / "threads.sqlite"


# Which TOML file the Settings being built reads; a context variable, so concurrent
# load_settings calls (threads, async tasks) cannot see each other's file.
_TOML_FILE: ContextVar[Path | None] = ContextVar("fitcoach_toml_file", default=None)


def config_file_path(config_file: str | Path | None = None) -> Path:
    """The TOML file `load_settings` reads (it need not exist)."""
    if config_file is not None:
        return Path(config_file).expanduser()
    env = os.environ.get("FITCOACH_CONFIG")
    if env:
        return Path(env).expanduser()
    return default_home() / "config.toml"


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Resolve settings: defaults < TOML file < environment < `overrides`.

    `overrides` take nested dicts for sections, e.g. `load_settings(agent={"model": "x"})`.
    A named `config_file` that does not exist is an error; the default one is optional.
    """
    path = config_file_path(config_file)
    explicit = config_file is not None or bool(os.environ.get("FITCOACH_CONFIG"))
    if explicit and not path.is_file():
        raise ConfigError(f"settings file {path} does not exist", hint="fix the path or create it")
    token = _TOML_FILE.set(path if path.is_file() else None)
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(
            "invalid settings: " + "; ".join(_describe(e) for e in exc.errors()),
            hint=f"check {path} and the FITCOACH_* environment variables",
        ) from None
    except Exception as exc:  # a malformed TOML file
        if type(exc).__name__ == "TOMLDecodeError":
            raise ConfigError(f"cannot parse {path}: {exc}", hint="fix the TOML syntax") from None
        raise
    finally:
        _TOML_FILE.reset(token)


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(p) for p in error.get("loc", ())) or "settings"
    if error.get("type") == "extra_forbidden":
        return f"unknown key {where!r}"
    return f"{where}: {error.get('msg')}"
