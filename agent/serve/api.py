"""The /v1 routes: ask (JSON or server-sent events), search, library, tools. Each parses,
calls the public Python API and formats; the logic lives in `Coach`, `Library` and the tools."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse

from fitcoach.agent.schema import CoachAnswer
from fitcoach.agent.tools import TOOLS, run_tool, screen
from fitcoach.errors import FitcoachError
from fitcoach.knowledge.types import DocumentMeta

from .auth import require_token
from .errors import ApiError, ErrorBody, error_payload
from .schemas import (
    AskRequest,
    FlagView,
    LibraryResponse,
    RemovedResponse,
    SearchHit,
    SearchResponse,
    ToolInfo,
)

log = logging.getLogger("fitcoach.serve")

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in {
        400: "Bad input: the message says what to change.",
        401: "Missing or wrong bearer token (only when serve.token is set).",
        413: "Request body too large.",
        422: "Invalid fields.",
        503: "Busy: no free slot in time, or the library is locked.",
        504: "The answer took longer than serve.timeout_s.",
    }.items()
}
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
DOC_ID = Path(
    min_length=1, max_length=64, pattern=r"^[0-9a-fA-F]+$", description="Id or unique id prefix."
)

router = APIRouter(prefix="/v1", dependencies=[Depends(require_token)], responses=ERRORS)


def _ctx(request: Request) -> Any:
    return request.app.state.fitcoach


def sse(event: str, data: Any) -> str:
    """One server-sent event; `data` is JSON on a single line."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


async def sse_events(
    first: list[tuple[str, Any]], events: AsyncIterator[tuple[str, Any]]
) -> AsyncIterator[str]:
    """`first`, then each event; an error becomes a final `error` event (the status line has
    already gone out as 200 by then)."""
    for event, data in first:
        yield sse(event, data)
    try:
        async for event, data in events:
            yield sse(event, data)
    except Exception as exc:
        if not isinstance(exc, (FitcoachError, ApiError)):
            log.exception("stream failed")
        yield sse("error", error_payload(exc))


# --- ask ----------------------------------------------------------------------------------------


@router.post("/ask", response_model=CoachAnswer, tags=["ask"])
async def ask(body: AskRequest, request: Request) -> JSONResponse:
    """Screen, retrieve, compute, answer and verify one question: exactly the `CoachAnswer`
    JSON of `fitcoach ask --json`. Waits for a free model slot (serve.max_concurrency)."""
    context = _ctx(request)
    lane = _lane(context, screen(body.question, body.profile))
    answer = await lane.run(context.coach.ask, body.question, body.profile, body.thread_id)
    return JSONResponse(answer.model_dump(mode="json"))


def _lane(context: Any, screened: Any) -> Any:
    """The refer lane for a question the screen refers (the graph then stops before retrieval
    and the model), the model queue otherwise. Both are bounded."""
    return context.refer_queue if screened.refer else context.queue


@router.post(
    "/ask/stream",
    tags=["ask"],
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {"text/event-stream": {}},
            "description": "Server-sent events, in order: `flags` (the safety screen, a list "
            "of flags: shown first), `status` (`queued`, then `running`), `token` "
            "(`{text}`, the model's unverified draft), then exactly one `answer` (the verified "
            "CoachAnswer, which replaces the draft) or `error` (`{error, hint}`).",
        }
    },
)
async def ask_stream(body: AskRequest, request: Request) -> StreamingResponse:
    """`/v1/ask` as server-sent events: safety flags first, draft tokens, then the answer."""
    context = _ctx(request)
    screened = screen(body.question, body.profile)
    flags = [FlagView.of(f).model_dump() for f in screened.flags]

    def job(emit: Callable[[str, Any], None], stop: threading.Event) -> None:
        parts = context.coach.stream(body.question, body.profile, body.thread_id)
        try:
            for item in parts:
                if stop.is_set():  # the client went away: stop generating
                    break
                if isinstance(item, str):
                    emit("token", {"text": item})
                else:
                    emit("answer", item.model_dump(mode="json"))
        finally:
            parts.close()

    return StreamingResponse(
        sse_events([("flags", flags)], _lane(context, screened).stream(job)),
        media_type="text/event-stream",
        headers=SSE_HEADERS,
    )


# --- search and library -------------------------------------------------------------------------


@router.get("/search", response_model=SearchResponse, tags=["library"])
def search(
    request: Request,
    q: str = Query(min_length=1, max_length=1000, description="What to look for."),
    k: int = Query(5, ge=1, le=50, description="How many passages."),
    mode: Literal["hybrid", "dense", "bm25"] | None = Query(
        None, description="Retriever (default: retrieval.mode)."
    ),
) -> SearchResponse:
    """The k best passages for a query (dense + BM25 fused), each with its page and DOI."""
    if not q.strip():
        raise ApiError(400, "the query is empty", hint="pass some words to search for as ?q=")
    hits = _ctx(request).library.search(q, k, mode=mode)
    return SearchResponse(query=q, hits=[SearchHit.of(p) for p in hits])


@router.get("/library", response_model=LibraryResponse, tags=["library"])
def library_list(request: Request) -> LibraryResponse:
    """Every document (sorted by title) and the library's size."""
    library = _ctx(request).library
    return LibraryResponse(stats=library.stats(), documents=library.documents())


def _find(library: Any, doc_id: str) -> Any:
    prefix = doc_id.strip().lower()
    if not any(d.doc_id.startswith(prefix) for d in library.documents()):
        raise ApiError(
            404, f"no document with id {doc_id!r}", hint="list the ids with GET /v1/library"
        )
    return library.get(prefix)  # an ambiguous prefix raises LibraryError (400, with the ids)


@router.get("/library/{doc_id}", response_model=DocumentMeta, tags=["library"])
def library_get(request: Request, doc_id: str = DOC_ID) -> DocumentMeta:
    """One document's record, by id or unique id prefix."""
    return _find(_ctx(request).library, doc_id)


@router.delete("/library/{doc_id}", response_model=RemovedResponse, tags=["library"])
def library_remove(request: Request, doc_id: str = DOC_ID) -> RemovedResponse:
    """Remove a document and its chunks (search stops returning them at once)."""
    library = _ctx(request).library
    doc = _find(library, doc_id)
    return RemovedResponse(removed=library.remove(doc.doc_id))


# --- tools --------------------------------------------------------------------------------------


@router.get("/tools", response_model=list[ToolInfo], tags=["tools"])
def tools_list() -> list[ToolInfo]:
    """Every coaching tool with the JSON schema of its inputs and an example."""
    return [
        ToolInfo(
            name=spec.name,
            description=spec.description,
            input_schema=spec.input_model.model_json_schema(),
            example=spec.example,
        )
        for spec in TOOLS.values()
    ]


@router.post("/tools/{name}", tags=["tools"])
def tool_run(
    name: str = Path(description="A tool name from GET /v1/tools, e.g. one-rep-max."),
    inputs: dict[str, Any] = Body(
        description="The tool's inputs as a JSON object (see GET /v1/tools for the schema).",
        examples=[{"load": 100, "reps": 5, "formula": "epley"}],
    ),
) -> JSONResponse:
    """Run one coaching tool: `{tool, inputs, output, rule, reference}` (output has `summary`)."""
    if name not in TOOLS:
        raise ApiError(
            404, f"unknown tool {name!r}", hint="choose one of: " + ", ".join(sorted(TOOLS))
        )
    return JSONResponse(run_tool(name, inputs).model_dump(mode="json"))
