"""Settings precedence: defaults < TOML file < environment < explicit arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from fitcoach.errors import ConfigError
from fitcoach.settings import Settings, load_settings


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_and_home_from_env(fitcoach_home: Path) -> None:
    settings = load_settings()
    assert settings.home == fitcoach_home
    assert settings.agent.model == "smollm2-135m-instruct"
    assert settings.library.embedder == "minilm-l6"
    assert settings.library_dir == fitcoach_home / "library"
    assert settings.models_dir == fitcoach_home / "models"


def test_precedence_file_env_explicit(fitcoach_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        fitcoach_home / "config.toml",
        '[agent]\nmodel = "from-file"\nmax_new_tokens = 99\ntemperature = 0.5\n'
        '[retrieval]\nk = 7\n',
    )
    from_file = load_settings()
    assert (from_file.agent.model, from_file.agent.max_new_tokens, from_file.retrieval.k) == (
        "from-file",
        99,
        7,
    )
    assert from_file.agent.temperature == 0.5

    monkeypatch.setenv("FITCOACH_AGENT__MODEL", "from-env")
    monkeypatch.setenv("FITCOACH_RETRIEVAL__K", "9")
    from_env = load_settings()
    assert from_env.agent.model == "from-env"
    assert from_env.retrieval.k == 9
    assert from_env.agent.max_new_tokens == 99  # the file still fills what env leaves alone

    explicit = load_settings(agent={"model": "explicit"})
    assert explicit.agent.model == "explicit"
    assert explicit.retrieval.k == 9


def test_named_config_file_and_env_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = write(tmp_path / "other.toml", '[library]\ncollection = "papers"\n')
    assert load_settings(other).library.collection == "papers"
    monkeypatch.setenv("FITCOACH_CONFIG", str(other))
    assert load_settings().library.collection == "papers"


def test_missing_named_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    "toml, fragment",
    [
        ("[agent]\nmodle = 'x'\n", "unknown key 'agent.modle'"),
        ("colour = 'red'\n", "unknown key 'colour'"),
        ("[retrieval]\nk = 0\n", "retrieval.k"),
        ("[agent\n", "cannot parse"),
    ],
)
def test_bad_files_are_rejected_with_the_key(fitcoach_home: Path, toml: str, fragment: str) -> None:
    write(fitcoach_home / "config.toml", toml)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert fragment in str(info.value)
    assert info.value.hint


def test_unknown_nested_env_key_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FITCOACH_AGENT__BOGUS", "1")
    with pytest.raises(ConfigError, match="agent.bogus"):
        load_settings()


def test_every_field_is_described() -> None:
    def walk(model: type) -> list[str]:
        missing = []
        for name, field in model.model_fields.items():
            if not field.description:
                missing.append(f"{model.__name__}.{name}")
            annotation = field.annotation
            if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
                missing += walk(annotation)
        return missing

    assert walk(Settings) == []
