"""`fitcoach mcp`: a Model Context Protocol server over stdio, built on the official `mcp` SDK.

An MCP client (an AI assistant, an IDE) gets the tools `ask` (a screened, cited answer),
`search` (library passages) and every coaching tool of the registry (`screen`, `one-rep-max`,
...), each with its JSON schema, plus the library's documents as resources
(`fitcoach://library/<doc_id>`). Tool results come back as text for the model to read and as
structured JSON (`CoachAnswer`, the tool's `ToolRun`) for the client.

    >>> server = build_mcp_server(coach, library)      # in-process, e.g. mcp.Client(server)
    >>> run_mcp()                                        # stdio, what `fitcoach mcp` runs
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from mcp import types
from mcp.server import Server
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel, Field, ValidationError

from fitcoach.agent.tools import TOOLS, run_tool
from fitcoach.agent.tools.base import describe_validation_error
from fitcoach.errors import FitcoachError
from fitcoach.settings import Settings, load_settings

from .queue import ModelQueue
from .schemas import AskRequest

URI_PREFIX = "fitcoach://library/"
RESOURCE_NOT_FOUND = -32002  # the MCP specification's code for an unknown resource

INSTRUCTIONS = (
    "fitcoach answers fitness-coaching questions from a library of exercise-science papers. "
    "Use `ask` for a coaching question (pass the athlete's profile when you know it): its "
    "answer is screened for medical contraindications and every [n] cites a checked passage. "
    "A safety flag with action `refer` means: no training plan; tell the person to see the "
    "professional the flag names. Use the calculators (one-rep-max, rpe-load, next-load, ...) "
    "for numbers instead of doing arithmetic, `screen` to check a plan for contraindications, "
    "`search` to read passages. fitcoach is a coaching aid, not a medical device."
)


class SearchInput(BaseModel):
    """Inputs of the `search` tool."""

    model_config = {"extra": "forbid"}

    query: str = Field(min_length=1, max_length=1000, description="What to look for.")
    k: int = Field(5, ge=1, le=20, description="How many passages.")


def _tools() -> list[types.Tool]:
    ask_schema = AskRequest.model_json_schema()
    tools = [
        types.Tool(
            name="ask",
            title="Ask fitcoach",
            description="Answer a coaching question: safety screen first, then evidence "
            "passages and calculators; every [n] in the answer cites a checked passage. "
            "Returns the CoachAnswer JSON as structured content.",
            input_schema=ask_schema,
        ),
        types.Tool(
            name="search",
            title="Search the library",
            description="The best passages from the paper library for a query (hybrid dense + "
            "BM25), each with title, authors, year, DOI and page.",
            input_schema=SearchInput.model_json_schema(),
        ),
    ]
    for spec in TOOLS.values():
        tools.append(
            types.Tool(
                name=spec.name,
                description=spec.description,
                input_schema=spec.input_model.model_json_schema(),
            )
        )
    return tools


def _answer_text(answer: Any) -> str:
    """The answer as a model should read it: flags first, then text, tools and references."""
    lines = []
    for flag in answer.safety_flags:
        lines.append(f"SAFETY {flag.action.upper()} [{flag.code}]: {flag.message}")
    if lines:
        lines.append("")
    lines.append(answer.answer)
    if answer.tool_results:
        lines += ["", "Tool results:"]
        lines += [f"- {run.tool}: {run.output.get('summary', '')}" for run in answer.tool_results]
    if answer.citations:
        lines += ["", "References:"]
        for c in answer.citations:
            where = f", p. {c.page}" if c.page else ""
            doi = f", doi:{c.doi}" if c.doi else ""
            lines.append(f"[{c.n}] {c.title} ({c.year or 'n.d.'}){where}{doi}: \"{c.quote}\"")
    return "\n".join(lines)


def _result(text: str, data: Any) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(text=text)], structured_content=data, is_error=False
    )


def _failure(message: str, hint: str | None) -> types.CallToolResult:
    text = f"error: {message}" + (f"\nhint: {hint}" if hint else "")
    return types.CallToolResult(content=[types.TextContent(text=text)], is_error=True)


def build_mcp_server(coach: Any, library: Any, settings: Settings | None = None) -> Server:
    """An MCP server over `coach` and `library` (run it with `run_mcp`, or connect
    `mcp.Client(server)` to it in-process)."""
    from importlib.metadata import PackageNotFoundError, version

    settings = settings or coach.settings
    queue = ModelQueue(settings.serve.max_concurrency, settings.serve.timeout_s)
    try:
        server_version = version("fitcoach")
    except PackageNotFoundError:
        server_version = "unknown"

    async def list_tools(ctx: Any, params: Any) -> types.ListToolsResult:
        return types.ListToolsResult(tools=_tools())

    async def call_tool(ctx: Any, params: types.CallToolRequestParams) -> types.CallToolResult:
        name, arguments = params.name, dict(params.arguments or {})
        if name not in {"ask", "search", *TOOLS}:
            valid = ", ".join(["ask", "search", *sorted(TOOLS)])
            raise MCPError(types.INVALID_PARAMS, f"unknown tool {name!r}; choose one of: {valid}")
        try:
            if name == "ask":
                request = _parse(AskRequest, arguments)
                answer = await queue.run(
                    coach.ask, request.question, request.profile, request.thread_id
                )
                return _result(_answer_text(answer), answer.model_dump(mode="json"))
            if name == "search":
                request = _parse(SearchInput, arguments)
                hits = await anyio.to_thread.run_sync(library.search, request.query, request.k)
                data = {"query": request.query, "hits": [_hit(p) for p in hits]}
                return _result(_hits_text(hits), data)
            run = await anyio.to_thread.run_sync(run_tool, name, arguments)
            return _result(str(run.output.get("summary", "")), run.model_dump(mode="json"))
        except FitcoachError as exc:
            return _failure(exc.message, exc.hint)

    async def list_resources(ctx: Any, params: Any) -> types.ListResourcesResult:
        docs = await anyio.to_thread.run_sync(library.documents)
        return types.ListResourcesResult(
            resources=[
                types.Resource(
                    uri=URI_PREFIX + d.doc_id,
                    name=d.doc_id,
                    title=d.title,
                    description=_cite(d),
                    mime_type="application/json",
                )
                for d in docs
            ]
        )

    async def read_resource(
        ctx: Any, params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        uri = str(params.uri)
        doc_id = uri[len(URI_PREFIX) :] if uri.startswith(URI_PREFIX) else ""
        docs = await anyio.to_thread.run_sync(library.documents)
        doc = next((d for d in docs if d.doc_id == doc_id), None)
        if doc is None:
            raise MCPError(
                RESOURCE_NOT_FOUND,
                f"no library document at {uri!r}; list them with resources/list",
            )
        record = {**doc.model_dump(mode="json"), "citation": _cite(doc)}
        return types.ReadResourceResult(
            contents=[
                types.TextResourceContents(
                    uri=uri, mime_type="application/json", text=json.dumps(record, indent=2)
                )
            ]
        )

    return Server(
        "fitcoach",
        version=server_version,
        title="fitcoach",
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_read_resource=read_resource,
    )


def _parse(model: type[BaseModel], arguments: dict[str, Any]) -> Any:
    try:
        return model.model_validate(arguments)
    except ValidationError as exc:
        fields = ", ".join(model.model_fields)
        raise FitcoachError(
            describe_validation_error(model, exc), hint=f"inputs are: {fields}"
        ) from None


def _cite(doc: Any) -> str:
    authors = ", ".join(doc.authors[:3]) + (" et al." if len(doc.authors) > 3 else "")
    parts = [p for p in (authors, f"({doc.year})" if doc.year else "", doc.title) if p]
    text = " ".join(parts)
    if doc.journal:
        text += f". {doc.journal}"
    if doc.doi:
        text += f". doi:{doc.doi}"
    return text


def _hit(passage: Any) -> dict[str, Any]:
    return {**passage.model_dump(mode="json"), "page": passage.pages}


def _hits_text(hits: list[Any]) -> str:
    if not hits:
        return "No passages found."
    lines = []
    for i, p in enumerate(hits, 1):
        where = f", p. {p.pages}" if p.pages else ""
        lines.append(f"[{i}] {p.title} ({p.year or 'n.d.'}){where}\n{p.text}")
    return "\n\n".join(lines)


def run_mcp(settings: Settings | None = None) -> None:
    """Serve MCP over stdin/stdout until the client closes the connection."""
    from mcp.server.stdio import stdio_server

    from fitcoach.agent.coach import Coach

    settings = settings or load_settings()
    coach = Coach(settings)
    server = build_mcp_server(coach, coach.library, settings)

    async def main() -> None:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())

    try:
        anyio.run(main)
    finally:
        coach.close()
