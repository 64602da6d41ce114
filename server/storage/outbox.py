"""SQL for the outbox: part of the storage layer (mixed into `Storage`).

A message is recorded by `outbox_step`, a statement that the caller runs in the
same transaction as the event that causes the message (`Storage._transaction`),
or alone by `enqueue`. The sender task (server/mail/sender.py) delivers it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from server import clock
from server.mail.compose import Message
from server.storage.base import Database
from server.storage.records import OutboxMessage, Row

if TYPE_CHECKING:
    from collections.abc import Callable

    from server.storage.records import Step

INSERT = (
    "INSERT INTO outbox (kind, recipient, recipient_name, user_id, cohort_id, subject,"
    " text_body, html_body, headers, secret, next_attempt_at, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)


def outbox_step(
    message: Message, *, user_id: int | None = None, cohort_id: int | None = None
) -> Step:
    """The statement that records `message`, to run inside the event's transaction."""
    stamp = clock.now()
    return INSERT, (
        message.kind,
        message.to,
        message.to_name,
        user_id,
        cohort_id,
        message.subject,
        message.text,
        message.html,
        json.dumps(message.headers),
        int(message.secret),
        stamp,
        stamp,
    )


def stamp(moment: datetime) -> str:
    """Times the sender compares to the millisecond (retries in tests are short).

    ISO strings in UTC sort as the times they name, with or without the fraction:
    "…:00+00:00" < "…:00.500+00:00" < "…:01+00:00".
    """
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


COLUMNS = (
    "id, kind, recipient, recipient_name, subject, text_body, html_body, headers, secret,"
    " status, attempts, next_attempt_at, last_error, created_at, sent_at"
)
# Due: waiting and its time has come, or claimed by a sender whose lease ran out
# (a server stopped while sending): that one is sent again (at least once).
# Both `?` are the time now.
DUE = "(status = 'waiting' AND next_attempt_at <= ?) OR (status = 'sending' AND claimed_until <= ?)"


def _message(row: Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        kind=row["kind"],
        recipient=row["recipient"],
        recipient_name=row["recipient_name"],
        subject=row["subject"],
        text=row["text_body"],
        html=row["html_body"],
        headers=json.loads(row["headers"] or "{}"),
        secret=bool(row["secret"]),
        status=row["status"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        created_at=row["created_at"],
        sent_at=row["sent_at"],
    )


class OutboxQueries(Database):
    """Messages waiting, sent and failed."""

    # Set by the sender task of this process: called after a transaction recorded
    # a message, so it goes out at once instead of at the next poll.
    outbox_listener: Callable[[], None] | None = None

    def _outbox_recorded(self, steps: Sequence[Step]) -> None:
        """Called by `Storage._transaction` once committed: wake the sender if it recorded mail."""
        if self.outbox_listener is not None and any(
            sql.startswith("INSERT INTO outbox") for sql, _ in steps
        ):
            self.outbox_listener()

    async def enqueue(
        self, message: Message, *, user_id: int | None = None, cohort_id: int | None = None
    ) -> int:
        """Record one message on its own; its id in the outbox."""
        ((row,),) = await self._transaction(
            [outbox_step(message, user_id=user_id, cohort_id=cohort_id)]
        )
        return int(row[0])

    # SQLite's writer runs one statement at a time; PostgreSQL adds `FOR UPDATE SKIP
    # LOCKED` (server/storage/postgres_overrides.py) so that two senders at once take
    # disjoint batches instead of one waiting for the rows the other locked.
    _claim_lock = ""

    async def claim_messages(
        self, now: datetime, lease_seconds: float, limit: int
    ) -> list[OutboxMessage]:
        """Take up to `limit` due messages for this sender, in one atomic statement.

        The UPDATE marks them `sending` with a lease and counts the attempt: a
        second sender (another worker) running the same statement at the same
        moment waits for the write lock, then finds them no longer due. The due
        condition is repeated outside the subquery for PostgreSQL, which, after
        waiting for a row another sender locked, checks the outer condition
        against the row as that sender left it (no longer due), not the
        subquery's. A cheap read first spares the write lock when nothing is due.
        """
        at = stamp(now)
        if await self._one(f"SELECT 1 FROM outbox WHERE {DUE} LIMIT 1", (at, at)) is None:
            return []
        until = stamp(now + timedelta(seconds=lease_seconds))
        rows = await self._write(
            "UPDATE outbox SET status = 'sending', claimed_until = ?, attempts = attempts + 1"
            f" WHERE id IN (SELECT id FROM outbox WHERE {DUE}"
            f" ORDER BY next_attempt_at, id LIMIT ?{self._claim_lock}) AND ({DUE})"
            f" RETURNING {COLUMNS}",
            (until, at, at, limit, at, at),
        )
        return sorted((_message(row) for row in rows), key=lambda m: m.id)

    async def mark_sent(self, message_id: int, at: datetime) -> None:
        """Delivered; a message carrying a one-time link loses its body now."""
        await self._write(
            "UPDATE outbox SET status = 'sent', sent_at = ?, claimed_until = NULL,"
            " last_error = NULL,"
            " text_body = CASE WHEN secret = 1 THEN '' ELSE text_body END,"
            " html_body = CASE WHEN secret = 1 THEN '' ELSE html_body END"
            " WHERE id = ? AND status = 'sending'",
            (clock.stamp(at.astimezone(UTC)), message_id),
        )

    async def mark_retry(self, message_id: int, next_attempt_at: datetime, error: str) -> None:
        """A temporary failure: waiting again, until `next_attempt_at`."""
        await self._write(
            "UPDATE outbox SET status = 'waiting', next_attempt_at = ?, claimed_until = NULL,"
            " last_error = ? WHERE id = ? AND status = 'sending'",
            (stamp(next_attempt_at), error[:500], message_id),
        )

    async def mark_failed(self, message_id: int, error: str) -> None:
        """Given up: the reason stays for the admin page, which can requeue it."""
        await self._write(
            "UPDATE outbox SET status = 'failed', claimed_until = NULL, last_error = ?"
            " WHERE id = ? AND status = 'sending'",
            (error[:500], message_id),
        )

    async def forget_old_messages(self, bodies_before: str, rows_before: str) -> int:
        """Keep what was sent no longer than it is useful; how many messages it touched.

        A delivered message's text is emptied once older than `bodies_before`
        (its recipient, subject and date stay, for the dashboards and the admin's
        outbox); every finished message (sent or failed) older than
        `rows_before` goes. Messages still waiting are never touched.
        """
        deleted, emptied = await self._transaction(
            [
                (
                    "DELETE FROM outbox WHERE status IN ('sent', 'failed') AND created_at < ?"
                    " RETURNING id",
                    (rows_before,),
                ),
                (
                    "UPDATE outbox SET text_body = '', html_body = ''"
                    " WHERE status = 'sent' AND created_at < ? AND text_body <> '' RETURNING id",
                    (bodies_before,),
                ),
            ]
        )
        return len(emptied) + len(deleted)

    async def retry_message(self, message_id: int, now: datetime) -> bool | None:
        """Requeue a failed message with a fresh count of attempts.

        True when requeued, False when it exists but had not failed (a second
        click: nothing to do), None when there is no such message.
        """
        rows = await self._write(
            "UPDATE outbox SET status = 'waiting', attempts = 0, next_attempt_at = ?,"
            " claimed_until = NULL WHERE id = ? AND status = 'failed' RETURNING id",
            (stamp(now), message_id),
        )
        if rows:
            if self.outbox_listener is not None:
                self.outbox_listener()
            return True
        return (
            False if await self._one("SELECT 1 FROM outbox WHERE id = ?", (message_id,)) else None
        )

    async def outbox_counts(self) -> dict[str, int]:
        """How many messages in each status (all four keys, zeros included)."""
        rows = await self._all("SELECT status, COUNT(*) FROM outbox GROUP BY status")
        counts = dict.fromkeys(("waiting", "sending", "sent", "failed"), 0)
        counts.update({row[0]: row[1] for row in rows})
        return counts

    async def outbox_list(self, statuses: Sequence[str], limit: int) -> list[OutboxMessage]:
        """The latest messages in these statuses, newest first (the admin page)."""
        marks = ", ".join("?" for _ in statuses)
        rows = await self._all(
            f"SELECT {COLUMNS} FROM outbox WHERE status IN ({marks})"
            " ORDER BY COALESCE(sent_at, created_at) DESC, id DESC LIMIT ?",
            (*statuses, limit),
        )
        return [_message(row) for row in rows]

    async def outbox_message(self, message_id: int) -> OutboxMessage | None:
        row = await self._one(f"SELECT {COLUMNS} FROM outbox WHERE id = ?", (message_id,))
        return _message(row) if row else None
