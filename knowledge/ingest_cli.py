"""`fitcoach ingest`: parse the paths and flags, call `Library.ingest`, print the summary."""

from __future__ import annotations

import sys
from typing import Any

import click

from fitcoach.cli.common import echo_json, get_settings, handle_errors


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-r", "--recursive", is_flag=True, help="Descend into sub-folders of folders.")
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False),
    help="CSV or JSON with path,doi,title,authors,year,journal per file; overrides guesses.",
)
@click.option("--password", help="Password for encrypted PDFs.")
@click.option("--title", help="Title for the given file(s), instead of the guessed one.")
@click.option("--authors", help="Authors, separated by ';' (e.g. 'Smith J; Doe A').")
@click.option("--year", type=int, help="Publication year.")
@click.option("--journal", help="Journal name.")
@click.option("--doi", help="DOI, e.g. 10.1249/MSS.0b013e3181915670.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@handle_errors
def ingest(
    paths: tuple[str, ...],
    recursive: bool,
    manifest: str | None,
    password: str | None,
    title: str | None,
    authors: str | None,
    year: int | None,
    journal: str | None,
    doi: str | None,
    as_json: bool,
) -> None:
    """Add papers (PDF, Markdown, plain text) to the library.

    Unchanged files are skipped without re-embedding (and without loading the embedder);
    new --title/--authors/--year/--journal/--doi or manifest values for an unchanged file
    update its record, still without re-embedding; a changed file replaces its old version;
    one bad file never stops the rest. Exits 1 if any file failed. Sentences that give
    orders to an AI, and text hidden in a file (invisible PDF text, Markdown comments), are
    quarantined: never indexed, counted here, listed by `fitcoach library show ID`.

    \b
    Examples:
      fitcoach ingest papers/ --recursive
      fitcoach ingest scan-ocr.pdf --doi 10.1519/JSC.0000000000001049 --year 2016
      fitcoach ingest papers/ --manifest papers/manifest.csv --json
    """
    from fitcoach.knowledge import Library

    overrides = {
        k: v
        for k, v in dict(title=title, authors=authors, year=year, journal=journal, doi=doi).items()
        if v is not None
    }
    library = Library(get_settings())
    with _progress(enabled=not as_json) as progress:
        report = library.ingest(
            list(paths),
            recursive=recursive,
            manifest=manifest,
            password=password,
            overrides=overrides or None,
            progress=progress,
        )
    if as_json:
        echo_json(
            {
                "files": [f.model_dump() for f in report.files],
                "added": report.added,
                "updated": report.updated,
                "skipped": report.skipped,
                "failed": report.failed,
                "embedded_chunks": report.embedded_chunks,
                "quarantined": sum(f.quarantined for f in report.files),
                "seconds": report.seconds,
            }
        )
    else:
        _print_summary(report)
    if report.failed:
        sys.exit(1)


class _progress:
    """A rich progress bar on stderr fed by the pipeline's events (off for --json or no TTY)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> Any:
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self.bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        return self.update

    def update(self, event: Any) -> None:
        if event.stage == "start":
            self.task = self.bar.add_task("ingesting", total=event.total)
        elif event.stage == "read" and self.task is not None:
            name = (event.path or "").rsplit("/", 1)[-1]
            self.bar.update(self.task, completed=event.done, description=name[:40])

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print_summary(report: Any) -> None:
    for f in report.files:
        if f.status == "added":
            held = f", {f.quarantined} quarantined" if f.quarantined else ""
            click.echo(f"added    {f.path}  ({f.chunks} chunks, id {f.doc_id[:12]}{held})")
        elif f.status == "updated":
            click.echo(f"updated  {f.path}  ({f.message}; not re-embedded)")
        elif f.status == "skipped" and f.reason == "duplicate":
            click.echo(f"skipped  {f.path}  ({f.message})")
    failures = [f for f in report.files if f.status == "failed"]
    for f in failures:
        click.secho(f"failed   {f.path}  [{f.reason}] {f.message}", fg="red", err=True)
        if f.hint:
            click.echo(f"         fix: {f.hint}", err=True)
    updated = f"{report.updated} updated, " if report.updated else ""
    held = sum(f.quarantined for f in report.files if f.status == "added")
    if held:
        click.echo(
            f"{held} sentence{'s' * (held != 1)} quarantined (instructions aimed at an AI or "
            "hidden text; listed by `fitcoach library show ID`)"
        )
    click.echo(
        f"{report.added} added, {updated}{report.skipped} skipped, {report.failed} failed "
        f"({report.embedded_chunks} chunks embedded in {report.seconds:.1f} s)"
    )
