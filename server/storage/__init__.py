"""Storage: every SQL statement of the project, behind one interface, two backends.

- `records.py`: what the rest of the code reads (User, Cohort, …), free of SQL;
- `interface.py`: `Storage`, the typed list of every domain method;
- `domain.py` and its mixins (`learning.py`, `cohorts.py`, …): those methods,
  written once;
- `sqlite.py` (the embedded default) and `postgres.py`: the two backends;
- `open_storage(settings)` picks one from ALLIANCES_DATABASE.
"""

from __future__ import annotations

from server.settings import Settings
from server.storage.interface import Storage
from server.storage.records import LastAttempt, RecordedAttempt, Step, User
from server.storage.sqlite import SqliteStorage

__all__ = [
    "LastAttempt",
    "RecordedAttempt",
    "SqliteStorage",
    "Step",
    "Storage",
    "User",
    "open_storage",
]


def open_storage(settings: Settings) -> Storage:
    """The backend ALLIANCES_DATABASE names, not yet opened."""
    if settings.database_url:
        from server.storage.postgres import PostgresStorage  # psycopg only when used

        return PostgresStorage(settings.database_url)
    return SqliteStorage(settings.database)
