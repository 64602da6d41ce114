"""SQL for one-time links: password reset and address confirmation (storage layer).

Mixed into `server.storage.Storage`. Only a token's SHA-256 is stored
(`account_tokens.token_hash`); the raw token exists only in the link sent, in
the outbox row that carries it until it is sent (a `secret` message, emptied
once delivered). A token is created in the same transaction as the message
that carries it, and used by one transaction that checks it (purpose, not
used, not expired), marks it used and does what it is for, so that a second
use, even concurrent, finds it used. `used_at` is stamped to the microsecond:
the later statements of that transaction find the token by its hash *and*
this stamp, so they act only when the first statement claimed it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from server import clock
from server.mail.compose import Message
from server.storage.base import Database
from server.storage.outbox import outbox_step
from server.storage.records import AddressStatus, Confirmation

if TYPE_CHECKING:
    from server.storage.records import Step, User

RESET_VALID = timedelta(hours=1)
CONFIRM_VALID = timedelta(days=7)


def _token_insert(
    token_hash: str, purpose: str, valid: timedelta, moment: datetime, *, user_id: int, email: str
) -> Step:
    return (
        "INSERT INTO account_tokens (token_hash, user_id, purpose, email, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (token_hash, user_id, purpose, email, clock.stamp(moment), clock.stamp(moment + valid)),
    )


def _forget_old_tokens(moment: datetime) -> Step:
    """Tokens expired a day ago can no longer be told apart from unknown ones: drop them."""
    return (
        "DELETE FROM account_tokens WHERE expires_at < ?",
        (clock.stamp(moment - timedelta(1)),),
    )


class TokenQueries(Database):
    """Reset and confirmation tokens, and the messages that carry them."""

    async def reset_account(self, email: str) -> User | None:
        """The account a reset request names (a deleted one has no address left)."""
        from server.storage.records import User

        row = await self._one("SELECT id, email, name FROM users WHERE email = ?", (email,))
        return User(row["id"], row["email"], row["name"]) if row else None

    async def record_reset(
        self, user_id: int | None, token_hash: str, message: Message | None
    ) -> None:
        """The reset token and its message, or (unknown address) the same commit without them.

        Both cases write one transaction, so that the answer takes as long
        whether the address has an account or not.
        """
        moment = clock.moment()
        steps: list[Step] = [_forget_old_tokens(moment)]
        if user_id is not None and message is not None:
            steps += [
                _token_insert(
                    token_hash, "reset", RESET_VALID, moment, user_id=user_id, email=message.to
                ),
                outbox_step(message, user_id=user_id),
            ]
        await self._transaction(steps)

    async def reset_owner(self, token_hash: str) -> User | None:
        """The account a reset link is for, while it is valid (not used, not expired)."""
        from server.storage.records import User

        row = await self._one(
            "SELECT u.id, u.email, u.name FROM account_tokens t JOIN users u ON u.id = t.user_id"
            " WHERE t.token_hash = ? AND t.purpose = 'reset' AND t.used_at IS NULL"
            " AND t.expires_at > ?",
            (token_hash, clock.now()),
        )
        return User(row["id"], row["email"], row["name"]) if row else None

    async def use_reset_token(self, token_hash: str, password_hash: str) -> int | None:
        """Set the password a valid reset link is for; the account's id, or None.

        In one transaction: the token is used, the password set, the address
        confirmed (the link reached it), every session of the account ended,
        and the account's other reset links voided.
        """
        moment = clock.moment()
        used = moment.isoformat(timespec="microseconds")
        claimed = "(SELECT user_id FROM account_tokens WHERE token_hash = ? AND used_at = ?)"
        results = await self._transaction(
            [
                (
                    "UPDATE account_tokens SET used_at = ? WHERE token_hash = ?"
                    " AND purpose = 'reset' AND used_at IS NULL AND expires_at > ?",
                    (used, token_hash, clock.stamp(moment)),
                ),
                (
                    "UPDATE users SET password_hash = ?,"
                    " email_confirmed_at = COALESCE(email_confirmed_at, ?)"
                    f" WHERE id = {claimed} RETURNING id",
                    (password_hash, clock.stamp(moment), token_hash, used),
                ),
                (f"DELETE FROM sessions WHERE user_id = {claimed}", (token_hash, used)),
                (
                    "UPDATE account_tokens SET used_at = ? WHERE purpose = 'reset'"
                    f" AND used_at IS NULL AND user_id = {claimed}",
                    (used, token_hash, used),
                ),
            ]
        )
        rows = results[1]
        return int(rows[0][0]) if rows else None

    async def create_user_with_confirmation(
        self, name: str, password_hash: str, token_hash: str, message: Message
    ) -> int | None:
        """A new account, its confirmation link and the message carrying it, all or nothing.

        The address is `message.to`. None (nothing written) when it already has
        an account.
        """
        moment = clock.moment()
        email = message.to
        stamp = clock.stamp(moment)
        token_owner = "(SELECT user_id FROM account_tokens WHERE token_hash = ?)"
        results = await self._transaction(
            [
                (
                    "INSERT INTO users (email, name, password_hash, created_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (email) DO NOTHING RETURNING id",
                    (email, name, password_hash, stamp),
                ),
                # Only for the row just inserted: its password hash (salted) is this one.
                (
                    "INSERT INTO account_tokens (token_hash, user_id, purpose, email,"
                    " created_at, expires_at) SELECT ?, id, 'confirm', email, ?, ? FROM users"
                    " WHERE email = ? AND password_hash = ?",
                    (token_hash, stamp, clock.stamp(moment + CONFIRM_VALID), email, password_hash),
                ),
                outbox_step(message),
                # The message belongs to the new account, known only now; with no new
                # account (the address was taken), it is withdrawn before anyone sees it.
                (
                    f"UPDATE outbox SET user_id = {token_owner} WHERE id = last_insert_rowid()",
                    (token_hash,),
                ),
                (
                    "DELETE FROM outbox WHERE id = last_insert_rowid() AND user_id IS NULL",
                    (),
                ),
            ]
        )
        created = results[0]
        return int(created[0][0]) if created else None

    async def address_status(self, user_id: int) -> AddressStatus | None:
        row = await self._one(
            "SELECT u.email, u.email_confirmed_at, (SELECT t.email FROM account_tokens t"
            " WHERE t.user_id = u.id AND t.purpose = 'confirm' AND t.used_at IS NULL"
            " AND t.expires_at > ? AND t.email <> u.email ORDER BY t.created_at DESC LIMIT 1)"
            " FROM users u WHERE u.id = ?",
            (clock.now(), user_id),
        )
        return AddressStatus(row[0], row[1], row[2]) if row else None

    async def email_taken(self, email: str) -> bool:
        return await self._one("SELECT 1 FROM users WHERE email = ?", (email,)) is not None

    async def record_confirmation(
        self, user_id: int, token_hash: str, message: Message, notice: Message | None = None
    ) -> None:
        """A confirmation link for `message.to`, the message carrying it, and maybe a notice.

        For a change of address, `message` goes to the new address and `notice`
        tells the old one; earlier changes not confirmed yet are voided.
        """
        moment = clock.moment()
        steps: list[Step] = [_forget_old_tokens(moment)]
        if notice is not None:
            steps.append(
                (
                    "UPDATE account_tokens SET used_at = ? WHERE user_id = ?"
                    " AND purpose = 'confirm' AND used_at IS NULL"
                    " AND email <> (SELECT email FROM users WHERE id = ?)",
                    (moment.isoformat(timespec="microseconds"), user_id, user_id),
                )
            )
        steps += [
            _token_insert(
                token_hash, "confirm", CONFIRM_VALID, moment, user_id=user_id, email=message.to
            ),
            outbox_step(message, user_id=user_id),
        ]
        if notice is not None:
            steps.append(outbox_step(notice, user_id=user_id))
        await self._transaction(steps)

    async def confirm_address(self, token_hash: str) -> Confirmation:
        """Follow a confirmation link: confirm the address, or move the account to it.

        A change lands only if no other account took the new address meanwhile
        ("taken": nothing changed, the link stays usable should that account
        go). Once an address changes, every other pending link of the account
        (resets sent to the old address, other changes) is void.
        """
        moment = clock.moment()
        used = moment.isoformat(timespec="microseconds")
        now = clock.stamp(moment)
        claimed = "SELECT user_id, email FROM account_tokens WHERE token_hash = ? AND used_at = ?"
        results = await self._transaction(
            [
                (
                    "UPDATE account_tokens SET used_at = ? WHERE token_hash = ?"
                    " AND purpose = 'confirm' AND used_at IS NULL AND expires_at > ?"
                    " AND NOT EXISTS (SELECT 1 FROM users u WHERE u.email = account_tokens.email"
                    " AND u.id <> account_tokens.user_id)"
                    " RETURNING (SELECT u.email FROM users u WHERE u.id = account_tokens.user_id)"
                    " <> account_tokens.email",
                    (used, token_hash, now),
                ),
                # A change of address: the account's other pending links (resets sent
                # to the old address, other changes) are void.
                (
                    "UPDATE account_tokens SET used_at = ? WHERE used_at IS NULL"
                    f" AND user_id = (SELECT user_id FROM ({claimed}) AS c)"
                    f" AND email <> (SELECT email FROM ({claimed}) AS c)"
                    " AND (SELECT email FROM users WHERE id = account_tokens.user_id)"
                    f" <> (SELECT email FROM ({claimed}) AS c)",
                    (used, token_hash, used, token_hash, used, token_hash, used),
                ),
                (
                    "UPDATE users SET"
                    " email_confirmed_at = CASE WHEN users.email = t.email"
                    " THEN COALESCE(email_confirmed_at, ?) ELSE ? END,"
                    " email = t.email"
                    f" FROM ({claimed}) AS t WHERE users.id = t.user_id",
                    (now, now, token_hash, used),
                ),
            ]
        )
        if results[0]:
            return "changed" if results[0][0][0] else "confirmed"
        row = await self._one(
            "SELECT 1 FROM account_tokens WHERE token_hash = ? AND purpose = 'confirm'"
            " AND used_at IS NULL AND expires_at > ?",
            (token_hash, now),
        )
        return "taken" if row else "invalid"
