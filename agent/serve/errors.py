"""Every error the API returns has one shape, `{"error": ..., "hint": ...}`: what went wrong
and what to change. fitcoach's own errors map to a status code here, in one place."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from fitcoach.errors import (
    ConfigError,
    FitcoachError,
    LibraryError,
    LibraryLockedError,
    ModelNotAvailableError,
    ToolInputError,
)

log = logging.getLogger("fitcoach.serve")


class ErrorBody(BaseModel):
    """The body of every 4xx/5xx response."""

    error: str = Field(description="What went wrong.")
    hint: str | None = Field(None, description="What to change to make it work.")


class ApiError(HTTPException):
    """An HTTP error with a hint; raise it from routes and middleware."""

    def __init__(
        self, status: int, message: str, hint: str | None = None, headers: dict | None = None
    ) -> None:
        super().__init__(status_code=status, detail=message, headers=headers)
        self.hint = hint


def status_of(exc: FitcoachError) -> int:
    """The HTTP status for one of fitcoach's own errors."""
    explicit = getattr(exc, "status", None)
    if isinstance(explicit, int):
        return explicit
    if isinstance(exc, ToolInputError):
        return 422
    if isinstance(exc, (LibraryLockedError, ModelNotAvailableError)):
        return 503
    if isinstance(exc, (ConfigError, LibraryError)):
        return 400
    return 500


def error_payload(exc: BaseException) -> dict[str, Any]:
    """`{"error", "hint"}` for any exception (also sent as an SSE `error` event)."""
    if isinstance(exc, FitcoachError):
        return {"error": exc.message, "hint": exc.hint}
    if isinstance(exc, ApiError):
        return {"error": str(exc.detail), "hint": exc.hint}
    return {
        "error": f"internal error ({type(exc).__name__})",
        "hint": "see the server's log; report it to the fitcoach developers if it repeats",
    }


def _json(status: int, body: dict[str, Any], headers: dict | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


def _describe(errors: list[Any]) -> str:
    parts = []
    for err in errors:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        msg = str(err.get("msg", "invalid"))
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if err.get("type") == "missing":
            msg = "required"
        elif err.get("type") == "extra_forbidden":
            msg = "unknown field"
        given = err.get("input")
        shown = ""
        if err.get("type") not in ("missing", "extra_forbidden") and given is not None:
            text = repr(given)
            shown = f" (got {text if len(text) <= 60 else text[:57] + '...'})"
        parts.append(f"{loc or 'request'}: {msg}{shown}")
    return "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the `ErrorBody` shape."""

    @app.exception_handler(FitcoachError)
    async def _fitcoach(request: Request, exc: FitcoachError) -> JSONResponse:
        status = status_of(exc)
        if status >= 500:
            log.warning("%s %s: %s", request.method, request.url.path, exc)
        return _json(status, error_payload(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        hint = getattr(exc, "hint", None)
        if hint is None and exc.status_code == 404:
            hint = "the API lives under /v1; see /docs for every endpoint"
        if hint is None and exc.status_code == 405:
            hint = "see /docs for the methods each endpoint accepts"
        return _json(exc.status_code, {"error": str(exc.detail), "hint": hint}, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            return _json(
                400,
                {
                    "error": "the request body is not valid JSON",
                    "hint": "send a JSON object with Content-Type: application/json",
                },
            )
        return _json(
            422,
            {
                "error": "invalid request: " + _describe(errors),
                "hint": "see /docs for the fields each endpoint accepts",
            },
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return _json(500, error_payload(exc))


async def send_error(
    send: Any, status: int, error: str, hint: str, headers: list[tuple[bytes, bytes]] = ()
) -> None:
    """Answer `{error, hint}` straight from ASGI middleware, before any route runs."""
    import json

    body = json.dumps({"error": error, "hint": hint}).encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()), *headers],
    })  # fmt: skip
    await send({"type": "http.response.body", "body": body})
