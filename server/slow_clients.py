"""Slow clients: every uvicorn limit set explicitly, plus a deadline on incomplete requests.

Uvicorn closes an idle keep-alive connection (`timeout_keep_alive`) but has no
timer while a request is still arriving: a client that opens a connection and
sends its headers one byte at a time (« slowloris »), or announces a body and
never sends it, holds a connection and its buffers for as long as it likes.
`DeadlineProtocol` is uvicorn's httptools protocol with that timer: the request
line and headers must arrive within `HEADER_TIMEOUT` seconds of the request's
first byte (or of the connection, when nothing comes), and the body within
`BODY_TIMEOUT` seconds of the headers. Past it, the client gets a 408 in French
and the connection is closed; the view waiting for the body sees the client gone.

In production a reverse proxy in front (see the README) buffers requests and
enforces its own timeouts; these deadlines protect the server when it does not.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger("alliances")

HEADER_TIMEOUT = 10.0  # seconds for the request line and headers (they fit in one packet)
BODY_TIMEOUT = 30.0  # seconds for the body: 256 KiB at under 10 KiB/s still fits
KEEP_ALIVE_TIMEOUT = 5  # seconds an idle connection stays open between requests
TIMEOUT_MESSAGE = "Délai dépassé\u00a0: la requête n’est pas arrivée à temps. Réessayez."

# Everything uvicorn offers against slow or too many clients, written out rather than
# left to its defaults (which may change between releases).
UVICORN_LIMITS: dict[str, Any] = {
    "timeout_keep_alive": KEEP_ALIVE_TIMEOUT,
    "timeout_graceful_shutdown": 10,  # a stuck request does not block a restart forever
    "backlog": 2048,  # connections waiting to be accepted
    "limit_concurrency": 2000,  # connections + tasks; beyond, uvicorn answers 503
    "h11_max_incomplete_event_size": 16 * 1024,  # header bytes, if h11 is ever used
}


class DeadlineProtocol(HttpToolsProtocol):
    """httptools with a deadline on each incomplete request.

    One timer per connection, not per request: each phase only notes when it
    began and how long it may last, and the timer, when it fires, either closes a
    request past its deadline or sleeps until the current one's. Arming and
    cancelling a timer at every phase of every request cost the plaintext
    endpoint about a tenth of its throughput.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._phase_start = 0.0
        self._phase_limit = HEADER_TIMEOUT
        self._waiting = True  # a request (or the first one) is incomplete

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._phase(HEADER_TIMEOUT)  # a connection that never sends a request is closed too
        self._deadline = self.loop.call_later(HEADER_TIMEOUT, self._check)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._phase(HEADER_TIMEOUT)

    def on_headers_complete(self) -> None:
        self._phase(BODY_TIMEOUT)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._waiting = False  # idle until the next request: uvicorn's keep-alive applies
        super().on_message_complete()

    def _phase(self, seconds: float) -> None:
        self._phase_start, self._phase_limit, self._waiting = self.loop.time(), seconds, True

    def _check(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        due = self._phase_start + self._phase_limit
        if self._waiting and self.loop.time() >= due:
            self._expired()
            return
        later = due - self.loop.time() if self._waiting else HEADER_TIMEOUT
        self._deadline = self.loop.call_later(max(later, 0.05), self._check)

    def _expired(self) -> None:
        """Too slow: a 408 if nothing was answered yet, then the connection is closed."""
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or cycle.response_complete or not cycle.response_started:
            body = TIMEOUT_MESSAGE.encode()
            self.transport.write(
                b"HTTP/1.1 408 Request Timeout\r\n"
                b"content-type: text/plain; charset=utf-8\r\n"
                b"content-length: " + str(len(body)).encode() + b"\r\n"
                b"connection: close\r\n\r\n" + body
            )
        self.transport.close()


async def client_gone(request: Request, exc: Exception) -> Response:
    """The client left (or was cut off) before its body arrived: no one to answer, no bug."""
    log.info("client gone before its request was complete: %s %s", request.method, request.url.path)
    return Response(status_code=400)
