"""Measured learning time: working stretches from requests, and their wall-clock union.

Distance-learning evidence (Code du travail, art. D6313-3-1, issue #18 §2). The
rules, which the storage (server/storage/activity.py) applies as hits arrive and
which `stretches` states for tests:

1. a request of a module page, a quiz or reflection post, or a heartbeat of the
   open page (every 60 s while it is visible) is a *hit* for (learner, module);
2. a hit more than `IDLE_CUTOFF` (10 minutes) after the previous hit of that
   learner and module starts a new stretch; otherwise it extends the current one;
3. a hit earlier than the current stretch's last one (a clock set back, a late
   request) never shortens it: the last hit is the latest seen;
4. a stretch counts from its first hit to its last, plus `ALLOWANCE` (one minute:
   reading after the last request, the heartbeat's period), never past `now`;
5. a learner's measured time is the wall-clock union of their stretches: two tabs
   open at once count once, and the total never exceeds the wall-clock time. Time
   covered by several stretches goes to the module whose stretch started last
   (the tab the learner most recently turned to).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

IDLE_CUTOFF = timedelta(minutes=10)
ALLOWANCE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Stretch:
    """One working stretch on a module: its first and its last hit."""

    module_id: str
    start: datetime
    last: datetime


def stretches(hits: Iterable[tuple[str, datetime]]) -> list[Stretch]:
    """The stretches that hits (module, moment), in the order they arrived, make (rules 2-3)."""
    current: dict[str, Stretch] = {}
    done: list[Stretch] = []
    for module_id, moment in hits:
        open_ = current.get(module_id)
        if open_ is not None and moment <= open_.last:
            continue  # rule 3: nothing earlier shortens or reopens a stretch
        if open_ is not None and moment - open_.last <= IDLE_CUTOFF:
            current[module_id] = Stretch(module_id, open_.start, moment)
            continue
        if open_ is not None:
            done.append(open_)
        current[module_id] = Stretch(module_id, moment, moment)
    done.extend(current.values())
    return sorted(done, key=lambda s: (s.start, s.module_id))


def span(stretch: Stretch, now: datetime) -> tuple[datetime, datetime]:
    """The wall-clock interval a stretch counts for (rule 4)."""
    end = min(stretch.last + ALLOWANCE, max(now, stretch.last))
    return stretch.start, max(end, stretch.start)


@dataclass(frozen=True, slots=True)
class Measured:
    """A learner's measured time: in total and per module."""

    total: timedelta
    by_module: dict[str, timedelta]


def measure(learner_stretches: Iterable[Stretch], now: datetime) -> Measured:
    """The wall-clock union of a learner's stretches, shared out among modules (rule 5)."""
    spans = sorted(
        ((*span(s, now), s.module_id) for s in learner_stretches), key=lambda x: (x[0], x[2])
    )
    moments = sorted({m for start, end, _ in spans for m in (start, end)})
    by_module: dict[str, timedelta] = {}
    total = timedelta()
    for left, right in pairwise(moments):
        covering = [
            (start, module) for start, end, module in spans if start <= left and end >= right
        ]
        if not covering:
            continue
        _, owner = max(covering)
        piece = right - left
        total += piece
        by_module[owner] = by_module.get(owner, timedelta()) + piece
    return Measured(total, by_module)


def minutes(duration: timedelta) -> int:
    """A duration in whole minutes, rounded to the nearest (for pages and exports)."""
    return int((duration.total_seconds() + 30) // 60)


def hours_minutes(duration: timedelta) -> str:
    """« 1 h 05 », « 0 h 12 »: how the relevé and the pages write a duration."""
    total = minutes(duration)
    return f"{total // 60}\u00a0h\u00a0{total % 60:02d}"


def time_short(
    learner_stretches: Iterable[Stretch], module_id: str, duration: int, percent: int, now: datetime
) -> tuple[int, int] | None:
    """(required, measured) whole minutes when the measured time on a module is below
    `percent` of its declared `duration` (a path's `min_time_percent`); None when enough.

    Off (None) at 0 %. The required time is rounded up: 50 % of 5 min asks for 3 min.
    """
    if percent <= 0:
        return None
    required = -(-duration * percent // 100)
    spent = measure(learner_stretches, now).by_module.get(module_id, timedelta())
    if spent >= timedelta(minutes=required):
        return None
    return required, int(spent.total_seconds() // 60)
