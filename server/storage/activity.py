"""SQL for measured learning time (issue #18 §2): part of the storage layer.

The stretches course/activity.py defines, kept as hits arrive: a hit extends the
latest stretch of that learner and module whose last hit is at most the idle
cut-off older (never moving it back), or starts a new one. Module pages reach
here in batches (server/activity_log.py), heartbeats one UPDATE each.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from course.activity import IDLE_CUTOFF, Stretch
from server import clock
from server.storage.base import Database
from server.storage.records import Step

_LATEST = (
    "SELECT id FROM activity_stretches WHERE user_id = {user} AND module_id = ?"
    " AND last_at >= ? ORDER BY last_at DESC LIMIT 1"
)


def _cutoff(stamp: str) -> str:
    return clock.stamp(datetime.fromisoformat(stamp) - IDLE_CUTOFF)


class ActivityQueries(Database):
    """Learners' working stretches: recorded from hits, read for the relevé d'activité."""

    async def record_hits(self, hits: Sequence[tuple[int, str, str, str]]) -> None:
        """Record hits (user id, module id, first, last moment), in one transaction.

        `first` and `last` are a batch's earliest and latest hit of that learner and
        module, less than the idle cut-off apart: they belong to one stretch.
        """
        steps: list[Step] = []
        for user_id, module_id, first, last in hits:
            cutoff = _cutoff(first)
            latest = _LATEST.format(user="?")
            steps.append(
                (
                    "UPDATE activity_stretches SET last_at = max(last_at, ?)"
                    f" WHERE id = ({latest})",
                    (last, user_id, module_id, cutoff),
                )
            )
            steps.append(
                (
                    "INSERT INTO activity_stretches (user_id, module_id, started_at, last_at)"
                    " SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM activity_stretches"
                    " WHERE user_id = ? AND module_id = ? AND last_at >= ?)",
                    (user_id, module_id, first, last, user_id, module_id, cutoff),
                )
            )
        if steps:
            await self._transaction(steps)

    async def heartbeat(self, token_hash: str, module_id: str) -> bool:
        """The open page is still visible: extend the session learner's current stretch.

        One UPDATE, the session checked inside it. A heartbeat never starts a stretch:
        only a request of the page does; False when there was none to extend.
        """
        stamp = clock.now()
        user = "(SELECT user_id FROM sessions WHERE token_hash = ? AND expires_at > ?)"
        rows = await self._write(
            "UPDATE activity_stretches SET last_at = max(last_at, ?)"
            f" WHERE id = ({_LATEST.format(user=user)}) RETURNING id",
            (stamp, token_hash, stamp, module_id, _cutoff(stamp)),
        )
        return bool(rows)

    async def stretches_of(self, user_ids: Sequence[int]) -> dict[int, list[Stretch]]:
        """Every stretch of these learners, in order: user id -> stretches."""
        found: dict[int, list[Stretch]] = {user_id: [] for user_id in user_ids}
        if not user_ids:
            return found
        marks = ", ".join("?" * len(user_ids))
        rows = await self._all(
            "SELECT user_id, module_id, started_at, last_at FROM activity_stretches"
            f" WHERE user_id IN ({marks}) ORDER BY user_id, started_at, id",
            tuple(user_ids),
        )
        for user_id, module_id, started, last in rows:
            found[int(user_id)].append(
                Stretch(module_id, datetime.fromisoformat(started), datetime.fromisoformat(last))
            )
        return found
