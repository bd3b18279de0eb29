"""The topic map (knowledge/starter/topics-*.yaml) and `fitcoach library topics`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from fitcoach.cli import cli
from fitcoach.errors import ConfigError
from fitcoach.knowledge import topics
from fitcoach.knowledge.library import STARTER_DIR
from fitcoach.knowledge.types import DocumentMeta
from tests.fakes import HashEmbedder

FRAGMENT = """area: "Recovery"
topics:
  - name: "sleep and injury"
    notes: ["milewski-2014-sleep", "walsh-2021-sleep"]
    questions: ["does sleep prevent injury?"]
  - name: "cold-water immersion"
    notes: ["machado-2016-cwi"]
    questions: ["should I take ice baths?"]
  - name: "compression garments"
    notes: []
"""


def test_every_note_the_map_names_exists() -> None:
    """Whatever fragments are committed, each note stem they name is a starter note."""
    topic_map = topics.load_topic_map()
    assert topic_map.areas, "no topics-*.yaml fragment in knowledge/starter"
    notes = {p.stem for p in STARTER_DIR.glob("*.md")}
    missing = sorted(topic_map.stems() - notes)
    assert missing == [], f"the topic map names notes that are not in knowledge/starter: {missing}"
    for area in topic_map.areas:
        for topic in area.topics:
            assert topic.notes, f"{area.area} / {topic.name} names no note"


def _write(folder: Path, text: str, name: str = "topics-recovery.yaml") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            FRAGMENT.replace('"milewski-2014-sleep"', '"milewski-2014-sleep.md"'),
            "not a note file stem",
        ),
        (FRAGMENT.replace("cold-water immersion", "sleep and injury"), "appears twice"),
        (FRAGMENT.replace("area:", "areas:"), "area"),
        (FRAGMENT + "    related: [x]\n", "related"),
        ("area: [unclosed\n", "not valid YAML"),
    ],
)
def test_a_bad_fragment_is_refused_with_its_name(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        topics.load_topic_map(_write(tmp_path / "map", text))
    assert "topics-recovery.yaml" in info.value.message and problem in info.value.message
    assert "fix" in info.value.hint


def _doc(source: str) -> DocumentMeta:
    return DocumentMeta(doc_id=source[-12:], title=source, source=source)


def test_coverage_counts_notes_in_the_library_and_finds_gaps(tmp_path: Path) -> None:
    topic_map = topics.load_topic_map(_write(tmp_path / "map", FRAGMENT))
    docs = [_doc("starter:walsh-2021-sleep.md"), _doc("/papers/machado-2016-cwi.md")]
    result = topics.coverage(topic_map, docs)
    (area,) = result.areas
    counts = {t.name: (t.notes, t.absent) for t in area.topics}
    assert counts == {
        "sleep and injury": (["walsh-2021-sleep"], ["milewski-2014-sleep"]),
        "cold-water immersion": (["machado-2016-cwi"], []),
        "compression garments": ([], []),
    }
    assert result.gaps == [("Recovery", "compression garments")]


@pytest.fixture
def map_and_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from fitcoach import models

    monkeypatch.setattr(models, "load_embedder", lambda name="minilm-l6": HashEmbedder())
    monkeypatch.setenv("FITCOACH_LIBRARY__STARTER", "false")
    monkeypatch.setattr(topics, "STARTER_DIR", _write(tmp_path / "map", FRAGMENT))
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "walsh-2021-sleep.md").write_text(
        "---\ntitle: Sleep and the athlete\n---\n## Findings\n\nSleep 7-9 hours a night.\n"
    )
    return papers


def test_library_topics_command(map_and_library: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(map_and_library)]).exit_code == 0
    result = runner.invoke(cli, ["library", "topics"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Recovery  (3 topics, 2 gaps)" in result.output
    assert "1 areas, 3 topics, 2 with no notes in the library" in result.output
    lines = {
        line.split("  ")[1]: line for line in result.output.splitlines() if line.startswith("  ")
    }
    assert "1 note" in lines["sleep and injury"] and "gap" not in lines["sleep and injury"]
    assert "gap" in lines["cold-water immersion"]

    result = runner.invoke(cli, ["library", "topics", "--gaps", "--json"], catch_exceptions=False)
    data = json.loads(result.output)
    assert [t["name"] for t in data["areas"][0]["topics"]] == [
        "cold-water immersion",
        "compression garments",
    ]
    assert data["gaps"][0] == {"area": "Recovery", "topic": "cold-water immersion"}
    assert data["areas"][0]["topics"][0]["absent"] == ["machado-2016-cwi"]
