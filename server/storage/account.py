"""SQL for « Mon compte »: part of the storage layer (mixed into `Storage`).

The account page reads the profile and the active sessions; it renames the
account, and ends one session of its owner. Sessions are marked as seen at
most once an hour (`touch_session`, called by server/web.py when the session
query it already makes shows a stale mark), so the inactive-account purge can
count from `users.last_seen_at` without a write on every request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from server import clock
from server.storage.base import Database
from server.storage.records import ActiveSession, Profile

if TYPE_CHECKING:
    pass


class AccountQueries(Database):
    """The account's own profile and sessions."""

    async def profile(self, user_id: int) -> Profile | None:
        row = await self._one(
            "SELECT email, email_confirmed_at, created_at FROM users WHERE id = ?", (user_id,)
        )
        return Profile(row[0], row[1], row[2]) if row else None

    async def rename_user(self, user_id: int, name: str) -> None:
        """The account's name from now on; certificates keep the name they were issued with."""
        await self._write("UPDATE users SET name = ? WHERE id = ?", (name, user_id))

    async def active_sessions(self, user_id: int) -> list[ActiveSession]:
        """The account's unexpired sessions, the most recently seen first."""
        rows = await self._all(
            "SELECT token_hash, user_agent, created_at, last_seen_at FROM sessions"
            " WHERE user_id = ? AND expires_at > ?"
            " ORDER BY COALESCE(last_seen_at, created_at) DESC, created_at DESC",
            (user_id, clock.now()),
        )
        return [ActiveSession(row[0], row[1] or "", row[2], row[3]) for row in rows]

    async def end_session_of(self, user_id: int, token_hash: str) -> bool:
        """End one session, only if it is this account's; False when it was already gone."""
        rows = await self._write(
            "DELETE FROM sessions WHERE user_id = ? AND token_hash = ? RETURNING 1",
            (user_id, token_hash),
        )
        return bool(rows)

    async def touch_session(self, token_hash: str, user_id: int, stamp: str) -> None:
        """Mark the session and its account as seen now: one hop, both or neither."""
        await self._transaction(
            [
                ("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", (stamp, token_hash)),
                (
                    "UPDATE users SET last_seen_at = ? WHERE id = ?"
                    " AND (last_seen_at IS NULL OR last_seen_at < ?)",
                    (stamp, user_id, stamp),
                ),
            ]
        )
