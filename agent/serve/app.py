"""The FastAPI app: one `Coach` and one `Library`, loaded once and shared by every request,
the /v1 API, the web page at `/`, and `run_server` for `fitcoach serve`.

    >>> from fitcoach.agent.serve import create_app
    >>> app = create_app()          # settings from load_settings(); or pass coach=, library=
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from fitcoach.settings import Settings, load_settings

from .auth import TokenGate, check_bind, token_of
from .errors import install_error_handlers
from .middleware import BodyLimit, SecurityHeaders
from .queue import ModelQueue
from .schemas import Health

STATIC = Path(__file__).parent / "static"
WARM_QUESTION = "How much protein do I need per day to build muscle?"
# A big batch of PDFs embeds for minutes on a CPU; this deadline only guards against a hang.
INGEST_TIMEOUT_S = 3600.0


@dataclass
class ServeContext:
    """What every request shares; `app.state.fitcoach`."""

    settings: Settings
    coach: Any
    library: Any
    queue: ModelQueue
    # Questions the safety screen refers skip the model and retrieval, so they get their own
    # lane: a referral never waits behind other people's model calls.
    refer_queue: ModelQueue
    token: str | None
    # Uploads are staged here (same disk as the library) and removed after ingest.
    uploads_dir: Path
    # One upload is ingested at a time: the library's writer lock would serialise them
    # anyway, and this keeps a second upload from holding a thread while it waits.
    ingest_queue: ModelQueue = field(
        default_factory=lambda: ModelQueue(1, INGEST_TIMEOUT_S, max_waiting=16)
    )


def _version() -> str:
    try:
        return version("fitcoach")
    except PackageNotFoundError:
        return "unknown"


def create_app(
    settings: Settings | None = None, *, coach: Any = None, library: Any = None
) -> FastAPI:
    """The HTTP API and web page over one coach and one library.

    `coach` defaults to `fitcoach.Coach(settings, library=library)`, `library` to the coach's
    own (`fitcoach.Library(settings)`); both load their models on first use (see `warm_up`).
    """
    from fitcoach.agent.coach import Coach

    from .api import router
    from .upload import remove_stale_uploads
    from .upload import router as upload_router

    settings = settings or load_settings()
    owns_coach = coach is None
    if coach is None:
        coach = Coach(settings, library=library)
    if library is None:
        library = coach.library
    serve = settings.serve
    context = ServeContext(
        settings=settings,
        coach=coach,
        library=library,
        queue=ModelQueue(serve.max_concurrency, serve.timeout_s),
        refer_queue=ModelQueue(serve.max_concurrency, serve.timeout_s),
        token=token_of(settings),
        uploads_dir=settings.home / "uploads",
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        remove_stale_uploads(context.uploads_dir)  # a killed server's half-staged uploads
        yield
        context.queue.close()
        context.refer_queue.close()
        context.ingest_queue.close()
        if owns_coach:
            coach.close()  # its thread database connection

    app = FastAPI(
        title="fitcoach",
        version=_version(),
        summary="Evidence-based fitness coaching: screened, cited answers; coaching tools; "
        "the paper library.",
        description="Every error is `{\"error\", \"hint\"}`. With `serve.token` set, /v1 needs "
        "`Authorization: Bearer <token>`. fitcoach is a coaching aid, not a medical device.",
        lifespan=lifespan,
    )
    app.state.fitcoach = context
    install_error_handlers(app)

    app.include_router(router)
    app.include_router(upload_router)

    @app.get("/healthz", response_model=Health, tags=["server"])
    def healthz() -> Health:
        """Liveness and the two queues (no auth: it reveals no data)."""
        return Health(
            status="ok",
            version=_version(),
            auth=context.token is not None,
            queue=context.queue.stats(),
            refer_queue=context.refer_queue.stats(),
        )

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    # Outermost last: CORS answers preflights (they carry no token), then the token gate,
    # then the body limit.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, upload_mb=serve.max_upload_mb)
    app.add_middleware(TokenGate, token=context.token)
    if serve.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(serve.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    return app


def warm_up(coach: Any, library: Any, say: Callable[[str], None] = lambda _: None) -> None:
    """Load what the first request would otherwise wait for: the library (and its starter
    notes on first use), the embedder, the chat model's weights, and whatever the agent loads
    on its first question."""
    say("opening the library (the first run ingests the starter notes)")
    stats = library.stats()
    say(f"library: {stats.documents} documents, {stats.chunks} chunks ({stats.backend})")
    embedder = getattr(library, "embedder", None)
    if embedder is not None and hasattr(embedder, "embed_query"):
        embedder.embed_query("warm up")
    say(f"loading the chat model: {coach.model_label}")
    llm = coach.llm
    if hasattr(llm, "load"):
        llm.load()
    # The rest (screen tables, rankers, verifier) loads on the first question: ask one now.
    say("answering a first question to load the rest")
    coach.ask(WARM_QUESTION)


def run_server(
    settings: Settings | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    warm: bool = True,
    say: Callable[[str], None] = lambda _: None,
) -> None:
    """`fitcoach serve`: check the bind address, warm up, then serve until interrupted."""
    import uvicorn

    settings = settings or load_settings()
    host = host or settings.serve.host
    port = port or settings.serve.port
    check_bind(host, settings)
    app = create_app(settings)
    context: ServeContext = app.state.fitcoach
    if warm:
        warm_up(context.coach, context.library, say)
    shown = f"[{host}]" if ":" in host else host
    say(f"serving on http://{shown}:{port}/  (API docs: /docs; stop with Ctrl+C)")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
