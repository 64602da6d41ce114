"""/admin/mail: the outbox as an administrator sees it, and « Réessayer »."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.mail.compose import compose
from server.settings import Settings
from server.state import app_state
from tests.conftest import Learner, sign_in
from tests.mail_server import MailServer, mail_server  # noqa: F401


def record(client: TestClient, recipient: str, status: str, error: str | None = None) -> int:
    """A message in the outbox as the sender would have left it, on either backend."""
    storage = app_state(client.app).storage
    ((message_id, *_),) = client.portal.call(  # type: ignore[union-attr]
        storage._write,
        "INSERT INTO outbox (kind, recipient, recipient_name, subject, text_body, html_body,"
        " status, attempts, next_attempt_at, last_error, created_at, sent_at)"
        " VALUES ('test', ?, 'Zoé', 'Sujet « essai »', 'Bonjour', '<p>Bonjour</p>', ?, 3,"
        " '2026-11-27T13:05:00+00:00', ?, '2026-11-27T13:00:00+00:00', ?) RETURNING id",
        (recipient, status, error, "2026-11-27T13:01:00+00:00" if status == "sent" else None),
    )
    return int(message_id)


def test_only_admins_see_the_outbox(client: TestClient, make_user, learner: Learner) -> None:
    assert client.get("/admin/mail").status_code == 403
    make_user("admin@example.fr", "Ada Admin", "admin")
    sign_in(client, "admin@example.fr")
    page = client.get("/admin/mail")
    assert page.status_code == 200
    assert "Aucun serveur SMTP n’est configuré" in page.text
    assert "ne-pas-repondre@formation.example.org" in page.text
    assert 'href="/admin/mail"' in client.get("/admin/users").text


def test_the_page_lists_each_status_and_the_relay_without_its_password(
    settings: Settings, make_user
) -> None:
    configured = replace(
        settings,
        smtp_url="smtp://ada%40example.org:s3cr%C3%A8t@relay.example.org:587",
        mail_poll_seconds=60,
    )
    with TestClient(create_app(configured), base_url="http://testserver") as client:
        make_user("admin@example.fr", "Ada Admin", "admin")
        failed = record(client, "perdu@example.fr", "failed", "550 5.1.1 No such user")
        record(client, "attente@example.fr", "waiting", "451 4.3.0 Try again later")
        record(client, "parti@example.fr", "sent")
        sign_in(client, "admin@example.fr")
        page = client.get("/admin/mail").text
    for expected in (
        "<dt>En attente</dt><dd>1</dd>",
        "<dt>Envoyés</dt><dd>1</dd>",
        "<dt>En échec</dt><dd>1</dd>",
        "<caption>Messages en échec et leur raison</caption>",
        "550 5.1.1 No such user",
        "451 4.3.0 Try again later",
        "parti@example.fr",
        "relay.example.org",
        "<dd>587</dd>",
        "STARTTLS obligatoire",
        "ada@example.org",
        f'action="/admin/mail/{failed}/retry"',
        "Sujet « essai »",
        "27\u00a0novembre\u00a02026 à 13\u00a0h\u00a001",
    ):
        assert expected in page, expected
    assert "s3cr" not in page and "sècr" not in page


def test_retry_requeues_a_failed_message_and_it_is_delivered(
    settings: Settings,
    make_user,
    mail_server: MailServer,  # noqa: F811
) -> None:
    configured = replace(settings, smtp_url=mail_server.url, mail_poll_seconds=0.05)
    with TestClient(create_app(configured), base_url="http://testserver") as client:
        make_user("admin@example.fr", "Ada Admin", "admin")
        outgoing = compose("test", "perdu@example.fr", "Perdu", {}, base_url=settings.base_url)
        mail_server.reject("perdu@example.fr")
        storage = app_state(client.app).storage
        message_id = client.portal.call(storage.enqueue, outgoing)  # type: ignore[union-attr]
        admin = sign_in(client, "admin@example.fr")
        for _ in range(100):
            if "550 5.1.1" in client.get("/admin/mail").text:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the refusal never showed")
        mail_server.reject("perdu@example.fr", False)
        # Without the CSRF token: refused, nothing requeued.
        forged = client.post(f"/admin/mail/{message_id}/retry", follow_redirects=False)
        assert forged.status_code == 403
        done = admin.post(f"/admin/mail/{message_id}/retry")
        assert done.status_code == 303
        assert done.headers["location"] == f"/admin/mail?fait=renvoi&message={message_id}#avis"
        (received,) = mail_server.wait(1)
        assert received["To"].addresses[0].addr_spec == "perdu@example.fr"
        notice = client.get(done.headers["location"]).text
        assert f"Le message n°\u00a0{message_id} à perdu@example.fr est de nouveau" in notice
        again = admin.post(f"/admin/mail/{message_id}/retry")  # a second click
        assert again.status_code == 303 and "fait=deja" in again.headers["location"]
        assert "rien à refaire" in client.get(again.headers["location"]).text
        assert admin.post("/admin/mail/999/retry").status_code == 404
        assert admin.post("/admin/mail/abc/retry").status_code == 404
