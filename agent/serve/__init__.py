"""Serving fitcoach: an HTTP API with a web page (`fitcoach serve`) and an MCP server
(`fitcoach mcp`), both over one `Coach` and one `Library` that stay loaded.

    >>> from fitcoach.agent.serve import create_app
    >>> app = create_app()       # a FastAPI app; `fitcoach serve` runs it under uvicorn

Imported on use only: nothing here is touched by `fitcoach --help` or `import fitcoach`.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "create_app": "fitcoach.agent.serve.app:create_app",
    "run_server": "fitcoach.agent.serve.app:run_server",
    "warm_up": "fitcoach.agent.serve.app:warm_up",
    "build_mcp_server": "fitcoach.agent.serve.mcp:build_mcp_server",
    "run_mcp": "fitcoach.agent.serve.mcp:run_mcp",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'fitcoach.agent.serve' has no attribute {name!r}")
    module, attr = _EXPORTS[name].split(":")
    return getattr(importlib.import_module(module), attr)
