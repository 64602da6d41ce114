"""The database commands: `migrate`, `backup`, `db copy`, and the counts of `check --database`."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from course.diff import Change, annotate
from server.settings import Settings


def learners_touched(database: str, changes: list[Change]) -> list[Change]:
    """Annotate the changes with learner counts, reading the app's database, never writing.

    `database`: a SQLite file's path or a `postgresql://` URL. The counts are the
    storage layer's (`Storage.learners_touched`).
    """
    import asyncio

    from server.storage import SqliteStorage, Storage

    storage: Storage
    if database.startswith(("postgresql://", "postgres://")):
        from server.storage.postgres import PostgresStorage

        storage = PostgresStorage(database)
    else:
        storage = SqliteStorage(Path(database.removeprefix("sqlite://")))

    async def count() -> list[Change]:
        await storage.open_read_only()
        try:
            annotated = []
            for change in changes:
                found = await storage.learners_touched(
                    change.kind,
                    change.subject_id,
                    change.module_id,
                    change.path_id,
                    list(change.choice_ids),
                )
                annotated.append(change if found is None else annotate(change, found))
            return annotated
        finally:
            await storage.close()

    return asyncio.run(count())


def database_name(settings: Settings) -> str:
    """The database as an operator knows it, without a password in a URL."""
    if not settings.database_url:
        return str(settings.database)
    from urllib.parse import urlsplit

    parts = urlsplit(settings.database_url)
    host = f"{parts.hostname or 'localhost'}{f':{parts.port}' if parts.port else ''}"
    return f"{parts.scheme}://{host}{parts.path}"


def database_problem(settings: Settings) -> str | None:
    """Open the database once (creating and migrating it): what went wrong, or None.

    Run before uvicorn starts, so a damaged file or a PostgreSQL server that
    refuses the connection gets one readable line instead of the traceback of a
    failed application start-up.
    """
    import asyncio

    from server.key_agreement import key_problem
    from server.storage import open_storage

    async def attempt() -> str | None:
        storage = open_storage(settings)
        await storage.open()
        try:  # several instances must sign with the same keys (server/key_agreement.py)
            return await key_problem(storage, settings)
        finally:
            await storage.close()

    try:
        return asyncio.run(attempt())
    except (sqlite3.Error, OSError) as exc:
        return str(exc)
    except Exception as exc:  # psycopg's errors, DatabaseUnavailable: said in one line
        return " ".join(str(exc).split()) or type(exc).__name__


def cmd_migrate(args: argparse.Namespace) -> int:
    """Apply the missing migrations of ALLIANCES_DATABASE's backend: the release step."""
    import asyncio

    from server.storage.migrate import migrate

    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 2
    try:
        applied = asyncio.run(migrate(settings))
    except Exception as exc:  # sqlite3's, OSError, psycopg's: one readable line
        reason = " ".join(str(exc).split()) or type(exc).__name__
        print(
            f"alliances: the database {database_name(settings)} cannot be migrated: {reason}",
            file=sys.stderr,
        )
        return 2
    for name in applied:
        print(f"applied {name}")
    if not applied:
        print(f"nothing to apply: {database_name(settings)} is up to date")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the running site's database (server/storage/backup.py)."""
    from server.storage.backup import BackupError, backup_sqlite

    try:
        database = Settings.from_env().database
        size = backup_sqlite(database, args.destination)
    except (ValueError, BackupError) as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 2
    target = args.destination / database.name if args.destination.is_dir() else args.destination
    print(f"backed up {database} to {target} ({size:,} bytes)".replace(",", "\u202f"))
    return 0


def cmd_db_copy(args: argparse.Namespace) -> int:
    """Copy the SQLite site into an empty PostgreSQL database (server/storage/copy.py)."""
    from server.storage.copy import CopyError, copy_sqlite_to_postgres, source_path, target_url

    try:
        source, target = source_path(args.source), target_url(args.target)
    except CopyError as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 2
    try:
        copy_sqlite_to_postgres(source, target)
    except CopyError as exc:
        print(f"alliances: nothing copied: {exc}", file=sys.stderr)
        return 1
    return 0
