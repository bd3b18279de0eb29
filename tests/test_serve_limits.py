"""What keeps the server safe and standing: bearer auth, the loopback rule, CORS only when
configured, request-body limits, and the bounded model queue (503 when no slot comes free in
time, 504 when an answer runs past the deadline)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from fitcoach import load_settings
from fitcoach.agent.serve import create_app
from fitcoach.agent.serve.auth import check_bind, is_loopback
from fitcoach.agent.serve.middleware import JSON_LIMIT
from fitcoach.agent.serve.queue import Busy, ModelQueue, TooSlow
from fitcoach.cli import cli
from fitcoach.errors import ConfigError
from tests.test_serve import EVIDENCE_Q, make_client

TOKEN = "s3cret-token-for-tests-0123456789"


# --- auth -----------------------------------------------------------------------------------------


def test_without_a_token_everything_is_open() -> None:
    with make_client() as c:
        assert c.get("/v1/library").status_code == 200
        assert c.get("/healthz").json()["auth"] is False


def test_with_a_token_v1_needs_the_bearer_header() -> None:
    with make_client(token=TOKEN) as c:
        for method, path, kwargs in [
            ("get", "/v1/library", {}),
            ("get", "/v1/search?q=protein", {}),
            ("post", "/v1/ask", {"json": {"question": EVIDENCE_Q}}),
            ("post", "/v1/ask/stream", {"json": {"question": EVIDENCE_Q}}),
            ("post", "/v1/tools/convert", {"json": {"value": 1, "from_unit": "kg", "to_unit": "lb"}}),
            ("post", "/v1/ingest", {"files": [("files", ("a.md", b"# A\n\ntext"))]}),
            ("delete", "/v1/library/abc", {}),
        ]:
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
                response = getattr(c, method)(path, headers=headers, **kwargs)
                assert response.status_code == 401, (path, headers, response.text)
                assert response.headers["www-authenticate"] == "Bearer"
                assert "Authorization: Bearer" in response.json()["hint"]
        good = {"Authorization": f"Bearer {TOKEN}"}
        assert c.get("/v1/library", headers=good).status_code == 200
        assert c.post("/v1/ask", json={"question": EVIDENCE_Q}, headers=good).status_code == 200
        # the page, its assets, the docs and the health check carry no data: no token needed
        for path in ("/", "/static/app.js", "/openapi.json", "/healthz"):
            assert c.get(path).status_code == 200
        assert c.get("/healthz").json()["auth"] is True
        # nothing was written by the refused upload
        assert c.get("/v1/library", headers=good).json()["stats"]["documents"] == 4


def test_a_stranger_upload_is_refused_before_its_body_is_read() -> None:
    pulled = 0

    def body() -> Any:
        nonlocal pulled
        for _ in range(100):
            pulled += 1
            yield b"x" * 65536

    with make_client(token=TOKEN) as c:
        response = c.post(
            "/v1/ingest", content=body(), headers={"content-type": "multipart/form-data; boundary=b"}
        )
        assert response.status_code == 401 and pulled <= 1


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.3.2.1", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.168.1.20", False),
     ("coach.example.org", False)],
)  # fmt: skip
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_binding_beyond_loopback_needs_a_long_token() -> None:
    check_bind("127.0.0.1", load_settings())  # no token needed
    with pytest.raises(ConfigError, match="without a token") as info:
        check_bind("0.0.0.0", load_settings())
    assert "FITCOACH_SERVE__TOKEN" in info.value.hint
    with pytest.raises(ConfigError, match="too short"):
        check_bind("0.0.0.0", load_settings(serve={"token": "short"}))
    check_bind("0.0.0.0", load_settings(serve={"token": TOKEN}))


def test_serve_refuses_to_start_on_a_public_address_without_a_token() -> None:
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--no-warm"])
    assert result.exit_code == 2
    assert "refusing to serve on 0.0.0.0 without a token" in result.output
    assert "hint:" in result.output


def test_config_masks_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FITCOACH_SERVE__TOKEN", TOKEN)
    result = CliRunner().invoke(cli, ["config", "--json"])
    assert result.exit_code == 0 and TOKEN not in result.output and '"token": "**' in result.output


# --- CORS -----------------------------------------------------------------------------------------


def test_no_cors_headers_unless_configured() -> None:
    with make_client() as c:
        response = c.get("/v1/library", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in response.headers
        preflight = c.options(
            "/v1/ask",
            headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in preflight.headers


def test_cors_allows_only_the_configured_origins() -> None:
    allowed = "https://coach.example.org"
    with make_client(cors_origins=[allowed], token=TOKEN) as c:
        preflight = c.options(
            "/v1/ask",
            headers={
                "Origin": allowed,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type",
            },
        )
        assert preflight.status_code == 200  # answered before auth: browsers send no token
        assert preflight.headers["access-control-allow-origin"] == allowed
        other = c.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


# --- body limits ----------------------------------------------------------------------------------


def test_a_json_body_over_the_limit_gets_413() -> None:
    with make_client() as c:
        big = {"question": "x" * (JSON_LIMIT + 10)}
        response = c.post("/v1/ask", json=big)
        assert response.status_code == 413
        assert response.json()["error"] == "the request body is larger than 1 MB"


def test_a_chunked_body_is_counted_as_it_arrives() -> None:
    def chunks() -> Any:
        for _ in range(40):
            yield b"x" * 64 * 1024  # 2.5 MB in all, with no Content-Length up front

    with make_client() as c:
        response = c.post(
            "/v1/tools/convert", content=chunks(), headers={"content-type": "application/json"}
        )
        assert response.status_code == 413 and "smaller JSON body" in response.json()["hint"]


# --- the model queue ------------------------------------------------------------------------------


def test_queue_runs_at_most_limit_calls_at_once() -> None:
    queue = ModelQueue(limit=2, timeout_s=30)
    lock = threading.Lock()
    now = peak = 0

    def work(i: int) -> int:
        nonlocal now, peak
        with lock:
            now += 1
            peak = max(peak, now)
        time.sleep(0.02)
        with lock:
            now -= 1
        return i * i

    async def main() -> list[int]:
        return await asyncio.gather(*(queue.run(work, i) for i in range(8)))

    assert asyncio.run(main()) == [i * i for i in range(8)]
    assert peak == 2
    stats = queue.stats()
    assert stats.served == 8 and stats.running == 0 and stats.waiting == 0
    queue.close()


def test_queue_deadline_says_busy_or_too_slow() -> None:
    queue = ModelQueue(limit=1, timeout_s=0.3)
    gate = threading.Event()

    async def main() -> tuple[Any, Any]:
        first = asyncio.ensure_future(queue.run(gate.wait))
        await asyncio.sleep(0.05)
        second = asyncio.ensure_future(queue.run(lambda: "never"))
        results = await asyncio.gather(first, second, return_exceptions=True)
        return results[0], results[1]

    running, waiting = asyncio.run(main())
    gate.set()
    assert isinstance(running, TooSlow) and running.status == 504  # it started, ran too long
    assert isinstance(waiting, Busy) and waiting.status == 503  # it never got a slot
    assert "serve.max_concurrency" in waiting.hint and "serve.timeout_s" in running.hint
    time.sleep(0.05)
    assert queue.stats().waiting == 0 and queue.stats().timed_out == 2
    queue.close()


def test_queue_turns_away_clients_once_too_many_wait() -> None:
    queue = ModelQueue(limit=1, timeout_s=5, max_waiting=2)
    gate = threading.Event()
    futures = [queue.submit(gate.wait) for _ in range(3)]  # one runs, two wait
    deadline = time.monotonic() + 2
    while queue.stats().running < 1 and time.monotonic() < deadline:
        time.sleep(0.005)
    with pytest.raises(Busy, match="already waiting"):
        queue.submit(gate.wait)
    gate.set()
    assert all(f.result(timeout=5) for f in futures)
    assert queue.stats().rejected == 1
    queue.close()


class GatedCoach:
    """Stands in for `Coach` where the test must hold an answer in flight."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.gate = threading.Event()
        self.started = threading.Event()

    def ask(self, question: str, profile: Any = None, thread_id: Any = None) -> Any:
        from fitcoach import CoachAnswer

        if "chest pain" not in question:  # a referral needs no model: it never waits here
            self.started.set()
            self.gate.wait(10)
        return CoachAnswer(question=question, answer="done", model="gated")

    def stream(self, question: str, profile: Any = None, thread_id: Any = None) -> Any:
        yield "draft "
        yield self.ask(question, profile, thread_id)

    def close(self) -> None:
        pass


def test_many_clients_slow_down_but_get_a_clear_answer() -> None:
    settings = load_settings(library={"starter": False}, serve={"max_concurrency": 1, "timeout_s": 0.5})
    coach = GatedCoach(settings)
    app = create_app(settings, coach=coach, library=object())
    results: list[Any] = []
    with TestClient(app) as c:

        def call() -> None:
            results.append(c.post("/v1/ask", json={"question": "hold"}))

        first = threading.Thread(target=call)
        first.start()
        assert coach.started.wait(5)
        second = c.post("/v1/ask", json={"question": "wait"})
        assert second.status_code == 503 and "no free slot" in second.json()["error"]
        first.join(10)
        assert results[0].status_code == 504 and "serve.timeout_s" in results[0].json()["hint"]
        with c.stream("POST", "/v1/ask/stream", json={"question": "stream"}) as response:
            text = response.read().decode()
        assert "event: error" in text and "no free slot within 0.5 s" in text
        coach.gate.set()
        time.sleep(0.1)
        ok = c.post("/v1/ask", json={"question": "now"})
        assert ok.status_code == 200 and ok.json()["answer"] == "done"
        assert c.get("/healthz").json()["queue"]["timed_out"] >= 3


def test_a_referral_does_not_wait_behind_model_calls() -> None:
    settings = load_settings(library={"starter": False}, serve={"max_concurrency": 1, "timeout_s": 5})
    coach = GatedCoach(settings)
    with TestClient(create_app(settings, coach=coach, library=object())) as c:
        holder = threading.Thread(target=lambda: c.post("/v1/ask", json={"question": "hold"}))
        holder.start()
        assert coach.started.wait(5)  # the only model slot is taken
        started = time.monotonic()
        refer = c.post("/v1/ask", json={"question": "I get chest pain when I run, can I sprint?"})
        assert refer.status_code == 200 and time.monotonic() - started < 2
        health = c.get("/healthz").json()
        assert health["queue"]["running"] == 1 and health["refer_queue"]["served"] == 1
        coach.gate.set()
        holder.join(10)
