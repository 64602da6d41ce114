"""The module pages' hits are written in small transactions, not one per batch.

SQLite has one writer: a flush of thousands of learners' hits in one transaction
held every quiz submission arriving meanwhile behind it (the submission's p99
under `make bench` went from 30 to 66 ms). A flush is now written in chunks of
`FLUSH_CHUNK` hits, so a submission waits behind one chunk at most.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, cast

from server.activity_log import FLUSH_CHUNK, ActivityLog
from server.storage import Storage


class Recorder:
    """Stands for the storage: keeps each `record_hits` call's size."""

    def __init__(self, fail_first: bool = False) -> None:
        self.calls: list[int] = []
        self.fail_first = fail_first

    async def record_hits(self, hits: Sequence[tuple[int, str, str, str]]) -> None:
        self.calls.append(len(hits))
        if self.fail_first and len(self.calls) == 1:
            raise OSError("disque plein")


def test_a_large_flush_is_written_in_chunks() -> None:
    async def scenario() -> list[int]:
        recorder = Recorder()
        storage = cast(Storage, recorder)
        log = ActivityLog()
        for user in range(2 * FLUSH_CHUNK + 5):
            log.note(storage, user, "intro")
        await log.flush(storage)
        return recorder.calls

    assert asyncio.run(scenario()) == [FLUSH_CHUNK, FLUSH_CHUNK, 5]


def test_a_failed_chunk_does_not_lose_the_others(caplog: Any) -> None:
    async def scenario() -> list[int]:
        recorder = Recorder(fail_first=True)
        storage = cast(Storage, recorder)
        log = ActivityLog()
        for user in range(FLUSH_CHUNK + 1):
            log.note(storage, user, "intro")
        await log.flush(storage)
        return recorder.calls

    assert asyncio.run(scenario()) == [FLUSH_CHUNK, 1]
    assert "activity not recorded (100 hits)" in caplog.text
