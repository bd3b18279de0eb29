"""`fitcoach search` and `fitcoach library ...`: thin shells over `Library`."""

from __future__ import annotations

import textwrap
from typing import Any

import click

from fitcoach.cli.common import echo_json, get_settings, handle_errors


def _library() -> Any:
    from fitcoach.knowledge import Library

    return Library(get_settings())


def passage_json(p: Any) -> dict[str, Any]:
    """The JSON of a search hit: the `Passage` itself, plus its page span as printed."""
    return {**p.model_dump(mode="json"), "pages": p.pages}


def document_json(d: Any) -> dict[str, Any]:
    return d.model_dump(mode="json")


def _cite(title: str, authors: list[str], year: int | None) -> str:
    who = ""
    if authors:
        who = _surname(authors[0]) + (" et al." if len(authors) > 1 else "") + ", "
    return f"{who}{title}" + (f" ({year})" if year else "")


def _surname(name: str) -> str:
    """'Jäger R' -> 'Jäger'; 'Adam Amawi' -> 'Amawi'."""
    parts = name.replace(",", " ").split()
    if len(parts) > 1 and parts[-1].replace(".", "").isupper() and len(parts[-1]) <= 4:
        return parts[0]
    return parts[-1] if parts else name


@click.command()
@click.argument("query")
@click.option(
    "-k", "k", type=click.IntRange(1, 100), help="Number of passages (default: retrieval.k)."
)
@click.option(
    "--mode",
    type=click.Choice(["hybrid", "dense", "bm25"]),
    help="Retriever (default: retrieval.mode, hybrid).",
)
@click.option("--year", type=int, help="Only papers from this year.")
@click.option("--since", type=int, help="Only papers from this year on.")
@click.option("--until", type=int, help="Only papers up to this year.")
@click.option("--doi", multiple=True, help="Only this DOI (repeatable).")
@click.option(
    "--doc", "doc_ids", multiple=True, help="Only this document id or prefix (repeatable)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the passages as JSON.")
@handle_errors
def search(
    query: str,
    k: int | None,
    mode: str | None,
    year: int | None,
    since: int | None,
    until: int | None,
    doi: tuple[str, ...],
    doc_ids: tuple[str, ...],
    as_json: bool,
) -> None:
    """Search the library (dense + BM25, fused by reciprocal rank).

    \b
    Examples:
      fitcoach search "how much protein per meal"
      fitcoach search "tapering before a marathon" -k 3 --since 2010 --json
    """
    from fitcoach.knowledge.types import SearchFilters

    filters = SearchFilters(
        year=year,
        year_min=since,
        year_max=until,
        doi=list(doi) or None,
        doc_id=list(doc_ids) or None,
    )
    passages = _library().search(query, k, filters=filters, mode=mode)
    if as_json:
        echo_json([passage_json(p) for p in passages])
        return
    if not passages:
        click.echo("no passages found")
        return
    for n, p in enumerate(passages, start=1):
        where = f"p. {p.pages}" if p.pages else (p.section or "")
        doi_text = f"doi:{p.doi}" if p.doi else p.source
        click.secho(f"[{n}] {_cite(p.title, p.authors, p.year)}", bold=True)
        click.echo(f"    {where} · {doi_text} · id {p.doc_id[:12]} · sim {p.similarity or 0:.2f}")
        click.echo(textwrap.indent(textwrap.fill(p.text, 96), "    "))


@click.group()
def library() -> None:
    """List, show and remove documents; library statistics.

    \b
    Examples:
      fitcoach library list
      fitcoach library show 3f2a9c
      fitcoach library remove 3f2a9c --yes
      fitcoach library stats --json
      fitcoach library topics --gaps
    """


@library.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the documents as JSON.")
@handle_errors
def list_documents(as_json: bool) -> None:
    """List the documents in the library."""
    docs = _library().documents()
    if as_json:
        echo_json([document_json(d) for d in docs])
        return
    for d in docs:
        year = d.year or "----"
        click.echo(f"{d.doc_id[:12]}  {year}  {d.n_chunks:4d} ch  {d.title[:80]}")
    click.echo(f"{len(docs)} documents")


@library.command("show")
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True, help="Print the document as JSON.")
@handle_errors
def show(doc_id: str, as_json: bool) -> None:
    """Show one document's metadata (DOC_ID may be a unique prefix), and the sentences
    quarantined at ingest with their reason and page."""
    d = _library().get(doc_id)
    if as_json:
        echo_json(document_json(d))
        return
    record = document_json(d)
    quarantined = record.pop("quarantined", [])
    for key, value in record.items():
        if isinstance(value, list):
            value = "; ".join(value)
        click.echo(f"{key:12} {value if value is not None else '-'}")
    # Kept out of the index, never shown to a model: listed so the reader can check them.
    click.echo(f"{'quarantined':12} {len(quarantined) or '-'}")
    for q in quarantined:
        where = f"p. {q['page']}" if q["page"] is not None else "-"
        text = textwrap.shorten(" ".join(q["text"].split()), 160, placeholder=" ...")
        click.echo(f"  {where:7} {q['reason']}\n          {text}")


@library.command("remove")
@click.argument("doc_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print the removed document as JSON.")
@handle_errors
def remove(doc_id: str, yes: bool, as_json: bool) -> None:
    """Remove a document and its chunks (DOC_ID may be a unique prefix)."""
    lib = _library()
    doc = lib.get(doc_id)
    if not yes:  # the prompt goes to stderr, so --json output stays clean
        click.confirm(f"remove {doc.title!r} ({doc.doc_id[:12]})?", abort=True, err=True)
    lib.remove(doc.doc_id)
    if as_json:
        echo_json({"removed": document_json(doc)})
    else:
        click.echo(f"removed {doc.doc_id[:12]}  {doc.title}")


@library.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@handle_errors
def stats(as_json: bool) -> None:
    """Documents, chunks, pages, embedder and where the library lives."""
    result = _library().stats()
    if as_json:
        echo_json(result.model_dump(mode="json"))
        return
    for key, value in result.model_dump().items():
        click.echo(f"{key:17} {value}")


@library.command("topics")
@click.option("--gaps", "only_gaps", is_flag=True, help="Show only topics with no notes.")
@click.option("--json", "as_json", is_flag=True, help="Print the coverage as JSON.")
@handle_errors
def topics(only_gaps: bool, as_json: bool) -> None:
    """What the library covers: notes per topic of the map, and the gaps.

    The map is knowledge/starter/topics-*.yaml (area, topics: name, notes, questions); a
    topic counts the notes it names that are in this library. Add papers where it is thin.

    \b
    Examples:
      fitcoach library topics
      fitcoach library topics --gaps --json
    """
    from fitcoach.knowledge.topics import coverage, load_topic_map

    result = coverage(load_topic_map(), _library().documents())
    if as_json:
        echo_json(
            {
                "areas": [
                    {
                        "area": a.area,
                        "topics": [
                            {**t.model_dump(), "count": len(t.notes), "gap": t.gap}
                            for t in a.topics
                            if t.gap or not only_gaps
                        ],
                    }
                    for a in result.areas
                ],
                "gaps": [{"area": area, "topic": name} for area, name in result.gaps],
            }
        )
        return
    width = max((len(t.name) for a in result.areas for t in a.topics), default=20)
    for a in result.areas:
        shown = [t for t in a.topics if t.gap or not only_gaps]
        if not shown:
            continue
        click.secho(f"{a.area}  ({len(a.topics)} topics, {len(a.gaps)} gaps)", bold=True)
        for t in shown:
            count = f"{len(t.notes):3d} note{'s' if len(t.notes) != 1 else ' '}"
            flag = click.style("  gap", fg="red") if t.gap else ""
            absent = f"  ({len(t.absent)} named, not in the library)" if t.absent else ""
            click.echo(f"  {t.name:<{width}}  {count}{flag}{absent}")
    total = sum(len(a.topics) for a in result.areas)
    click.echo(
        f"{len(result.areas)} areas, {total} topics, {len(result.gaps)} with no notes in the library"
    )
