"""`fitcoach ingest`, `search` and `library` through click's runner: exit codes and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fitcoach.cli import cli
from tests.fakes import HashEmbedder


@pytest.fixture(autouse=True)
def fake_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI builds its Library from settings; give it the fast fake embedder, no starter."""
    from fitcoach import models

    monkeypatch.setattr(models, "load_embedder", lambda name="minilm-l6": HashEmbedder())
    monkeypatch.setenv("FITCOACH_LIBRARY__STARTER", "false")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def papers(tmp_path: Path) -> Path:
    folder = tmp_path / "papers"
    (folder / "sub").mkdir(parents=True)
    (folder / "protein.md").write_text(
        "---\ntitle: Protein\nyear: 2017\ndoi: 10.1186/S12970-017-0177-8\nauthors: [Jager R]\n---\n"
        "## Numbers\n\nEat 1.6 g of protein per kg per day.\n"
    )
    (folder / "sub" / "sleep.txt").write_text(
        "Sleep and injury\n\nShort sleep raised injury risk.\n"
    )
    return folder


def test_ingest_json_then_search_json(papers: Path) -> None:
    code, out = run("ingest", str(papers), "--recursive", "--json")
    assert code == 0
    report = json.loads(out)
    assert [f["status"] for f in report["files"]] == ["added", "added"]
    assert report["added"] == 2 and all("reason" in f for f in report["files"])

    code, out = run("search", "protein per kg", "-k", "1", "--json")
    assert code == 0
    (hit,) = json.loads(out)
    assert {"doc_id", "title", "authors", "year", "journal", "doi", "pages", "source"} <= set(hit)
    assert hit["year"] == 2017 and isinstance(hit["year"], int)
    assert hit["doi"] == "10.1186/s12970-017-0177-8" and hit["authors"] == ["Jager R"]

    code, out = run("ingest", str(papers), "-r", "--json")
    assert [f["reason"] for f in json.loads(out)["files"]] == ["unchanged", "unchanged"]


def test_ingest_reports_failures_with_fixes(papers: Path) -> None:
    bad = papers / "broken.pdf"
    bad.write_text("not a pdf")
    code, out = run("ingest", str(papers / "protein.md"), str(bad))
    assert code == 1
    assert "not a PDF despite its name" in out and "fix:" in out
    assert "1 added, 0 skipped, 1 failed" in out


def test_ingest_flags_override_metadata(papers: Path) -> None:
    note = papers / "sub" / "sleep.txt"
    code, _ = run(
        "ingest",
        str(note),
        "--title",
        "Sleep study",
        "--year",
        "2014",
        "--authors",
        "Milewski MD; Skaggs DL",
    )
    assert code == 0
    code, out = run("library", "list", "--json")
    (doc,) = json.loads(out)
    assert (doc["title"], doc["year"], doc["authors"]) == (
        "Sleep study",
        2014,
        ["Milewski MD", "Skaggs DL"],
    )


def test_library_list_show_remove_stats(papers: Path) -> None:
    run("ingest", str(papers), "-r")
    code, out = run("library", "list")
    assert code == 0 and "2 documents" in out
    code, out = run("library", "list", "--json")
    docs = json.loads(out)
    target = next(d for d in docs if d["title"] == "Protein")
    code, out = run("library", "show", target["doc_id"][:8], "--json")
    assert code == 0 and json.loads(out)["doi"] == "10.1186/s12970-017-0177-8"
    code, out = run("library", "stats", "--json")
    assert json.loads(out)["documents"] == 2
    code, out = run("library", "remove", target["doc_id"][:8], "--yes")
    assert code == 0 and "removed" in out
    code, out = run("library", "show", target["doc_id"])
    assert code == 1 and "no document with id" in out and "library list" in out


def test_search_on_an_empty_library() -> None:
    code, out = run("search", "anything", "--json")
    assert code == 0 and json.loads(out) == []
