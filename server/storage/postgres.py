"""The PostgreSQL backend: the shared domain methods over a connection pool.

psycopg 3 with psycopg_pool: the maintained PostgreSQL driver, async, with
server-side prepared statements once a statement repeats on a connection.
Every connection is in autocommit mode, so each `_write` is its own
transaction, committed (and, with PostgreSQL's default `synchronous_commit`,
flushed to its WAL) before the method returns; `_transaction` runs several
statements in one transaction on one connection, awaiting nothing but the
database meanwhile. The SQL is the domain methods' own (server/storage/domain.py),
rewritten for PostgreSQL by server/storage/dialect.py; `PostgresStorage`
overrides the few methods whose SQL has no shared spelling, and the contract
tests (tests/test_storage_contract.py) hold both backends to one behaviour.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import psycopg
from psycopg.rows import RowMaker
from psycopg_pool import AsyncConnectionPool

from server.storage.dialect import numbered_params, to_postgres
from server.storage.domain import Queries
from server.storage.postgres_overrides import PostgresOverrides

MIGRATIONS_LOCK = 0x616C6C69  # "alli": one instance migrates, the others wait for it
POOL_WAIT_SECONDS = 5.0
MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class Row(tuple):
    """A result row read by position, by column name or as a mapping, as sqlite3.Row is."""

    _index: dict[str, int]

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _rows(cursor: psycopg.AsyncCursor[Any]) -> RowMaker[Row]:
    index = {column.name: i for i, column in enumerate(cursor.description or ())}

    def make(values: Sequence[Any]) -> Row:
        row = Row(values)
        row._index = index
        return row

    return make


class DatabaseUnavailable(Exception):
    """PostgreSQL refused the connection: said in one line at start-up."""


class PostgresPlumbing:
    """What the domain methods need from a database, over a PostgreSQL pool."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.pool_size = pool_size
        self._pool: AsyncConnectionPool | None = None

    async def open(self) -> None:
        try:  # one try first: a refused connection is said at once, not after the pool's retries
            probe = await psycopg.AsyncConnection.connect(self.url, connect_timeout=5)
        except psycopg.Error as exc:
            raise DatabaseUnavailable(f"cannot connect to PostgreSQL: {_reason(exc)}") from exc
        await probe.close()
        pool = AsyncConnectionPool(
            self.url,
            min_size=1,
            max_size=self.pool_size,
            kwargs={"autocommit": True, "row_factory": _rows, "connect_timeout": 5},
            open=False,
            # A request waits at most this long for a connection: a PostgreSQL gone
            # answers 503 in seconds (server/storage/errors.py), not after 30.
            timeout=POOL_WAIT_SECONDS,
        )
        try:
            await pool.open(wait=True, timeout=10)
        except Exception as exc:
            await pool.close()
            raise DatabaseUnavailable(f"cannot connect to PostgreSQL: {_reason(exc)}") from exc
        self._pool = pool
        try:
            async with pool.connection() as conn:
                await apply_postgres_migrations(conn)
        except BaseException:
            await self.close()
            raise

    async def open_read_only(self) -> None:
        """The pool, as `open`; migrating a database already migrated writes nothing."""
        await self.open()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    def _connection(self) -> Any:
        assert self._pool is not None, "storage is not open"
        return self._pool.connection()

    async def _all(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Row]:
        async with self._connection() as conn:
            cursor = await conn.execute(to_postgres(sql), _params(sql, params))
            return list(await cursor.fetchall()) if cursor.description else []

    async def _one(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Row | None:
        rows = await self._all(sql, params)
        return rows[0] if rows else None

    async def _write(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Row]:
        """One statement, its own transaction, committed when this returns."""
        return await self._all(sql, params)

    async def _transaction(self, steps: Sequence[tuple[str, Any]]) -> list[list[Row]]:
        """Several statements, one transaction, on one connection."""
        results: list[list[Row]] = []
        async with self._connection() as conn, conn.transaction():
            for sql, params in steps:
                cursor = await conn.execute(to_postgres(sql), _params(sql, params))
                results.append(list(await cursor.fetchall()) if cursor.description else [])
        return results

    async def _durable(self) -> None:
        """Each commit is already durable: nothing to wait for."""

    async def ping(self) -> bool:
        return (await self._one("SELECT 1")) is not None


def _params(sql: str, params: Sequence[Any] | Mapping[str, Any]) -> Any:
    if isinstance(params, Mapping):
        return params
    return numbered_params(sql, list(params))


def _reason(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__ or exc
    return " ".join(str(cause).split()) or type(cause).__name__


def postgres_migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("server.migrations").joinpath("postgres")
    found = []
    for entry in folder.iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match[1]), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


async def apply_postgres_migrations(conn: psycopg.AsyncConnection[Any]) -> list[str]:
    """Apply the missing migrations in order, each in its own transaction.

    Under an advisory lock: two instances starting at once against one database
    take turns, and the second finds nothing left to do.
    """
    applied = []
    await conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATIONS_LOCK,))
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        cursor = await conn.execute("SELECT version FROM schema_migrations")
        done = {row[0] for row in await cursor.fetchall()}
        for version, name, sql in postgres_migrations():
            if version in done:
                continue
            async with conn.transaction():
                await conn.execute(sql.encode())  # several statements: no parameters
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at)"
                    " VALUES (%s, %s, to_char(now() AT TIME ZONE 'UTC',"
                    ' \'YYYY-MM-DD"T"HH24:MI:SS"+00:00"\'))',
                    (version, name),
                )
            applied.append(name)
    finally:
        await conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATIONS_LOCK,))
    return applied


class PostgresStorage(PostgresOverrides, PostgresPlumbing, Queries):
    """Every domain method, on PostgreSQL (a few statements spelled its own way first)."""

    async def _write_if_any(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> list[Row]:
        return await self._all(sql, params)

    async def _transaction(self, steps: Sequence[tuple[str, Any]]) -> list[list[Row]]:
        results = await PostgresPlumbing._transaction(self, steps)
        self._outbox_recorded(steps)  # wakes this process's mail sender at once
        return results

    async def _serialized(self, key: str, steps: Sequence[tuple[str, Any]]) -> list[list[Row]]:
        """Writes that check before they write (a limit, a guard), one transaction after
        every other under the same `key`, whichever instance runs it.

        Under READ COMMITTED two statements that count then insert would both
        count before either inserted; a transaction-scoped advisory lock taken
        first makes the next one wait, and its statements (each with a fresh
        snapshot) then see what the first committed. One round trip: in a
        pipeline, the statements before a Sync are one implicit transaction (it
        commits at the Sync, or rolls back whole on an error), so the lock and
        the statements travel together.
        """
        lock = ("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", (key,))
        async with self._connection() as conn, conn.pipeline() as pipeline:
            cursors = [
                await conn.execute(to_postgres(sql), _params(sql, params))
                for sql, params in [lock, *steps]
            ]
            await pipeline.sync()  # commits; an error raises here, nothing kept
            results = [
                list(await cursor.fetchall()) if cursor.description else []
                for cursor in cursors[1:]
            ]
        self._outbox_recorded(steps)
        return results

    async def write_problem(self) -> str | None:
        """Why a write would fail now, for /healthz: PostgreSQL unreachable."""
        try:
            await self._write("SELECT 1")
        except Exception as exc:
            return f"cannot reach PostgreSQL: {_reason(exc)}"
        return None
