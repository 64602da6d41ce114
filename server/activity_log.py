"""Module-page hits, gathered in memory and written in batches (issue #18 §2).

A module page is the learner's hot path: its one query reads everything it shows
(`session_learner_state`), and a write of its own would add a round trip to every
page. Hits are noted here instead and written every `FLUSH_EVERY` seconds, one
transaction for all of them (server/storage/activity.py). A batch holds, per
learner and module, the first and last hit of less than `FLUSH_EVERY`: one stretch,
as course/activity.py counts them. What a crash loses is the last few seconds'
hits, which the learner's next request or heartbeat makes good.
"""

from __future__ import annotations

import asyncio
import logging
import time

from server import clock
from server.storage import Storage

log = logging.getLogger("alliances")

FLUSH_EVERY = 5.0  # seconds: far below the idle cut-off, so a batch is one stretch
FLUSH_CHUNK = 100  # hits per transaction
# The page beats every 60 s; a session may beat at most every 20 s (two tabs, a retry).
HEARTBEAT_EVERY = 20.0
_REMEMBERED = 50_000  # sessions whose last beat is kept before the old ones are dropped


class ActivityLog:
    """The hits not yet written: (user id, module id) -> (first, last) moment."""

    def __init__(self) -> None:
        self._pending: dict[tuple[int, str], tuple[str, str]] = {}
        self._flushing: set[asyncio.Task[None]] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._beats: dict[str, float] = {}  # session hash -> when it last beat (monotonic)

    def beat_wait(self, session: str) -> float:
        """Seconds this session must wait before its next heartbeat; 0 when it may beat now.

        Kept per process, in memory: the limit keeps a heartbeat cheap, it guards
        nothing (a beat only extends a stretch the learner's own page started).
        """
        moment = time.monotonic()
        last = self._beats.get(session)
        if last is not None and moment - last < HEARTBEAT_EVERY:
            return HEARTBEAT_EVERY - (moment - last)
        if len(self._beats) >= _REMEMBERED:
            self._beats = {s: t for s, t in self._beats.items() if moment - t < HEARTBEAT_EVERY}
        self._beats[session] = moment
        return 0.0

    def note(self, storage: Storage, user_id: int, module_id: str) -> None:
        """A hit now; the write follows within `FLUSH_EVERY` seconds."""
        stamp = clock.now()
        key = (user_id, module_id)
        first, last = self._pending.get(key, (stamp, stamp))
        self._pending[key] = (min(first, stamp), max(last, stamp))
        if self._timer is None:
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(FLUSH_EVERY, self._start_flush, storage)

    def _start_flush(self, storage: Storage) -> None:
        task = asyncio.get_running_loop().create_task(self.flush(storage))
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def flush(self, storage: Storage) -> None:
        """Write every pending hit now (also at shutdown, before the storage closes)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending = self._pending, {}
        if not batch:
            return
        hits = [(user, module, first, last) for (user, module), (first, last) in batch.items()]
        # In chunks: SQLite has one writer, and a quiz submission arriving during a flush
        # waits behind one chunk, not behind thousands of learners' hits (its p99 doubled).
        for start in range(0, len(hits), FLUSH_CHUNK):
            chunk = hits[start : start + FLUSH_CHUNK]
            try:
                await storage.record_hits(chunk)
            except Exception:  # a background write: logged, never an unretrieved task error
                # A full disk or a database gone: these hits are lost, the pages still show.
                log.exception("activity not recorded (%d hits)", len(chunk))

    async def close(self, storage: Storage) -> None:
        """Wait for a running flush, then write what is left."""
        if self._flushing:
            await asyncio.wait(set(self._flushing), timeout=10)
        await self.flush(storage)
