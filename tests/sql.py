"""SQL run by a test through the app's own storage, so that it works on either backend.

A route test that sets up a state no page can reach (an old timestamp, a lost
confirmation) writes it here rather than through `sqlite3.connect`: under
ALLIANCES_TEST_BACKEND=postgres the same test then runs on PostgreSQL. The SQL
is the storage layer's spelling (SQLite's), rewritten for PostgreSQL as the
domain methods' is.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg
from starlette.testclient import TestClient

from server.settings import Settings
from server.state import app_state
from server.storage.dialect import numbered_params, to_postgres


def rows(client: TestClient, sql: str, params: tuple | dict = ()) -> list[tuple[Any, ...]]:
    """The rows `sql` reads, as tuples."""
    storage = app_state(client.app).storage
    found = client.portal.call(storage._all, sql, params)  # type: ignore[union-attr]
    return [tuple(row) for row in found]


def value(client: TestClient, sql: str, params: tuple | dict = ()) -> Any:
    """The first column of the first row `sql` reads (None when there is none)."""
    found = rows(client, sql, params)
    return found[0][0] if found else None


def write(client: TestClient, sql: str, params: tuple | dict = ()) -> None:
    """One statement, committed before this returns."""
    storage = app_state(client.app).storage
    client.portal.call(storage._write, sql, params)  # type: ignore[union-attr]


class _Postgres:
    """psycopg's connection read like sqlite3's: SQLite's spelling, rewritten."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)

    def execute(self, sql: str, params: tuple | dict = ()) -> psycopg.Cursor[Any]:
        values = params if isinstance(params, dict) else numbered_params(sql, list(params))
        return self.conn.execute(to_postgres(sql), values)  # type: ignore[arg-type]

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> _Postgres:
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()


def connect(settings: Settings) -> Any:
    """A connection of the test's own to its database, either backend, each statement
    committed: for set-up and checks while no app is running."""
    if settings.database_url:
        return _Postgres(settings.database_url)
    return sqlite3.connect(settings.database, isolation_level=None)
