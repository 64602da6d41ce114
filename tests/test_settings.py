"""Settings from the environment, and the README documenting every one of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.settings import ENV_VARS, Settings

README = Path(__file__).parent.parent / "README.md"


def test_defaults_generate_and_keep_a_local_secret(tmp_path: Path) -> None:
    env = {"ALLIANCES_DATABASE": str(tmp_path / "var" / "a.db")}
    first = Settings.from_env(env)
    assert len(first.secret_key) > 40 and not first.production
    assert Settings.from_env(env).secret_key == first.secret_key
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600


PRODUCTION = {
    "ALLIANCES_ENV": "production",
    "ALLIANCES_SECRET_KEY": "k" * 40,
    "ALLIANCES_BASE_URL": "https://formation.example.org/",
}


def test_production_requires_a_long_secret() -> None:
    with pytest.raises(ValueError, match="required in production"):
        Settings.from_env({**PRODUCTION, "ALLIANCES_SECRET_KEY": ""})
    with pytest.raises(ValueError, match="too short"):
        Settings.from_env({**PRODUCTION, "ALLIANCES_SECRET_KEY": "short"})
    ok = Settings.from_env(PRODUCTION)
    assert ok.production and ok.base_url == "https://formation.example.org"


@pytest.mark.parametrize("value", ["1", "true", "yes", " 1 ", "TRUE"])
def test_production_refuses_debug(value: str) -> None:
    with pytest.raises(ValueError, match="ALLIANCES_DEBUG must not be set in production"):
        Settings.from_env({**PRODUCTION, "ALLIANCES_DEBUG": value})
    assert not Settings.from_env({**PRODUCTION, "ALLIANCES_DEBUG": "0"}).debug


@pytest.mark.parametrize("value", [None, "", "  ", "/"])
def test_production_requires_the_public_address(value: str | None) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "ALLIANCES_BASE_URL"}
    if value is not None:
        env["ALLIANCES_BASE_URL"] = value
    with pytest.raises(ValueError, match="ALLIANCES_BASE_URL is required in production"):
        Settings.from_env(env)
    with pytest.raises(ValueError, match="must start with https://"):
        Settings.from_env({**env, "ALLIANCES_BASE_URL": "formation.example.org"})


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"ALLIANCES_DEBUG": "1"}, "ALLIANCES_DEBUG must not be set in production"),
        ({"ALLIANCES_BASE_URL": ""}, "ALLIANCES_BASE_URL is required in production"),
    ],
)
def test_serve_refuses_each_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], extra, expected
) -> None:
    from server.cli import main

    for name, value in {**PRODUCTION, **extra}.items():
        monkeypatch.setenv(name, value)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1


def test_development_keeps_its_local_defaults(tmp_path: Path) -> None:
    env = {"ALLIANCES_DATABASE": str(tmp_path / "a.db"), "ALLIANCES_DEBUG": "1"}
    local = Settings.from_env(env)
    assert local.debug and local.base_url == "http://127.0.0.1:8000"


def test_bad_values_are_explained() -> None:
    with pytest.raises(ValueError, match="development or production"):
        Settings.from_env({"ALLIANCES_ENV": "prod", "ALLIANCES_SECRET_KEY": "k" * 40})
    with pytest.raises(ValueError, match="number of bytes"):
        Settings.from_env({"ALLIANCES_MAX_BODY": "big", "ALLIANCES_SECRET_KEY": "k" * 40})


def test_every_setting_is_documented_in_the_readme() -> None:
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", README.read_text(encoding="utf-8"), re.M))
    assert documented == set(ENV_VARS)
