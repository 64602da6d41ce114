"""SQL for the outbox: part of the storage layer (mixed into `Storage`).

A message is recorded by `outbox_step`, a statement that the caller runs in the
same transaction as the event that causes the message (`Storage._transaction`),
or alone by `enqueue`. The sender task (server/mail/sender.py) delivers it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import aiosqlite

from server.mail.compose import Message

if TYPE_CHECKING:
    from server.storage import Step

INSERT = (
    "INSERT INTO outbox (kind, recipient, user_id, cohort_id, subject, text_body, html_body,"
    " headers, secret, next_attempt_at, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
)


def outbox_step(
    message: Message, *, user_id: int | None = None, cohort_id: int | None = None
) -> Step:
    """The statement that records `message`, to run inside the event's transaction."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    return INSERT, (
        message.kind,
        message.to,
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


class OutboxQueries:
    """Messages waiting, sent and failed."""

    if TYPE_CHECKING:  # provided by Storage

        async def _transaction(self, steps: list[Step]) -> list[list[aiosqlite.Row]]: ...

    async def enqueue(
        self, message: Message, *, user_id: int | None = None, cohort_id: int | None = None
    ) -> int:
        """Record one message on its own; its id in the outbox."""
        ((row,),) = await self._transaction(
            [outbox_step(message, user_id=user_id, cohort_id=cohort_id)]
        )
        return int(row[0])
