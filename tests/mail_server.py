"""A real SMTP server for the tests (aiosmtpd), on a free port of 127.0.0.1.

The site talks to it over a socket exactly as to a production relay. It keeps
every message it accepts as a parsed `EmailMessage`; `refuse` makes it answer
the next N messages with a temporary failure (451), so retries can be seen.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class Recorder:
    """The aiosmtpd handler: records what it accepts, refuses when told to."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse = 0  # how many of the next messages get a 451
        self.reject: set[str] = set()  # recipients refused for good (550)
        self._lock = threading.Lock()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if address in self.reject:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._lock:
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 Try again later"
            raw = envelope.original_content or envelope.content
            assert isinstance(raw, bytes)
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.messages.append(parsed)
            self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return "250 2.0.0 OK"


class MailServer:
    def __init__(self, port: int, recorder: Recorder) -> None:
        self.port = port
        self.url = f"smtp://127.0.0.1:{port}"
        self.recorder = recorder

    @property
    def messages(self) -> list[EmailMessage]:
        return list(self.recorder.messages)

    def refuse(self, count: int) -> None:
        self.recorder.refuse = count

    def reject(self, address: str, rejected: bool = True) -> None:
        """Answer 550 to this recipient (a permanent failure), or stop doing so."""
        if rejected:
            self.recorder.reject.add(address)
        else:
            self.recorder.reject.discard(address)

    def wait(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        """The first `count` messages, once they have arrived (or fail the test)."""
        deadline = time.monotonic() + timeout
        while len(self.recorder.messages) < count:
            if time.monotonic() > deadline:
                pytest.fail(f"{len(self.recorder.messages)} message(s) received, {count} awaited")
            time.sleep(0.02)
        return self.messages[:count]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    recorder = Recorder()
    port = free_port()
    # No STARTTLS offered: the site's client must not require it on a plain
    # smtp:// URL without credentials (a local relay).
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield MailServer(port, recorder)
    finally:
        controller.stop()
