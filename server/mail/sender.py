"""The sender task: delivers the outbox, inside the server, in every worker.

Each loop claims the due messages with one atomic UPDATE (server/storage/outbox.py:
`claim_messages`) that marks them `sending` under a lease and counts the attempt;
with `alliances serve --workers N`, N senders run that statement and each message
goes to exactly one of them. A message is then sent, and marked `sent`,
`waiting` again (a temporary failure: retried after 1 min, 5 min, 15 min, 1 h,
3 h, 6 h, 12 h) or `failed` with the relay's reason (a 5xx answer, or the
attempts used up); an administrator may requeue a failed one from /admin/mail.

The sender wakes at once when this process records a message (the storage calls
`wake`), and otherwise looks every few seconds, for messages recorded by another
worker or by the command line.

Delivery is at least once, not exactly once. A message recorded when the
server stops is sent by the next start (it is in the database, committed with
the event). A message whose sending was under way when the server stopped (or
whose relay accepted it but whose `sent` mark was not yet written) stays
`sending` until its lease expires (LEASE_SECONDS), then is sent again: the
recipient may then get it twice, under the same Message-ID, which most mail
clients show once. Every other path (restart, several workers) sends it once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

from server import clock
from server.mail.transport import (
    Outgoing,
    PermanentFailure,
    TemporaryFailure,
    Transport,
    build_email,
    mail_directory,
    mail_from,
    transport_for,
)
from server.outbox_loop import OutboxLoop
from server.settings import Settings
from server.storage import Storage
from server.storage.records import OutboxMessage

log = logging.getLogger("alliances.mail")
BATCH = 10  # messages claimed at once
# A claim outlives the slowest batch (10 messages × 30 s of SMTP timeouts), so
# a live sender never loses its messages to another one.
LEASE_SECONDS = 15 * 60


class MailSender(OutboxLoop):
    NAME = "mail-sender"
    log = log

    def __init__(
        self,
        storage: Storage,
        transport: Transport,
        *,
        mail_from: str,
        base_url: str,
        poll_seconds: float = 5.0,
        backoff: Sequence[float] = (60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600),
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        super().__init__(poll_seconds=poll_seconds, backoff=backoff)
        self.storage = storage
        self.transport = transport
        self.mail_from = mail_from
        self.base_url = base_url
        self.lease_seconds = lease_seconds

    def listen(self, wake: Callable[[], None] | None) -> None:
        self.storage.outbox_listener = wake

    async def step(self) -> int:
        """Claim the due messages and try each once; how many were handled."""
        claimed = await self.storage.claim_messages(clock.moment(), self.lease_seconds, BATCH)
        for message in claimed:
            try:
                await self.deliver(message)
            except Exception:  # its mark not written (a full disk): its lease will expire
                log.exception("mail %d: could not record the outcome", message.id)
        return len(claimed)

    async def deliver(self, message: OutboxMessage) -> None:
        try:
            email = build_email(message, mail_from=self.mail_from, base_url=self.base_url)
        except (ValueError, TypeError, IndexError) as exc:  # e.g. an address it cannot write
            log.warning("mail %d to %s cannot be written: %r", message.id, message.recipient, exc)
            await self.storage.mark_failed(message.id, f"message impossible à écrire\u00a0: {exc}")
            return
        outgoing = Outgoing(message.id, message.recipient, email)
        try:
            await self.transport.send(outgoing)
        except PermanentFailure as exc:
            log.warning("mail %d to %s refused: %s", message.id, message.recipient, exc)
            await self.storage.mark_failed(message.id, str(exc))
        except Exception as exc:  # temporary, or a bug: retry rather than lose it
            reason = str(exc) if isinstance(exc, TemporaryFailure) else repr(exc)
            if not isinstance(exc, TemporaryFailure):
                log.exception("mail %d: unexpected error", message.id)
            if message.attempts >= self.max_attempts:
                log.warning("mail %d to %s given up: %s", message.id, message.recipient, reason)
                await self.storage.mark_failed(
                    message.id, f"{message.attempts} tentatives, la dernière\u00a0: {reason}"
                )
            else:
                delay = self.backoff[message.attempts - 1]
                later = clock.moment() + timedelta(seconds=delay)
                await self.storage.mark_retry(message.id, later, reason)
        else:
            await self.storage.mark_sent(message.id, clock.moment())


def start_sender(storage: Storage, settings: Settings) -> MailSender:
    """The sender of this process, running (server/app.py's lifespan)."""
    _make_visible()
    if not settings.smtp_url and settings.production and not settings.preview:
        log.warning(
            "ALLIANCES_SMTP_URL is not set: messages are written to %s, not sent",
            mail_directory(settings),
        )
    sender = MailSender(
        storage,
        transport_for(settings),
        mail_from=mail_from(settings),
        base_url=settings.base_url,
        poll_seconds=settings.mail_poll_seconds,
        backoff=settings.mail_backoff,
    )
    sender.start()
    return sender


def _make_visible() -> None:
    """uvicorn configures only its own loggers: give this one a voice of its own.

    Without it the file transport's line (subject and link, for `make run`) and
    the warnings above would go nowhere. When logging is configured (pytest,
    a deployment's own config), the root logger has handlers and this is left alone.
    """
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)
    if not logging.getLogger().handlers and not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(message)s"))
        log.addHandler(handler)
