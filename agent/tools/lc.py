"""Thin LangChain wrappers: each registered tool as a `StructuredTool` whose schema is the
tool's pydantic input model. The model sees the result as JSON; the `ToolRun` rides along as
the message artifact. langchain_core is imported only when these are built."""

from __future__ import annotations

import json
from typing import Any

from fitcoach.errors import FitcoachError

from .base import ToolSpec, describe_validation_error


def build_langchain_tools(registry: dict[str, ToolSpec]) -> list[Any]:
    """One StructuredTool per registry entry (response_format="content_and_artifact")."""
    from langchain_core.tools import StructuredTool, ToolException

    from . import run_tool

    def make(spec: ToolSpec) -> Any:
        def call(**kwargs: Any) -> tuple[str, Any]:
            inputs = {
                k: v.model_dump() if hasattr(v, "model_dump") else v
                for k, v in kwargs.items()
                if v is not None
            }
            try:
                run = run_tool(spec.name, inputs)
            except FitcoachError as exc:
                # Shown to the model as the tool's answer, so it can correct its call.
                raise ToolException(str(exc)) from None
            return json.dumps(run.output, ensure_ascii=False), run

        def explain(exc: Exception) -> str:
            # LangChain validates against the schema before `call`; answer in our words.
            detail = (
                describe_validation_error(spec.input_model, exc)
                if hasattr(exc, "errors")
                else str(exc)
            )
            return (
                f"invalid input: {detail} (inputs are: {', '.join(spec.input_model.model_fields)})"
            )

        return StructuredTool.from_function(
            func=call,
            name=spec.name,
            description=spec.description,
            args_schema=spec.input_model,
            response_format="content_and_artifact",
            handle_tool_error=True,
            handle_validation_error=explain,
        )

    return [make(spec) for spec in registry.values()]
