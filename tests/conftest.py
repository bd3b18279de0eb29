"""Every test runs offline, in its own data directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# `make test` and CI: derandomized, so a newcomer's first run cannot fail by luck (each test's
# examples come from a seed fixed by its name). `make test-explore` searches at random with more
# examples; whatever it finds becomes an explicit @example.
settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
settings.register_profile("explore", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

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
