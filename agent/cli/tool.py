"""`fitcoach tool`: the coaching calculators and the safety screen from the shell, printing the
same pydantic result the agent gets (a shell over `fitcoach.agent.tools.run_tool`)."""

from __future__ import annotations

from typing import Any

import click

from fitcoach.cli.common import echo_json, handle_errors


class ToolGroup(click.Group):
    """`list` plus one subcommand per registered tool, built from the registry."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from fitcoach.agent.tools import TOOLS

        return ["list", *TOOLS]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name == "list":
            return list_tools
        from fitcoach.agent.tools import TOOLS

        return _tool_command(name) if name in TOOLS else None

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            raise click.UsageError(
                f"unknown tool {name!r}; choose one of: {', '.join(self.list_commands(ctx))}"
            )
        return super().resolve_command(ctx, args)


@click.group(cls=ToolGroup, context_settings={"help_option_names": ["-h", "--help"]})
def tool() -> None:
    """Run a coaching calculator or the safety screen.

    \b
    Examples:
      fitcoach tool list
      fitcoach tool one-rep-max load=100 reps=5 formula=epley --json
      fitcoach tool rpe-load reps=5 rpe=8 load=140 target_reps=3 target_rpe=9
      fitcoach tool next-load log=sets.csv exercise="back squat" rep_min=8 rep_max=12
      fitcoach tool workload-ratio loads=[300,320,310,450] period=week
      fitcoach tool convert value=225 from_unit=lb to_unit=kg
      fitcoach tool screen text="I get chest pain when I run" profile=athlete.toml --json

    Inputs are key=value; values are JSON when they parse (numbers, lists, true/false).
    """


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Names, descriptions, inputs and examples.")
@handle_errors
def list_tools(as_json: bool) -> None:
    """List the tools with a one-line description."""
    from fitcoach.agent.tools import TOOLS

    if as_json:
        echo_json(
            [
                {
                    "name": spec.name,
                    "description": spec.description,
                    "inputs": spec.input_model.model_json_schema(),
                    "example": spec.example,
                }
                for spec in TOOLS.values()
            ]
        )
        return
    width = max(len(name) for name in TOOLS)
    for name, spec in TOOLS.items():
        click.echo(f"{name:<{width}}  {spec.description}")


def _help_for(name: str) -> str:
    from fitcoach.agent.tools import TOOLS

    spec = TOOLS[name]
    lines = [spec.description, "", "\b", "Inputs:"]
    for field, info in spec.input_model.model_fields.items():
        if info.is_required():
            need = "required"
        elif info.default is None:
            need = "optional"
        else:
            need = f"default {info.default!r}"
        lines.append(f"  {field} ({need}): {info.description or ''}".rstrip(": "))
    if "profile" in spec.input_model.model_fields:
        lines.append("  profile=PATH reads a .toml/.yaml/.json profile; profile fields may also")
        lines.append("  be given inline, e.g. age=45 activity_level=inactive pregnant=true")
    if "log" in spec.input_model.model_fields:
        lines.append("  log=PATH reads a CSV (exercise,load,reps,rpe,date,unit) or a JSON list")
    example = " ".join(f"{k}={_shell(v)}" for k, v in spec.example.items())
    lines += ["", "\b", "Example:", f"  fitcoach tool {name} {example}"]
    return "\n".join(lines)


def _shell(value: Any) -> str:
    import json

    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return f"'{text}'" if any(c in text for c in ' "{}[],') else text


def _tool_command(name: str) -> click.Command:
    @click.command(name, help=_help_for(name), context_settings={"ignore_unknown_options": True})
    @click.argument("pairs", nargs=-1, metavar="KEY=VALUE...")
    @click.option("--json", "as_json", is_flag=True, help="Print the result model as JSON.")
    @handle_errors
    def run(pairs: tuple[str, ...], as_json: bool) -> None:
        from fitcoach.agent.tools import call_tool, get_tool
        from fitcoach.agent.tools.args import inputs_from_pairs

        result = call_tool(name, inputs_from_pairs(get_tool(name), pairs))
        if as_json:
            echo_json(result.model_dump(mode="json"))
        else:
            _print_result(result)

    return run


def _print_result(result: Any) -> None:
    click.secho(result.summary, bold=True)
    for flag in getattr(result, "flags", []):
        colour = {"absolute": "red", "relative": "yellow"}.get(flag.severity)
        click.secho(f"  [{flag.severity} / {flag.action}] {flag.code}: {flag.message}", fg=colour)
    for advice in getattr(result, "injuries", []):
        click.echo(f"  {advice.region}: see a {advice.see}")
        for swap in advice.exercises_to_modify:
            instead = f" -> {', '.join(swap.instead)}" if swap.instead else ""
            click.echo(f"    {swap.exercise}{instead}")
    for warning in result.warnings:
        click.secho(f"warning: {warning}", fg="yellow")
    click.echo(f"rule: {result.rule}")
    click.echo(f"reference: {result.reference}")
