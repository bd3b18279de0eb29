"""`fitcoach mcp` through the official SDK's own client: in process (fake chat model, real
library with a fake embedder), and over stdio against `python -m fitcoach.cli mcp`."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, MCPError, StdioServerParameters

from fitcoach import run_tool
from fitcoach.agent.serve.mcp import build_mcp_server
from fitcoach.agent.tools import TOOLS
from tests.conftest import REPO
from tests.test_serve import EVIDENCE_Q, RED_FLAG, make_parts


def with_client(check: Any) -> Any:
    """Run `await check(client, library)` against an in-process server."""
    settings, coach, library = make_parts()
    server = build_mcp_server(coach, library, settings)

    async def main() -> Any:
        async with Client(server) as client:
            return await check(client, library)

    return asyncio.run(main())


def test_tools_are_ask_search_and_every_coaching_tool_with_schemas() -> None:
    async def check(client: Client, library: Any) -> Any:
        return {t.name: t for t in (await client.list_tools()).tools}

    tools = with_client(check)
    assert set(tools) == {"ask", "search", *TOOLS}
    for name, spec in TOOLS.items():
        assert tools[name].input_schema == spec.input_model.model_json_schema()
        assert tools[name].description == spec.description
    ask = tools["ask"].input_schema
    assert ask["required"] == ["question"] and {"profile", "thread_id"} <= set(ask["properties"])
    assert tools["search"].input_schema["properties"]["k"]["maximum"] == 20


def test_a_coaching_tool_returns_its_run_as_structured_content() -> None:
    inputs = {"load": 100, "reps": 5, "formula": "epley"}

    async def check(client: Client, library: Any) -> Any:
        return await client.call_tool("one-rep-max", inputs)

    result = with_client(check)
    assert not result.is_error
    assert result.structured_content == run_tool("one-rep-max", inputs).model_dump(mode="json")
    assert result.content[0].text == "Estimated 1RM: 116.7 kg (Epley, 100 kg x 5)"


def test_ask_answers_with_citations_and_flags_first() -> None:
    async def check(client: Client, library: Any) -> Any:
        evidence = await client.call_tool("ask", {"question": EVIDENCE_Q})
        refer = await client.call_tool(
            "ask", {"question": "Can I keep doing HIIT?", "profile": RED_FLAG}
        )
        return evidence, refer

    evidence, refer = with_client(check)
    answer = evidence.structured_content
    assert set(answer) == {
        "question", "answer", "citations", "tool_results", "safety_flags", "abstained", "model",
    }  # fmt: skip
    assert answer["citations"] and "References:" in evidence.content[0].text
    assert f'"{answer["citations"][0]["quote"]}"' in evidence.content[0].text
    assert refer.content[0].text.startswith("SAFETY REFER [acog_")
    assert refer.structured_content["citations"] == []


def test_search_returns_passages() -> None:
    async def check(client: Client, library: Any) -> Any:
        return await client.call_tool("search", {"query": "protein per kg body weight", "k": 2})

    result = with_client(check)
    hits = result.structured_content["hits"]
    assert len(hits) == 2 and hits[0]["doi"] == "10.1186/s12970-017-0177-8"
    assert result.content[0].text.startswith("[1] International Society of Sports Nutrition")


@pytest.mark.parametrize(
    ("name", "arguments", "fragment"),
    [
        ("one-rep-max", {"load": -1, "reps": 5}, "load must be greater than 0"),
        ("ask", {"question": ""}, "question"),
        ("ask", {"question": "hi", "profile": {"age": "old"}}, "profile.age"),
        ("search", {"query": "protein", "k": 99}, "k: Input should be less than or equal to 20"),
    ],
)
def test_bad_arguments_are_tool_errors_with_a_hint(name: str, arguments: dict, fragment: str) -> None:
    async def check(client: Client, library: Any) -> Any:
        return await client.call_tool(name, arguments)

    result = with_client(check)
    assert result.is_error
    text = result.content[0].text
    assert fragment in text and "\nhint: " in text


def test_an_unknown_tool_is_a_protocol_error_listing_the_tools() -> None:
    async def check(client: Client, library: Any) -> Any:
        with pytest.raises(MCPError) as info:
            await client.call_tool("deadlift-max", {})
        return info.value

    error = with_client(check)
    assert "unknown tool 'deadlift-max'" in error.message and "one-rep-max" in error.message


def test_library_documents_are_resources() -> None:
    async def check(client: Client, library: Any) -> Any:
        listed = (await client.list_resources()).resources
        read = await client.read_resource(listed[0].uri)
        with pytest.raises(MCPError) as missing:
            await client.read_resource("fitcoach://library/0000")
        return listed, read, missing.value, library.documents()

    listed, read, missing, docs = with_client(check)
    assert {str(r.uri) for r in listed} == {f"fitcoach://library/{d.doc_id}" for d in docs}
    record = json.loads(read.contents[0].text)
    first = next(d for d in docs if d.doc_id == record["doc_id"])
    assert record["title"] == first.title and record["citation"].endswith(f"doi:{first.doi}")
    assert read.contents[0].mime_type == "application/json"
    assert missing.code == -32002 and "resources/list" in missing.message


def test_stdio_server_started_by_the_cli(tmp_path: Path) -> None:
    """The real command over stdio: tools need no model, so none is loaded."""
    env = {
        **os.environ,
        "FITCOACH_HOME": str(tmp_path / "home"),
        "FITCOACH_LIBRARY__STARTER": "false",
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": str(REPO),
    }
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "fitcoach.cli", "mcp"], env=env, cwd=str(tmp_path)
    )

    async def main() -> Any:
        async with Client(params, read_timeout_seconds=120) as client:
            tools = [t.name for t in (await client.list_tools()).tools]
            screened = await client.call_tool(
                "screen", {"text": "I get chest pain when I run", "profile": {"age": 50}}
            )
            resources = (await client.list_resources()).resources
            return client.server_info, tools, screened, resources

    info, tools, screened, resources = asyncio.run(main())
    assert info is None or info.name == "fitcoach"
    assert tools[:2] == ["ask", "search"] and set(TOOLS) <= set(tools)
    flags = screened.structured_content["output"]["flags"]
    assert any(f["action"] == "refer" for f in flags)
    assert resources == []  # an empty library (starter notes off)
