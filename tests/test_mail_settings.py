"""ALLIANCES_SMTP_URL and ALLIANCES_MAIL_FROM, and `alliances mail test` in both modes."""

from __future__ import annotations

import email
import email.policy
import logging
from pathlib import Path

import pytest

from server.cli import main
from server.mail.sender import start_sender
from server.mail.smtp_config import parse_smtp_url
from server.settings import Settings
from tests.mail_server import MailServer, mail_server  # noqa: F401


@pytest.mark.parametrize(
    ("url", "host", "port", "tls", "user", "password"),
    [
        ("smtp://relay.example.org", "relay.example.org", 25, "starttls-if-offered", "", ""),
        ("smtp://u:p@relay.example.org", "relay.example.org", 587, "starttls", "u", "p"),
        (
            "smtp://ada%40example.org:p%40ss%3Aw%2Frd@mx.example.org:2525",
            "mx.example.org",
            2525,
            "starttls",
            "ada@example.org",
            "p@ss:w/rd",
        ),
        ("smtps://mx.example.org", "mx.example.org", 465, "implicit", "", ""),
        ("smtps://u:p@mx.example.org:8465", "mx.example.org", 8465, "implicit", "u", "p"),
    ],
)
def test_smtp_urls(url: str, host: str, port: int, tls: str, user: str, password: str) -> None:
    config = parse_smtp_url(url)
    assert (config.host, config.port, config.tls) == (host, port, tls)
    assert (config.user, config.password) == (user, password)
    assert "@" not in config.address and config.address.endswith(f"{host}:{port}")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://relay.example.org", "must start with smtp:// or smtps://"),
        ("relay.example.org:25", "must start with smtp:// or smtps://"),
        ("smtp://", "names no host"),
        ("smtp://relay.example.org:port", "not a valid URL"),
        ("smtp://relay.example.org:99999", "not a valid URL"),
        ("smtp://user@relay.example.org", "user without a password"),
        ("smtp://relay.example.org/path", "no path"),
    ],
)
def test_bad_smtp_urls_are_refused_with_a_clear_line(tmp_path: Path, url: str, says: str) -> None:
    env = {"ALLIANCES_DATABASE": str(tmp_path / "a.db"), "ALLIANCES_SMTP_URL": url}
    with pytest.raises(ValueError, match=says):
        Settings.from_env(env)


def test_the_sender_address_defaults_to_the_sites_host(tmp_path: Path) -> None:
    env = {
        "ALLIANCES_DATABASE": str(tmp_path / "a.db"),
        "ALLIANCES_BASE_URL": "https://formation.example.org",
    }
    settings = Settings.from_env(env)
    assert settings.mail_from == "Alliances & Territoires <ne-pas-repondre@formation.example.org>"
    assert settings.smtp_url == ""
    mine = Settings.from_env({**env, "ALLIANCES_MAIL_FROM": "Formation <f@example.org>"})
    assert mine.mail_from == "Formation <f@example.org>"
    with pytest.raises(ValueError, match="ALLIANCES_MAIL_FROM must be an address"):
        Settings.from_env({**env, "ALLIANCES_MAIL_FROM": "personne"})


@pytest.mark.anyio
async def test_production_without_a_relay_starts_and_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from server.storage import SqliteStorage

    settings = Settings(
        database=tmp_path / "var" / "a.db",
        content_dir=tmp_path,
        secret_key="k" * 40,
        production=True,
    )
    storage = SqliteStorage(settings.database)
    await storage.open()
    try:
        with caplog.at_level(logging.WARNING, logger="alliances.mail"):
            sender = start_sender(storage, settings)
            await sender.stop()
    finally:
        await storage.close()
    assert any("ALLIANCES_SMTP_URL is not set" in r.getMessage() for r in caplog.records)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database = tmp_path / "var" / "test.db"
    monkeypatch.setenv("ALLIANCES_DATABASE", str(database))
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("ALLIANCES_BASE_URL", "https://formation.example.org")
    monkeypatch.delenv("ALLIANCES_SMTP_URL", raising=False)
    monkeypatch.delenv("ALLIANCES_MAIL_FROM", raising=False)
    return database


def test_mail_test_through_the_relay(
    env: Path,
    mail_server: MailServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ALLIANCES_SMTP_URL", mail_server.url)
    assert main(["mail", "test", "zoe@example.fr"]) == 0
    out = capsys.readouterr().out
    assert out == (
        f"sent to zoe@example.fr via smtp://127.0.0.1:{mail_server.port}"
        " (STARTTLS if offered): 250 2.0.0 OK\n"
    )
    (received,) = mail_server.messages
    assert received["Subject"] == "Message d'essai de Alliances & Territoires"
    mail_server.refuse(1)
    assert main(["mail", "test", "zoe@example.fr"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("failed: 451 4.3.0 Try again later") and out.count("\n") == 1
    assert not env.parent.joinpath("test.db").exists()  # nothing queued: sent directly


def test_mail_test_with_the_relay_down(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.mail_server import free_port

    monkeypatch.setenv("ALLIANCES_SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    assert main(["mail", "test", "zoe@example.fr"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("failed: ") and out.count("\n") == 1


def test_mail_test_without_a_relay_writes_a_file(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mail", "test", "zoe@example.fr"]) == 0
    out = capsys.readouterr().out
    (written,) = (env.parent / "mail").glob("*-test.eml")
    assert out == f"not sent, ALLIANCES_SMTP_URL is not set: written to {written}\n"
    parsed = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert parsed["To"].addresses[0].addr_spec == "zoe@example.fr"


def test_mail_test_refuses_what_is_not_an_address(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mail", "test", "personne"]) == 2
    assert "not an e-mail address" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--workers", "2", "--reload"], "--workers cannot be used with --reload"),
        (["--workers", "2", "--cpu", "0"], "--cpu would put every worker on the same CPU"),
        (["--workers", "0"], "--workers must be at least 1"),
    ],
)
def test_serve_refuses_workers_with_reload(
    env: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    assert main(["serve", *args]) == 2
    assert says in capsys.readouterr().err
