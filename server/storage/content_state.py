"""SQL for the content version the instances share: part of the storage layer.

One row (id = 1): the version the last reload installed, and when. The
instance that reloads writes it; every instance polls it (server/content_sync.py),
a primary-key read, outside request handling.
"""

from __future__ import annotations

from server.storage.base import Database


class ContentStateQueries(Database):
    """The shared content version, for several instances on one database."""

    async def announce_content(self, version: str, at: str) -> None:
        """Record that `version` was installed at `at`: the other instances follow it."""
        await self._write(
            "INSERT INTO content_state (id, version, reloaded_at) VALUES (1, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET version = excluded.version,"
            " reloaded_at = excluded.reloaded_at",
            (version, at),
        )

    async def content_state(self) -> tuple[str, str] | None:
        """(version, reloaded_at) of the last announced reload, or None before the first."""
        row = await self._one("SELECT version, reloaded_at FROM content_state WHERE id = 1")
        return None if row is None else (row[0], row[1])
