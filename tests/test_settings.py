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


def test_production_requires_a_long_secret() -> None:
    with pytest.raises(ValueError, match="required in production"):
        Settings.from_env({"ALLIANCES_ENV": "production"})
    with pytest.raises(ValueError, match="too short"):
        Settings.from_env({"ALLIANCES_ENV": "production", "ALLIANCES_SECRET_KEY": "short"})
    ok = Settings.from_env({"ALLIANCES_ENV": "production", "ALLIANCES_SECRET_KEY": "k" * 40})
    assert ok.production


def test_bad_values_are_explained() -> None:
    with pytest.raises(ValueError, match="development or production"):
        Settings.from_env({"ALLIANCES_ENV": "prod", "ALLIANCES_SECRET_KEY": "k" * 40})
    with pytest.raises(ValueError, match="number of bytes"):
        Settings.from_env({"ALLIANCES_MAX_BODY": "big", "ALLIANCES_SECRET_KEY": "k" * 40})


def test_every_setting_is_documented_in_the_readme() -> None:
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", README.read_text(encoding="utf-8"), re.M))
    assert documented == set(ENV_VARS)
