"""A full disk or a failing database: 503 in plain French, `/healthz` says so, and it heals.

The simulated tests make the storage raise what SQLite raises; the last one fills
a real (tiny, size-limited tmpfs) filesystem, when the test may mount one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from server.state import app_state
from server.storage import SqliteStorage
from server.storage import health as storage_health
from tests.conftest import Learner
from tests.pg import sqlite_only

# SQLite's disk errors, codes and WAL flush; PostgreSQL's outage: tests/test_pg_outage.py.
pytestmark = sqlite_only("simulates SQLite's own disk errors and WAL flush")


def sqlite_error(message: str, code: int) -> sqlite3.OperationalError:
    """What SQLite raises: the message and its extended result code."""
    exc = sqlite3.OperationalError(message)
    exc.sqlite_errorcode = code
    exc.sqlite_errorname = "SQLITE_FULL" if code == sqlite3.SQLITE_FULL else "SQLITE_IOERR_READ"
    return exc


def test_a_write_on_a_full_disk_answers_503_in_french(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def full(*args: object, **kwargs: object) -> None:
        raise sqlite_error("database or disk is full", sqlite3.SQLITE_FULL)

    # Every write path fails, whichever method sign-up goes through.
    monkeypatch.setattr(SqliteStorage, "_transaction", full)
    monkeypatch.setattr(SqliteStorage, "_write", full)
    response = Learner(client).signup()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert "Service indisponible" in response.text
    assert "espace disque ou base de données indisponible" in response.text
    assert "n’a pas été prise en compte\u00a0; réessayez" in response.text
    assert "Traceback" not in response.text and "sqlite" not in response.text.lower()


def test_a_disk_io_error_on_a_read_answers_503(
    client: TestClient, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise sqlite_error("disk I/O error", sqlite3.SQLITE_IOERR | (1 << 8))  # IOERR_READ

    monkeypatch.setattr(SqliteStorage, "progress", broken)
    response = client.get("/paths/1h")
    assert response.status_code == 503 and "réessayez dans quelques minutes" in response.text


def test_a_bad_query_is_still_a_bug_not_an_outage(
    client: TestClient, learner: Learner, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def bug(*args: object, **kwargs: object) -> None:
        raise sqlite_error("no such column: nope", sqlite3.SQLITE_ERROR)

    monkeypatch.setattr(SqliteStorage, "progress", bug)
    with pytest.raises(sqlite3.OperationalError, match="no such column"):
        client.get("/paths/1h")  # the logged 500 (the test client re-raises it)


def test_healthz_reports_a_disk_without_room(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.get("/healthz").status_code == 200
    monkeypatch.setattr(storage_health, "_free_bytes", lambda folder: 12 * 1024)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "read-only",
        "problem": "disk full: 12 KiB free",
    }
    monkeypatch.undo()
    assert client.get("/healthz").status_code == 200  # room again: healthy again


def test_healthz_reports_a_database_that_refuses_writes(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = app_state(client.app).storage
    real = db._writer_connection

    class ReadOnly:
        async def executescript(self, sql: str) -> None:
            assert sql.startswith("BEGIN IMMEDIATE")
            raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(db, "_writer_connection", ReadOnly)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert (
        response.json()["problem"] == "cannot start a write: attempt to write a readonly database"
    )
    monkeypatch.setattr(db, "_writer_connection", real)
    assert client.get("/healthz").json()["status"] == "ok"


def test_healthz_reports_a_failed_flush(client: TestClient) -> None:
    wal_sync = app_state(client.app).storage._wal_sync
    wal_sync._settle(0, OSError(errno.EIO, "Input/output error"))  # what a failed flush does
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["problem"] == "a flush to disk failed: restart the server"


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs, mounted for the test (root only: skipped elsewhere)."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a size-limited tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(folder: Path) -> Path:
    """Take every free byte of the filesystem with one file."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as out, contextlib.suppress(OSError):
        while True:
            out.write(b"\0" * 4096)
    return filler


def test_a_really_full_disk_answers_503_then_heals(
    tiny_disk: Path, settings: Settings, content_dir: Path
) -> None:
    on_tiny = Settings(
        database=tiny_disk / "var" / "alliances.db",
        content_dir=content_dir,
        secret_key=settings.secret_key,
        base_url=settings.base_url,
    )
    with TestClient(create_app(on_tiny)) as client:
        person = Learner(client)
        assert person.signup("avant@example.fr").status_code == 303
        filler = fill(tiny_disk)
        client.cookies.clear()
        person = Learner(client)
        refused = person.signup("pendant@example.fr")
        assert refused.status_code == 503 and "espace disque" in refused.text
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["database"] == "read-only"
        filler.unlink()  # space is back: no restart needed
        assert client.get("/healthz").json()["status"] == "ok"
        assert person.signup("pendant@example.fr").status_code == 303
        assert "Se déconnecter" in client.get("/").text
