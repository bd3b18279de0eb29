"""Who may call the API: anyone on this machine by default; with `serve.token` set, only
clients that send it as a bearer header. Binding beyond loopback without a token is refused."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

from fastapi import Request

from fitcoach.errors import ConfigError
from fitcoach.settings import Settings

from .errors import ApiError, send_error

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    host = host.strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything, so treat it as public


def token_of(settings: Settings) -> str | None:
    secret = settings.serve.token
    value = secret.get_secret_value() if secret is not None else None
    return value or None


def check_bind(host: str, settings: Settings) -> None:
    """Refuse to serve on a non-loopback address without a token."""
    if is_loopback(host):
        return
    if token_of(settings) is None:
        raise ConfigError(
            f"refusing to serve on {host} without a token: anyone who can reach it could use "
            "and change your library",
            hint="set a long random token, e.g. "
            "`export FITCOACH_SERVE__TOKEN=$(python -c 'import secrets; print(secrets.token_urlsafe(32))')`, "
            "or bind 127.0.0.1",
        )
    if len(token_of(settings) or "") < 16:
        raise ConfigError(
            "serve.token is too short to protect a server others can reach",
            hint="use at least 16 random characters, e.g. from `python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'`",
        )


UNAUTHORIZED = (
    "missing or wrong bearer token",
    "send the header `Authorization: Bearer <token>` with the server's serve.token "
    "(the web page asks for it once)",
)


def authorized(header: str, expected: str | None) -> bool:
    """Whether an Authorization header carries the expected bearer token (or none is set)."""
    if expected is None:
        return True
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), expected.encode()
    )


def require_token(request: Request) -> None:
    """FastAPI dependency: the request's bearer token must match `serve.token`, if one is set
    (it also marks the /v1 routes as protected; `TokenGate` already turned strangers away)."""
    if not authorized(request.headers.get("authorization", ""), request.app.state.fitcoach.token):
        raise ApiError(401, *UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})


class TokenGate:
    """Refuse /v1 requests without the token before a byte of their body is read, so a
    stranger cannot make the server parse a 50 MB upload just to be told 401."""

    def __init__(self, app: Any, token: str | None, prefix: str = "/v1/") -> None:
        self.app = app
        self.token = token
        self.prefix = prefix

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if self.token is None or scope["type"] != "http" or not scope["path"].startswith(
            self.prefix
        ):
            await self.app(scope, receive, send)
            return
        header = next((v for k, v in scope.get("headers", []) if k == b"authorization"), b"")
        if authorized(header.decode("latin-1"), self.token):
            await self.app(scope, receive, send)
            return
        error, hint = UNAUTHORIZED
        await send_error(send, 401, error, hint, [(b"www-authenticate", b"Bearer")])
