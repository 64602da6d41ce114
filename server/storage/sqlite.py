"""The SQLite backend (aiosqlite, WAL): the embedded default, `make run` needs nothing else.

Every write is a single SQL statement in autocommit mode: its own transaction,
durably committed before the method returns (the wait for the disk is shared by
the transactions committed meanwhile: see server/storage/walsync.py). No
transaction is ever held open across an await, so concurrent requests cannot
share one, and no lock is needed: the writer connection's thread runs
statements one at a time. Where a write has side effects (an attempt updates
progress and enrolment), a trigger in the schema keeps them in the same
statement. Reads use a second connection and never wait for writers (WAL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import aiosqlite

from server.storage.base import Params
from server.storage.domain import Queries
from server.storage.health import HealthQueries
from server.storage.records import Step
from server.storage.sqlite_migrations import apply_migrations
from server.storage.walsync import WalSync

BUSY_TIMEOUT_MS = 5000


class SqliteStorage(HealthQueries, Queries):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._wal_sync: WalSync | None = None

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = await self._connect()
            await self._writer.execute("PRAGMA journal_mode = WAL")
            await apply_migrations(self._writer)
            self._reader = await self._connect()
            # From here on, commits are flushed to disk by WalSync, shared (group commit).
            await self._writer.execute("PRAGMA synchronous = NORMAL")
            # The WAL lives beside the file SQLite opened: behind a symlink, not beside it.
            (_, _, opened), *_ = await self._writer.execute_fetchall("PRAGMA database_list")
            self._wal_sync = WalSync(Path(f"{opened}-wal"))
        except BaseException:
            await self.close()  # a connection's thread left running would keep the process alive
            raise

    async def open_read_only(self) -> None:
        """The file as it is, for reads only: nothing created, migrated or written."""
        if not self.path.is_file():  # mode=ro would say "unable to open", less helpfully
            raise sqlite3.OperationalError("fichier introuvable")
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        self._reader = await aiosqlite.connect(uri, uri=True, isolation_level=None)
        self._reader.row_factory = aiosqlite.Row

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA synchronous = FULL")
        except BaseException:
            await conn.close()
            raise
        return conn

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        self._reader = self._writer = None
        if self._wal_sync is not None:
            self._wal_sync.close()
            self._wal_sync = None

    # -- plumbing -------------------------------------------------------------

    async def _all(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """One hop to the database thread per query: execute and fetch together."""
        assert self._reader is not None, "storage is not open"
        return list(await self._reader.execute_fetchall(sql, params))

    async def _one(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        rows = await self._all(sql, params)
        return rows[0] if rows else None

    async def _write(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """One statement, one transaction, committed and on disk when this returns."""
        rows = list(await self._writer_connection().execute_fetchall(sql, params))
        await self._durable()
        return rows

    async def _write_if_any(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """One statement that may write nothing: the wait for the disk only if it returned rows.

        A refused quiz submission (not the learner's next attempt, over a limit)
        writes nothing and should not queue behind the disk.
        """
        rows = list(await self._writer_connection().execute_fetchall(sql, params))
        if rows:
            await self._durable()
        return rows

    async def _transaction(self, steps: Sequence[Step]) -> list[list[aiosqlite.Row]]:
        """Several statements as one transaction, in one hop to the writer thread.

        For the few events that must write two things or nothing: a password
        reset's token and the message that carries it (the outbox). Running the
        whole transaction inside the writer's thread keeps the rule above: no
        transaction is held open across an await, so no other request's
        statement can land inside it. Returns each statement's rows.
        """
        conn = self._writer_connection()

        def run() -> list[list[aiosqlite.Row]]:
            db = conn._conn
            db.execute("BEGIN IMMEDIATE")
            try:
                results = [db.execute(sql, params).fetchall() for sql, params in steps]
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return results

        results = await conn._execute(run)
        await self._durable()
        self._outbox_recorded(steps)  # wakes this process's mail sender (server/storage/outbox.py)
        return results

    async def _serialized(self, key: str, steps: Sequence[Step]) -> list[list[aiosqlite.Row]]:
        """Writes that check before they write (a limit, a guard), atomically.

        The writer runs one statement at a time: such a write is already
        serialized with every other, whatever `key` says (the PostgreSQL backend
        needs the key). One statement that wrote nothing waits for no disk.
        """
        if len(steps) == 1:
            return [await self._write_if_any(*steps[0])]
        return await self._transaction(steps)

    async def _durable(self) -> None:
        assert self._wal_sync is not None, "storage is not open"
        await self._wal_sync.durable()

    def _writer_connection(self) -> aiosqlite.Connection:
        assert self._writer is not None, "storage is not open"
        return self._writer

    async def ping(self) -> bool:
        return (await self._one("SELECT 1")) is not None
