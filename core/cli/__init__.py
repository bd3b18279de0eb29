"""The `fitcoach` command: a thin shell over the Python API, one module per command group.

Subcommands are imported only when run, so `fitcoach --help` never touches torch,
transformers or chromadb.
"""

from __future__ import annotations

import importlib

import click

# name -> (module:attribute, one-line help shown in `fitcoach --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "ask": ("fitcoach.agent.cli.ask:ask", "Ask a coaching question; get a cited, screened answer."),
    "ingest": ("fitcoach.knowledge.ingest_cli:ingest", "Add papers (PDF, Markdown, text) to the library."),
    "search": ("fitcoach.knowledge.cli:search", "Search the library (hybrid dense + BM25)."),
    "library": ("fitcoach.knowledge.cli:library", "List, show, remove documents; library stats."),
    "tool": ("fitcoach.agent.cli.tool:tool", "Run a coaching calculator or the safety screen."),
    "finetune": (
        "fitcoach.finetune.cli:finetune",
        "Post-training pipeline: data, cpt, sft, rl, eval.",
    ),
    "doctor": (
        "fitcoach.agent.cli.doctor:doctor",
        "Check versions, models, data directory, library.",
    ),
    "config": ("fitcoach.cli.config:config", "Print the resolved settings (TOML or JSON)."),
    "serve": ("fitcoach.agent.cli.serve:serve", "Serve the HTTP API and the coaches' web page."),
    "mcp": ("fitcoach.agent.cli.serve:mcp", "Run an MCP server (stdio) for AI assistants."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in COMMANDS if _available(name))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        target, _ = COMMANDS[name]
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise
        return getattr(module, attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _available(name: str) -> bool:
    module_name = COMMANDS[name][0].split(":")[0]
    try:
        return importlib.util.find_spec(module_name) is not None
    except ModuleNotFoundError:
        return False


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    envvar="FITCOACH_CONFIG",
    help="Settings TOML file (default: $FITCOACH_HOME/config.toml).",
)
@click.version_option(package_name="fitcoach")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None) -> None:
    """fitcoach: evidence-based fitness coaching, offline.

    \b
    Examples:
      fitcoach ask "How much protein do I need to build muscle?"
      fitcoach tool one-rep-max load=100 reps=5 formula=epley --json
      fitcoach ingest papers/ --recursive
      fitcoach doctor

    fitcoach is a coaching aid, not a medical device: safety flags send you to a professional.
    """
    ctx.ensure_object(dict)
    ctx.obj["config_file"] = config_file


def main() -> None:
    import warnings

    # Deprecation chatter from transformers/peft internals is for their developers, not for
    # someone asking a coaching question; Python API users keep their own warning filters.
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    cli(prog_name="fitcoach")
