"""A PostgreSQL that goes away while the site serves: 503 in plain French, then it heals.

The app reaches PostgreSQL through a TCP relay the test cuts (every connection
dropped, new ones refused) and restores on the same port: what a restarted
server or a lost network looks like from the app's side.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import replace
from urllib.parse import urlsplit, urlunsplit

from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from tests.conftest import Learner


class Relay:
    """Forwards TCP connections from a local port to PostgreSQL, until `cut`."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener: socket.socket | None = None
        self.sockets: list[socket.socket] = []

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        for end in self.sockets:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()
        self.sockets = []


def test_a_postgresql_gone_while_serving_answers_503_then_recovers(
    settings: Settings, postgres_url: str
) -> None:
    parts = urlsplit(postgres_url)
    relay = Relay(parts.hostname or "127.0.0.1", parts.port or 5432)
    relay.start()
    netloc = f"{parts.username}@127.0.0.1:{relay.port}" if parts.username else None
    relayed = urlunsplit(parts._replace(netloc=netloc or f"127.0.0.1:{relay.port}"))
    try:
        with TestClient(create_app(replace(settings, database_url=relayed))) as client:
            assert Learner(client).signup().status_code == 303
            assert client.get("/compte").status_code == 200

            relay.cut()
            started = time.monotonic()
            down = client.get("/compte")
            assert down.status_code == 503
            assert time.monotonic() - started < 15  # the pool's wait, not a hang
            assert "base de données indisponible" in down.text
            assert "Traceback" not in down.text and "psycopg" not in down.text
            assert down.headers["retry-after"] == "30"

            relay.start()
            deadline = time.monotonic() + 30
            status = down.status_code
            while status != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
                status = client.get("/compte").status_code
            assert status == 200  # healed without a restart
            client.cookies.clear()
            assert Learner(client).login().status_code == 303  # the account was kept
    finally:
        relay.cut()
