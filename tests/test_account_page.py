"""« Mon compte »: name, password, active sessions (issue #14, section 3)."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta

from starlette.testclient import TestClient

from server.security import verify_password
from server.state import app_state
from tests.conftest import PASSWORD, Learner
from tests.sql import rows, value, write

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
)
NEW_PASSWORD = "une toute nouvelle phrase"
SESSION_ID = re.compile(r'name="session" value="([^"]+)"')


def second_client(client: TestClient, agent: str = IPHONE) -> Learner:
    """The same account signed in from another browser."""
    other = TestClient(client.app, base_url="http://testserver", headers={"user-agent": agent})
    person = Learner(other)
    assert person.login().status_code == 303
    return person


def test_account_page_needs_a_sign_in(client: TestClient) -> None:
    response = client.get("/compte", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/compte"


def test_account_page_shows_every_section(learner: Learner) -> None:
    page = learner.client.get("/compte").text
    for title in (
        "Votre nom",
        "Adresse électronique",
        "Mot de passe",
        "Sessions actives",
        "Vos données",
    ):
        assert f">{title}</h2>" in page, title
    assert "lea@example.fr" in page
    assert 'href="/compte/adresse"' in page
    assert 'href="/compte/donnees"' in page and 'href="/compte/supprimer"' in page
    assert 'value="Léa Martin"' in page


def test_address_shows_whether_it_is_confirmed(learner: Learner) -> None:
    write(learner.client, "UPDATE users SET email_confirmed_at = NULL")
    assert "pas encore confirmée" in learner.client.get("/compte").text
    write(learner.client, "UPDATE users SET email_confirmed_at = '2026-11-03T10:00:00+00:00'")
    assert "confirmée le 3\u00a0novembre\u00a02026" in learner.client.get("/compte").text


def test_change_name_keeps_issued_certificates(learner: Learner, client: TestClient) -> None:
    learner.pass_intro()
    learner.client.get("/paths/1h/lecture")
    learner.post("/paths/1h/lecture/done")
    certificate = re.search(r'href="/certificates/([\w-]+)"', client.get("/paths/1h").text)[1]
    page = client.get("/compte").text
    assert "au nom de Léa Martin" in page and f"/certificates/{certificate}" in page
    response = learner.post("/compte/nom", {"name": "  Léa   Dupont "})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/compte?fait=nom")
    page = client.get(response.headers["location"]).text
    assert "Votre nom a été modifié." in page
    assert 'value="Léa Dupont"' in page
    assert "au nom de Léa Martin" in page  # the certificate is frozen, and says so
    assert "Léa Dupont" in client.get("/").text.split("</header>")[0]
    assert "Léa Martin" in client.get(f"/certificates/{certificate}").text


def test_bad_name_is_refused_with_the_error_tied_to_its_field(learner: Learner) -> None:
    response = learner.post("/compte/nom", {"name": "  "})
    assert response.status_code == 400
    assert 'id="erreurs" data-focus' in response.text
    assert 'href="#name"' in response.text
    assert 'aria-describedby="name-error"' in response.text
    response = learner.post("/compte/nom", {"name": "x" * 121})
    assert response.status_code == 400
    assert "ne doit pas dépasser 120 caractères" in response.text
    assert "Léa Martin" in learner.client.get("/").text.split("</header>")[0]


def test_wrong_current_password_is_refused_then_throttled(learner: Learner) -> None:
    for _ in range(5):
        response = learner.post(
            "/compte/mot-de-passe",
            {"current_password": "pas le bon mot", "new_password": NEW_PASSWORD},
        )
        assert response.status_code == 400
        assert "Le mot de passe actuel est incorrect." in response.text
        assert 'aria-describedby="current_password-error"' in response.text
    response = learner.post(
        "/compte/mot-de-passe", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 429
    assert "Trop de tentatives" in response.text
    assert int(response.headers["retry-after"]) >= 1
    learner.client.cookies.clear()
    assert learner.login().status_code == 429  # the same throttle as the login form
    stored = value(learner.client, "SELECT password_hash FROM users")
    assert verify_password(stored, PASSWORD)  # the password did not change


def test_weak_new_password_is_refused(learner: Learner) -> None:
    response = learner.post(
        "/compte/mot-de-passe", {"current_password": PASSWORD, "new_password": "court"}
    )
    assert response.status_code == 400
    assert 'aria-describedby="new_password-error"' in response.text
    assert "10 caractères" in response.text


def test_password_change_signs_out_other_sessions_only(
    learner: Learner, client: TestClient
) -> None:
    phone = second_client(client)
    assert phone.client.get("/compte", follow_redirects=False).status_code == 200
    response = learner.post(
        "/compte/mot-de-passe", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "Votre mot de passe a été modifié. Vos autres sessions ont été fermées" in page
    assert phone.client.get("/compte", follow_redirects=False).status_code == 303  # signed out
    assert client.get("/compte", follow_redirects=False).status_code == 200  # still signed in
    client.cookies.clear()
    assert learner.login(password=PASSWORD).status_code == 400
    assert learner.login(password=NEW_PASSWORD).status_code == 303


def test_session_list_names_devices_and_hides_token_hashes(client: TestClient) -> None:
    client.headers["user-agent"] = FIREFOX
    learner = Learner(client)
    assert learner.signup().status_code == 303
    second_client(client)
    page = client.get("/compte").text
    sessions = page.split('id="titre-sessions"')[1]
    assert "Firefox sous Windows" in sessions and "cette session" in sessions
    assert "Safari sur iPhone" in sessions
    assert "2\u00a0sessions actives" in sessions
    hashes = [row[0] for row in rows(client, "SELECT token_hash FROM sessions")]
    assert len(hashes) == 2
    for hashed in hashes:
        assert hashed not in page and hashed[:16] not in page
    assert len(SESSION_ID.findall(page)) == 1  # only the other session has « Fermer »


def test_close_one_session(learner: Learner, client: TestClient) -> None:
    phone = second_client(client)
    (session_id,) = SESSION_ID.findall(client.get("/compte").text)
    response = learner.post("/compte/sessions/fermer", {"session": session_id})
    assert response.status_code == 303
    assert "La session a été fermée" in client.get(response.headers["location"]).text
    assert phone.client.get("/compte", follow_redirects=False).status_code == 303
    assert client.get("/compte", follow_redirects=False).status_code == 200
    again = learner.post("/compte/sessions/fermer", {"session": session_id})
    assert "déjà fermée" in client.get(again.headers["location"]).text
    assert learner.post("/compte/sessions/fermer", {"session": ""}).status_code == 400


def test_cannot_close_another_accounts_session(learner: Learner, client: TestClient) -> None:
    other = TestClient(client.app, base_url="http://testserver")
    assert Learner(other).signup(email="autre@example.fr", name="Autre Personne").status_code == 303
    second = TestClient(client.app, base_url="http://testserver")
    assert Learner(second).login(email="autre@example.fr").status_code == 303
    (foreign,) = SESSION_ID.findall(other.get("/compte").text)  # the other account's session
    response = learner.post("/compte/sessions/fermer", {"session": foreign})
    assert "déjà fermée" in client.get(response.headers["location"]).text
    assert second.get("/compte", follow_redirects=False).status_code == 200


def test_sign_out_of_other_sessions(learner: Learner, client: TestClient) -> None:
    phone = second_client(client)
    response = learner.post("/compte/sessions/autres")
    assert response.status_code == 303
    assert "Vos autres sessions ont été fermées" in client.get(response.headers["location"]).text
    assert phone.client.get("/compte", follow_redirects=False).status_code == 303
    assert client.get("/compte", follow_redirects=False).status_code == 200


def test_sign_out_everywhere(learner: Learner, client: TestClient) -> None:
    phone = second_client(client)
    response = learner.post("/compte/sessions/toutes")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?fait=deconnecte-partout"
    page = client.get(response.headers["location"]).text
    assert "Toutes vos sessions sont fermées" in page
    assert client.get("/compte", follow_redirects=False).status_code == 303
    assert phone.client.get("/compte", follow_redirects=False).status_code == 303
    assert value(client, "SELECT count(*) FROM sessions") == 0


def test_sign_in_records_the_user_agent_and_last_seen(client: TestClient) -> None:
    client.headers["user-agent"] = FIREFOX
    assert Learner(client).signup().status_code == 303
    ((agent, seen),) = rows(client, "SELECT user_agent, last_seen_at FROM sessions")
    user_seen = value(client, "SELECT last_seen_at FROM users")
    assert agent == FIREFOX
    assert seen == user_seen


def test_last_seen_is_refreshed_at_most_hourly(learner: Learner) -> None:
    client = learner.client

    def stamps() -> tuple[str, str]:
        (found,) = rows(
            client,
            "SELECT s.last_seen_at, u.last_seen_at FROM sessions s JOIN users u"
            " ON u.id = s.user_id",
        )
        return found  # type: ignore[return-value]

    def set_seen(moment: datetime) -> str:
        stamp = moment.isoformat(timespec="seconds")
        write(client, "UPDATE sessions SET last_seen_at = ?", (stamp,))
        write(client, "UPDATE users SET last_seen_at = ?", (stamp,))
        return stamp

    now = datetime.now(UTC)
    recent = set_seen(now - timedelta(minutes=50))
    learner.client.get("/compte")
    learner.client.get("/paths/1h/intro")
    assert stamps() == (recent, recent)  # less than an hour: no write
    set_seen(now - timedelta(minutes=70))
    learner.client.get("/")
    session_seen, user_seen = stamps()
    assert session_seen == user_seen and session_seen >= now.isoformat(timespec="seconds")
    set_seen(now - timedelta(hours=2))
    learner.client.get("/paths/1h/intro")  # the module page refreshes it too
    assert stamps()[0] >= now.isoformat(timespec="seconds")


def test_module_page_still_makes_one_read(learner: Learner, monkeypatch) -> None:
    """The freshness mark rides on the module page's one query: no read is added."""
    client = learner.client
    write(client, "UPDATE sessions SET last_seen_at = '2026-01-01T00:00:00+00:00'")
    backend = type(app_state(client.app).storage)
    calls: list[str] = []
    original = backend._all

    async def counted(self: object, sql: str, params: tuple = ()) -> list:
        if "content_state" not in sql and "outbox" not in sql:  # not a background task's
            calls.append(sql)
        return await original(self, sql, params)

    monkeypatch.setattr(backend, "_all", counted)
    monkeypatch.setattr(backend, "_one", None)
    assert client.get("/paths/1h/intro").status_code == 200
    assert len(calls) == 1, calls
    monkeypatch.undo()
    seen = value(client, "SELECT last_seen_at FROM sessions")
    assert seen > "2026-01-01T00:00:00+00:00"  # refreshed by one write, after the read


def test_a_stale_mark_on_a_full_disk_does_not_stop_a_read(learner: Learner, monkeypatch) -> None:
    """The mark is best effort: a page that only reads still shows when it cannot be written."""
    from tests.test_disk_full import sqlite_error

    async def full(*args: object, **kwargs: object) -> None:
        raise sqlite_error("database or disk is full", sqlite3.SQLITE_FULL)

    write(learner.client, "UPDATE sessions SET last_seen_at = '2026-01-01T00:00:00+00:00'")
    backend = type(app_state(learner.client.app).storage)
    monkeypatch.setattr(backend, "touch_session", full)
    assert learner.client.get("/paths/1h/intro").status_code == 200
    assert learner.client.get("/compte").status_code == 200


def test_device_labels() -> None:
    from server.devices import device_label

    chrome_android = (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/120.0.0.0 Mobile Safari/537.36"
    )
    edge = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
        " Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0"
    )
    safari_mac = (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15"
        " (KHTML, like Gecko) Version/17.1 Safari/605.1.15"
    )
    assert device_label(FIREFOX) == "Firefox sous Windows"
    assert device_label(IPHONE) == "Safari sur iPhone"
    assert device_label(chrome_android) == "Chrome sous Android"
    assert device_label(edge) == "Edge sous Windows"
    assert device_label(safari_mac) == "Safari sous macOS"
    assert device_label("curl/8.0") == "Appareil inconnu"
    assert device_label("") == "Appareil inconnu"
    assert device_label("<script>") == "Appareil inconnu"
