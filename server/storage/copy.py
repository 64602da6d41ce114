"""`alliances db copy`: move a site from its SQLite file to PostgreSQL, ids and all.

The growth path of a site that outgrows one machine. The target must be an
empty database: its schema is created by the PostgreSQL migrations, then each
table is copied in the order its foreign keys need, in one transaction, with
the schema's triggers switched off (they derive progress and roles from the
rows being copied, which already hold them). The source is read in one read
transaction, so the copy is one consistent state of the file. Identity
sequences restart after the highest copied id; row counts are compared table by
table before the transaction commits. Certificates keep their ids, so their
public URLs and QR codes keep working.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from server.storage.postgres import PostgresPlumbing
from server.storage.sqlite import SqliteStorage

# Parents before children (foreign keys); every table of the schema but the migrations log.
TABLES = (
    "users",
    "sessions",
    "enrolments",
    "progress",
    "attempts",
    "reflections",
    "activity_stretches",
    "certificates",
    "realisation_certificates",
    "badge_credentials",  # no foreign key: outlives a purged certificate
    "user_roles",
    "role_changes",
    "cohorts",
    "cohort_trainers",
    "cohort_members",
    "invitations",
    "login_attempts",
    "account_tokens",
    "outbox",
    "reminders",
    "rate_events",
    "content_state",
    "lti_platforms",
    "lti_deployments",
    "lti_logins",
    "lti_accounts",
    "lti_registration_links",
    "lti_contexts",
    "lti_grade_links",
    "lti_grades",
    "signing_keys",
    "satisfaction_answers",
    "satisfaction_asked",
    "questions",
    "question_messages",
)
NOT_COPIED = ("schema_migrations",)  # each database keeps its own migrations log
BATCH = 1000
CONNECT_TIMEOUT = 10  # seconds


class CopyError(Exception):
    """Why the copy could not be made, in one line; nothing was written."""


def source_path(raw: str) -> Path:
    """`--from`: a SQLite file, as a path or a sqlite:///path URL."""
    raw = raw.strip()
    if raw.startswith("sqlite:///") and len(raw) > len("sqlite:///"):
        return Path(raw.removeprefix("sqlite:///"))
    if not raw or "://" in raw:
        raise CopyError(f"--from must be a SQLite file (a path or sqlite:///path), not {raw!r}")
    return Path(raw)


def target_url(raw: str) -> str:
    """`--to`: a postgresql:// URL naming a database."""
    raw = raw.strip()
    if not raw.startswith(("postgresql://", "postgres://")) or not urlsplit(raw).path.strip("/"):
        raise CopyError(
            "--to must be a PostgreSQL URL naming the database: "
            "postgresql://user:password@host:5432/database"
        )
    return raw


def shown(url: str) -> str:
    """The target as an operator knows it, without the password."""
    parts = urlsplit(url)
    host = f"{parts.hostname or 'localhost'}{f':{parts.port}' if parts.port else ''}"
    return f"{parts.scheme}://{host}{parts.path}"


def copy_sqlite_to_postgres(
    source: Path, target: str, say: Callable[[str], None] = print
) -> dict[str, int]:
    """Copy every table of `source` into the empty database at `target`: rows per table."""
    if not source.is_file():
        raise CopyError(f"no SQLite database at {source}")
    _reachable(target)
    asyncio.run(_migrate(source, target))  # both schemas at their latest version
    counts: dict[str, int] = {}
    try:
        src = sqlite3.connect(source)
    except sqlite3.Error as exc:
        raise CopyError(f"cannot read {source}: {exc}") from exc
    try:
        tables = _tables_to_copy(_sqlite_tables(src))
        with psycopg.connect(target, connect_timeout=CONNECT_TIMEOUT) as dst:
            missing = sorted(set(tables) - _postgres_tables(dst))
            if missing:
                raise CopyError(f"the PostgreSQL schema lacks the tables {', '.join(missing)}")
            _refuse_non_empty(dst, tables)
            src.execute("BEGIN")  # one snapshot of the file for every table and count
            with dst.transaction():
                _set_triggers(dst, tables, "DISABLE")
                for table in tables:
                    counts[table] = _copy_table(src, dst, table)
                    say(f"{table}: {_rows(counts[table])}")
                _set_triggers(dst, tables, "ENABLE")
                _restart_sequences(dst)
                _verify(src, dst, counts)
    except psycopg.Error as exc:
        raise CopyError(f"PostgreSQL refused the copy: {_one_line(exc)}") from exc
    except sqlite3.Error as exc:
        raise CopyError(f"cannot read {source}: {exc}") from exc
    finally:
        src.close()
    say(
        f"copied {_rows(sum(counts.values()))} in {len(counts)} tables from {source}"
        f" to {shown(target)}; row counts verified, id sequences restarted"
    )
    return counts


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _reachable(target: str) -> None:
    """A refused connection in one line, at once, before anything is touched."""
    try:
        psycopg.connect(target, connect_timeout=CONNECT_TIMEOUT).close()
    except psycopg.Error as exc:
        raise CopyError(f"cannot connect to {shown(target)}: {_one_line(exc)}") from exc


async def _migrate(source: Path, target: str) -> None:
    sqlite_side = SqliteStorage(source)
    try:
        await sqlite_side.open()  # a file from an older version is brought up to date first
    except sqlite3.Error as exc:
        raise CopyError(f"cannot read {source}: {exc}") from exc
    await sqlite_side.close()
    postgres_side = PostgresPlumbing(target, pool_size=1)
    try:
        await postgres_side.open()
    except Exception as exc:
        raise CopyError(f"cannot prepare {shown(target)}: {_one_line(exc)}") from exc
    await postgres_side.close()


def _sqlite_tables(src: sqlite3.Connection) -> set[str]:
    rows = src.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_'"
    )
    return {row[0] for row in rows} - set(NOT_COPIED)


def _postgres_tables(dst: psycopg.Connection) -> set[str]:
    rows = dst.execute(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
    )
    return {row[0] for row in rows} - set(NOT_COPIED)


def _tables_to_copy(found: set[str]) -> list[str]:
    """TABLES that the file has, in order; a table this version does not know is refused,
    not dropped silently."""
    unknown = sorted(found - set(TABLES))
    if unknown:
        raise CopyError(
            f"the SQLite database has tables this copy does not know: {', '.join(unknown)}"
            " (add them to TABLES in server/storage/copy.py, in foreign-key order)"
        )
    return [table for table in TABLES if table in found]


def _refuse_non_empty(dst: psycopg.Connection, tables: list[str]) -> None:
    for table in tables:
        row = dst.execute(
            sql.SQL("SELECT 1 FROM {} LIMIT 1").format(sql.Identifier(table))
        ).fetchone()
        if row is not None:
            raise CopyError(
                f"the target database is not empty (table {table} has rows): "
                "copy into a new, empty database"
            )


def _set_triggers(dst: psycopg.Connection, tables: list[str], action: str) -> None:
    """The schema's own triggers (not the foreign keys' checks) off or on again."""
    for table in tables:
        dst.execute(
            sql.SQL("ALTER TABLE {} {} TRIGGER USER").format(sql.Identifier(table), sql.SQL(action))
        )


def _copy_table(src: sqlite3.Connection, dst: psycopg.Connection, table: str) -> int:
    wanted = [
        row[0]
        for row in dst.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s"
            " ORDER BY ordinal_position",
            (table,),
        )
    ]
    present = [row[1] for row in src.execute(f'PRAGMA table_info("{table}")')]
    dropped = [name for name in present if name not in wanted]
    if dropped:
        raise CopyError(
            f"the PostgreSQL table {table} has no column {', '.join(dropped)}:"
            " its data would be lost"
        )
    columns = [name for name in wanted if name in present]
    quoted = ", ".join(f'"{name}"' for name in columns)
    copied = 0
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with dst.cursor().copy(statement) as copy:
        cursor = src.execute(f'SELECT {quoted} FROM "{table}"')
        while rows := cursor.fetchmany(BATCH):
            for row in rows:
                copy.write_row(row)
            copied += len(rows)
    return copied


def _restart_sequences(dst: psycopg.Connection) -> None:
    """Identity columns continue after the highest copied id, not at 1."""
    identities = dst.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND is_identity = 'YES'"
    ).fetchall()
    for table, column in identities:
        dst.execute(
            sql.SQL(
                "SELECT setval(pg_get_serial_sequence(%s, %s),"
                " COALESCE((SELECT max({col}) FROM {tab}), 0) + 1, false)"
            ).format(col=sql.Identifier(column), tab=sql.Identifier(table)),
            (table, column),
        )


def _verify(src: sqlite3.Connection, dst: psycopg.Connection, counts: dict[str, int]) -> None:
    for table in counts:
        (expected,) = src.execute(f'SELECT count(*) FROM "{table}"').fetchone()
        row = dst.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()
        found = row[0] if row else None
        if found != expected or counts[table] != expected:
            raise CopyError(
                f"row counts differ for {table}: {expected} in SQLite, {found} in PostgreSQL"
            )
