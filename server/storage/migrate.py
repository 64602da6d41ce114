"""`alliances migrate`: apply the configured backend's missing migrations, say which.

The server applies them at start-up too; a release step (the Procfile's
`release: alliances migrate`) runs them once, before the new instances start,
so that several instances never start on a half-migrated database. On
PostgreSQL they run under an advisory lock (server/storage/postgres.py): a
server starting meanwhile waits, then finds nothing left to do.
"""

from __future__ import annotations

from server.settings import Settings


async def migrate(settings: Settings) -> list[str]:
    """The names of the migrations applied now, in order (empty: nothing to apply)."""
    if settings.database_url:
        import psycopg

        from server.storage.postgres import apply_postgres_migrations

        async with await psycopg.AsyncConnection.connect(
            settings.database_url, autocommit=True, connect_timeout=10
        ) as conn:
            return await apply_postgres_migrations(conn)
    import aiosqlite

    from server.storage.sqlite import BUSY_TIMEOUT_MS
    from server.storage.sqlite_migrations import apply_migrations

    settings.database.parent.mkdir(parents=True, exist_ok=True)
    async with aiosqlite.connect(settings.database, isolation_level=None) as db:
        await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await db.execute("PRAGMA journal_mode = WAL")  # as the server opens it
        await db.execute("PRAGMA foreign_keys = ON")
        return await apply_migrations(db)
