"""SQL run by a test through the app's own storage, so that it works on either backend.

A route test that sets up a state no page can reach (an old timestamp, a lost
confirmation) writes it here rather than through `sqlite3.connect`: under
ALLIANCES_TEST_BACKEND=postgres the same test then runs on PostgreSQL. The SQL
is the storage layer's spelling (SQLite's), rewritten for PostgreSQL as the
domain methods' is.
"""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient


def rows(client: TestClient, sql: str, params: tuple | dict = ()) -> list[tuple[Any, ...]]:
    """The rows `sql` reads, as tuples."""
    storage = client.app.state.storage  # type: ignore[attr-defined]
    found = client.portal.call(storage._all, sql, params)  # type: ignore[union-attr]
    return [tuple(row) for row in found]


def value(client: TestClient, sql: str, params: tuple | dict = ()) -> Any:
    """The first column of the first row `sql` reads (None when there is none)."""
    found = rows(client, sql, params)
    return found[0][0] if found else None


def write(client: TestClient, sql: str, params: tuple | dict = ()) -> None:
    """One statement, committed before this returns."""
    storage = client.app.state.storage  # type: ignore[attr-defined]
    client.portal.call(storage._write, sql, params)  # type: ignore[union-attr]
