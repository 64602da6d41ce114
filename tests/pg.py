"""A PostgreSQL database of its own for each test that needs one.

The server is the one of the development and CI machines (127.0.0.1:5432,
trust authentication), or `ALLIANCES_TEST_DATABASE_URL`. Each test creates a
fresh database and drops it afterwards. Without a server the tests are skipped
locally; under CI (the `CI` variable set) an unreachable server is a failure.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

ADMIN_URL = os.environ.get(
    "ALLIANCES_TEST_DATABASE_URL", "postgresql://root@127.0.0.1:5432/postgres"
)


ON_POSTGRES = os.environ.get("ALLIANCES_TEST_BACKEND") == "postgres"


def sqlite_only(reason: str) -> pytest.MarkDecorator:
    """Skip a test under ALLIANCES_TEST_BACKEND=postgres: it checks something only
    SQLite has (WAL, PRAGMA, a database file); `reason` says what."""
    return pytest.mark.skipif(ON_POSTGRES, reason=f"SQLite only: {reason}")


def _reachable() -> str | None:
    try:
        with psycopg.connect(ADMIN_URL, connect_timeout=3, autocommit=True):
            return None
    except psycopg.Error as exc:
        return " ".join(str(exc).split())


def _url_for(database: str) -> str:
    parts = urlsplit(ADMIN_URL)
    return urlunsplit(parts._replace(path=f"/{database}"))


def need_postgres() -> None:
    problem = _reachable()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI and unreachable: {problem}")
        pytest.skip(f"no PostgreSQL server: {problem}")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """The URL of a new, empty database, dropped after the test."""
    need_postgres()
    name = f"alliances_test_{secrets.token_hex(6)}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url_for(name)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
