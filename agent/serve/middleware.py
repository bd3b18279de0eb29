"""Plain ASGI middleware (no buffering, so server-sent events stream through untouched):
request-body limits and the security headers of the web page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import ApiError, send_error

Scope = dict[str, Any]
Message = dict[str, Any]
ASGIApp = Callable[..., Any]

MB = 1024 * 1024
# JSON requests (questions, profiles, tool inputs) are small; a profile with a long set log
# still fits in far less than this.
JSON_LIMIT = 1 * MB
# Multipart framing around the files: boundaries, part headers, the small form fields.
MULTIPART_SLACK = 64 * 1024


class BodyTooLarge(ApiError):
    """Raised inside `receive` once a request body passes its limit. An HTTPException, so
    FastAPI's body parsing passes it on as is and the app answers 413 with the hint."""

    def __init__(self, upload: bool, upload_mb: float) -> None:
        super().__init__(413, *_too_large_text(upload, upload_mb))


class BodyLimit:
    """Refuse request bodies above a limit with 413, before or while they arrive.

    `upload_paths` get `upload_mb` (plus the multipart framing); everything else `JSON_LIMIT`. A declared
    Content-Length over the limit is refused before a byte is read; a chunked body is
    counted as it streams, and the route sees an error instead of the rest of it.
    """

    def __init__(
        self, app: ASGIApp, upload_mb: float, upload_paths: tuple[str, ...] = ("/v1/ingest",)
    ) -> None:
        self.app = app
        self.upload_mb = upload_mb
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = scope["path"] in self.upload_paths
        limit = int(self.upload_mb * MB) + MULTIPART_SLACK if upload else JSON_LIMIT
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send, upload, self.upload_mb)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(upload, self.upload_mb)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _too_large(send, upload, self.upload_mb)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", []):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _too_large_text(upload: bool, upload_mb: float) -> tuple[str, str]:
    if upload:
        return (
            f"the upload is larger than {upload_mb:g} MB",
            "upload fewer or smaller files per request, or raise serve.max_upload_mb",
        )
    return (
        f"the request body is larger than {JSON_LIMIT // MB} MB",
        "send a smaller JSON body (shorten the set log or the question)",
    )


async def _too_large(send: Callable, upload: bool, upload_mb: float) -> None:
    error, hint = _too_large_text(upload, upload_mb)
    await send_error(send, 413, error, hint, [(b"connection", b"close")])


# The page and its assets come from this server only: no CDN, no inline script, no framing.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


class SecurityHeaders:
    """nosniff and no-referrer everywhere; the strict content policy on the page itself
    (not on /docs, whose Swagger UI loads its own assets)."""

    def __init__(self, app: ASGIApp, page_prefixes: tuple[str, ...] = ("/static/",)) -> None:
        self.app = app
        self.page_prefixes = page_prefixes

    async def __call__(self, scope: Scope, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        page = path == "/" or path.startswith(self.page_prefixes)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"no-referrer"))
                if page:
                    headers.append((b"content-security-policy", PAGE_POLICY.encode()))
                    headers.append((b"x-frame-options", b"DENY"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
