"""Content reloads reach every instance: one row in the database they all watch.

« Recharger le contenu » (or SIGHUP) reaches one instance only. That instance
writes the version it now serves to `content_state` (server/storage/content_state.py);
every instance reads that row every `EVERY` seconds, in this background task,
never while answering a request, and reloads from its own content folder when
the row changed and names a version it does not serve. The instances must read
the same content (a shared folder, or the same deployed files): each compiles
its own copy, and a broken one keeps its last valid version, as a local reload
does.

Polling, not PostgreSQL's LISTEN/NOTIFY: one primary-key read every 2 seconds
costs nothing next to the traffic, needs no connection held out of the pool,
cannot miss a notification sent while a connection was being replaced, and
works on SQLite too (`alliances preview` or a CLI beside a server).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from server.clock import now
from server.content import LiveContent
from server.storage import Storage

log = logging.getLogger("alliances")

EVERY = 2.0  # seconds: a reload reaches every instance within this and a compile


def announcer(storage: Storage) -> Callable[[str], Awaitable[None]]:
    """What LiveContent calls after a reload it made itself: tell the other instances."""

    async def announce(version: str) -> None:
        await storage.announce_content(version, now())

    return announce


async def follow_content(live: LiveContent, storage: Storage, every: float = EVERY) -> None:
    """Reload when another instance announced a version this one does not serve."""
    seen = await _read(storage)
    while True:
        await asyncio.sleep(every)
        state = await _read(storage)
        if state is None or state == seen:
            continue
        seen = state
        version, at = state
        if version != live.snapshot.course.version:
            log.info("content: version %s announced at %s by another instance", version, at)
            await live.reload(announce=False)


async def _read(storage: Storage) -> tuple[str, str] | None:
    """The row, or None when the database does not answer now (the next poll retries)."""
    try:
        return await storage.content_state()
    except Exception as exc:  # a lost database must not end the task
        log.warning("content: cannot read the shared content version: %s", exc)
        return None
