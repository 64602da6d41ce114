"""Settings from the environment, and the README documenting every one of them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from server.settings import ENV_VARS, Settings
from tests.conftest import FIXTURE_COURSE

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


def test_serve_settings_keep_their_defaults() -> None:
    local = Settings.from_env({"ALLIANCES_SECRET_KEY": "k" * 40})
    assert (local.port, local.cpu, local.forwarded_allow_ips) == (8000, None, "127.0.0.1")
    chosen = Settings.from_env(
        {
            "ALLIANCES_SECRET_KEY": "k" * 40,
            "PORT": " 8123 ",
            "ALLIANCES_CPU": "Auto",
            "FORWARDED_ALLOW_IPS": "10.0.0.10, 192.168.1.0/24,::1",
        }
    )
    assert chosen.port == 8123 and chosen.cpu == "auto"
    assert chosen.forwarded_allow_ips == "10.0.0.10,192.168.1.0/24,::1"
    assert Settings.from_env({"ALLIANCES_SECRET_KEY": "k" * 40, "ALLIANCES_CPU": "1"}).cpu == "1"
    everyone = Settings.from_env({"ALLIANCES_SECRET_KEY": "k" * 40, "FORWARDED_ALLOW_IPS": "*"})
    assert everyone.forwarded_allow_ips == "*"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("PORT", "http", "PORT must be a port number from 1 to 65535, not 'http'"),
        ("PORT", "0", "PORT must be a port number"),
        ("PORT", "65536", "PORT must be a port number"),
        ("PORT", "-1", "PORT must be a port number"),
        ("ALLIANCES_CPU", "un", "ALLIANCES_CPU must be a CPU number or 'auto', not 'un'"),
        ("ALLIANCES_CPU", "-2", "ALLIANCES_CPU must be a CPU number"),
        # uvicorn would keep these as names no client has, and ignore the proxy's header.
        ("FORWARDED_ALLOW_IPS", "10.0.0.l0", "not '10.0.0.l0'"),
        ("FORWARDED_ALLOW_IPS", "10.0.0.10,,10.0.0.11", "not ''"),
        ("FORWARDED_ALLOW_IPS", "10.0.0.1/8", "not '10.0.0.1/8'"),
        ("FORWARDED_ALLOW_IPS", "10.0.0.10,*", "FORWARDED_ALLOW_IPS must be * or IP addresses"),
    ],
)
def test_bad_serve_settings_are_explained(name: str, value: str, expected: str) -> None:
    with pytest.raises(ValueError, match=re.escape(expected)):
        Settings.from_env({"ALLIANCES_SECRET_KEY": "k" * 40, name: value})


def test_a_bad_port_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It used to be read while building the parser: a traceback, for every command."""
    from server.cli import main

    monkeypatch.setenv("ALLIANCES_DATABASE", str(tmp_path / "a.db"))
    monkeypatch.setenv("PORT", "http")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err == "alliances: PORT must be a port number from 1 to 65535, not 'http'\n"
    assert main(["check", str(FIXTURE_COURSE)]) == 0  # commands that do not serve ignore it
    command = [str(Path(sys.executable).with_name("alliances")), "serve"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [err.rstrip("\n")]


def test_serve_takes_its_defaults_from_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from server.cli import main

    runs: list[dict[str, object]] = []
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: runs.append(kwargs))
    monkeypatch.setattr("sys.setswitchinterval", lambda interval: None)
    monkeypatch.setenv("ALLIANCES_CONTENT_DIR", str(FIXTURE_COURSE))
    monkeypatch.setenv("ALLIANCES_DATABASE", str(tmp_path / "a.db"))
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.10")
    assert main(["serve"]) == 0
    assert main(["serve", "--port", "9000"]) == 0
    assert [(run["port"], run["forwarded_allow_ips"]) for run in runs] == [
        (8123, "10.0.0.10"),
        (9000, "10.0.0.10"),
    ]
    monkeypatch.setenv("ALLIANCES_CPU", "auto")  # --cpu's default: refused with workers
    assert main(["serve", "--workers", "2"]) == 2
    assert "--cpu would put every worker on the same CPU" in capsys.readouterr().err


def test_provider_settings_for_the_attestation(tmp_path: Path) -> None:
    """The NDA is 11 digits (spaces as people write it are dropped); a typo stops start-up."""
    base = {"ALLIANCES_DATABASE": str(tmp_path / "a.db"), "ALLIANCES_SECRET_KEY": "k" * 40}
    unset = Settings.from_env(base)
    assert (unset.provider_address, unset.provider_nda) == ("", "")
    chosen = Settings.from_env(
        {
            **base,
            "ALLIANCES_PROVIDER_ADDRESS": " 3 rue des Alliances \n 59000 Lille ",
            "ALLIANCES_PROVIDER_NDA": "11 75 12345 67",
        }
    )
    assert chosen.provider_address == "3 rue des Alliances 59000 Lille"
    assert chosen.provider_nda == "11751234567"
    for wrong in ("1175123456", "117512345678", "1175123456A", "١١٧٥١٢٣٤٥٦٧"):
        with pytest.raises(ValueError, match="ALLIANCES_PROVIDER_NDA must be the 11 digits"):
            Settings.from_env({**base, "ALLIANCES_PROVIDER_NDA": wrong})
