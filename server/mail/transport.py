"""From an outbox row to a message on the wire (SMTP) or on disk (.eml).

`build_email` makes the MIME message: multipart/alternative (the plain text as
written, the HTML part made from it), UTF-8, names and subjects in any script
encoded as RFC 2047 words, a `Message-ID` derived from the outbox id and the
site's host, so that a message sent twice (see server/mail/sender.py) has the
same id both times and mail clients show it once.

A transport's `send` returns the outcome in one line, or raises
`TemporaryFailure` (worth retrying: the relay is down or says 4xx) or
`PermanentFailure` (the relay said 5xx for this message: retrying would not help).
"""

from __future__ import annotations

import asyncio
import email.policy
import logging
import re
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import aiosmtplib

from server import clock
from server.mail.compose import Message
from server.mail.smtp_config import SmtpConfig, default_mail_from, parse_smtp_url
from server.settings import Settings
from server.storage.records import OutboxMessage

log = logging.getLogger("alliances.mail")
TIMEOUT = 30.0  # seconds for each step of the SMTP dialogue
LINK = re.compile(r"<(https?://[^>\s]+)>")


class TemporaryFailure(Exception):
    """Try again later: connection refused or cut, timeout, a 4xx answer."""


class PermanentFailure(Exception):
    """The relay refused this message for good (5xx): it is marked failed."""


@dataclass(frozen=True)
class Outgoing:
    """What a transport needs: the outbox id (or None for a test) and the message."""

    id: int | None
    recipient: str
    message: EmailMessage


def _name_and_address(value: str) -> Address:
    name, address = parseaddr(value)
    user, _, domain = address.rpartition("@")
    return Address(display_name=name, username=user, domain=domain)


def build_email(row: OutboxMessage | Message, *, mail_from: str, base_url: str) -> EmailMessage:
    """The MIME message for an outbox row (or a message composed for `alliances mail test`).

    The Message-ID of an outbox row is the same at every attempt: its id, and
    the time it was recorded, so that a database started afresh never reuses one.
    """
    if isinstance(row, OutboxMessage):
        to, name, subject = row.recipient, row.recipient_name, row.subject
        text, html, headers = row.text, row.html, row.headers
        unique = f"outbox-{row.id}.{''.join(filter(str.isdigit, row.created_at[:19]))}"
    else:
        to, name, subject = row.to, row.to_name, row.subject
        text, html, headers = row.text, row.html, row.headers
        unique = f"test-{clock.moment():%Y%m%d%H%M%S%f}"
    # An address with a non-ASCII local part needs SMTPUTF8 (RFC 6531).
    policy = email.policy.SMTP if to.isascii() else email.policy.SMTPUTF8
    message = EmailMessage(policy=policy)
    message["From"] = _name_and_address(mail_from)
    user, _, domain = to.rpartition("@")
    message["To"] = Address(display_name=name, username=user, domain=domain)
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.moment())
    host = urlsplit(base_url).hostname or "localhost"
    message["Message-ID"] = f"<{unique}@{host}>"
    for header in ("List-Unsubscribe", "List-Unsubscribe-Post"):
        if header in headers:
            message[header] = headers[header]
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies, please
    message.set_content(text, charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message


class Transport(Protocol):
    description: str  # where messages go, for the CLI and the logs

    async def send(self, outgoing: Outgoing) -> str: ...


class SmtpTransport:
    """A relay over SMTP (aiosmtplib), one connection per message."""

    def __init__(self, config: SmtpConfig, timeout: float = TIMEOUT) -> None:
        self.config = config
        self.timeout = timeout
        self.description = f"{config.address} ({config.tls_label})"

    async def send(self, outgoing: Outgoing) -> str:
        config = self.config
        try:
            # aiosmtplib's timeout is per step; this bounds the whole dialogue, so a
            # batch always ends within the sender's lease.
            async with asyncio.timeout(self.timeout * 2):
                errors, response = await aiosmtplib.send(
                    outgoing.message,
                    hostname=config.host,
                    port=config.port,
                    username=config.user or None,
                    password=config.password or None,
                    use_tls=config.tls == "implicit",
                    start_tls=True if config.tls == "starttls" else None,
                    timeout=self.timeout,
                )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients[0] if exc.recipients else None
            code = refused.code if refused else 550
            reason = f"{code} {refused.message if refused else 'recipient refused'}"
            raise (PermanentFailure if code >= 500 else TemporaryFailure)(reason) from exc
        except aiosmtplib.SMTPAuthenticationError as exc:
            # The relay's password is the operator's to fix: keep retrying meanwhile.
            raise TemporaryFailure(f"authentication refused: {exc.code} {exc.message}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            reason = f"{exc.code} {exc.message}"
            raise (PermanentFailure if 500 <= exc.code < 600 else TemporaryFailure)(reason) from exc
        except (aiosmtplib.SMTPException, OSError, ssl.SSLError, TimeoutError) as exc:
            raise TemporaryFailure(_reason(exc)) from exc
        if errors:  # one recipient only: it was accepted if we got here, but be sure
            code, text = next(iter(errors.values()))
            raise (PermanentFailure if code >= 500 else TemporaryFailure)(f"{code} {text}")
        return "250 " + " ".join(response.split())  # aiosmtplib keeps the text, not the code


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class FileTransport:
    """No relay configured (`make run`): each message becomes a .eml file.

    Its subject, recipient and first link are logged in one line, so a person
    trying the site locally can follow a password-reset link from the terminal.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.description = f"files in {directory}"

    async def send(self, outgoing: Outgoing) -> str:
        moment = clock.moment().strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{moment}-{outgoing.id if outgoing.id is not None else 'test'}.eml"
        path = self.directory / name
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            path.write_bytes(outgoing.message.as_bytes())
        except OSError as exc:
            raise TemporaryFailure(_reason(exc)) from exc
        body = outgoing.message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        link = LINK.search(text)
        log.info(
            "mail to %s: « %s » %s (%s)",
            outgoing.recipient,
            outgoing.message["Subject"],
            link[1] if link else "(no link)",
            path,
        )
        return f"written to {path}"


def mail_from(settings: Settings) -> str:
    return settings.mail_from or default_mail_from(settings.base_url)


def mail_directory(settings: Settings) -> Path:
    return settings.database.parent / "mail"


def transport_for(settings: Settings) -> Transport:
    """SMTP when `ALLIANCES_SMTP_URL` is set, else .eml files under var/mail/."""
    if settings.smtp_url:
        return SmtpTransport(parse_smtp_url(settings.smtp_url))
    return FileTransport(mail_directory(settings))
