"""`alliances backup`: a consistent copy while the server writes, and a restore."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.cli import main
from server.settings import Settings
from server.storage.backup import BackupError, backup_sqlite
from tests.conftest import Learner
from tests.pg import sqlite_only

# PostgreSQL is backed up with pg_dump, as the README says: `alliances backup` copies a SQLite file.
pytestmark = sqlite_only("alliances backup uses SQLite's online backup API")


def test_a_backup_taken_while_learners_write_restores_every_answered_quiz(
    settings: Settings, tmp_path: Path
) -> None:
    copies = tmp_path / "sauvegardes"
    copies.mkdir()
    with TestClient(create_app(settings)) as client:
        learner = Learner(client)
        assert learner.signup().status_code == 303
        learner.pass_intro("1h")
        saved = learner.post("/paths/1h/lecture/reflections/lecture-idee", {"answer": "Une idée"})
        assert saved.status_code in (200, 303), saved.text[:300]
        done = threading.Event()

        def write() -> None:  # writes keep landing while the copy is made
            while not done.is_set():
                learner.post("/paths/1h/lecture/reflections/lecture-idee", {"answer": "Une idée"})

        writer = threading.Thread(target=write)
        writer.start()
        try:
            size = backup_sqlite(settings.database, copies)
        finally:
            done.set()
            writer.join()
    copy = copies / settings.database.name
    assert size == copy.stat().st_size > 0
    assert not list(copies.glob("*.partial"))
    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    # Restore: the server started on the copy knows the learner and their progress.
    # With the site's keys, as a restore must be (README: the signing keys are backed up too).
    restored = Settings(
        database=copy,
        content_dir=settings.content_dir,
        secret_key=settings.secret_key,
        badge_keys=settings.badge_keys_dir,
    )
    with TestClient(create_app(restored)) as client:
        learner = Learner(client)
        assert learner.login().status_code == 303
        assert "1\u00a0module terminé sur" in client.get("/paths/1h").text
        assert "Une idée" in client.get("/plan").text


def test_backup_refuses_what_it_cannot_do_in_one_line(settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no database at"):
        backup_sqlite(tmp_path / "absent.db", tmp_path / "copy.db")
    with TestClient(create_app(settings)):
        pass
    with pytest.raises(BackupError, match="must not overwrite the database itself"):
        backup_sqlite(settings.database, settings.database)
    with pytest.raises(BackupError, match="cannot write"):
        backup_sqlite(settings.database, tmp_path / "absent" / "copy.db")


def test_the_backup_command_prints_what_it_wrote(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    with TestClient(create_app(settings)):
        pass
    monkeypatch.setenv("ALLIANCES_DATABASE", settings.database_url or str(settings.database))
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", settings.secret_key)
    assert main(["backup", str(tmp_path / "copie.db")]) == 0
    assert f"backed up {settings.database} to {tmp_path / 'copie.db'}" in capsys.readouterr().out
    assert main(["backup", str(tmp_path / "nulle-part" / "copie.db")]) == 2
    assert "alliances: cannot write" in capsys.readouterr().err
