"""The benches' bulk loader (server/storage/bulk.py) leaves what the app would have left.

Attempts go in with the progress trigger set aside and progress is derived at
the end: these tests hold that derivation to the trigger's result, row for row,
on both backends, and check the database works as the app's afterwards.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from server.storage import SqliteStorage, Storage
from server.storage.bulk import bulk_loader

USER_COLUMNS = ("id", "email", "name", "password_hash", "created_at")
USERS = [
    (7, "alice@exemple.fr", "Alice", "x", "2026-01-01T08:00:00+00:00"),
    (9, "bruno@exemple.fr", "Bruno", "x", "2026-01-01T08:00:00+00:00"),
]
ATTEMPT_COLUMNS = (
    "user_id",
    "path_id",
    "module_id",
    "score",
    "passed",
    "answers",
    "content_version",
    "created_at",
    "quiz_signature",
    "attempt_no",
)


def _attempt(
    user: int, path: str, module: str, score: int, passed: int, at: str, sig: str | None
) -> tuple:
    return (user, path, module, score, passed, "{}", "v1", f"2026-02-{at}+00:00", sig, None)


# Each learner's attempts in time order, interleaved between learners as a site records them:
# a fail before the pass, a lower score after it, a pass on an older quiz then on the new one,
# a pass without a signature (the older one kept), a module never passed, two paths.
ATTEMPTS = [
    _attempt(7, "1h", "m1", 40, 0, "01T10:00:00", "old"),
    _attempt(9, "12h", "m1", 90, 1, "01T10:05:00", "old"),
    _attempt(7, "1h", "m1", 80, 1, "01T10:10:00", "old"),
    _attempt(7, "1h", "m1", 60, 0, "02T09:00:00", "new"),
    _attempt(9, "12h", "m1", 100, 1, "02T09:30:00", "new"),
    _attempt(7, "1h", "m2", 20, 0, "03T11:00:00", "s2"),
    _attempt(9, "12h", "m2", 85, 1, "03T12:00:00", "s2"),
    _attempt(9, "12h", "m2", 95, 1, "04T12:00:00", None),
    _attempt(7, "1h", "m2", 30, 0, "05T11:00:00", "s2"),
    _attempt(9, "1h", "m1", 50, 0, "06T08:00:00", "new"),
]


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """A new, empty database of the backend under test, each call another one."""
    if request.param == "sqlite":
        return lambda name: str(tmp_path / f"{name}.db")
    from tests.pg import ADMIN_URL, _url_for, need_postgres

    need_postgres()
    made: list[str] = []

    def make(name: str) -> str:
        database = f"{request.node.name.split('[')[0]}_{name}_{len(made)}"[:60].lower()
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{database}"')
        made.append(database)
        return _url_for(database)

    request.addfinalizer(lambda: _drop(made))
    return make


def _drop(databases: list[str]) -> None:
    from tests.pg import ADMIN_URL

    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        for database in databases:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _storage(target: str) -> Storage:
    if target.startswith("postgresql://"):
        from server.storage.postgres import PostgresStorage

        return PostgresStorage(target, pool_size=2)
    return SqliteStorage(Path(target))


def _rows(target: str, sql: str) -> list[tuple]:
    if target.startswith("postgresql://"):
        with psycopg.connect(target) as db:
            return [tuple(row) for row in db.execute(sql).fetchall()]
    with sqlite3.connect(target) as db:
        return [tuple(row) for row in db.execute(sql).fetchall()]


def _one_by_one(target: str) -> None:
    """The attempts as the app records them: one INSERT each, the trigger deriving."""
    asyncio.run(_open_and_close(target))
    mark = "%s" if target.startswith("postgresql://") else "?"

    def insert(table: str, columns: tuple[str, ...]) -> str:
        marks = ", ".join([mark] * len(columns))
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"

    statements = [(insert("users", USER_COLUMNS), user) for user in USERS]
    statements += [(insert("attempts", ATTEMPT_COLUMNS), attempt) for attempt in ATTEMPTS]
    if target.startswith("postgresql://"):
        with psycopg.connect(target) as pg:
            for sql, params in statements:
                pg.execute(sql, params)
        return
    with sqlite3.connect(target) as db:
        for sql, params in statements:
            db.execute(sql, params)


async def _open_and_close(target: str) -> None:
    storage = _storage(target)
    await storage.open()
    await storage.close()


PROGRESS = (
    "SELECT user_id, module_id, attempts, best_score, completed_at, updated_at, quiz_signature"
    " FROM progress ORDER BY user_id, module_id"
)
ENROLMENTS = "SELECT user_id, path_id, started_at FROM enrolments ORDER BY user_id, path_id"


def test_derived_progress_is_the_triggers(target: Callable[[str], str]) -> None:
    bulk, reference = target("bulk"), target("reference")
    with bulk_loader(bulk) as load:
        load.insert("users", USER_COLUMNS, USERS)
        load.insert("attempts", ATTEMPT_COLUMNS, ATTEMPTS)
    _one_by_one(reference)
    expected = _rows(reference, PROGRESS)
    assert len(expected) == 4  # by learner and module, whatever the path
    assert _rows(bulk, PROGRESS) == expected
    assert _rows(bulk, ENROLMENTS) == _rows(reference, ENROLMENTS)


def test_the_app_writes_on_after_a_bulk_load(target: Callable[[str], str]) -> None:
    """Ids given in bulk do not collide with the app's next ones, and the trigger is back."""
    database = target("after")
    with bulk_loader(database) as load:
        load.insert("users", USER_COLUMNS, USERS)
        load.insert(
            "sessions",
            ("token_hash", "user_id", "created_at", "expires_at"),
            [("jeton", 7, "2026-01-01T08:00:00+00:00", "2999-01-01T00:00:00+00:00")],
        )
        load.insert("attempts", ATTEMPT_COLUMNS, ATTEMPTS)

    async def scenario() -> None:
        storage = _storage(database)
        await storage.open()
        try:
            created = await storage.create_user("claire@exemple.fr", "Claire", "x")
            assert created is not None and created.id > 9
            before = (await storage.progress(7))["m2"]
            assert (before.attempts, before.completed_at) == (2, None)
            recorded = await storage.record_attempt("jeton", "1h", "m2", 90, True, {}, "v2", "s3")
            assert recorded is not None
            after = (await storage.progress(7))["m2"]
            assert (after.attempts, after.best_score, after.quiz_signature) == (3, 90, "s3")
        finally:
            await storage.close()

    asyncio.run(scenario())


def test_a_database_with_attempts_is_refused(target: Callable[[str], str]) -> None:
    """Progress is derived from every attempt: attempts already there would be counted twice."""
    database = target("refused")
    _one_by_one(database)
    with pytest.raises(ValueError, match="without attempts"), bulk_loader(database):
        pass


def test_only_the_tables_a_bench_fills(tmp_path: Path) -> None:
    with bulk_loader(tmp_path / "names.db") as load:
        with pytest.raises(ValueError):
            load.insert("progress", ("user_id",), [(1,)])
        with pytest.raises(ValueError):
            load.insert("users", ("id; DROP TABLE users",), [(1,)])
