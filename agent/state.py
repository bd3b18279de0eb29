"""The typed state the coaching graph passes between its steps, and the plan the planner makes.

Per-turn fields are reset by each call's input; `messages` and `set_log` persist in a thread's
checkpoint, which is how a follow-up question sees earlier turns.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from fitcoach.agent.evidence import Evidence, Sentence
from fitcoach.agent.schema import CoachAnswer
from fitcoach.agent.tools.base import ScreenResult, ToolRun
from fitcoach.agent.tools.profile import AthleteProfile, SetEntry
from fitcoach.agent.verify import VerifiedAnswer


class ToolCall(BaseModel):
    """A tool the planner (or a tool-calling model) decided to run, with its inputs."""

    model_config = ConfigDict(extra="forbid")

    name: str
    inputs: dict[str, Any]
    # Run because the question gave a set, not because it asked for this number ("bench 80 kg
    # x 5, how many sets a week for chest?"): the evidence answers, the number follows it.
    incidental: bool = False


class Plan(BaseModel):
    """What the answer needs: tools to run and library queries to search."""

    model_config = ConfigDict(extra="forbid")

    scope: Literal["in", "out"] = "in"
    reason: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    queries: list[str] = Field(default_factory=list)
    sets: list[SetEntry] = Field(
        default_factory=list, description="Sets stated in the question, added to the set log."
    )
    assumptions: list[str] = Field(
        default_factory=list,
        description="What the planner assumed reading the question (a unit left out); each is "
        "also in the warnings of the tool it affected.",
    )
    questions: list[str] = Field(
        default_factory=list, description="What to ask the person to make the numbers certain."
    )
    body_mass_kg: float | None = Field(None, description="The body mass the question states, in kg.")


def merge_sets(old: list[SetEntry] | None, new: list[SetEntry] | None) -> list[SetEntry]:
    """The thread's set log: earlier sets plus new ones, duplicates once, last 50 kept."""
    merged = list(old or [])
    for entry in new or []:
        if entry not in merged:
            merged.append(entry)
    return merged[-50:]


class CoachState(TypedDict, total=False):
    """The graph's state. Reset each turn: everything but `messages` and `set_log`."""

    question: str
    profile: AthleteProfile | None
    messages: Annotated[list[AnyMessage], add_messages]
    set_log: Annotated[list[SetEntry], merge_sets]
    screen: ScreenResult | None
    plan: Plan | None
    evidence: list[Evidence]
    ranked: list[Sentence]
    chosen: list[Sentence]
    gap: bool
    missing: list[str]
    tool_runs: list[ToolRun]
    incidental_runs: list[ToolRun]
    tool_errors: list[str]
    draft: str | None
    verified: VerifiedAnswer | None
    composed: bool
    result: CoachAnswer | None
    timings: dict[str, float]


def turn_input(question: str, profile: AthleteProfile | None) -> dict[str, Any]:
    """A new turn's input: the question, and every per-turn field cleared."""
    from langchain_core.messages import HumanMessage

    return {
        "question": question,
        "profile": profile,
        "messages": [HumanMessage(question)],
        "set_log": list(profile.set_log) if profile else [],
        "screen": None,
        "plan": None,
        "evidence": [],
        "tool_runs": [],
        "incidental_runs": [],
        "tool_errors": [],
        "draft": None,
        "verified": None,
        "composed": False,
        "result": None,
        "timings": {},
    }
