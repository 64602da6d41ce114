"""Administrators' view of the outbox: what waits, what went, what failed and why.

A failed message can be requeued (« Réessayer ») once the cause is fixed: a
typo in the relay's settings, a full mailbox. The relay's settings in force are
shown without the password.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server import clock, urls
from server.ids import bounded_int, path_id
from server.mail.smtp_config import parse_smtp_url
from server.mail.transport import mail_directory, mail_from
from server.settings import Settings
from server.state import state
from server.templating import date_fr, render
from server.web import read_form, redirect, require_role, storage

SHOWN = 50  # rows per list: the page stays light however long the history


def when(value: str | None) -> str:
    """« 27 novembre 2026 à 13 h 05 » (UTC), for a stored ISO time."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value).astimezone(UTC)
    return f"{date_fr(moment)} à {moment:%H}\u00a0h\u00a0{moment:%M}"


def relay(settings: Settings) -> dict[str, str] | None:
    """The SMTP settings in force, password left out; None when mail goes to files."""
    if not settings.smtp_url:
        return None
    config = parse_smtp_url(settings.smtp_url)
    return {
        "host": config.host,
        "port": str(config.port),
        "tls": config.tls_label_fr,
        "user": config.user,
    }


async def mail_page(request: Request) -> Response:
    await require_role(request, "admin")
    db = storage(request)
    settings: Settings = state(request).settings
    return render(
        request,
        "admin/mail.html",
        {
            "counts": await db.outbox_counts(),
            "failed": await db.outbox_list(["failed"], SHOWN),
            "waiting": await db.outbox_list(["waiting", "sending"], SHOWN),
            "sent": await db.outbox_list(["sent"], SHOWN),
            "shown": SHOWN,
            "relay": relay(settings),
            "mail_from": mail_from(settings),
            "mail_directory": mail_directory(settings),
            "when": when,
            "notice": await _notice(request),
        },
    )


async def _notice(request: Request) -> str | None:
    """What the last « Réessayer » did, so the admin sees it happened."""
    done = request.query_params.get("fait")
    message_id = bounded_int(request.query_params.get("message", ""))
    if done not in ("renvoi", "deja") or message_id is None:
        return None
    message = await storage(request).outbox_message(message_id)
    if message is None:
        return None
    if done == "renvoi":
        return (
            f"Le message n°\u00a0{message.id} à {message.recipient} est de nouveau en attente"
            "\u00a0: il part dans quelques secondes."
        )
    return f"Le message n°\u00a0{message.id} n’était plus en échec\u00a0: rien à refaire."


async def retry(request: Request) -> Response:
    await require_role(request, "admin")
    await read_form(request)  # the CSRF check
    message_id = path_id(request, "message_id", "Ce message n’existe pas.")
    requeued = await storage(request).retry_message(message_id, clock.moment())
    if requeued is None:
        raise HTTPException(404, "Ce message n’existe pas.")
    done = urlencode({"fait": "renvoi" if requeued else "deja", "message": message_id})
    return redirect(f"{urls.admin_mail()}?{done}#avis")
