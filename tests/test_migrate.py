"""`alliances migrate`: the release step applies each backend's migrations once, says which."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.cli import main
from server.storage.postgres import postgres_migrations
from server.storage.sqlite_migrations import migrations


def migrate(database: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("ALLIANCES_DATABASE", database)
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", "k" * 40)
    return main(["migrate"])


def test_migrate_sqlite_applies_each_migration_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "var" / "a.db"
    assert migrate(str(database), monkeypatch) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"applied {name}" for _, name, _ in migrations()]
    assert migrate(f"sqlite:///{database}", monkeypatch) == 0
    assert capsys.readouterr().out == f"nothing to apply: {database} is up to date\n"


def test_migrate_postgres_applies_each_migration_once(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert migrate(postgres_url, monkeypatch) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"applied {name}" for _, name, _ in postgres_migrations()]
    assert migrate(postgres_url, monkeypatch) == 0
    assert capsys.readouterr().out.startswith("nothing to apply: postgresql://")


def test_migrate_says_in_one_line_why_the_database_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.db").write_bytes(b"pas une base" * 400)
    assert migrate(str(tmp_path / "a.db"), monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot be migrated: file is not a database" in err
    url = "postgresql://someone:secret@127.0.0.1:1/alliances"
    assert migrate(url, monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "postgresql://127.0.0.1:1/alliances cannot be migrated" in err
    assert "secret" not in err  # the password stays out of logs
