"""SQL for the account forms' rate limits (server/rate_limits.py): part of the storage layer.

An event is recorded by the same statement that checks the limit, so that
concurrent requests each see those recorded before them (the writer runs
statements one at a time) and cannot overtake it together.
"""

from __future__ import annotations

from server.storage.base import Database

KEEP_SECONDS = 24 * 60 * 60  # longer than every window: older events count no more


class RateQueries(Database):
    """Recent events per bucket (what was done) and key (by whom, for whom)."""

    async def reserve_rate(
        self, bucket: str, key: str, now: float, count: int, window: float
    ) -> float:
        """Record an event if fewer than `count` happened within `window`; else seconds to wait.

        0 when recorded. Events older than a day are dropped in the same hop.
        """
        params = {"bucket": bucket, "key": key, "now": now, "since": now - window}
        _, inserted = await self._serialized(
            f"rate:{bucket}:{key}",
            [
                ("DELETE FROM rate_events WHERE at < ?", (now - KEEP_SECONDS,)),
                (
                    "INSERT INTO rate_events (bucket, key, at) SELECT :bucket, :key, :now"
                    " WHERE (SELECT count(*) FROM rate_events WHERE bucket = :bucket"
                    " AND key = :key AND at > :since) < :count RETURNING at",
                    {**params, "count": count},
                ),
            ],
        )
        if inserted:
            return 0.0
        # The oldest events must leave the window before one more fits.
        rows = await self._all(
            "SELECT at FROM rate_events WHERE bucket = :bucket AND key = :key AND at > :since"
            " ORDER BY at DESC LIMIT 1 OFFSET :skip",
            {**params, "skip": max(count - 1, 0)},
        )
        return (float(rows[0][0]) + window - now) if rows else 1.0
