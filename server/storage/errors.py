"""A database that cannot serve (full disk, I/O error, locked, PostgreSQL gone)
answers 503, not 500.

Such a failure is the machine's, not a bug: the visitor is told plainly that
the service is unavailable for a moment, and `Retry-After` says when to try
again. Nothing is kept in a broken state: SQLite rolls back the failed
statement, so the next request succeeds once space is back, without a restart.
PostgreSQL that goes away (restarted, network cut) raises psycopg's
OperationalError (the pool's timeout too): the same 503, and the pool connects
again once the server answers.
Any other database error (a bad query: a bug) stays a logged 500.
"""

from __future__ import annotations

import logging
import sqlite3
import sys

from starlette.requests import Request
from starlette.responses import Response

from server.errors import error_page

log = logging.getLogger("alliances")
RETRY_AFTER_SECONDS = 30
# Primary result codes that mean « the storage cannot do it now », not « the SQL is wrong ».
UNAVAILABLE = frozenset(
    {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_NOMEM,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PROTOCOL,
        sqlite3.SQLITE_NOTADB,
    }
)
MESSAGE = (
    "Le service ne peut pas enregistrer ni lire vos données pour le moment "
    "(espace disque ou base de données indisponible). Votre dernière action n’a pas "
    "été prise en compte\u00a0; réessayez dans quelques minutes."
)


def is_unavailable(exc: BaseException) -> bool:
    """True for a failure of the storage itself (disk full, I/O error, lock, corruption,
    a PostgreSQL server that cannot be reached or dropped the connection)."""
    psycopg = sys.modules.get("psycopg")  # loaded only with the PostgreSQL backend
    if psycopg is not None and isinstance(exc, psycopg.OperationalError):
        return True
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(exc, sqlite3.Error) and code is not None and code & 0xFF in UNAVAILABLE


def storage_errors(postgres: bool) -> tuple[type[Exception], ...]:
    """The exception classes `storage_failure` handles for the app's backend."""
    if not postgres:
        return (sqlite3.Error,)
    import psycopg

    return (sqlite3.Error, psycopg.Error)


async def storage_failure(request: Request, exc: Exception) -> Response:
    if not is_unavailable(exc):
        raise exc  # a bug: the usual logged 500, with its traceback
    log.error("storage unavailable on %s %s: %s", request.method, request.url.path, exc)
    response = error_page(request, 503, MESSAGE)
    response.headers["retry-after"] = str(RETRY_AFTER_SECONDS)
    return response
