"""A shared library through a real `chroma run` server on 127.0.0.1: ingest, search, remove."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from fitcoach import Library, load_settings
from tests.fakes import HashEmbedder


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _chroma_cli() -> str | None:
    sibling = Path(sys.executable).with_name("chroma")
    return str(sibling) if sibling.exists() else shutil.which("chroma")


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    cli = _chroma_cli()
    if cli is None:
        pytest.skip("the `chroma` CLI is not installed")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "chroma.log", "wb")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(
        [
            cli,
            "run",
            "--path",
            str(tmp_path / "server-data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(
                    "chroma server did not start: " + (tmp_path / "chroma.log").read_text()[-2000:]
                )
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_ingest_and_search_through_a_chroma_server(chroma_server: str, tmp_path: Path) -> None:
    settings = load_settings(library={"starter": False})
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "a.md").write_text(
        "---\ntitle: Warm-up programmes\nyear: 2008\n---\n## Result\n\nA structured warm-up cut injuries in youth football by a third.\n"
    )
    (papers / "b.txt").write_text(
        "Concurrent training\n\nEndurance work blunted power gains more than strength gains.\n"
    )
    writer = Library(settings, embedder=HashEmbedder(), chroma_url=chroma_server)
    report = writer.ingest([papers])
    assert report.added == 2 and writer.stats().backend == f"server {chroma_server}"
    assert not (settings.library_dir / "chroma").exists()  # nothing embedded on local disk

    # Another client (say, another machine) sees the same library, catalogue included.
    reader = Library(settings, embedder=HashEmbedder(), chroma_url=chroma_server)
    hit = reader.search("warm-up injuries youth football", k=1)[0]
    assert hit.title == "Warm-up programmes" and hit.year == 2008 and hit.similarity > 0.2
    assert writer.ingest([papers]).skipped == 2

    writer.remove(hit.doc_id)
    assert [d.title for d in reader.documents()] == ["Concurrent training"]
    assert all(h.doc_id != hit.doc_id for h in reader.search("warm-up injuries", k=5))
