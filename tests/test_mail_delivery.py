"""The sender task against a real SMTP server: delivery, retries, failures, restarts.

Senders are stepped by hand (`MailSender.step`) where the order matters, and run
as the app's own background task where the app's life is what is tested.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from starlette.testclient import TestClient

from server.app import create_app
from server.mail.compose import Message, compose
from server.mail.sender import MailSender
from server.mail.smtp_config import parse_smtp_url
from server.mail.transport import FileTransport, SmtpTransport, Transport
from server.settings import Settings
from server.state import app_state
from server.storage import SqliteStorage, open_storage
from server.storage.postgres import PostgresStorage
from tests.mail_server import MailServer, Recorder, free_port, mail_server  # noqa: F401
from tests.pg import postgres_url  # noqa: F401

BASE = "https://formation.example.org"
FROM = "Alliances & Territoires <ne-pas-repondre@formation.example.org>"
SUBJECT = "Réinitialisation de votre mot de passe\u00a0: « essai » — Ελληνικά"
NAME = "Zoé Ñúñez-Łukasz 李"


def message(to: str = "zoe@example.fr", *, secret: bool = False) -> Message:
    text = f"Bonjour,\n\nVotre lien\u00a0: <{BASE}/reinitialiser/abc>\n"
    html = f'<p>Bonjour,</p><p>Votre lien\u00a0: <a href="{BASE}/reinitialiser/abc">…</a></p>'
    headers = {
        "List-Unsubscribe": f"<{BASE}/relances/arret/xyz>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return Message("reset", to, NAME, SUBJECT, text, html, headers, secret)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Both backends implement the outbox's methods: the sender is tried on each."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return tmp_path / "var" / "test.db"


def backend(database: Path | str) -> SqliteStorage:
    return PostgresStorage(database) if isinstance(database, str) else SqliteStorage(database)


@pytest.fixture
async def storage(database: Path | str) -> AsyncIterator[SqliteStorage]:
    opened = backend(database)
    await opened.open()
    yield opened
    await opened.close()


def sender(storage: SqliteStorage, transport: Transport, backoff: tuple[float, ...] = (0,) * 3):
    return MailSender(
        storage, transport, mail_from=FROM, base_url=BASE, poll_seconds=0.05, backoff=backoff
    )


def smtp(server: MailServer | str) -> SmtpTransport:
    return SmtpTransport(parse_smtp_url(server if isinstance(server, str) else server.url), 5)


FIELDS = ["status", "attempts", "last_error", "text_body", "html_body", "next_attempt_at"]


async def row(storage: SqliteStorage, message_id: int) -> dict:
    found = await storage._one(
        f"SELECT {', '.join(FIELDS)}, created_at FROM outbox WHERE id = ?", (message_id,)
    )
    assert found is not None
    return {name: found[name] for name in [*FIELDS, "created_at"]}


@pytest.mark.anyio
async def test_a_message_arrives_whole_with_its_names_and_headers(
    storage: SqliteStorage,
    mail_server: MailServer,  # noqa: F811
) -> None:
    message_id = await storage.enqueue(message())
    assert await sender(storage, smtp(mail_server)).step() == 1
    (received,) = mail_server.messages
    assert received["To"].addresses[0].display_name == NAME
    assert received["To"].addresses[0].addr_spec == "zoe@example.fr"
    assert received["Subject"] == SUBJECT
    assert received["From"].addresses[0].display_name == "Alliances & Territoires"
    stamp = "".join(filter(str.isdigit, (await row(storage, message_id))["created_at"][:19]))
    assert received["Message-ID"] == f"<outbox-{message_id}.{stamp}@formation.example.org>"
    assert received["List-Unsubscribe"] == f"<{BASE}/relances/arret/xyz>"
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["Date"] is not None
    assert received.get_content_type() == "multipart/alternative"
    plain, html = received.get_body(("plain",)), received.get_body(("html",))
    assert plain is not None and html is not None
    assert f"<{BASE}/reinitialiser/abc>" in plain.get_content()
    assert "Votre lien\u00a0:" in html.get_content()
    assert plain.get_content_charset() == "utf-8"
    assert mail_server.recorder.envelopes == [
        ("ne-pas-repondre@formation.example.org", ["zoe@example.fr"])
    ]
    stored = await row(storage, message_id)
    assert (stored["status"], stored["attempts"], stored["last_error"]) == ("sent", 1, None)
    assert stored["text_body"]  # not secret: kept
    assert await sender(storage, smtp(mail_server)).step() == 0  # never twice


@pytest.mark.anyio
async def test_headers_travel_as_ascii_words(
    storage: SqliteStorage,
    mail_server: MailServer,  # noqa: F811
) -> None:
    """Non-ASCII names and subjects are RFC 2047 words on the wire, not raw bytes."""
    await storage.enqueue(message())
    await sender(storage, smtp(mail_server)).step()
    raw = mail_server.messages[0].as_bytes(policy=email.policy.SMTP)
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii() and b"=?utf-8?" in head


@pytest.mark.anyio
async def test_a_one_time_link_does_not_stay_in_the_database(
    storage: SqliteStorage,
    mail_server: MailServer,  # noqa: F811
) -> None:
    message_id = await storage.enqueue(message(secret=True))
    await sender(storage, smtp(mail_server)).step()
    assert "reinitialiser/abc" in mail_server.messages[0].get_body(("plain",)).get_content()
    stored = await row(storage, message_id)
    assert stored["status"] == "sent" and stored["text_body"] == stored["html_body"] == ""


@pytest.mark.anyio
async def test_a_refusal_is_retried_then_delivered(
    storage: SqliteStorage,
    mail_server: MailServer,  # noqa: F811
) -> None:
    message_id = await storage.enqueue(message())
    mail_server.refuse(1)
    mailer = sender(storage, smtp(mail_server), backoff=(3600, 3600))
    assert await mailer.step() == 1
    stored = await row(storage, message_id)
    assert stored["status"] == "waiting" and stored["attempts"] == 1
    assert "451" in stored["last_error"]
    assert stored["next_attempt_at"] > datetime.now(UTC).isoformat()  # backed off an hour
    assert await mailer.step() == 0  # not due yet
    await storage._write("UPDATE outbox SET next_attempt_at = '2000-01-01T00:00:00+00:00'")
    assert await mailer.step() == 1
    stored = await row(storage, message_id)
    assert (stored["status"], stored["attempts"]) == ("sent", 2)
    assert len(mail_server.messages) == 1


@pytest.mark.anyio
async def test_a_server_down_loses_nothing(storage: SqliteStorage) -> None:
    port = free_port()  # nothing listens there yet
    message_id = await storage.enqueue(message())
    mailer = sender(storage, smtp(f"smtp://127.0.0.1:{port}"), backoff=(0,) * 10)
    for attempt in (1, 2):
        assert await mailer.step() == 1
        stored = await row(storage, message_id)
        assert (stored["status"], stored["attempts"]) == ("waiting", attempt)
        assert stored["last_error"]
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert await mailer.step() == 1
    finally:
        controller.stop()
    assert len(recorder.messages) == 1
    assert (await row(storage, message_id))["status"] == "sent"


@pytest.mark.anyio
async def test_the_attempts_run_out_into_a_failure_with_its_reason(storage: SqliteStorage) -> None:
    message_id = await storage.enqueue(message())
    mailer = sender(storage, smtp(f"smtp://127.0.0.1:{free_port()}"), backoff=(0, 0))
    for _ in range(3):
        assert await mailer.step() == 1
    stored = await row(storage, message_id)
    assert stored["status"] == "failed" and stored["attempts"] == 3
    assert stored["last_error"].startswith("3 tentatives, la dernière\u00a0: ")
    assert await mailer.step() == 0


@pytest.mark.anyio
async def test_a_permanent_refusal_fails_at_once_and_an_admin_can_requeue_it(
    storage: SqliteStorage,
    mail_server: MailServer,  # noqa: F811
) -> None:
    message_id = await storage.enqueue(message("inconnu@example.fr"))
    mail_server.reject("inconnu@example.fr")
    mailer = sender(storage, smtp(mail_server))
    assert await mailer.step() == 1
    stored = await row(storage, message_id)
    assert stored["status"] == "failed" and "550" in stored["last_error"]
    assert await mailer.step() == 0
    mail_server.reject("inconnu@example.fr", False)
    assert await storage.retry_message(message_id, datetime.now(UTC)) is True
    assert await storage.retry_message(message_id, datetime.now(UTC)) is False  # not failed now
    assert await storage.retry_message(999, datetime.now(UTC)) is None
    assert await mailer.step() == 1
    stored = await row(storage, message_id)
    assert (stored["status"], stored["attempts"]) == ("sent", 1)
    assert len(mail_server.messages) == 1


@pytest.mark.anyio
async def test_a_lease_left_by_a_stopped_server_expires_and_the_message_goes(
    storage: SqliteStorage,
    mail_server: MailServer,  # noqa: F811
) -> None:
    message_id = await storage.enqueue(message())
    mailer = sender(storage, smtp(mail_server))
    future = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    await storage._write(
        "UPDATE outbox SET status = 'sending', attempts = 1, claimed_until = ?", (future,)
    )
    assert await mailer.step() == 0  # another sender holds it
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    await storage._write("UPDATE outbox SET claimed_until = ?", (past,))
    assert await mailer.step() == 1
    assert (await row(storage, message_id))["attempts"] == 2
    assert len(mail_server.messages) == 1


@pytest.mark.anyio
async def test_two_senders_on_one_database_never_send_a_message_twice(
    database: Path | str,
    mail_server: MailServer,  # noqa: F811
) -> None:
    first, second = backend(database), backend(database)
    await first.open()
    await second.open()
    try:
        for number in range(30):
            await (first if number % 2 else second).enqueue(message(f"p{number}@example.fr"))
        senders = [sender(first, smtp(mail_server)), sender(second, smtp(mail_server))]
        handled = [0, 0]

        async def drain(index: int) -> None:
            while count := await senders[index].step():
                handled[index] += count
                await asyncio.sleep(0)

        await asyncio.gather(drain(0), drain(1))
        assert sum(handled) == 30
        ids = [received["Message-ID"] for received in mail_server.messages]
        assert len(ids) == len(set(ids)) == 30
        counts = await first.outbox_counts()
        assert counts == {"waiting": 0, "sending": 0, "sent": 30, "failed": 0}
    finally:
        await first.close()
        await second.close()


@pytest.mark.anyio
async def test_without_a_relay_a_readable_eml_is_written_and_its_link_logged(
    storage: SqliteStorage, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    directory = tmp_path / "var" / "mail"
    message_id = await storage.enqueue(message())
    with caplog.at_level(logging.INFO, logger="alliances.mail"):
        assert await sender(storage, FileTransport(directory)).step() == 1
    (written,) = directory.glob("*.eml")
    assert written.name.endswith(f"-{message_id}.eml")
    parsed = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == SUBJECT and parsed["To"].addresses[0].display_name == NAME
    assert "reinitialiser/abc" in parsed.get_body(("plain",)).get_content()
    (line,) = [r.getMessage() for r in caplog.records if r.name == "alliances.mail"]
    assert "zoe@example.fr" in line and SUBJECT in line
    assert f"{BASE}/reinitialiser/abc" in line
    assert (await row(storage, message_id))["status"] == "sent"


# -- the sender as the app runs it ---------------------------------------------


def app_settings(settings: Settings, server: MailServer, poll: float = 0.05) -> Settings:
    return replace(settings, smtp_url=server.url, mail_poll_seconds=poll, mail_backoff=(0.05,))


def record_while_stopped(settings: Settings, outgoing: Message) -> None:
    async def record() -> None:
        storage = open_storage(settings)  # the app's backend, whichever it is
        await storage.open()
        await storage.enqueue(outgoing)
        await storage.close()

    asyncio.run(record())


def test_the_outbox_survives_a_restart_and_sends_once(
    settings: Settings,
    mail_server: MailServer,  # noqa: F811
) -> None:
    configured = app_settings(settings, mail_server)
    record_while_stopped(configured, message())  # recorded, then the server stopped
    with TestClient(create_app(configured)):
        (received,) = mail_server.wait(1)
    assert received["Subject"] == SUBJECT
    with TestClient(create_app(configured)):  # started again
        time.sleep(0.3)  # several polls
    assert len(mail_server.messages) == 1


def test_a_message_recorded_by_the_app_wakes_its_sender(
    settings: Settings,
    mail_server: MailServer,  # noqa: F811
) -> None:
    configured = app_settings(settings, mail_server, poll=60)  # polling alone: a minute
    with TestClient(create_app(configured)) as client:
        time.sleep(0.1)  # the first look, at start, found nothing
        started = time.monotonic()
        client.portal.call(app_state(client.app).storage.enqueue, message())
        mail_server.wait(1, timeout=5)
        assert time.monotonic() - started < 5


def test_an_app_stops_at_once_with_its_sender(settings: Settings) -> None:
    """The sender waits between polls; stopping the app must not wait for it."""
    started = time.monotonic()
    with TestClient(create_app(replace(settings, mail_poll_seconds=30))) as client:
        client.get("/healthz")
    assert time.monotonic() - started < 5


def test_compose_and_send_a_real_template(
    settings: Settings,
    mail_server: MailServer,  # noqa: F811
) -> None:
    configured = app_settings(settings, mail_server)
    outgoing = compose("test", "lea@example.fr", "Léa Martin", {}, base_url=BASE)
    with TestClient(create_app(configured)) as client:
        client.portal.call(app_state(client.app).storage.enqueue, outgoing)
        (received,) = mail_server.wait(1)
    assert received["To"].addresses[0].display_name == "Léa Martin"
    assert received["From"].addresses[0].addr_spec == "ne-pas-repondre@formation.example.org"


@pytest.mark.anyio
async def test_a_message_that_cannot_be_written_fails_instead_of_looping(
    storage: SqliteStorage,
    mail_server: MailServer,  # noqa: F811
) -> None:
    """A line break in a name would smuggle a header in: refused, marked failed, never sent."""
    injected = replace(message(), to_name="Zoé\r\nBcc: tous@example.fr")
    message_id = await storage.enqueue(injected)
    assert await sender(storage, smtp(mail_server)).step() == 1
    stored = await row(storage, message_id)
    assert stored["status"] == "failed"
    assert stored["last_error"].startswith("message impossible à écrire\u00a0: ")
    assert mail_server.messages == []


def test_a_sender_woken_as_it_is_stopped_still_stops() -> None:
    """On Python 3.11 `asyncio.wait_for` swallows a cancellation that arrives with
    the wake-up (a message recorded as the app stops): the app's shutdown then
    waited forever for the sender."""

    class Idle:
        outbox_listener = None

        async def claim_messages(self, *args: object) -> list[object]:
            return []

    async def scenario() -> None:
        sender = MailSender(
            Idle(),  # type: ignore[arg-type]
            FileTransport(Path("unused")),  # nothing is ever due
            mail_from="formation@example.org",
            base_url=BASE,
            poll_seconds=60,
        )
        started = time.monotonic()
        for _ in range(20):
            sender.start()
            await asyncio.sleep(0.01)  # the loop waits for a wake-up
            sender.wake()
            await asyncio.wait_for(sender.stop(), 5)
        assert time.monotonic() - started < 3

    asyncio.run(scenario())
