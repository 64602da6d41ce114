"""PDFs are made off the request threads, a few at a time, once per version.

A plan PDF with long answers costs seconds of CPU. Left on Starlette's request
thread pool, forty of them at once starved every other request (a login got no
answer in 45 s). Here they run in a small executor of their own with a bounded
backlog: past it the client gets 503 and `Retry-After` at once instead of
waiting. One learner has at most one PDF in the making; a second request for
the same version waits for that one and gets its bytes, and finished PDFs stay
cached (a bounded LRU) until what they print changes, which is in the key.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from starlette.exceptions import HTTPException

RETRY_AFTER = 10  # seconds: about what a full queue of long plans takes to drain
BUSY = (
    "Trop de documents PDF sont en cours de préparation. "
    f"Réessayez dans quelques secondes (environ {RETRY_AFTER}\u00a0s)."
)


class PoolFull(HTTPException):
    """Every worker and queue slot is taken: answer 503 now rather than pile up."""

    def __init__(self) -> None:
        super().__init__(503, BUSY, headers={"Retry-After": str(RETRY_AFTER)})


def version(*parts: object) -> str:
    """A short digest of everything a PDF prints: it changes when the document would."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


class PdfPool:
    """A bounded executor with a per-owner lock and a cache of finished PDFs."""

    def __init__(self, workers: int = 1, backlog: int = 8, cached: int = 64) -> None:
        self._workers = workers
        self._executor: ThreadPoolExecutor | None = None
        self._slots = workers + backlog
        self._busy = 0
        self._making: dict[Hashable, tuple[Hashable, asyncio.Future[bytes]]] = {}
        self._cache: OrderedDict[Hashable, bytes] = OrderedDict()
        self._cached = cached

    @property
    def busy(self) -> int:
        """PDFs running or queued now."""
        return self._busy

    async def get(
        self, owner: Hashable, key: Hashable, build: Callable[..., bytes], *args: Any
    ) -> bytes:
        """The PDF for `key`, from the cache, from the owner's running job, or made now.

        Raises PoolFull when every slot is taken.
        """
        while True:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
            making = self._making.get(owner)
            if making is None:
                break
            running_key, future = making
            if running_key == key:
                return await asyncio.shield(future)
            await asyncio.wait({future})  # the owner's older version first, then ours
        if self._busy >= self._slots:
            raise PoolFull
        self._busy += 1
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="pdf")
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, partial(build, *args))
        self._making[owner] = (key, future)
        future.add_done_callback(partial(self._done, owner, key))
        return await asyncio.shield(future)  # a client that leaves does not cancel the work

    def _done(self, owner: Hashable, key: Hashable, future: asyncio.Future[bytes]) -> None:
        self._busy -= 1
        if self._making.get(owner, (None, None))[1] is future:
            del self._making[owner]
        if not future.cancelled() and future.exception() is None:
            self._cache[key] = future.result()
            self._cache.move_to_end(key)
            while len(self._cache) > self._cached:
                self._cache.popitem(last=False)

    def close(self) -> None:
        """Stop the workers (at shutdown); the next `get` starts new ones."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
