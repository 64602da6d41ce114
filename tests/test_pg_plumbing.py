"""PostgreSQL plumbing: rows like sqlite3.Row, transactions, migrations under a lock."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from server.storage.postgres import DatabaseUnavailable, PostgresPlumbing, postgres_migrations

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_rows_read_by_position_name_and_as_a_mapping(postgres_url: str) -> None:
    db = PostgresPlumbing(postgres_url)
    await db.open()
    try:
        (row,) = await db._all("SELECT 1 AS a, 'x' AS b WHERE ? = ?", (2, 2))
        assert row[0] == 1 and row["b"] == "x" and dict(row) == {"a": 1, "b": "x"}
        first, second = row
        assert (first, second) == (1, "x")
        assert await db._one("SELECT 1 WHERE 1 = 0") is None
    finally:
        await db.close()


async def test_a_transaction_writes_everything_or_nothing(postgres_url: str) -> None:
    db = PostgresPlumbing(postgres_url)
    await db.open()
    try:
        await db._write(
            "INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?)",
            ("a@example.fr", "A", "!", "2026-11-27"),
        )
        insert = "INSERT INTO rate_events (bucket, key, at) VALUES (?, ?, ?)"
        duplicate = (
            "INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?)",
            ("a@example.fr", "B", "!", "2026-11-27"),
        )
        with pytest.raises(psycopg.errors.UniqueViolation):
            await db._transaction([(insert, ("b", "k", 1.0)), duplicate])
        assert await db._all("SELECT * FROM rate_events") == []
        await db._transaction([(insert, ("b", "k", 1.0)), (insert, ("b", "k", 2.0))])
        assert len(await db._all("SELECT * FROM rate_events")) == 2
    finally:
        await db.close()


async def test_two_instances_starting_at_once_migrate_once(postgres_url: str) -> None:
    first, second = PostgresPlumbing(postgres_url), PostgresPlumbing(postgres_url)
    await asyncio.gather(first.open(), second.open())
    try:
        rows = await first._all("SELECT version FROM schema_migrations ORDER BY version")
        assert [row[0] for row in rows] == [number for number, _, _ in postgres_migrations()]
    finally:
        await first.close()
        await second.close()


async def test_a_refused_connection_is_said_in_one_line() -> None:
    db = PostgresPlumbing("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(DatabaseUnavailable, match=r"^cannot connect to PostgreSQL: ") as caught:
        await db.open()
    assert "\n" not in str(caught.value)
