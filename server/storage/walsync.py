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
thread flushes, starts the next flush at once if commits arrived meanwhile,
and calls back once into each event loop that has waiters (the server has one;
a test may drive one app from two TestClients, each with its own loop), where
the callback wakes each waiter's own future directly.

The WAL file keeps its inode while a connection to the database is open, and
`Storage` keeps two open, so one descriptor serves for the server's lifetime.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from pathlib import Path
from queue import SimpleQueue

_flush = getattr(os, "fdatasync", os.fsync)  # macOS has no fdatasync


class NotDurable(Exception):
    """The disk refused a flush: no write can be confirmed until a restart."""


class WalSync:
    def __init__(self, wal: Path) -> None:
        self._fd = os.open(wal, os.O_RDONLY)
        # Waiters are added on the event loop and settled in the flusher thread.
        self._lock = threading.Lock()
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
        done = asyncio.get_running_loop().create_future()  # cancelling it touches no other
        with self._lock:
            if self._failed is not None:
                raise NotDurable(str(self._failed)) from self._failed.__cause__
            self._committed += 1
            self._waiting.append((self._committed, done))
            if self._in_flight is None:
                self._start()
        await done

    def _start(self) -> None:
        """Ask the thread for a flush covering every commit so far (under the lock)."""
        self._in_flight = self._committed
        self._requests.put(self._committed)

    def _flusher(self) -> None:
        """The thread: one flush per request, then one call back into each waiting loop."""
        while (covered := self._requests.get()) is not None:
            try:
                _flush(self._fd)
            except OSError as exc:
                self._settle(covered, exc)
            else:
                self._settle(covered, None)

    def _settle(self, covered: int, error: OSError | None) -> None:
        with self._lock:
            self._in_flight = None
            if error is not None:
                # After a failed flush, Linux may drop the dirty pages and report the
                # next flush as a success: no later write can be confirmed either.
                self._failed = NotDurable(f"flushing the WAL failed: {error}")
                self._failed.__cause__ = error
                ready, self._waiting = self._waiting, []
            else:
                ready = [waiter for waiter in self._waiting if waiter[0] <= covered]
                self._waiting = [waiter for waiter in self._waiting if waiter[0] > covered]
                if self._waiting:
                    self._start()  # commits arrived during the flush: the next one covers them
            failed = self._failed
        loops: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
        for _, done in ready:
            loops.setdefault(done.get_loop(), []).append(done)
        for loop, futures in loops.items():
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits there
                loop.call_soon_threadsafe(_wake, futures, failed)

    def close(self) -> None:
        self._requests.put(None)
        self._thread.join()
        os.close(self._fd)


def _wake(futures: list[asyncio.Future[None]], failed: NotDurable | None) -> None:
    """On the waiters' own loop: each one's future, done or failed."""
    for done in futures:
        if done.done():  # its client went away
            continue
        if failed is None:
            done.set_result(None)
        else:
            done.set_exception(NotDurable(str(failed)))
