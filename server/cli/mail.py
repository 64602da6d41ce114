"""`alliances mail test`: whether the configured relay takes a message, said in one line."""

from __future__ import annotations

import argparse
import sys

from server.settings import Settings


def cmd_mail_test(args: argparse.Namespace) -> int:
    """Send the `test` message straight through the transport; the outcome in one line."""
    import asyncio

    from server.mail.compose import compose
    from server.mail.transport import (
        FileTransport,
        Outgoing,
        PermanentFailure,
        TemporaryFailure,
        build_email,
        mail_from,
        transport_for,
    )
    from server.views.auth import EMAIL

    try:
        settings = Settings.from_env()
    except ValueError as exc:
        print(f"alliances: {exc}", file=sys.stderr)
        return 2
    address = args.address.strip()
    if not EMAIL.match(address):
        print(f"alliances: not an e-mail address: {address!r}", file=sys.stderr)
        return 2
    message = compose("test", address, "", {}, base_url=settings.base_url)
    email = build_email(message, mail_from=mail_from(settings), base_url=settings.base_url)
    transport = transport_for(settings)
    try:
        outcome = asyncio.run(transport.send(Outgoing(None, address, email)))
    except (TemporaryFailure, PermanentFailure) as exc:
        print(f"failed: {exc} (via {transport.description})")
        return 1
    if isinstance(transport, FileTransport):
        print(f"not sent, ALLIANCES_SMTP_URL is not set: {outcome}")
    else:
        print(f"sent to {address} via {transport.description}: {outcome}")
    return 0
