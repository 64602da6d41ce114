"""Slow down password guessing: too many failed logins for one address pause it.

In memory, per process: enough for the one-worker server this project runs;
a restart forgets the counts, which only ever favours the legitimate user.
"""

from __future__ import annotations

import time
from collections import deque

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60
MAX_KEYS = 10_000


class LoginThrottle:
    def __init__(self, limit: int = MAX_FAILURES, window: float = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._failures.get(key, deque())
        while stamps and now - stamps[0] > self.window:
            stamps.popleft()
        return stamps

    def wait_seconds(self, key: str) -> int:
        """0 when the key may try again, else how long it must wait."""
        now = time.monotonic()
        stamps = self._recent(key, now)
        if len(stamps) < self.limit:
            return 0
        return int(self.window - (now - stamps[0])) + 1

    def failed(self, key: str) -> None:
        now = time.monotonic()
        if len(self._failures) >= MAX_KEYS:  # forget the oldest entries first
            for stale in list(self._failures)[: MAX_KEYS // 10]:
                del self._failures[stale]
        stamps = self._recent(key, now)
        stamps.append(now)
        self._failures[key] = stamps

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)
