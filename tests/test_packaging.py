"""A plain (non-editable) install puts everything under `fitcoach.` and nothing at top level."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

AREAS = ("agent", "knowledge", "ingest", "finetune")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(out), str(REPO)],
        check=True,
        cwd=build,
        capture_output=True,
    )
    return next(out.glob("fitcoach-*.whl"))


def test_wheel_holds_only_the_fitcoach_namespace(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"fitcoach"}
    for area in AREAS:
        assert f"fitcoach/{area}/__init__.py" in names
    assert "fitcoach/__init__.py" in names  # the core room is the root package: the facade
    assert "fitcoach/cli/__init__.py" in names
    assert not any("/tests/" in n or n.startswith("tests/") for n in names)


def test_wheel_ships_package_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    starter = [n for n in names if n.startswith("fitcoach/knowledge/starter/") and n.endswith(".md")]
    assert len(starter) >= 40


def test_plain_install_imports_without_collision(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    assert not any((target / area).exists() for area in AREAS)
    # an app with its own top-level `agent` module keeps it, and still gets fitcoach's
    app = tmp_path / "app"
    app.mkdir()
    (app / "agent.py").write_text("WHO = 'the app'\n")
    code = (
        "import agent, fitcoach.agent, fitcoach.knowledge, fitcoach.ingest, fitcoach.finetune\n"
        "import fitcoach.settings as s\n"
        "assert fitcoach.Coach.__name__ == 'Coach' and fitcoach.Library.__name__ == 'Library'\n"
        "print(agent.WHO, fitcoach.agent.__file__, s.load_settings().agent.model)\n"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path[:0] = [{str(app)!r}, {str(target)!r}]\n" + code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("the app ")
    assert str(target) in out.stdout
