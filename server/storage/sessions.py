"""Accounts and their sessions: sign-up, sign-in, sign-out (mixed into each backend)."""

from __future__ import annotations

from datetime import timedelta

from server import clock
from server.storage.base import Database
from server.storage.cohorts import USER_COLUMNS, _roles
from server.storage.records import User


class SessionQueries(Database):
    """Who is who, and which browser is signed in as whom."""

    async def create_user(
        self, email: str, name: str, password_hash: str, *, confirmed: bool = False
    ) -> User | None:
        """The new user, or None when the email is already registered.

        `confirmed`: the address is taken as confirmed, as when an operator
        creates the account (`alliances create-user`) for a person they know.
        """
        stamp = clock.now()
        rows = await self._write(
            "INSERT INTO users (email, name, password_hash, created_at, email_confirmed_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING id",
            (email, name, password_hash, stamp, stamp if confirmed else None),
        )
        return User(rows[0]["id"], email, name) if rows else None

    async def credentials(self, email: str) -> tuple[User, str] | None:
        row = await self._one(
            "SELECT id, email, name, password_hash FROM users WHERE email = ?", (email,)
        )
        if row is None:
            return None
        return User(row["id"], row["email"], row["name"]), row["password_hash"]

    async def update_password_hash(self, user_id: int, password_hash: str) -> None:
        await self._write(
            "UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id)
        )

    async def create_session(
        self, user_id: int, token_hash: str, days: int, user_agent: str = ""
    ) -> None:
        created = clock.moment()
        stamp = clock.stamp(created)
        expires = clock.stamp(created + timedelta(days=days))
        await self._transaction(
            [
                (
                    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at,"
                    " user_agent, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (token_hash, user_id, stamp, expires, user_agent[:300], stamp),
                ),
                # A sign-in is activity: the inactive-account purge counts from here.
                ("UPDATE users SET last_seen_at = ? WHERE id = ?", (stamp, user_id)),
                ("DELETE FROM sessions WHERE expires_at < ?", (stamp,)),
            ]
        )

    async def end_session(self, token_hash: str) -> None:
        await self._write("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    async def end_sessions_of(self, user_id: int, keep: str | None = None) -> None:
        """Sign a user out everywhere, or everywhere but the session `keep` (a token hash)."""
        await self._write(
            "DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?", (user_id, keep)
        )

    async def session_user(self, token_hash: str) -> User | None:
        row = await self._one(
            f"SELECT {USER_COLUMNS}, s.last_seen_at AS seen FROM sessions s"
            " JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?",
            (token_hash, clock.now()),
        )
        if row is None:
            return None
        return User(row["id"], row["email"], row["name"], _roles(row), row["seen"])
