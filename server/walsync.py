"""Group commit: durable commits that share one flush of the WAL to disk.

With `synchronous = FULL`, SQLite flushes the WAL file inside every commit, so
the single writer thread waits for the disk once per transaction and every
other write queues behind that wait. Here the writer connection runs with
`synchronous = NORMAL` (commits reach the operating system, not yet the disk;
checkpoints still flush) and each write method, once its transaction has
committed, awaits `WalSync.durable()`: it returns when an `fdatasync` of the
WAL file that began *after* that commit has completed. While one flush runs,
more transactions commit; the next flush covers them all. Each write is still
its own transaction, and no response confirms a write before it is on disk.

What this gives up, knowingly: another request may read a committed row during
the fraction of a millisecond before it is flushed. Should the machine lose
power in that instant, a page may have shown a row that is then gone; but no
write confirmed to its author is lost, and a write that depends on it is later
in the same append-only file, so it cannot survive without it.

The WAL file keeps its inode while a connection to the database is open, and
`Storage` keeps two open, so one descriptor serves for the server's lifetime.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

_flush = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync


class NotDurable(Exception):
    """The disk refused a flush: no write can be confirmed until a restart."""


class WalSync:
    def __init__(self, wal: Path) -> None:
        self._fd = os.open(wal, os.O_RDONLY)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="wal-sync")
        self._committed = 0  # commits reported so far
        self._flushed = 0  # commits known to be on disk
        self._running: asyncio.Future[None] | None = None
        self._failed: NotDurable | None = None

    async def durable(self) -> None:
        """Wait until every transaction committed before this call is on disk."""
        if self._failed is not None:
            raise NotDurable(str(self._failed)) from self._failed.__cause__
        self._committed += 1
        wanted = self._committed
        while self._flushed < wanted:
            if self._running is None:
                self._running = asyncio.ensure_future(self._flush_once())
            # Shielded: a client that goes away must not cancel others' flush.
            await asyncio.shield(self._running)

    async def _flush_once(self) -> None:
        covered = self._committed
        try:
            await asyncio.get_running_loop().run_in_executor(self._thread, _flush, self._fd)
            self._flushed = covered
        except OSError as exc:
            # After a failed flush, Linux may drop the dirty pages and report the
            # next flush as a success: no later write can be confirmed either.
            self._failed = NotDurable(f"flushing the WAL failed: {exc}")
            raise self._failed from exc
        finally:
            self._running = None

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        os.close(self._fd)
