"""The background loop every outbox sender runs: the mail's and the LTI grades'.

A sender claims what is due (its `step`), looks again at once while there was
something, and otherwise sleeps until woken (this process recorded something) or
until `poll_seconds` pass (another worker or the command line did). A database
hiccup is logged and never ends the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence


class OutboxLoop:
    """Start, wake and stop a sender; subclasses give `step`, `listen` and `NAME`."""

    NAME = "outbox-sender"
    log: logging.Logger

    def __init__(self, *, poll_seconds: float, backoff: Sequence[float]) -> None:
        self.poll_seconds = poll_seconds
        self.backoff = tuple(backoff)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def max_attempts(self) -> int:
        return len(self.backoff) + 1

    def listen(self, wake: Callable[[], None] | None) -> None:
        """Ask the storage to call `wake` (or nothing, with None) when a row is queued."""
        raise NotImplementedError

    async def step(self) -> int:
        """One turn: claim what is due and try each once; how many were handled."""
        raise NotImplementedError

    def start(self) -> None:
        """Run in the background and listen to the storage for new rows."""
        self.listen(self.wake)
        self._task = asyncio.create_task(self.run(), name=self.NAME)

    async def stop(self) -> None:
        """Cancel the loop; a row cut off mid-send is sent again after its lease."""
        self.listen(None)
        self._stopping = True  # the loop ends at its next turn even if a cancel is swallowed
        self._wake.set()
        if self._task is not None:
            self._task.cancel()
            # Bounded: a cancellation lost inside asyncio.timeout (Python 3.11) must not
            # hold the server's shutdown; the flag above ends the loop anyway.
            await asyncio.wait({self._task}, timeout=10)
            self._task = None

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                handled = await self.step()
            except Exception:  # a database hiccup must not end the sender for good
                self.log.exception("%s: could not read its outbox", self.NAME)
                handled = 0
            if handled:
                continue  # more may be due: look again at once
            # Not `asyncio.wait_for`: on Python 3.11 it swallows a cancellation that
            # arrives with the wake-up, and `stop` would then wait forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self._wake.wait()
