"""How often a learner may submit a module's quiz: bounded, so one account cannot flood storage.

The limits are checked inside the attempt's own INSERT (server/storage.py), so
concurrent submissions cannot race past them and a submission still costs one
write. A refused submission then costs one read, to tell the learner how long to wait.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from server import clock

DAY = 24 * 3600


@dataclass(frozen=True)
class AttemptLimits:
    """Per learner and module: a short burst, then about one attempt every `window / burst` s.

    A person re-reading a lesson and answering again needs well over 12 s per
    attempt; a script needs milliseconds. The daily ceiling bounds what one
    account can add to the database: `per_day` rows per module and day.
    """

    window_seconds: int = 60
    per_window: int = 5
    per_day: int = 50

    def since(self, now: datetime) -> tuple[str, str]:
        """The start of the short window and of the day, as stored timestamps compare."""
        return clock.stamp(now - timedelta(seconds=self.window_seconds)), clock.stamp(
            now - timedelta(seconds=DAY)
        )

    def retry_after(self, recent: Iterable[str], now: datetime) -> int:
        """Seconds until the next attempt is allowed, given the last day's attempt times.

        0 when neither limit is reached (the submission was refused for another reason).
        """
        times = sorted(datetime.fromisoformat(stamp) for stamp in recent)
        wait = 0.0
        window_start = now - timedelta(seconds=self.window_seconds)
        in_window = [t for t in times if t > window_start]
        if len(in_window) >= self.per_window:
            # The oldest attempt that must leave the window for one more to fit.
            leaving = in_window[len(in_window) - self.per_window]
            wait = max(wait, (leaving - window_start).total_seconds())
        if len(times) >= self.per_day:
            leaving = times[len(times) - self.per_day]
            wait = max(wait, (leaving - (now - timedelta(seconds=DAY))).total_seconds())
        return math.ceil(wait) + 1 if wait > 0 else 0
