"""The LangChain wrappers are thin: same schema, same result, errors handed back to the model."""

from __future__ import annotations

import json
import subprocess
import sys

from fitcoach.agent.tools import TOOLS, langchain_tools, run_tool


def test_one_wrapper_per_tool_with_the_pydantic_schema():
    tools = {t.name: t for t in langchain_tools()}
    assert set(tools) == set(TOOLS)
    for name, lc_tool in tools.items():
        assert lc_tool.args_schema is TOOLS[name].input_model
        assert lc_tool.description == TOOLS[name].description


def test_tool_call_returns_json_content_and_the_toolrun_artifact():
    tools = {t.name: t for t in langchain_tools()}
    for name, spec in TOOLS.items():
        msg = tools[name].invoke(
            {"type": "tool_call", "id": "c1", "name": name, "args": spec.example}
        )
        expected = run_tool(name, spec.example)
        assert json.loads(msg.content) == expected.output
        assert msg.artifact == expected


def test_bad_input_comes_back_as_an_error_message():
    tool = next(t for t in langchain_tools() if t.name == "one-rep-max")
    msg = tool.invoke(
        {"type": "tool_call", "id": "c2", "name": "one-rep-max", "args": {"load": 100, "reps": 50}}
    )
    assert msg.status == "error" and "less than or equal to 30" in msg.content
    rpe = next(t for t in langchain_tools() if t.name == "rpe-load")
    msg = rpe.invoke(
        {
            "type": "tool_call",
            "id": "c3",
            "name": "rpe-load",
            "args": {"reps": 5, "rpe": 5, "load": 100},
        }
    )
    assert msg.status == "error" and "6.5-10" in msg.content


def test_importing_the_tools_stays_light():
    code = (
        "import sys, fitcoach.agent.tools as t; t.screen('chest pain'); "
        "heavy = [m for m in ('torch', 'transformers', 'chromadb', 'langchain_core', "
        "'langgraph', 'sentence_transformers') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
