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

Under load the event loop is busy and each of its iterations takes a while, so
a flush's round trip is kept to as few iterations as possible: a dedicated
thread flushes and calls back once; the callback wakes each waiter's own future
directly and starts the next flush at once if commits arrived meanwhile.

The WAL file keeps its inode while a connection to the database is open, and
`Storage` keeps two open, so one descriptor serves for the server's lifetime.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from pathlib import Path
from queue import SimpleQueue
from typing import Any

_flush = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync


class NotDurable(Exception):
    """The disk refused a flush: no write can be confirmed until a restart."""


class WalSync:
    def __init__(self, wal: Path) -> None:
        self._fd = os.open(wal, os.O_RDONLY)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._committed = 0  # commits reported so far
        self._in_flight: int | None = None  # commits the running flush covers
        self._waiting: list[tuple[int, asyncio.Future[None]]] = []
        self._failed: NotDurable | None = None
        self._requests: SimpleQueue[int | None] = SimpleQueue()
        self._thread = threading.Thread(target=self._flusher, name="wal-sync", daemon=True)
        self._thread.start()

    @property
    def failed(self) -> bool:
        """A flush failed: no write can be confirmed until a restart (`/healthz` says so)."""
        return self._failed is not None

    async def durable(self) -> None:
        """Wait until every transaction committed before this call is on disk."""
        if self._failed is not None:
            raise NotDurable(str(self._failed)) from self._failed.__cause__
        self._loop = loop = asyncio.get_running_loop()
        self._committed += 1
        done = loop.create_future()  # this waiter's own: cancelling it touches no other
        self._waiting.append((self._committed, done))
        if self._in_flight is None:
            self._start()
        await done

    def _start(self) -> None:
        self._in_flight = self._committed
        self._requests.put(self._committed)

    def _flusher(self) -> None:
        """The thread: one flush per request, then one call back into the loop."""
        while (covered := self._requests.get()) is not None:
            try:
                _flush(self._fd)
            except OSError as exc:
                self._call(self._fail, exc)
            else:
                self._call(self._flushed, covered)

    def _call(self, callback: Callable[[Any], None], argument: object) -> None:
        assert self._loop is not None, "a flush is only requested from durable()"
        self._loop.call_soon_threadsafe(callback, argument)

    def _flushed(self, covered: int) -> None:
        self._in_flight = None
        still = []
        for wanted, done in self._waiting:
            if wanted > covered:
                still.append((wanted, done))
            elif not done.done():
                done.set_result(None)
        self._waiting = still
        if still:
            self._start()  # commits arrived during the flush: the next one covers them

    def _fail(self, exc: OSError) -> None:
        # After a failed flush, Linux may drop the dirty pages and report the next
        # flush as a success: no later write can be confirmed either.
        self._failed = NotDurable(f"flushing the WAL failed: {exc}")
        self._failed.__cause__ = exc
        self._in_flight = None
        for _, done in self._waiting:
            if not done.done():
                done.set_exception(NotDurable(str(self._failed)))
        self._waiting = []

    def close(self) -> None:
        self._requests.put(None)
        self._thread.join()
        os.close(self._fd)
