"""Every test runs offline, in its own data directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ["ANONYMIZED_TELEMETRY"] = "False"  # chromadb

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def fitcoach_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh FITCOACH_HOME per test; no settings file, no FITCOACH_* leaking in."""
    for key in list(os.environ):
        if key.startswith("FITCOACH_"):
            monkeypatch.delenv(key)
    home = tmp_path / "home"
    monkeypatch.setenv("FITCOACH_HOME", str(home))
    return home


@pytest.fixture
def shared_data() -> Path:
    """The team's shared test papers; tests that need them skip cleanly without them."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture
def fake_embedder():
    from tests.fakes import HashEmbedder

    return HashEmbedder()
