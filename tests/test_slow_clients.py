"""Slow clients are cut off: incomplete requests get a 408 and their connection closed.

A real uvicorn server with `DeadlineProtocol` runs on a loopback port for each
test, with deadlines shortened to a fraction of a second, in front of the real
application; raw sockets play the slow clients.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from server import slow_clients
from server.app import create_app
from server.settings import Settings
from server.slow_clients import UVICORN_LIMITS, DeadlineProtocol

SHORT = 0.4


@pytest.fixture
def server(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """The application behind uvicorn with the production protocol; yields its port."""
    monkeypatch.setattr(slow_clients, "HEADER_TIMEOUT", SHORT)
    monkeypatch.setattr(slow_clients, "BODY_TIMEOUT", SHORT)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        http=DeadlineProtocol,
        log_level="warning",
        **UVICORN_LIMITS,
    )
    instance = uvicorn.Server(config)
    instance.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    thread = threading.Thread(target=lambda: asyncio.run(instance.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield port
    instance.should_exit = True
    thread.join(10)


def connect(port: int) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    return client


def read_all(client: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while chunk := client.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def read_plaintext(client: socket.socket) -> bytes:
    """One answer of `/plaintext`, whose body is « ok »."""
    answer = b""
    while not answer.endswith(b"\r\n\r\nok"):
        chunk = client.recv(65536)
        assert chunk, answer
        answer += chunk
    return answer


def assert_timed_out(answer: bytes, started: float) -> None:
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), answer[:80]
    assert "Délai dépassé\u00a0: la requête n’est pas arrivée à temps".encode() in answer
    assert time.monotonic() - started < SHORT + 3  # cut at the deadline, not by the test


def test_a_complete_request_is_served_and_kept_alive(server: int) -> None:
    with connect(server) as client:
        for _ in range(2):
            client.sendall(b"GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert read_plaintext(client).startswith(b"HTTP/1.1 200 OK")
            time.sleep(SHORT * 1.5)  # idle between requests is keep-alive's business (5 s)


def test_a_connection_that_sends_nothing_is_closed(server: int) -> None:
    started = time.monotonic()
    with connect(server) as client:
        assert_timed_out(read_all(client), started)


def test_headers_sent_a_byte_at_a_time_are_cut_off(server: int) -> None:
    request = b"GET /plaintext HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 200
    started = time.monotonic()
    with connect(server) as client:
        try:
            for byte in request:
                client.sendall(bytes([byte]))
                time.sleep(0.02)  # never idle for long: an idle timer would not fire
        except (BrokenPipeError, ConnectionResetError):
            pass  # closed under our feet: what we wanted
        assert_timed_out(read_all(client), started)


def test_a_body_that_never_comes_is_cut_off(server: int, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="alliances")
    started = time.monotonic()
    with connect(server) as client:
        client.sendall(
            b"POST /login HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
            b"email=a"
        )
        assert_timed_out(read_all(client), started)
    with connect(server) as client:  # and the server still serves
        client.sendall(b"GET /plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert read_plaintext(client).startswith(b"HTTP/1.1 200 OK")
    # The view waiting for that body saw the client gone: not a bug, no error logged.
    assert "client gone before its request was complete: POST /login" in caplog.text
    assert "unhandled error" not in caplog.text


def test_serve_sets_every_limit_explicitly(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    from server.cli import main

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    monkeypatch.setenv("ALLIANCES_DATABASE", settings.database_url or str(settings.database))
    monkeypatch.setenv("ALLIANCES_CONTENT_DIR", str(settings.content_dir))
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", settings.secret_key)
    assert main(["serve"]) == 0
    assert seen["http"] is DeadlineProtocol
    assert seen["timeout_keep_alive"] == 5 and seen["limit_concurrency"] == 2000
    assert seen["timeout_graceful_shutdown"] == 10 and seen["backlog"] == 2048
    assert seen["h11_max_incomplete_event_size"] == 16 * 1024
    assert seen["proxy_headers"] is True
