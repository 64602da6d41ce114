"""A consistent copy of the SQLite database while the server runs.

SQLite's online backup API copies the database page by page under its own
locks, so the copy is a single consistent state even while learners submit
quizzes (WAL mode: readers and the copy never block the writer for long). The
copy is written beside its destination and renamed into place, so an
interrupted backup never leaves a half-written file under the final name.
Restoring is copying the file back while the server is stopped (README).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

PAGES_PER_STEP = 1024  # the writer gets the lock back between steps


class BackupError(Exception):
    """Why a backup could not be made, in one line for the operator."""


def backup_sqlite(source: Path, destination: Path) -> int:
    """Copy `source` to `destination` (a file, or a folder to put it in); its size in bytes."""
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    if destination.is_dir():
        destination = destination / source.name
    if destination.resolve() == source.resolve():
        raise BackupError("the backup must not overwrite the database itself")
    if not destination.parent.is_dir():
        raise BackupError(f"cannot write {destination}: the folder {destination.parent} is missing")
    partial = destination.with_name(destination.name + ".partial")
    try:
        src = sqlite3.connect(source, timeout=5)
        try:
            check = src.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise BackupError(f"the database fails its integrity check: {check}")
            target = sqlite3.connect(partial)
            try:
                src.backup(target, pages=PAGES_PER_STEP)
                # A stand-alone file: no WAL to carry beside it.
                target.execute("PRAGMA journal_mode = DELETE")
            finally:
                target.close()
        finally:
            src.close()
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, destination)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot back up {source}: {exc}") from exc
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot write {destination}: {exc.strerror or exc}") from exc
    return destination.stat().st_size
