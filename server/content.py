"""The live course: compiled once, swapped whole on reload, never broken by a bad edit.

A reload compiles the content in a worker thread; only a valid course replaces
the one being served, in a single step of the event loop, so every request
sees one consistent course. A broken edit keeps the last valid course serving
and its problems are kept for editors (and logged).
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from course.errors import ContentError
from course.loader import load_course
from course.models import Course
from course.plan import Section
from course.plan import sections as plan_sections
from server import clock
from server.fragments import QuestionParts, quiz_parts

log = logging.getLogger("alliances")


@dataclass(frozen=True)
class Snapshot:
    course: Course
    quiz_parts: dict[str, QuestionParts]
    plan_sections: tuple[Section, ...]
    loaded_at: str


def compile_snapshot(content_dir: Path) -> Snapshot:
    """Everything derived from the content, built once per version (raises ContentError)."""
    course = load_course(content_dir)
    return Snapshot(
        course,
        quiz_parts(course),
        plan_sections(course),
        clock.now(),
    )


class LiveContent:
    """Owns what the app serves; `install` is the only place it changes.

    A request reads `snapshot` once (server/web.py) and keeps it: a reload
    meanwhile cannot show it half of one course and half of the next.
    """

    def __init__(self, content_dir: Path, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.content_dir = content_dir
        self.errors: list[str] = []
        self.failed_at: str | None = None
        self._lock = asyncio.Lock()
        # Tells the other instances after a reload made here (server/content_sync.py).
        self.announce: Callable[[str], Awaitable[None]] | None = None
        self.install(snapshot)

    def install(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        for warning in snapshot.course.warnings:
            log.warning("content: %s", warning)

    async def reload(self, *, announce: bool = True) -> bool:
        """Compile the content again; serve it only if it is valid.

        `announce=False` when following another instance's reload: it said so already.
        """
        async with self._lock:
            try:
                snapshot = await run_in_threadpool(compile_snapshot, self.content_dir)
            except ContentError as exc:
                self.errors = [str(p) for p in exc.problems if not p.warning]
                self.failed_at = clock.now()
                for problem in self.errors:
                    log.error("content reload refused: %s", problem)
                return False
            previous = self.snapshot.course.version
            self.install(snapshot)
            self.errors, self.failed_at = [], None
            gc.freeze()
            log.info("content reloaded: version %s -> %s", previous, snapshot.course.version)
            if announce and self.announce is not None:
                try:
                    await self.announce(snapshot.course.version)
                except Exception as exc:  # served here all the same; said in the log
                    log.error("content reload not announced to other instances: %s", exc)
            return True

    async def watch(self) -> None:
        """Reload on every save in the content folder (the editors' preview)."""
        from watchfiles import awatch

        async for _ in awatch(self.content_dir, debounce=300):
            await self.reload()
