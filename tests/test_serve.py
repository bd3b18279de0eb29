"""The HTTP API through FastAPI's test client: every endpoint, its bad inputs and its errors,
over a real Library (fake embedder, four bundled notes) and a Coach with a fake chat model."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from fitcoach import Coach, Library, load_settings, run_tool
from fitcoach.agent.serve import create_app
from fitcoach.agent.tools import TOOLS
from fitcoach.knowledge.library import STARTER_DIR
from tests.fakes import HashEmbedder

NOTES = [
    "jager-2017-issn-protein.md",
    "grgic-2018-rest-intervals-strength.md",
    "acog-2020-pregnancy-postpartum-exercise.md",
    "kreider-2017-issn-creatine.md",
]
REPLY = (
    "Daily intake of 1.4-2.0 g of protein per kg of body weight is enough for most exercising "
    "people to build and maintain muscle [1]."
)
EVIDENCE_Q = "How much protein do I need per day to build muscle?"
RED_FLAG = {"pregnant": True, "pregnancy_week": 30, "symptoms": ["vaginal bleeding"]}
CONTRACT = {"question", "answer", "citations", "tool_results", "safety_flags", "abstained", "model"}


def fake_chat() -> GenericFakeChatModel:
    """A chat model that gives the same cited reply forever, streamed word by word."""
    return GenericFakeChatModel(messages=itertools.cycle([AIMessage(REPLY)]))


def make_parts(**serve: Any) -> tuple[Any, Coach, Library]:
    """Settings (this test's FITCOACH_HOME), a Library holding four starter notes, a Coach."""
    # the evidence floor is set on MiniLM's similarity scale; the hash embedder's sits lower
    settings = load_settings(library={"starter": False}, serve=serve, agent={"sentence_floor": 0.0})
    library = Library(settings, embedder=HashEmbedder())
    library.ingest([STARTER_DIR / name for name in NOTES])
    return settings, Coach(settings, llm=fake_chat(), library=library), library


def make_client(**serve: Any) -> TestClient:
    settings, coach, library = make_parts(**serve)
    return TestClient(create_app(settings, coach=coach, library=library))


def sse_events(text: str) -> list[tuple[str, Any]]:
    """Parse a text/event-stream body into (event, data) pairs."""
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        events.append((lines["event"], json.loads(lines["data"])))
    return events


@pytest.fixture
def client() -> TestClient:
    with make_client() as c:
        yield c


# --- health, page, docs ---------------------------------------------------------------------------


def test_healthz_reports_the_queue_and_auth(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["auth"] is False
    assert body["queue"]["limit"] == 2 and body["queue"]["running"] == 0


def test_page_and_assets_are_served_without_any_outside_host(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/static/app.js"' in page.text
    for asset, kind in (("/static/app.js", "javascript"), ("/static/style.css", "css")):
        response = client.get(asset)
        assert response.status_code == 200 and kind in response.headers["content-type"]
        # the only outside address is the DOI link target, never something the page loads
        assert "http://" not in response.text
        assert response.text.count("https://") == (1 if kind == "javascript" else 0)
    assert "https://" not in page.text and "http://" not in page.text


def test_openapi_lists_every_endpoint(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/healthz", "/v1/ask", "/v1/ask/stream", "/v1/search", "/v1/library",
                 "/v1/library/{doc_id}", "/v1/ingest", "/v1/tools", "/v1/tools/{name}"):  # fmt: skip
        assert path in paths
    assert "delete" in paths["/v1/library/{doc_id}"]
    assert client.get("/docs").status_code == 200


def test_unknown_paths_and_methods_get_a_hint(client: TestClient) -> None:
    missing = client.get("/v2/ask")
    assert missing.status_code == 404 and "/docs" in missing.json()["hint"]
    wrong = client.get("/v1/ask")
    assert wrong.status_code == 405 and wrong.json()["hint"]


# --- ask ------------------------------------------------------------------------------------------


def test_ask_returns_exactly_the_coach_answer_contract() -> None:
    settings, coach, library = make_parts()
    expected = coach.ask(EVIDENCE_Q).model_dump(mode="json")
    with TestClient(create_app(settings, coach=coach, library=library)) as c:
        response = c.post("/v1/ask", json={"question": EVIDENCE_Q})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == CONTRACT
    assert body == expected  # the fake model repeats itself, so the same question agrees
    assert body["citations"] and body["citations"][0]["n"] == 1
    assert "[1]" in body["answer"] and not body["abstained"]


def test_ask_with_a_red_flag_profile_refers_without_a_plan(client: TestClient) -> None:
    body = client.post(
        "/v1/ask", json={"question": "Can I keep doing HIIT?", "profile": RED_FLAG}
    ).json()
    refer = [f for f in body["safety_flags"] if f["action"] == "refer"]
    assert refer and refer[0]["code"].startswith("acog_")
    assert body["citations"] == [] and body["tool_results"] == []


def test_ask_runs_tools_and_copies_their_numbers(client: TestClient) -> None:
    body = client.post("/v1/ask", json={"question": "I did 100 kg x 5, what is my 1RM?"}).json()
    run = body["tool_results"][0]
    assert run["tool"] == "one-rep-max" and run["output"]["one_rm"] == 116.7
    assert "116.7" in body["answer"]


def test_thread_id_keeps_the_conversation() -> None:
    settings, coach, library = make_parts()
    with TestClient(create_app(settings, coach=coach, library=library)) as c:
        for question in (EVIDENCE_Q, "And per meal?"):
            assert c.post("/v1/ask", json={"question": question, "thread_id": "t-1"}).is_success
    roles = [m["role"] for m in coach.history("t-1")]
    assert roles.count("human") == 2 and roles.count("ai") == 2
    coach.close()


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({}, 422, "question: required"),
        ({"question": "   "}, 422, "the question is empty"),
        ({"question": "x" * 4001}, 422, "question: String should have at most 4000"),
        ({"question": "hi", "profile": {"age": 500}}, 422, "profile.age"),
        ({"question": "hi", "profile": {"weight": 80}}, 422, "profile.weight: unknown field"),
        ({"question": "hi", "profile": {"resting_bp": "high"}}, 422, "resting_bp must look like"),
        ({"question": "hi", "thread_id": "has spaces"}, 422, "thread_id"),
        ({"question": "hi", "stream": True}, 422, "stream: unknown field"),
    ],
)
def test_ask_rejects_bad_input_with_an_actionable_message(
    client: TestClient, body: dict, status: int, fragment: str
) -> None:
    for path in ("/v1/ask", "/v1/ask/stream"):
        response = client.post(path, json=body)
        assert response.status_code == status, response.text
        assert fragment in response.json()["error"] and response.json()["hint"]


def test_ask_rejects_a_body_that_is_not_json(client: TestClient) -> None:
    response = client.post(
        "/v1/ask", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "the request body is not valid JSON",
        "hint": "send a JSON object with Content-Type: application/json",
    }


def test_stream_sends_flags_first_then_tokens_then_the_answer(client: TestClient) -> None:
    with client.stream("POST", "/v1/ask/stream", json={"question": EVIDENCE_Q}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = sse_events(response.read().decode())
    names = [name for name, _ in events]
    assert names[0] == "flags" and names[-1] == "answer" and "error" not in names
    assert ("status", {"state": "running"}) in events
    tokens = "".join(data["text"] for name, data in events if name == "token")
    assert tokens.strip() == REPLY  # the model's draft, streamed as it was written
    final = events[-1][1]
    assert set(final) == CONTRACT and final == client.post(
        "/v1/ask", json={"question": EVIDENCE_Q}
    ).json()


def test_stream_shows_the_referral_before_anything_else(client: TestClient) -> None:
    body = {"question": "Can I keep doing HIIT?", "profile": RED_FLAG}
    with client.stream("POST", "/v1/ask/stream", json=body) as response:
        events = sse_events(response.read().decode())
    first_name, first = events[0]
    assert first_name == "flags" and any(f["action"] == "refer" for f in first)
    assert {f["code"] for f in first} <= {f["code"] for f in events[-1][1]["safety_flags"]}


def test_stream_reports_a_failure_as_an_error_event() -> None:
    from fitcoach.errors import ModelNotAvailableError

    class BrokenModel(GenericFakeChatModel):
        def _generate(self, *args: Any, **kwargs: Any) -> Any:
            raise ModelNotAvailableError("the model server is down", hint="start it again")

        def _stream(self, *args: Any, **kwargs: Any) -> Any:
            raise ModelNotAvailableError("the model server is down", hint="start it again")

    settings, coach, library = make_parts()
    coach = Coach(settings, llm=BrokenModel(messages=iter([])), library=library)
    with TestClient(create_app(settings, coach=coach, library=library)) as c:
        with c.stream("POST", "/v1/ask/stream", json={"question": EVIDENCE_Q}) as response:
            events = sse_events(response.read().decode())
        assert events[-1] == (
            "error", {"error": "the model server is down", "hint": "start it again"}
        )
        plain = c.post("/v1/ask", json={"question": EVIDENCE_Q})
        assert plain.status_code == 503 and plain.json()["hint"] == "start it again"


# --- search and library ---------------------------------------------------------------------------


def test_search_returns_cited_passages(client: TestClient) -> None:
    body = client.get("/v1/search", params={"q": "protein per kg body weight", "k": 2}).json()
    assert body["query"] == "protein per kg body weight" and len(body["hits"]) == 2
    top = body["hits"][0]
    assert top["title"].startswith("International Society of Sports Nutrition Position Stand")
    assert top["doi"] == "10.1186/s12970-017-0177-8" and "page" in top and top["text"]


@pytest.mark.parametrize(
    ("params", "status", "fragment"),
    [
        ({}, 422, "q: required"),
        ({"q": ""}, 422, "q: String should have at least 1"),
        ({"q": "   "}, 400, "the query is empty"),
        ({"q": "protein", "k": 0}, 422, "k: Input should be greater than or equal to 1"),
        ({"q": "protein", "k": "many"}, 422, "k: Input should be a valid integer"),
        ({"q": "protein", "mode": "magic"}, 422, "mode: Input should be 'hybrid'"),
    ],
)
def test_search_rejects_bad_queries(client: TestClient, params: dict, status: int, fragment: str) -> None:
    response = client.get("/v1/search", params=params)
    assert response.status_code == status and fragment in response.json()["error"]


def test_library_lists_gets_and_removes_documents(client: TestClient) -> None:
    listing = client.get("/v1/library").json()
    assert listing["stats"]["documents"] == 4 and len(listing["documents"]) == 4
    doc = next(d for d in listing["documents"] if "creatine" in d["title"].lower())
    assert client.get(f"/v1/library/{doc['doc_id']}").json() == doc
    assert client.get(f"/v1/library/{doc['doc_id'][:8].upper()}").json()["doc_id"] == doc["doc_id"]

    removed = client.delete(f"/v1/library/{doc['doc_id'][:10]}")
    assert removed.status_code == 200 and removed.json()["removed"]["doc_id"] == doc["doc_id"]
    gone = client.get(f"/v1/library/{doc['doc_id']}")
    assert gone.status_code == 404 and "GET /v1/library" in gone.json()["hint"]
    assert client.delete(f"/v1/library/{doc['doc_id']}").status_code == 404
    hits = client.get("/v1/search", params={"q": "creatine monohydrate loading", "k": 5}).json()
    assert all(h["doc_id"] != doc["doc_id"] for h in hits["hits"])
    assert client.get("/v1/library").json()["stats"]["documents"] == 3


def test_library_ids_are_checked(client: TestClient) -> None:
    bad = client.get("/v1/library/not-hex")
    assert bad.status_code == 422 and "doc_id" in bad.json()["error"]
    ids = [d["doc_id"] for d in client.get("/v1/library").json()["documents"]]
    shared = next((a[0] for a in ids if sum(i.startswith(a[0]) for i in ids) > 1), None)
    if shared is not None:  # content hashes: two of four often share a first hex digit
        ambiguous = client.get(f"/v1/library/{shared}")
        assert ambiguous.status_code == 400 and "give more characters" in ambiguous.json()["hint"]


# --- tools ----------------------------------------------------------------------------------------


def test_tools_list_every_tool_with_its_schema(client: TestClient) -> None:
    tools = {t["name"]: t for t in client.get("/v1/tools").json()}
    assert set(tools) == set(TOOLS)
    for name, spec in TOOLS.items():
        assert tools[name]["input_schema"] == spec.input_model.model_json_schema()
        assert client.post(f"/v1/tools/{name}", json=tools[name]["example"]).status_code == 200


def test_tool_run_matches_the_python_api(client: TestClient) -> None:
    inputs = {"load": 100, "reps": 5, "formula": "brzycki"}
    body = client.post("/v1/tools/one-rep-max", json=inputs).json()
    assert body == run_tool("one-rep-max", inputs).model_dump(mode="json")
    assert body["output"]["summary"].startswith("Estimated 1RM: 112.5 kg")


def test_screen_tool_refers_on_chest_pain(client: TestClient) -> None:
    body = client.post("/v1/tools/screen", json={"text": "I get chest pain when I run"}).json()
    assert any(f["action"] == "refer" for f in body["output"]["flags"])


@pytest.mark.parametrize(
    ("name", "body", "status", "fragment"),
    [
        ("one-rep-max", {"load": -5, "reps": 5}, 422, "load must be greater than 0"),
        ("one-rep-max", {"load": 100}, 422, "reps: required"),
        ("one-rep-max", {"load": 100, "reps": 5, "bar": 20}, 422, "unknown input"),
        ("one-rep-max", [100, 5], 422, "Input should be a valid dictionary"),
        ("deadlift-max", {}, 404, "unknown tool 'deadlift-max'"),
    ],
)
def test_tool_errors_name_the_fix(
    client: TestClient, name: str, body: Any, status: int, fragment: str
) -> None:
    response = client.post(f"/v1/tools/{name}", json=body)
    assert response.status_code == status and fragment in response.json()["error"]
    assert response.json()["hint"]


def test_uploads_left_by_a_killed_server_are_removed_at_start(fitcoach_home: Path) -> None:
    stale = fitcoach_home / "uploads" / "upload-dead" / "half.pdf"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"%PDF-1.4 half")
    with make_client():
        assert not stale.parent.exists()
