"""SQLite's numbered migrations (the SQL files of server/migrations/), applied in order.

One transaction each, at start-up and by `alliances migrate`. Files are named
`NNNN_description.sql`. Never edit one that has landed: add the next.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from importlib import resources

import aiosqlite

from server import clock

NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    found = []
    for entry in resources.files("server.migrations").iterdir():
        match = NAME.match(entry.name)
        if match:
            found.append((int(match[1]), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    for (number, first, _), (next_number, second, _) in itertools.pairwise(found):
        if number == next_number:  # one would be skipped as already applied, forever
            raise ValueError(f"two migrations are numbered {number:04d}: {first}, {second}")
    return found


async def apply_migrations(db: aiosqlite.Connection) -> list[str]:
    """Apply the missing migrations in order; return the names applied."""
    await db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations"
        " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    async with db.execute("SELECT version FROM schema_migrations") as cursor:
        done = {row[0] for row in await cursor.fetchall()}
    applied = []
    for version, name, sql in migrations():
        if version in done:
            continue
        await db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _statements(sql):
                await db.execute(statement)
            await db.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, clock.now()),
            )
        except BaseException:
            await db.execute("ROLLBACK")
            raise
        await db.execute("COMMIT")
        applied.append(name)
    return applied


def _statements(sql: str) -> list[str]:
    """Split a migration into complete statements (trigger bodies contain ';')."""
    statements, pending = [], ""
    for line in sql.splitlines(keepends=True):
        if not pending and line.strip().startswith("--"):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements
