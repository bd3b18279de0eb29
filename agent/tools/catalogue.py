"""The team's exercise catalogue and injury map: which exercises load an injured region, what
to do instead, and whether a lift is large or small for load increments."""

from __future__ import annotations

import functools
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from fitcoach.errors import UnknownNameError

from . import references as refs
from .base import ExerciseSwap, InjuryAdvice, load_data

REGION_REFERENCES = {
    "fransen": refs.FRANSEN,
    "malliaras": refs.MALLIARAS,
    "hayden": refs.HAYDEN,
    "lauersen": refs.LAUERSEN,
}


class Exercise(BaseModel):
    """One catalogue entry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    synonyms: tuple[str, ...] = ()
    pattern: str = Field(description="Movement pattern, e.g. squat, hinge, vertical_push.")
    size: Literal["large", "small"]
    muscles: tuple[str, ...]
    joints: tuple[str, ...]
    equipment: tuple[str, ...]


class Region(BaseModel):
    """An injurable region and how the screen recognises and advises on it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    joint: str | None = None
    muscle: str | None = None
    terms: tuple[str, ...]
    diagnoses: tuple[str, ...] = ()
    patterns: tuple[str, ...]
    swaps: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    modifications: tuple[str, ...]
    see: str
    reference: str


@functools.cache
def exercises() -> tuple[Exercise, ...]:
    """The catalogue, in file order (most common first within a pattern)."""
    return tuple(Exercise.model_validate(e) for e in load_data("exercises.yaml"))


@functools.cache
def regions() -> dict[str, Region]:
    data = load_data("injuries.yaml")
    return {name: Region(name=name, **spec) for name, spec in data["regions"].items()}


@functools.cache
def pain_words() -> str:
    return load_data("injuries.yaml")["pain_words"].strip()


def _name_pattern(name: str) -> str:
    # "pull-up" matches "pull up", "pullup", "pull-ups"; a trailing s/es is optional.
    parts = [re.escape(p) for p in re.split(r"[\s-]+", name.lower()) if p]
    return r"[\s-]?".join(parts) + r"(?:e?s)?"


@functools.cache
def _exercise_regex() -> list[tuple[re.Pattern[str], Exercise]]:
    table = []
    for ex in exercises():
        names = sorted({ex.name, *ex.synonyms}, key=len, reverse=True)
        alts = "|".join(_name_pattern(n) for n in names)
        table.append((re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])"), ex))
    return table


def get_exercise(name: str) -> Exercise:
    """Look an exercise up by name or synonym; an unknown name lists some valid ones."""
    found = find_exercises(name)
    if not found:
        raise UnknownNameError("exercise", name, [e.name for e in exercises()][:40] + ["..."])
    return found[0]


def find_exercises(text: str) -> list[Exercise]:
    """Catalogue exercises named in `text`, longest (most specific) name first per span."""
    lowered = text.lower()
    hits: list[tuple[int, int, Exercise]] = []
    for regex, ex in _exercise_regex():
        for m in regex.finditer(lowered):
            hits.append((m.start(), -(m.end() - m.start()), ex))
    hits.sort(key=lambda h: (h[0], h[1]))
    chosen: list[Exercise] = []
    taken_until = -1
    for start, neg_len, ex in hits:
        if start < taken_until:  # inside a longer name already matched ("front squat" > "squat")
            continue
        taken_until = start - neg_len
        if ex not in chosen:
            chosen.append(ex)
    return chosen


def lift_size(name: str) -> Literal["large", "small"]:
    """Large lifts take the bigger load jumps; unknown exercises count as small (safer)."""
    found = find_exercises(name)
    return found[0].size if found else "small"


def loads_region(ex: Exercise, region: Region) -> bool:
    """An exercise loads a region if its pattern does and it moves that joint or muscle."""
    if ex.pattern not in region.patterns:
        return False
    if region.joint is not None:
        return region.joint in ex.joints
    return region.muscle in ex.muscles


def _spares(ex: Exercise, region: Region) -> bool:
    if region.joint is not None:
        return region.joint not in ex.joints
    return region.muscle not in ex.muscles


def alternatives(ex: Exercise, region: Region, limit: int = 3) -> list[str]:
    """The region's curated swaps for this pattern; failing that, exercises that spare the
    region (do not move that joint or train that muscle) and train the same muscles."""
    curated = [name for name in region.swaps.get(ex.pattern, ()) if name != ex.name]
    if curated:
        return curated[:limit]
    scored = []
    for i, other in enumerate(exercises()):
        if other == ex or not _spares(other, region) or other.pattern == "mobility":
            continue
        overlap = len(set(ex.muscles) & set(other.muscles))
        if overlap:
            scored.append((other.pattern != ex.pattern, -overlap, i, other.name))
    return [name for *_, name in sorted(scored)[:limit]]


def injury_advice(
    region_name: str,
    mentioned_as: str,
    text: str = "",
    refer_now: list[str] | None = None,
    limit: int = 6,
) -> InjuryAdvice:
    """Advice for one injured region: the exercises in `text` (or the commonest ones) that
    load it, lower-load alternatives, general modifications and who to see."""
    if region_name not in regions():
        raise UnknownNameError("injury region", region_name, list(regions()))
    region = regions()[region_name]
    mentioned = [ex for ex in find_exercises(text) if loads_region(ex, region)]
    if mentioned:
        chosen = mentioned
    else:
        seen_patterns: set[str] = set()
        chosen = []
        for ex in exercises():  # the commonest exercise of each loaded pattern first
            if loads_region(ex, region) and ex.pattern not in seen_patterns:
                seen_patterns.add(ex.pattern)
                chosen.append(ex)
    swaps = [
        ExerciseSwap(exercise=ex.name, pattern=ex.pattern, instead=alternatives(ex, region))
        for ex in chosen[:limit]
    ]
    return InjuryAdvice(
        region=region.name,
        mentioned_as=mentioned_as,
        loaded_patterns=list(region.patterns),
        exercises_to_modify=swaps,
        modifications=list(region.modifications),
        see=region.see,
        refer_now=refer_now or [],
        reference=REGION_REFERENCES[region.reference],
    )
