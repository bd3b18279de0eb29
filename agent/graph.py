"""The coaching graph's wiring: screen → plan → retrieve → tools → answer → check → finish,
with deterministic exits for referral and abstention. Each step is a plain function of
(state, deps) in `nodes.py`; this module only binds `deps` and draws the edges."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from fitcoach.agent import nodes
from fitcoach.agent.nodes import Deps
from fitcoach.agent.state import CoachState

Step = Callable[[CoachState, Deps], dict[str, Any]]

STEPS: dict[str, Step] = {
    "screen": nodes.screen, "plan": nodes.plan, "retrieve": nodes.retrieve,
    "tools": nodes.tools, "answer": nodes.answer, "check": nodes.check,
    "finish": nodes.finish, "refer": nodes.refer, "abstain": nodes.abstain,
}  # fmt: skip


def _bind(name: str, step: Step, deps: Deps) -> Callable[[CoachState], dict[str, Any]]:
    """The step with its deps bound, adding its wall time to the state's `timings`."""

    @functools.wraps(step)
    def node(state: CoachState) -> dict[str, Any]:
        start = time.perf_counter()
        update = step(state, deps)
        timings = dict(state.get("timings") or {})
        timings[name] = round(timings.get(name, 0.0) + time.perf_counter() - start, 4)
        update["timings"] = timings
        return update

    return node


def build_graph(deps: Deps) -> Any:
    """The uncompiled `StateGraph`; `Coach` compiles it (with a checkpointer for threads)."""
    from langgraph.graph import END, START, StateGraph

    graph = StateGraph(CoachState)
    for name, step in STEPS.items():
        graph.add_node(name, _bind(name, step, deps))
    graph.add_edge(START, "screen")
    graph.add_conditional_edges("screen", nodes.after_screen, ["refer", "plan"])
    graph.add_conditional_edges("plan", nodes.after_plan, ["abstain", "retrieve"])
    graph.add_edge("retrieve", "tools")
    graph.add_conditional_edges("tools", nodes.after_tools, ["abstain", "answer"])
    graph.add_edge("answer", "check")
    graph.add_edge("check", "finish")
    for end in ("finish", "refer", "abstain"):
        graph.add_edge(end, END)
    return graph


__all__ = ["Deps", "STEPS", "build_graph"]
