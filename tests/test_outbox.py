"""The outbox's recording side: a message and its event are one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.mail.compose import compose
from server.storage import SqliteStorage
from server.storage.outbox import outbox_step

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[SqliteStorage]:
    opened = SqliteStorage(tmp_path / "test.db")
    await opened.open()
    yield opened
    await opened.close()


def test_a_message_has_the_same_words_in_both_parts() -> None:
    message = compose(
        "test",
        "zoé@example.fr",
        "Zoé Ñúñez",
        {},
        base_url="https://formation.example.org",
        unsubscribe="https://formation.example.org/relances/arret/abc",
    )
    assert message.subject == "Message d'essai de Alliances & Territoires"
    assert "alliances mail test" in message.text
    assert "<code>alliances mail test</code>" in message.html
    assert "Alliances &amp; Territoires" in message.html and "<img" not in message.html
    assert message.headers["List-Unsubscribe"] == (
        "<https://formation.example.org/relances/arret/abc>"
    )
    assert 'href="https://formation.example.org/relances/arret/abc"' in message.html


async def test_a_message_is_recorded_with_its_event_or_not_at_all(storage: SqliteStorage) -> None:
    user = await storage.create_user("a@example.fr", "A", "hash")
    assert user is not None
    message = compose("test", "a@example.fr", "A", {}, base_url="https://x.example")
    event = ("UPDATE users SET name = ? WHERE id = ?", ("B", user.id))
    await storage._transaction([event, outbox_step(message, user_id=user.id)])
    rows = await storage._all("SELECT kind, recipient, status FROM outbox")
    assert [tuple(row) for row in rows] == [("test", "a@example.fr", "waiting")]
    # A failing event takes its message with it, and the reverse.
    broken = (
        "INSERT INTO users (id, email, name, password_hash, created_at)"
        " VALUES (?, 'x', 'x', 'x', 'x')",
        (user.id,),
    )
    with pytest.raises(sqlite3.IntegrityError):
        await storage._transaction([outbox_step(message, user_id=user.id), broken])
    assert len(await storage._all("SELECT id FROM outbox")) == 1
    # The writer is usable afterwards: the failed transaction was rolled back.
    assert await storage.enqueue(message) == 2


def test_a_value_a_person_typed_shows_as_typed_never_as_a_link(tmp_path: Path) -> None:
    from server.mail import compose as composer

    (tmp_path / "essai.txt").write_text(
        "Bonjour {{ name }}\n\nBonjour {{ name }}, voici <{{ join_url }}>.\n", encoding="utf-8"
    )
    loader = composer._env.loader
    try:
        composer._env.loader = type(loader)([tmp_path])  # type: ignore[call-arg]
        message = composer.compose(
            "essai",
            "a@example.fr",
            "[Cliquez](https://pirate.example) *Léa*",
            {"join_url": "https://formation.example.org/join/a_b-c"},
            base_url="https://formation.example.org",
        )
    finally:
        composer._env.loader = loader
    assert "pirate.example" not in message.html.split("href=")[1:][0]
    assert "[Cliquez](https://pirate.example) *Léa*" in message.html
    assert "<em>" not in message.html
    assert 'href="https://formation.example.org/join/a_b-c"' in message.html
    assert message.text.startswith("Bonjour [Cliquez](https://pirate.example) *Léa*, voici")


async def test_sent_messages_lose_their_text_then_their_trace(storage: SqliteStorage) -> None:
    message = compose("test", "a@example.fr", "A", {}, base_url="https://x.example")
    old, recent, waiting = [await storage.enqueue(message) for _ in range(3)]
    await storage._write(
        "UPDATE outbox SET status = 'sent', created_at = ? WHERE id = ?", ("2026-01-01", old)
    )
    await storage._write(
        "UPDATE outbox SET status = 'sent', created_at = ? WHERE id = ?", ("2026-10-01", recent)
    )
    await storage._write("UPDATE outbox SET created_at = ? WHERE id = ?", ("2025-01-01", waiting))
    assert await storage.forget_old_messages("2026-11-01", "2026-06-01") == 2
    rows = await storage._all("SELECT id, status, text_body = '' FROM outbox ORDER BY id")
    # The oldest sent one is gone, the recent one kept without its text, the waiting one whole.
    assert [tuple(row) for row in rows] == [(recent, "sent", 1), (waiting, "waiting", 0)]
