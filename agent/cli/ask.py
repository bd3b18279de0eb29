"""`fitcoach ask`: one question in, a screened and cited answer out (a shell over `Coach.ask`)."""

from __future__ import annotations

import os

import click

from fitcoach.cli.common import echo_json, get_settings, handle_errors


@click.command()
@click.argument("question")
@click.option(
    "--profile",
    "profile_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Athlete profile (TOML, YAML or JSON): age, conditions, injuries, set_log, ...",
)
@click.option(
    "--thread", "thread_id", help="Conversation id: keeps history and set log across calls."
)
@click.option(
    "--json", "as_json", is_flag=True, help="Print exactly one JSON object (the CoachAnswer)."
)
@click.option("--stream", is_flag=True, help="Stream the model's draft as it is written.")
@click.option(
    "--model", help="Chat model: registry name, local directory, hub id or openai:<name>."
)
@click.option("--adapter", help="LoRA adapter: default, none, or a directory.")
@click.pass_context
@handle_errors
def ask(
    ctx: click.Context,
    question: str,
    profile_file: str | None,
    thread_id: str | None,
    as_json: bool,
    stream: bool,
    model: str | None,
    adapter: str | None,
) -> None:
    """Ask a coaching question; get a screened answer whose claims cite papers.

    \b
    Examples:
      fitcoach ask "How much protein do I need to build muscle?"
      fitcoach ask "I did 100 kg x 5 at RPE 8. What should I squat next week?" --thread me
      fitcoach ask "Can I run while pregnant?" --profile me.toml --json
    """
    # Model-loading progress bars are noise on a terminal answer (set before any HF import).
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from fitcoach.agent.coach import Coach, CoachAnswer
    from fitcoach.agent.tools.profile import AthleteProfile

    if stream and as_json:
        raise click.UsageError("--stream and --json cannot be combined")
    settings = get_settings(ctx)
    profile = AthleteProfile.load(profile_file) if profile_file else None
    with Coach(settings, model=model, adapter=adapter) as coach:
        if stream:
            answer: CoachAnswer | None = None
            streamed: list[str] = []
            for event in coach.stream(question, profile, thread_id):
                if isinstance(event, str):
                    streamed.append(event)
                    click.secho(event, nl=False, dim=True)
                else:
                    answer = event
            assert answer is not None
            if streamed:
                click.echo("\n")
                if "".join(streamed).strip() != answer.answer:
                    click.secho("Verified answer:", bold=True)
            print_answer(answer)
            return
        answer = coach.ask(question, profile, thread_id)
    if as_json:
        echo_json(answer.model_dump(mode="json"))
    else:
        print_answer(answer)


def print_answer(answer: object) -> None:
    """Human output: safety flags first, the answer, references, tool results, model."""
    from fitcoach.agent.schema import CoachAnswer

    assert isinstance(answer, CoachAnswer)
    for flag in answer.safety_flags:
        color = "red" if flag.action == "refer" else "yellow"
        click.secho(
            f"SAFETY {flag.action.upper()} ({flag.severity}): {flag.message}", fg=color, bold=True
        )
        click.secho(f"  rule: {flag.reference}", fg=color)
    if answer.safety_flags:
        click.echo()
    click.echo(answer.answer)
    if answer.citations:
        click.echo()
        click.secho("References", bold=True)
        for c in answer.citations:
            authors = ", ".join(c.authors[:3]) + (" et al." if len(c.authors) > 3 else "")
            parts = [authors or "Unknown", f"({c.year})" if c.year else "", c.title]
            line = " ".join(p for p in parts if p)
            if c.doi:
                line += f". doi:{c.doi}"
            if c.page:
                line += f", p. {c.page}"
            click.echo(f"[{c.n}] {line}")
    if answer.tool_results:
        click.echo()
        click.secho("Tool results", bold=True)
        width = max(len(r.tool) for r in answer.tool_results)
        for r in answer.tool_results:
            click.echo(f"  {r.tool.ljust(width)}  {r.output.get('summary', '')}")
            click.echo(f"  {' ' * width}  rule: {r.rule}")
    click.echo()
    click.secho(f"model: {answer.model}" + ("  (abstained)" if answer.abstained else ""), dim=True)
