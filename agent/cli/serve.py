"""`fitcoach serve` (HTTP API and web page) and `fitcoach mcp` (MCP over stdio): thin shells
over `fitcoach.agent.serve`; the server code is imported only when a command runs."""

from __future__ import annotations

import click

from fitcoach.cli.common import get_settings, handle_errors


@click.command()
@click.option("--host", help="Address to bind (default: serve.host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: serve.port, 8000).")
@click.option(
    "--no-warm", is_flag=True, help="Start at once; load the library and model on first use."
)
@handle_errors
def serve(host: str | None, port: int | None, no_warm: bool) -> None:
    """Serve the HTTP API and the coaches' web page (one Coach and Library, loaded once).

    Open http://127.0.0.1:8000/ for the page, /docs for the API. Binding anything but
    loopback needs a bearer token (serve.token) and is refused without one.

    \b
    Examples:
      fitcoach serve
      fitcoach serve --port 8080
      FITCOACH_SERVE__TOKEN=$(python -c 'import secrets; print(secrets.token_urlsafe(32))') \\
        fitcoach serve --host 0.0.0.0
      curl -s localhost:8000/v1/ask -H 'content-type: application/json' \\
        -d '{"question": "How much protein do I need per day?"}'
    """
    from fitcoach.agent.serve.app import run_server

    def say(text: str) -> None:
        click.echo(f"fitcoach: {text}", err=True)

    run_server(get_settings(), host=host, port=port, warm=not no_warm, say=say)


@click.command()
@handle_errors
def mcp() -> None:
    """Run a Model Context Protocol server on stdin/stdout, for AI assistants and IDEs.

    Tools: ask, search and every coaching tool (screen, one-rep-max, ...) with their JSON
    schemas; resources: the library's documents (fitcoach://library/<doc_id>).

    \b
    Examples:
      fitcoach mcp
      # an MCP client's server entry: {"command": "fitcoach", "args": ["mcp"]}
    """
    from fitcoach.agent.serve.mcp import run_mcp

    run_mcp(get_settings())
