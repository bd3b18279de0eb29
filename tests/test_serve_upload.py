"""`POST /v1/ingest`: uploads report each file as `fitcoach ingest --json` does, broken PDFs
fail with a reason and a fix, and nothing is half-written or left staged when an upload is
refused, cut off or fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from fitcoach import Coach, Library
from fitcoach.agent.serve import create_app
from fitcoach.agent.serve.upload import safe_name, unique_names
from tests.fakes import HashEmbedder
from tests.test_serve import fake_chat, make_client, make_parts, sse_events

NOTE = (
    "---\ntitle: Sleep and injuries in adolescent athletes\nyear: 2014\n"
    "doi: 10.1097/BPO.0000000000000151\n---\n## Findings\n\n"
    "Adolescent athletes who slept less than eight hours a night had a higher injury rate.\n"
)
# What each of the team's broken PDFs must fail with (see ../shared/data/README.md).
BROKEN = {
    "ocrmypdf_c02-22.pdf": "no_text",
    "ocrmypdf_encrypted_algo4.pdf": "no_text",
    "ocrmypdf_invalid.pdf": "corrupt",
}


def files(*items: tuple[str, bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", (name, data, "application/octet-stream")) for name, data in items]


def staged(home: Path) -> list[Path]:
    return sorted((home / "uploads").glob("*")) if (home / "uploads").exists() else []


def documents(c: TestClient) -> int:
    return c.get("/v1/library").json()["stats"]["documents"]


@pytest.fixture
def client() -> TestClient:
    with make_client() as c:
        yield c


def test_upload_adds_a_note_that_search_then_finds(client: TestClient, fitcoach_home: Path) -> None:
    body = client.post("/v1/ingest", files=files(("sleep.md", NOTE.encode()))).json()
    (result,) = body["files"]
    assert result["path"] == "sleep.md" and result["status"] == "added"
    assert result["reason"] == "new" and result["title"].startswith("Sleep and injuries")
    assert body["added"] == 1 and body["embedded_chunks"] == result["chunks"] > 0
    hit = client.get("/v1/search", params={"q": "adolescent athletes sleep injury", "k": 1})
    assert hit.json()["hits"][0]["doc_id"] == result["doc_id"]
    assert staged(fitcoach_home) == []  # the staged copy is gone


def test_each_broken_pdf_fails_with_its_reason_and_a_fix(
    client: TestClient, shared_data: Path, fitcoach_home: Path
) -> None:
    for name, reason in BROKEN.items():
        data = (shared_data / "odd" / name).read_bytes()
        body = client.post("/v1/ingest", files=files((name, data))).json()
        (result,) = body["files"]
        assert result["status"] == "failed" and result["reason"] == reason, result
        assert result["path"] == name and name in result["message"]
        assert result["hint"] and str(fitcoach_home) not in result["message"]
        assert body["failed"] == 1 and body["added"] == 0
    assert documents(client) == 4 and staged(fitcoach_home) == []


def test_a_bad_file_never_stops_the_good_ones(client: TestClient, shared_data: Path) -> None:
    broken = (shared_data / "odd" / "ocrmypdf_invalid.pdf").read_bytes()
    paper = (shared_data / "pdfs" / "33467283.pdf").read_bytes()
    body = client.post(
        "/v1/ingest",
        files=files(("broken.pdf", broken), ("paper.pdf", paper), ("notes.docx", b"PK\x03\x04")),
    ).json()
    status = {f["path"]: (f["status"], f["reason"]) for f in body["files"]}
    assert status == {
        "broken.pdf": ("failed", "corrupt"),
        "paper.pdf": ("added", "new"),
        "notes.docx": ("failed", "unsupported"),
    }
    added = next(f for f in body["files"] if f["status"] == "added")
    assert added["pages"] == 7 and added["title"].startswith("Addressing the Confusion")
    assert documents(client) == 5


def test_the_same_bytes_twice_are_skipped_by_name(client: TestClient) -> None:
    first = client.post("/v1/ingest", files=files(("sleep.md", NOTE.encode()))).json()
    again = client.post("/v1/ingest", files=files(("copy.md", NOTE.encode()))).json()
    (result,) = again["files"]
    assert result["status"] == "skipped" and result["reason"] == "duplicate"
    assert result["doc_id"] == first["files"][0]["doc_id"]
    assert result["message"] == "already in the library as sleep.md"


def test_empty_and_odd_names_are_handled(client: TestClient, fitcoach_home: Path) -> None:
    body = client.post(
        "/v1/ingest",
        files=files(("../../etc/evil.md", NOTE.encode()), ("empty.txt", b"  \n")),
    ).json()
    status = {f["path"]: (f["status"], f["reason"]) for f in body["files"]}
    assert status == {"evil.md": ("added", "new"), "empty.txt": ("failed", "empty")}
    assert not (fitcoach_home.parent / "etc").exists() and staged(fitcoach_home) == []


def test_progress_streams_for_long_batches(client: TestClient) -> None:
    upload = files(("a.md", NOTE.encode()), ("b.md", NOTE.replace("eight", "nine").encode()))
    response = client.post("/v1/ingest", params={"stream": "true"}, files=upload)
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    progress = [d for name, d in events if name == "progress"]
    assert [p["stage"] for p in progress][0] == "start" and progress[-1]["stage"] == "done"
    assert {p["path"] for p in progress if p["stage"] == "committed"} == {"a.md", "b.md"}
    name, report = events[-1]
    assert name == "report" and report["added"] == 2


@pytest.mark.parametrize(
    ("upload", "status", "fragment"),
    [
        ({"data": {"title": "x"}}, 422, "files: required"),
        ({"files": files(("a.md", b"# A\n\ntext")), "data": {"year": "soon"}}, 422, "year"),
    ],
)
def test_bad_uploads_are_refused(client: TestClient, upload: dict, status: int, fragment: str) -> None:
    response = client.post("/v1/ingest", **upload)
    assert response.status_code == status and fragment in response.json()["error"]


def test_metadata_fields_override_the_guess(client: TestClient) -> None:
    body = client.post(
        "/v1/ingest",
        files=files(("x.md", b"# Something\n\nCold water immersion after training.")),
        data={"title": "Cold water and recovery", "year": "2016", "doi": "10.1007/xyz"},
    ).json()
    doc = client.get(f"/v1/library/{body['files'][0]['doc_id']}").json()
    assert (doc["title"], doc["year"], doc["doi"]) == ("Cold water and recovery", 2016, "10.1007/xyz")


def test_an_upload_over_the_limit_writes_nothing(fitcoach_home: Path) -> None:
    with make_client(max_upload_mb=0.01) as c:  # 10 kB of files (plus 64 kB for the framing)
        big = files(("big.md", NOTE.encode() * 500))
        response = c.post("/v1/ingest", files=big)
        assert response.status_code == 413
        assert response.json() == {
            "error": "the upload is larger than 0.01 MB",
            "hint": "upload fewer or smaller files per request, or raise serve.max_upload_mb",
        }

        def cut_off() -> Any:  # no Content-Length: refused once the bytes pass the limit
            yield b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"x.md\"\r\n\r\n"
            for _ in range(100):
                yield b"y" * 4096

        chunked = c.post(
            "/v1/ingest",
            content=cut_off(),
            headers={"content-type": "multipart/form-data; boundary=b"},
        )
        assert chunked.status_code == 413
        assert documents(c) == 4
    assert staged(fitcoach_home) == []


class ExplodingEmbedder(HashEmbedder):
    """Fails when asked to embed a chunk that mentions EXPLODE (a crash mid-ingest)."""

    def embed(self, texts: list[str], batch_size: int = 64) -> list[list[float]]:
        if any("EXPLODE" in t for t in texts):
            raise RuntimeError("embedder crashed")
        return super().embed(texts, batch_size)


def test_a_failed_ingest_leaves_no_half_written_document(fitcoach_home: Path) -> None:
    settings, _, _ = make_parts()
    library = Library(settings, embedder=ExplodingEmbedder())
    coach = Coach(settings, llm=fake_chat(), library=library)
    with TestClient(create_app(settings, coach=coach, library=library),
                    raise_server_exceptions=False) as c:  # fmt: skip
        before = c.get("/v1/library").json()["documents"]
        bomb = NOTE.replace("Findings", "EXPLODE findings")
        response = c.post(
            "/v1/ingest", files=files(("ok.md", b"# Fine\n\nCreatine doses."), ("bomb.md", bomb.encode()))
        )
        assert response.status_code == 500
        assert response.json()["error"] == "internal error (RuntimeError)"
        assert c.get("/v1/library").json()["documents"] == before
        hits = c.get("/v1/search", params={"q": "adolescent athletes slept injury", "k": 10})
        assert all("Sleep" not in h["title"] for h in hits.json()["hits"])
    assert staged(fitcoach_home) == []


def test_safe_names() -> None:
    assert safe_name("../../a b/c.pdf") == "c.pdf"
    assert safe_name("C:\\Users\\x\\paper (1).pdf") == "paper (1).pdf"
    assert safe_name("..") == "upload" and safe_name(None) == "upload"
    assert safe_name(".hidden.md") == "hidden.md"
    assert safe_name("weird;|$name.md") == "weird_name.md"
    long = safe_name("x" * 300 + ".pdf")
    assert len(long) == 120 and long.endswith(".pdf")
    assert unique_names(["a.md", "A.md", "a.md", "b"]) == ["a.md", "A-2.md", "a-3.md", "b"]


def test_ingest_json_matches_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An upload reports what `fitcoach ingest --json` reports for the same file."""
    from click.testing import CliRunner

    import fitcoach.knowledge as knowledge
    from fitcoach.cli import cli

    note = tmp_path / "sleep.md"
    note.write_text(NOTE)
    with monkeypatch.context() as patch:  # another data directory for the CLI's library
        patch.setenv("FITCOACH_HOME", str(tmp_path / "cli-home"))
        patch.setenv("FITCOACH_LIBRARY__STARTER", "false")
        patch.setattr(
            knowledge, "Library", lambda settings: Library(settings, embedder=HashEmbedder())
        )
        result = CliRunner().invoke(cli, ["ingest", str(note), "--json"])
    assert result.exit_code == 0, result.output
    by_cli = json.loads(result.stdout)
    with make_client() as c:
        served = c.post("/v1/ingest", files=files(("sleep.md", NOTE.encode()))).json()
    for report in (by_cli, served):
        report.pop("seconds")
        report["files"][0]["path"] = Path(report["files"][0]["path"]).name
    assert served == by_cli
