"""The PostgreSQL backend: the same domain methods as SQLite's, over a pool.

Most methods are SQLite's own, inherited: their SQL is shared and rewritten by
server/sql_dialect.py. The methods below are those whose SQL has no shared
spelling; each keeps its SQLite twin's contract, which the contract tests
(tests/test_storage_contract.py) check on both backends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from server.pg_plumbing import PostgresPlumbing
from server.settings import Settings
from server.storage import Step, Storage


class PostgresStorage(PostgresPlumbing, Storage):  # type: ignore[misc]
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        PostgresPlumbing.__init__(self, url, pool_size=pool_size)
        self._wal_sync = None

    async def _write_if_any(self, sql: str, params: tuple = ()) -> list:
        return await self._all(sql, params)

    async def _transaction(self, steps: Sequence[Step]) -> list[list[Any]]:
        results = await PostgresPlumbing._transaction(self, steps)
        self._outbox_recorded(steps)  # wakes this process's mail sender at once
        return results

    async def write_problem(self) -> str | None:
        try:
            await self._all("SELECT 1")
        except Exception as exc:
            return f"cannot reach PostgreSQL: {exc}"
        return None


def open_storage(settings: Settings) -> Storage:
    """The backend ALLIANCES_DATABASE names, not yet opened."""
    if settings.database_url:
        return PostgresStorage(settings.database_url)
    return Storage(settings.database)
