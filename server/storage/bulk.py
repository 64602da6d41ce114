"""Bulk loading, for benches: a database filled as the app would have filled it, fast.

A bench of how cost grows with the work needs 100,000 learners and 10 million
attempts; recorded one by one through the app, that would take hours. Here rows
go in by the hundred thousand (SQLite: `executemany` in large transactions;
PostgreSQL: `COPY`), and what the app derives from them is derived in bulk:

- attempts go in with the progress trigger set aside; `finish` then writes each
  learner's progress and enrolments from all their attempts at once, by the
  progress rules of course/progress.py, exactly as the trigger would have, on
  one condition: each learner's attempts are inserted in time order, as the app
  records them (tests/test_bulk_loading.py holds the two to one result);
- identity sequences (PostgreSQL) are moved past the ids given, so the app's
  own inserts afterwards never collide; statistics are gathered on PostgreSQL,
  as its autovacuum would; SQLite's are left alone, as the app leaves them.

Only for a database that holds no attempts yet and that nothing else writes
meanwhile; never used by the server. Every statement lives here, none in bench/.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# What a bench may fill directly; everything else follows from these rows.
TABLES = frozenset(
    {"users", "sessions", "role_changes", "cohorts", "cohort_members", "attempts", "certificates"}
)
_NAME = re.compile(r"^[a-z_]+$")
SQLITE_BATCH = 200_000  # rows per transaction: few commits, bounded journal

# The progress rules over a whole table of attempts, in the SQL both databases read.
# A learner's attempts in time order make the first pass the earliest, the last attempt
# the latest; the quiz version kept is that of the last pass that had one.
DERIVE_PROGRESS = (
    "INSERT INTO progress (user_id, module_id, attempts, best_score, completed_at,"
    " updated_at, quiz_signature)"
    " SELECT a.user_id, a.module_id, count(*), max(a.score),"
    " min(CASE WHEN a.passed <> 0 THEN a.created_at END), max(a.created_at),"
    " (SELECT b.quiz_signature FROM attempts b WHERE b.user_id = a.user_id"
    " AND b.module_id = a.module_id AND b.passed <> 0 AND b.quiz_signature IS NOT NULL"
    " ORDER BY b.id DESC LIMIT 1)"
    " FROM attempts a GROUP BY a.user_id, a.module_id"
)
DERIVE_ENROLMENTS = (
    "INSERT INTO enrolments (user_id, path_id, started_at)"
    " SELECT user_id, path_id, min(created_at) FROM attempts GROUP BY user_id, path_id"
    " ON CONFLICT DO NOTHING"
)
TRIGGER = "attempts_update_progress"


def _checked(table: str, columns: Sequence[str]) -> str:
    """The column list, once the names are known to be plain identifiers of a known table."""
    if table not in TABLES or not all(_NAME.match(c) for c in columns):
        raise ValueError(f"not a table or columns a bench may fill: {table} {columns}")
    return ", ".join(columns)


class BulkLoader:
    """Rows in by the hundred thousand; `finish` derives what the app would have."""

    finished = False

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
        """Add `rows` (tuples in `columns` order) to `table`, committed; how many."""
        raise NotImplementedError

    def finish(self) -> None:
        """Derive progress and enrolments, put the trigger back, make the database ready."""
        raise NotImplementedError

    def size_bytes(self) -> int:
        """The database's size on disk."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class SqliteBulkLoader(BulkLoader):
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        # The bench's own database: a crash mid-seed loses a file thrown away anyway.
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute("PRAGMA cache_size = -262144")  # 256 MiB
        self.db.execute("PRAGMA foreign_keys = ON")
        try:
            _refuse_if_attempts(
                self.db.execute("SELECT EXISTS (SELECT 1 FROM attempts)").fetchone()
            )
            (self.trigger_sql,) = self.db.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (TRIGGER,)
            ).fetchone()
            self.db.execute(f"DROP TRIGGER {TRIGGER}")
        except BaseException:
            self.db.close()
            raise

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
        names = _checked(table, columns)
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
        for start in range(0, len(rows), SQLITE_BATCH):
            self.db.execute("BEGIN")
            self.db.executemany(sql, rows[start : start + SQLITE_BATCH])
            self.db.execute("COMMIT")
        return len(rows)

    def finish(self) -> None:
        self.db.execute("BEGIN")
        self.db.execute(DERIVE_PROGRESS)
        self.db.execute(DERIVE_ENROLMENTS)
        self.db.execute(self.trigger_sql)
        self.db.execute("COMMIT")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.finished = True

    def size_bytes(self) -> int:
        wal = self.path.with_name(self.path.name + "-wal")
        return self.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)

    def close(self) -> None:
        self.db.close()


class PostgresBulkLoader(BulkLoader):
    def __init__(self, url: str) -> None:
        import psycopg

        self.db = psycopg.connect(url)
        try:
            _refuse_if_attempts(
                self.db.execute("SELECT EXISTS (SELECT 1 FROM attempts)").fetchone()
            )
            self.db.execute(f"ALTER TABLE attempts DISABLE TRIGGER {TRIGGER}")
            self.db.commit()
        except BaseException:
            self.db.close()
            raise

    def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
        names = _checked(table, columns)
        with self.db.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        self.db.commit()
        return len(rows)

    def finish(self) -> None:
        self.db.execute(DERIVE_PROGRESS)
        self.db.execute(DERIVE_ENROLMENTS)
        self.db.execute(f"ALTER TABLE attempts ENABLE TRIGGER {TRIGGER}")
        identities = self.db.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND is_identity = 'YES'"
        ).fetchall()
        for table, column in identities:
            # Past the largest id given, so the app's next INSERT draws a free one.
            self.db.execute(
                f'SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max("{column}"), 0) + 1,'
                f' false) FROM "{table}"',
                (table, column),
            )
        self.db.commit()
        self.db.autocommit = True
        self.db.execute("VACUUM ANALYZE")  # what autovacuum would do after such a load
        self.finished = True

    def size_bytes(self) -> int:
        row = self.db.execute("SELECT pg_database_size(current_database())").fetchone()
        assert row is not None
        return int(row[0])

    def close(self) -> None:
        self.db.close()


def _refuse_if_attempts(row: Any) -> None:
    if row and row[0]:
        raise ValueError("bulk loading needs a database without attempts: progress is derived")


@contextmanager
def bulk_loader(target: Path | str) -> Iterator[BulkLoader]:
    """A loader for the SQLite file or PostgreSQL URL `target`, migrated first;
    finished on leaving the block, if the caller did not finish it."""
    asyncio.run(_migrate(target))
    is_url = isinstance(target, str) and target.startswith("postgresql://")
    loader: BulkLoader = (
        PostgresBulkLoader(str(target)) if is_url else SqliteBulkLoader(Path(target))
    )
    try:
        yield loader
        if not loader.finished:
            loader.finish()
    finally:
        loader.close()


async def _migrate(target: Path | str) -> None:
    """Open the backend once, as the server does: every migration applied."""
    from server.storage.interface import Storage

    storage: Storage
    if isinstance(target, str) and target.startswith("postgresql://"):
        from server.storage.postgres import PostgresStorage

        storage = PostgresStorage(target)
    else:
        from server.storage.sqlite import SqliteStorage

        storage = SqliteStorage(Path(target))
    await storage.open()
    await storage.close()
