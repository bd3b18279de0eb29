"""The topic map: what the starter library is meant to cover, and how much of it a library has.

The map is data, one YAML fragment per area (`knowledge/starter/topics-<area>.yaml`):

    area: "Nutrition and supplements"
    topics:
      - name: "protein: daily intake"
        notes: ["jager-2017-issn-protein", ...]      # starter note file stems
        questions: ["how much protein per day ...?"]  # what a person asks about it

Fragments are validated when loaded; `coverage` counts, per topic, the named notes that are in
a library, so `fitcoach library topics` can show where the library is thin.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fitcoach.errors import ConfigError

from .types import DocumentMeta

STARTER_DIR = Path(__file__).parent / "starter"  # (the library's own; not imported, to stay light)
TOPIC_GLOB = "topics-*.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Topic(_Model):
    """One thing people ask about, the notes that answer it and the questions that test it."""

    name: str = Field(min_length=3, description="What the topic is, in a user's words.")
    notes: list[str] = Field(
        default_factory=list, description="File stems of the starter notes that cover it."
    )
    questions: list[str] = Field(
        default_factory=list, description="Questions a person asks that these notes answer."
    )

    @field_validator("notes")
    @classmethod
    def _stems(cls, notes: list[str]) -> list[str]:
        for stem in notes:
            if not stem or stem != stem.strip() or "/" in stem or stem.endswith(".md"):
                raise ValueError(f"{stem!r} is not a note file stem (write 'name', not 'name.md')")
        return notes


class TopicArea(_Model):
    """One fragment: an area of coaching and its topics."""

    area: str = Field(min_length=3)
    topics: list[Topic] = Field(min_length=1)

    @field_validator("topics")
    @classmethod
    def _unique(cls, topics: list[Topic]) -> list[Topic]:
        seen: set[str] = set()
        for topic in topics:
            if topic.name in seen:
                raise ValueError(f"topic {topic.name!r} appears twice")
            seen.add(topic.name)
        return topics


class TopicMap(_Model):
    """Every area of the map, in file-name order."""

    areas: list[TopicArea]

    def stems(self) -> set[str]:
        """Every note stem the map names."""
        return {stem for area in self.areas for topic in area.topics for stem in topic.notes}


def topic_files(folder: Path | None = None) -> list[Path]:
    return sorted((folder or STARTER_DIR).glob(TOPIC_GLOB))


def load_topic_map(folder: Path | None = None) -> TopicMap:
    """Read and validate every fragment (in the starter folder unless `folder` is given); a bad
    one raises ConfigError naming it."""
    import yaml

    areas: list[TopicArea] = []
    for path in topic_files(folder):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            area = TopicArea.model_validate(data)
        except yaml.YAMLError as exc:
            raise ConfigError(
                f"topic map {path.name} is not valid YAML: {exc}", hint=f"fix {path}"
            ) from None
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in exc.errors()
            )
            raise ConfigError(
                f"topic map {path.name} does not fit the format: {problems}",
                hint=f"fix {path}: `area: ...` and `topics: [{{name, notes: [stems], "
                "questions: [...]}}]`",
            ) from None
        areas.append(area)
    return TopicMap(areas=areas)


class TopicCoverage(_Model):
    """One topic and how much of it a library holds."""

    name: str
    notes: list[str] = Field(description="Named notes that are in the library.")
    absent: list[str] = Field(description="Named notes that are not in the library.")
    questions: list[str]

    @property
    def gap(self) -> bool:
        return not self.notes


class AreaCoverage(_Model):
    area: str
    topics: list[TopicCoverage]

    @property
    def gaps(self) -> list[str]:
        return [t.name for t in self.topics if t.gap]


class Coverage(_Model):
    """The topic map against one library, for `fitcoach library topics`."""

    areas: list[AreaCoverage]

    @property
    def gaps(self) -> list[tuple[str, str]]:
        return [(a.area, name) for a in self.areas for name in a.gaps]


def coverage(topic_map: TopicMap, documents: Iterable[DocumentMeta]) -> Coverage:
    """Count, per topic, the named notes that the library holds, matched by file name (a
    bundled note's source is `starter:<file>`; one ingested from a path counts the same)."""
    present = {Path(doc.source.removeprefix("starter:")).stem for doc in documents}
    return Coverage(
        areas=[
            AreaCoverage(
                area=area.area,
                topics=[
                    TopicCoverage(
                        name=topic.name,
                        notes=[s for s in topic.notes if s in present],
                        absent=[s for s in topic.notes if s not in present],
                        questions=topic.questions,
                    )
                    for topic in area.topics
                ],
            )
            for area in topic_map.areas
        ]
    )
