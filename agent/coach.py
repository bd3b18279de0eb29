"""The public Python API: `Coach(...).ask(question, profile)` returns a screened, cited
`CoachAnswer`. One `Coach` holds its own settings, library, model and graph: nothing global,
so two coaches with different libraries work side by side."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from fitcoach.agent.schema import Citation, CoachAnswer, FlagReport
from fitcoach.agent.tools.profile import AthleteProfile
from fitcoach.errors import ConfigError
from fitcoach.settings import Settings, load_settings

__all__ = ["Citation", "Coach", "CoachAnswer", "FlagReport"]


def _as_profile(profile: AthleteProfile | dict[str, Any] | None) -> AthleteProfile | None:
    if profile is None or isinstance(profile, AthleteProfile):
        return profile
    try:
        return AthleteProfile.model_validate(profile)
    except ValidationError as exc:
        from fitcoach.agent.tools.base import describe_validation_error

        raise ConfigError(
            f"invalid profile: {describe_validation_error(AthleteProfile, exc)}",
            hint="profile fields are: " + ", ".join(AthleteProfile.model_fields),
        ) from None


def _checkpoint_serde() -> Any:
    """A serializer that restores exactly the state's own types from a thread's checkpoint."""
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    from fitcoach.agent import evidence, schema, state, verify
    from fitcoach.agent.tools import base, profile

    classes = [
        profile.AthleteProfile, profile.SetEntry, base.ScreenResult, base.SafetyFlag,
        base.InjuryAdvice, base.ExerciseSwap, base.ToolRun, evidence.Evidence, evidence.Sentence,
        state.Plan,
        state.ToolCall, verify.VerifiedAnswer, verify.KeptSentence, verify.DroppedSentence,
        schema.CoachAnswer, schema.Citation, schema.FlagReport,
    ]  # fmt: skip
    return JsonPlusSerializer(allowed_msgpack_modules=[(c.__module__, c.__name__) for c in classes])


def _result(state: dict[str, Any]) -> CoachAnswer:
    """The final answer, with the per-step timings of this turn attached."""
    return state["result"].model_copy(update={"timings": dict(state.get("timings") or {})})


class Coach:
    """Evidence-based coaching answers.

    >>> coach = Coach()                                                   # doctest: +SKIP
    >>> answer = coach.ask("I did 100 kg x 5 at RPE 8. What is my e1RM?")  # doctest: +SKIP
    >>> answer.model_dump()["citations"]                                  # doctest: +SKIP

    `settings` default to `load_settings()`; `model` and `adapter` override
    `settings.agent.model` / `.adapter` (the values `fitcoach ask --model --adapter` take);
    `llm` is any LangChain chat model (default: the one `settings.agent.model` names, loaded on
    first use); `library` anything with
    `.search(query, k=...)` (default: `fitcoach.knowledge.Library(settings)`); `checkpointer`
    a LangGraph checkpointer for `thread_id` memory (default: SQLite at `settings.threads_db`).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        llm: Any = None,
        library: Any = None,
        checkpointer: Any = None,
        *,
        embedder: Any = None,
        model: str | None = None,
        adapter: str | None = None,
    ) -> None:
        self.settings = settings if settings is not None else load_settings()
        if model is not None or adapter is not None:  # what `fitcoach ask --model --adapter` takes
            agent = self.settings.agent.model_copy(
                update={k: v for k, v in (("model", model), ("adapter", adapter)) if v is not None}
            )
            self.settings = self.settings.model_copy(update={"agent": agent})
        self._llm = llm
        self._llm_label: str | None = None
        self._library = library
        self._checkpointer = checkpointer
        self._owns_checkpointer = False
        self._embedder = embedder
        self._lock = threading.RLock()
        self._compiled: dict[str, Any] = {}

    # --- lazily built parts ---------------------------------------------------------------
    @property
    def library(self) -> Any:
        with self._lock:
            if self._library is None:
                from fitcoach.knowledge import Library

                self._library = Library(self.settings)
            return self._library

    @property
    def llm(self) -> Any:
        """The chat model (weights of a local model load on its first generation)."""
        with self._lock:
            if self._llm is None:
                from fitcoach.agent.llm import make_chat_model

                self._llm, self._llm_label = make_chat_model(self.settings)
            return self._llm

    @property
    def model_label(self) -> str:
        with self._lock:
            if self._llm_label is None:
                if self._llm is not None:
                    from fitcoach.agent.llm import describe_model

                    self._llm_label = describe_model(self._llm)
                else:
                    self.llm  # noqa: B018 - builds the model wrapper and its label, no weights
            return self._llm_label or "unknown"

    @property
    def embedder(self) -> Any:
        """The embedder verification and composition use: given, or the library's own."""
        if self._embedder is None:
            self._embedder = getattr(self.library, "embedder", None)
        return self._embedder

    def _deps(self) -> Any:
        from fitcoach.agent.nodes import Deps
        from fitcoach.agent.tools import TOOLS

        return Deps(
            settings=self.settings,
            library=self.library,
            get_llm=lambda: self.llm,
            model_label=lambda: self.model_label,
            embedder=self.sentence_embedder,
            reranker=self.reranker,
            tool_names=list(TOOLS),
        )

    @property
    def sentence_embedder(self) -> Any:
        """The embedder evidence ranking uses, behind a cache of sentence vectors under the data
        directory (the library's own embedder when none was given)."""
        if not hasattr(self, "_sentence_embedder"):
            from fitcoach.agent.vectors import CachedEmbedder

            base = self.embedder
            cache = self.settings.home / "cache" / "sentence-vectors.sqlite"
            self._sentence_embedder = CachedEmbedder(base, cache) if base is not None else None
        return self._sentence_embedder

    @property
    def reranker(self) -> Any:
        """The evidence reranker the settings name (None: scores without one)."""
        if not hasattr(self, "_reranker"):
            from fitcoach.agent.rerank import Reranker, reranker_dir

            folder = reranker_dir(self.settings.agent.reranker)
            self._reranker = Reranker(folder) if folder else None
        return self._reranker

    def _compile(self, threaded: bool) -> Any:
        key = "threads" if threaded else "plain"
        with self._lock:
            if key not in self._compiled:
                from fitcoach.agent.graph import build_graph

                builder = build_graph(self._deps())
                saver = self._saver() if threaded else None
                self._compiled[key] = builder.compile(checkpointer=saver)
            return self._compiled[key]

    def _saver(self) -> Any:
        if self._checkpointer is None:
            import sqlite3

            from langgraph.checkpoint.sqlite import SqliteSaver

            path = self.settings.threads_db
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), check_same_thread=False)
            self._checkpointer = SqliteSaver(conn, serde=_checkpoint_serde())
            self._owns_checkpointer = True
        return self._checkpointer

    @property
    def graph(self) -> Any:
        """The compiled LangGraph graph (no checkpointer: embed it as a subgraph, or invoke it
        with `fitcoach.agent.state.turn_input(question, profile)`)."""
        return self._compile(threaded=self._checkpointer is not None)

    # --- asking ------------------------------------------------------------------------------
    def _prepare(
        self, question: str, profile: Any, thread_id: str | None
    ) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        from fitcoach.agent.state import turn_input

        if not question or not question.strip():
            raise ConfigError("the question is empty", hint="ask a coaching question")
        inputs = turn_input(question.strip(), _as_profile(profile))
        if thread_id is not None and profile is None:
            del inputs["profile"]  # keep the profile the thread already has
        config: dict[str, Any] = {}
        if thread_id is not None:
            config = {"configurable": {"thread_id": str(thread_id)}}
        return (
            self._compile(threaded=thread_id is not None or self._checkpointer is not None),
            inputs,
            config,
        )

    def ask(
        self,
        question: str,
        profile: AthleteProfile | dict[str, Any] | None = None,
        thread_id: str | None = None,
    ) -> CoachAnswer:
        """Screen, plan, retrieve, compute, answer and verify one question."""
        graph, inputs, config = self._prepare(question, profile, thread_id)
        return _result(graph.invoke(inputs, self._config(config)))

    async def aask(
        self,
        question: str,
        profile: AthleteProfile | dict[str, Any] | None = None,
        thread_id: str | None = None,
    ) -> CoachAnswer:
        """`ask` for asyncio code (threads run in a worker thread: the SQLite saver is sync)."""
        if thread_id is not None or self._checkpointer is not None:
            return await asyncio.to_thread(self.ask, question, profile, thread_id)
        graph, inputs, config = self._prepare(question, profile, thread_id)
        return _result(await graph.ainvoke(inputs, self._config(config)))

    def stream(
        self,
        question: str,
        profile: AthleteProfile | dict[str, Any] | None = None,
        thread_id: str | None = None,
    ) -> Iterator[str | CoachAnswer]:
        """Yield the model's draft token by token (str), then the verified `CoachAnswer`.

        The draft is what the model writes before verification; the final answer is what
        survived it (or what was composed from verified evidence), so show the final one last.
        """
        graph, inputs, config = self._prepare(question, profile, thread_id)
        final: dict[str, Any] = {}
        for mode, payload in graph.stream(
            inputs, self._config(config), stream_mode=["messages", "values"]
        ):
            if mode == "messages":
                chunk, meta = payload
                text = chunk.content if isinstance(chunk.content, str) else ""
                if meta.get("langgraph_node") == "answer" and text:
                    yield text
            else:
                final = payload
        yield _result(final)

    def history(self, thread_id: str) -> list[dict[str, str]]:
        """The conversation of a thread, as role/content pairs."""
        graph = self._compile(threaded=True)
        snapshot = graph.get_state({"configurable": {"thread_id": str(thread_id)}})
        messages = (snapshot.values or {}).get("messages", [])
        return [{"role": m.type, "content": str(m.content)} for m in messages]

    def _config(self, config: dict[str, Any]) -> dict[str, Any]:
        # Graph depth is small and fixed; a recursion limit only guards against bugs.
        return {**config, "recursion_limit": 25}

    def close(self) -> None:
        """Close the SQLite connection this coach opened for threads (if any)."""
        if self._owns_checkpointer and self._checkpointer is not None:
            self._checkpointer.conn.close()
            self._checkpointer = None
            self._owns_checkpointer = False
            self._compiled.pop("threads", None)

    def __enter__(self) -> Coach:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
