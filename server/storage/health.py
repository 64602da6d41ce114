"""Whether the database can take a write now: part of the storage layer, for `/healthz`.

Mixed into `server.storage.Storage`. `SELECT 1` succeeds on a full disk, so a
health check built on it says « ok » while every write fails. This probe asks
what a write needs: the flusher still confirming commits, room on the disk for
the WAL to grow, and the write lock (`BEGIN IMMEDIATE`, rolled back at once in
the same call, so no other statement can run inside it). A PostgreSQL backend
would answer the same question its own way.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

import aiosqlite

from server.storage.walsync import WalSync

# Below this much free space a write is about to fail: a WAL frame is a page (4 KiB),
# a transaction often several, and a checkpoint needs room of its own.
MIN_FREE_BYTES = 1024 * 1024


class HealthQueries:
    """The write probe behind `/healthz`."""

    if TYPE_CHECKING:  # provided by Storage
        path: Path
        _wal_sync: WalSync | None

        def _writer_connection(self) -> aiosqlite.Connection: ...

    async def write_problem(self) -> str | None:
        """Why a write would fail now (in plain words), or None when it can go through."""
        if self._wal_sync is not None and self._wal_sync.failed:
            return "a flush to disk failed: restart the server"
        try:
            free = await asyncio.to_thread(_free_bytes, self.path.parent)
        except OSError as exc:
            return f"cannot read the disk's free space: {exc.strerror}"
        if free < MIN_FREE_BYTES:
            return f"disk full: {free // 1024} KiB free"
        try:
            await self._writer_connection().executescript("BEGIN IMMEDIATE; ROLLBACK;")
        except sqlite3.Error as exc:
            return f"cannot start a write: {exc}"
        return None


def _free_bytes(folder: Path) -> int:
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize
