"""Password reset, address confirmation and change of address (issue #14 §2).

Messages are read where the site leaves them: the outbox row while it waits,
or the .eml file the sender wrote (no SMTP relay in these tests) once sent,
when a message carrying a link has had its body emptied.
"""

from __future__ import annotations

import email
import email.policy
import re
import time

import pytest
from httpx2 import Cookies
from starlette.testclient import TestClient

from server import security
from server.app import create_app
from server.rate_limits import AccountLimits, Limit
from server.settings import Settings
from server.state import app_state
from tests.conftest import PASSWORD, Learner
from tests.mail_server import MailServer, mail_server  # noqa: F401  (the fixture)

NEW_PASSWORD = "une toute nouvelle phrase"
LINK = re.compile(r"<(https://formation\.example\.org(/[^>\s]+))>")


def rows(client: TestClient, sql: str, params: tuple = ()) -> list[tuple]:
    """Rows read through the app's own storage, on either backend."""
    storage = app_state(client.app).storage
    found = client.portal.call(storage._all, sql, params)  # type: ignore[union-attr]
    return [tuple(row) for row in found]


def write(client: TestClient, sql: str, params: tuple = ()) -> None:
    storage = app_state(client.app).storage
    client.portal.call(storage._write, sql, params)  # type: ignore[union-attr]


def messages(client: TestClient, kind: str, to: str) -> list[tuple[str, str]]:
    """(subject, text) of every message of this kind to this address, oldest first."""
    settings = app_state(client.app).settings
    return [
        (subject, text or _eml_text(settings, to, subject))
        for subject, text in rows(
            client,
            "SELECT subject, text_body FROM outbox WHERE kind = ? AND recipient = ? ORDER BY id",
            (kind, to),
        )
    ]


def _eml_text(settings: Settings, to: str, subject: str) -> str:
    """The body of the message the sender wrote to disk (its outbox copy was emptied)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        for file in sorted((settings.database.parent / "mail").glob("*.eml")):
            parsed = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
            if to in str(parsed["To"]) and parsed["Subject"] == subject:
                body = parsed.get_body(("plain",))  # type: ignore[attr-defined]
                return body.get_content() if body is not None else ""
        time.sleep(0.05)
    raise AssertionError(f"no message « {subject} » to {to}")


def link_in(client: TestClient, kind: str, to: str) -> str:
    """The path of the first link in the latest message of this kind to this address."""
    found = messages(client, kind, to)
    assert found, f"no {kind} message to {to}"
    match = LINK.search(found[-1][1])
    assert match, found[-1][1]
    return match[2]


def in_browser(client: TestClient, cookies: Cookies) -> TestClient:
    """The client with another browser's cookies: one app, one event loop, two people.

    (A second TestClient on a running app would run its requests on another
    event loop than the storage's.)
    """
    client.cookies = cookies
    return client


def forgot(client: TestClient, address: str):
    return Learner(client).post("/mot-de-passe-oublie", {"email": address})


def set_password(client: TestClient, link: str, password: str = NEW_PASSWORD, again: str = ""):
    opened = client.get(link, follow_redirects=False)
    assert opened.status_code == 303, opened.text
    assert opened.headers["location"] == "/mot-de-passe/nouveau"
    assert client.get("/mot-de-passe/nouveau").status_code == 200
    return Learner(client).post(
        "/mot-de-passe/nouveau", {"password": password, "password_again": again or password}
    )


# -- « Mot de passe oublié » ------------------------------------------------------


def test_login_page_offers_the_reset(client: TestClient) -> None:
    assert 'href="/mot-de-passe-oublie"' in client.get("/login").text
    page = client.get("/mot-de-passe-oublie")
    assert page.status_code == 200 and "Recevoir le lien" in page.text


def test_same_answer_whether_the_address_has_an_account_or_not(
    client: TestClient, learner: Learner, settings: Settings
) -> None:
    client.cookies.clear()
    known = forgot(client, "lea@example.fr")
    unknown = forgot(client, "personne@example.fr")
    assert known.status_code == unknown.status_code == 303
    assert known.headers["location"] == unknown.headers["location"]
    assert known.content == unknown.content
    shown = client.get(known.headers["location"])
    assert "Si un compte existe avec cette adresse" in shown.text
    assert len(messages(client, "reset", "lea@example.fr")) == 1
    assert messages(client, "reset", "personne@example.fr") == []
    assert rows(client, "SELECT count(*) FROM account_tokens WHERE purpose = 'reset'") == [(1,)]


def test_the_token_is_stored_hashed_and_nowhere_else(
    client: TestClient, learner: Learner, settings: Settings
) -> None:
    client.cookies.clear()
    forgot(client, "lea@example.fr")
    link = link_in(client, "reset", "lea@example.fr")
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 random bytes: 256 bits
    ((stored, expires, created),) = rows(
        client,
        "SELECT token_hash, expires_at, created_at FROM account_tokens WHERE purpose = 'reset'",
    )
    assert stored == security.token_hash(token)
    from datetime import datetime

    valid = datetime.fromisoformat(expires) - datetime.fromisoformat(created)
    assert valid.total_seconds() == 3600
    for table in ("users", "sessions", "account_tokens", "rate_events", "outbox"):
        for row in rows(client, f"SELECT * FROM {table}"):
            assert token not in repr(row) or table == "outbox", table
    assert rows(client, "SELECT secret FROM outbox WHERE kind = 'reset'") == [(1,)]


def test_reset_sets_the_password_and_signs_out_every_other_session(
    client: TestClient, learner: Learner, settings: Settings
) -> None:
    # A second browser signed in before the reset: its cookies, kept aside.
    client.cookies.clear()
    assert Learner(client).login().status_code == 303
    other = Cookies(client.cookies)
    client.cookies.clear()
    forgot(client, "lea@example.fr")
    done = set_password(client, link_in(client, "reset", "lea@example.fr"))
    assert done.status_code == 303 and done.headers["location"] == "/mot-de-passe/modifie"
    assert "Mot de passe modifié" in client.get("/mot-de-passe/modifie").text
    # This browser is signed in with a fresh session; the other one is out.
    assert client.get("/plan", follow_redirects=False).status_code == 200
    assert in_browser(client, other).get("/plan", follow_redirects=False).status_code == 303
    assert rows(client, "SELECT count(*) FROM sessions") == [(1,)]
    client.cookies.clear()
    assert Learner(client).login(password=PASSWORD).status_code == 400
    assert Learner(client).login(password=NEW_PASSWORD).status_code == 303


def test_the_link_leaves_no_token_in_urls_or_referers(
    client: TestClient, learner: Learner, settings: Settings
) -> None:
    client.cookies.clear()
    forgot(client, "lea@example.fr")
    link = link_in(client, "reset", "lea@example.fr")
    token = link.rsplit("/", 1)[1]
    opened = client.get(link, follow_redirects=False)
    assert opened.headers["referrer-policy"] == "no-referrer"
    assert token not in opened.headers["location"]
    form = client.get("/mot-de-passe/nouveau")
    assert form.headers["referrer-policy"] == "no-referrer"
    assert token not in form.text


def test_a_link_serves_once(client: TestClient, learner: Learner, settings: Settings) -> None:
    client.cookies.clear()
    forgot(client, "lea@example.fr")
    link = link_in(client, "reset", "lea@example.fr")
    assert set_password(client, link).status_code == 303
    client.cookies.clear()
    again = client.get(link, follow_redirects=False)
    assert again.status_code == 410
    assert "Lien expiré ou déjà utilisé" in again.text
    assert 'href="/mot-de-passe-oublie"' in again.text


def test_a_link_expires_after_an_hour(
    client: TestClient, learner: Learner, settings: Settings
) -> None:
    client.cookies.clear()
    forgot(client, "lea@example.fr")
    link = link_in(client, "reset", "lea@example.fr")
    assert client.get(link, follow_redirects=False).status_code == 303
    write(client, "UPDATE account_tokens SET expires_at = '2000-01-01T00:00:00+00:00'")
    assert client.get(link, follow_redirects=False).status_code == 410
    # A form opened before it expired cannot use it either.
    refused = Learner(client).post(
        "/mot-de-passe/nouveau", {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    )
    assert refused.status_code == 410
    client.cookies.clear()
    assert Learner(client).login(password=PASSWORD).status_code == 303


def test_the_new_password_follows_the_site_rules(
    client: TestClient, learner: Learner, settings: Settings
) -> None:
    client.cookies.clear()
    forgot(client, "lea@example.fr")
    link = link_in(client, "reset", "lea@example.fr")
    short = set_password(client, link, "court")
    assert short.status_code == 400 and "au moins 10" in short.text
    assert 'aria-describedby="password-error"' in short.text
    mismatch = set_password(client, link, NEW_PASSWORD, "une autre phrase encore")
    assert mismatch.status_code == 400 and "pas identiques" in mismatch.text
    assert set_password(client, link).status_code == 303  # the link still serves


def test_no_cookie_no_form(client: TestClient) -> None:
    assert client.get("/mot-de-passe/nouveau").status_code == 410
    bogus = client.get("/mot-de-passe/nouveau/" + "x" * 43, follow_redirects=False)
    assert bogus.status_code == 410
    posted = Learner(client).post("/mot-de-passe/nouveau", {"password": NEW_PASSWORD})
    assert posted.status_code == 410


def test_requests_are_limited_per_client_address(client: TestClient, settings: Settings) -> None:
    for _ in range(5):
        assert forgot(client, "personne@example.fr").status_code == 303
    refused = forgot(client, "personne@example.fr")
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert (
        "Trop de demandes depuis votre connexion. Réessayez dans 15\u00a0minutes." in refused.text
    )


def test_requests_per_address_stop_sending_without_saying_so(
    client: TestClient, learner: Learner, settings: Settings
) -> None:
    client.cookies.clear()
    answers = [forgot(client, "lea@example.fr") for _ in range(4)]
    assert {a.status_code for a in answers} == {303}
    assert len({a.content for a in answers}) == 1
    assert len(messages(client, "reset", "lea@example.fr")) == 3


def test_a_bad_address_is_told(client: TestClient) -> None:
    page = forgot(client, "pas une adresse")
    assert page.status_code == 400 and "adresse électronique valide" in page.text


# -- sign-up ------------------------------------------------------------------------


def test_signup_sends_a_confirmation_link_that_confirms(
    client: TestClient, learner: Learner, settings: Settings
) -> None:
    assert rows(client, "SELECT email_confirmed_at FROM users") == [(None,)]
    ((user_id, confirm_to),) = rows(
        client, "SELECT user_id, recipient FROM outbox WHERE kind = 'confirm'"
    )
    assert confirm_to == "lea@example.fr"
    assert rows(client, "SELECT id FROM users") == [(user_id,)]
    link = link_in(client, "confirm", "lea@example.fr")
    assert link.startswith("/adresse/confirmer/")
    page = client.get(link)
    assert page.status_code == 200 and "Adresse confirmée" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    ((confirmed,),) = rows(client, "SELECT email_confirmed_at FROM users")
    assert confirmed
    assert client.get(link).status_code == 410


def test_signup_with_a_taken_address_tells_its_owner(
    client: TestClient, learner: Learner, settings: Settings
) -> None:
    client.cookies.clear()
    again = Learner(client).signup(name="Quelqu’un d’autre", password="une autre phrase ici")
    assert again.status_code == 400 and "Un compte existe déjà" in again.text
    client.cookies.clear()
    Learner(client).signup(name="Encore", password="une autre phrase ici")
    found = messages(client, "signup_existing", "lea@example.fr")
    assert len(found) == 1  # once an hour, not once per attempt
    assert "https://formation.example.org/mot-de-passe-oublie" in found[0][1]
    assert rows(client, "SELECT count(*) FROM users") == [(1,)]
    assert rows(client, "SELECT count(*) FROM account_tokens") == [(1,)]  # Léa's own
    # The refused sign-ups left no confirmation message behind (withdrawn in their transaction).
    assert len(messages(client, "confirm", "lea@example.fr")) == 1


def test_signups_are_limited_per_client_address(client: TestClient, settings: Settings) -> None:
    app_state(client.app).account_limits = AccountLimits(signup_per_address=Limit(2, 3600))
    for number in range(2):
        client.cookies.clear()
        assert Learner(client).signup(email=f"p{number}@example.fr").status_code == 303
    client.cookies.clear()
    refused = Learner(client).signup(email="p3@example.fr")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert "Réessayez dans 60\u00a0minutes" in refused.text
    assert rows(client, "SELECT count(*) FROM users") == [(2,)]


# -- the address ------------------------------------------------------------------


def test_resend_the_confirmation_link(
    client: TestClient, learner: Learner, settings: Settings
) -> None:
    page = client.get("/compte/adresse")
    assert "pas encore confirmée" in page.text and "Renvoyer le lien" in page.text
    for _ in range(3):
        sent = learner.post("/adresse/renvoyer")
        assert sent.status_code == 303
    assert len(messages(client, "confirm", "lea@example.fr")) == 4
    refused = learner.post("/adresse/renvoyer")
    assert refused.status_code == 429 and "Réessayez dans" in refused.text
    client.get(link_in(client, "confirm", "lea@example.fr"))
    assert "confirmée le" in client.get("/compte/adresse").text
    done = learner.post("/adresse/renvoyer")
    assert done.headers["location"].startswith("/compte/adresse?fait=deja-confirmee")


def test_change_of_address_takes_effect_once_confirmed(
    client: TestClient, learner: Learner, settings: Settings
) -> None:
    wrong = learner.post("/compte/adresse", {"email": "lea@nouveau.fr", "password": "pas le bon"})
    assert wrong.status_code == 400 and "n’est pas celui de votre compte" in wrong.text
    asked = learner.post("/compte/adresse", {"email": "Lea@Nouveau.fr", "password": PASSWORD})
    assert asked.status_code == 303
    assert "lea@nouveau.fr" in client.get("/compte/adresse").text
    assert rows(client, "SELECT email FROM users") == [("lea@example.fr",)]
    notice = messages(client, "email_change_notice", "lea@example.fr")
    assert len(notice) == 1 and "lea@nouveau.fr" in notice[0][1]
    # A reset link sent to the old address before the change is void after it.
    forgot(client, "lea@example.fr")
    old_reset = link_in(client, "reset", "lea@example.fr")
    page = client.get(link_in(client, "confirm_change", "lea@nouveau.fr"))
    assert page.status_code == 200 and "Adresse modifiée" in page.text
    assert rows(client, "SELECT email FROM users") == [("lea@nouveau.fr",)]
    assert client.get(old_reset, follow_redirects=False).status_code == 410
    client.cookies.clear()
    assert Learner(client).login(email="lea@nouveau.fr").status_code == 303


def test_change_to_an_address_taken_meanwhile_changes_nothing(
    client: TestClient, learner: Learner, settings: Settings
) -> None:
    assert (
        learner.post(
            "/compte/adresse", {"email": "lea@nouveau.fr", "password": PASSWORD}
        ).status_code
        == 303
    )
    link = link_in(client, "confirm_change", "lea@nouveau.fr")
    mine = Cookies(client.cookies)
    client.cookies.clear()
    assert Learner(client).signup(email="lea@nouveau.fr", name="Autre").status_code == 303
    page = in_browser(client, mine).get(link)
    assert page.status_code == 409 and "Un autre compte utilise désormais" in page.text
    assert rows(client, "SELECT email FROM users ORDER BY id") == [
        ("lea@example.fr",),
        ("lea@nouveau.fr",),
    ]
    taken = learner.post("/compte/adresse", {"email": "lea@nouveau.fr", "password": PASSWORD})
    assert taken.status_code == 400 and "déjà celle d’un autre compte" in taken.text


def test_the_address_page_needs_an_account(client: TestClient) -> None:
    page = client.get("/compte/adresse", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")


def test_a_reset_confirms_the_address(
    client: TestClient, learner: Learner, settings: Settings
) -> None:
    client.cookies.clear()
    forgot(client, "lea@example.fr")
    set_password(client, link_in(client, "reset", "lea@example.fr"))
    ((confirmed,),) = rows(client, "SELECT email_confirmed_at FROM users")
    assert confirmed


def test_the_dashboard_marks_unconfirmed_addresses(client: TestClient, make_user) -> None:
    from tests.conftest import sign_in
    from tests.security.site import join_code, new_cohort

    make_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    trainer = sign_in(client, "formatrice@example.fr")
    cohort = new_cohort(trainer, "Promo")
    code = join_code(client, cohort)
    client.cookies.clear()
    lea = Learner(client)
    assert lea.signup().status_code == 303
    assert lea.post(f"/join/{code}").status_code == 303
    sign_in(client, "formatrice@example.fr")
    assert "adresse non confirmée" in client.get(f"/trainer/cohorts/{cohort}").text


@pytest.fixture
def smtp_settings(settings: Settings, mail_server: MailServer) -> Settings:  # noqa: F811
    from dataclasses import replace

    return replace(settings, smtp_url=mail_server.url)


def test_journey_forgot_password_through_a_real_smtp_server(
    smtp_settings: Settings,
    mail_server: MailServer,  # noqa: F811
) -> None:
    """Forgot password → the message reaches the SMTP server → its link → new password."""
    with TestClient(create_app(smtp_settings), base_url="http://testserver") as client:
        assert Learner(client).signup().status_code == 303  # a confirmation message
        client.cookies.clear()
        assert Learner(client).login().status_code == 303  # another device
        phone = Cookies(client.cookies)
        client.cookies.clear()
        assert forgot(client, "lea@example.fr").status_code == 303
        received = mail_server.wait(2)
        reset = next(m for m in received if "mot de passe" in str(m["Subject"]))
        assert "lea@example.fr" in str(reset["To"])
        text = reset.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        link = LINK.search(text)
        assert link, text
        assert set_password(client, link[2]).status_code == 303
        assert client.get("/plan", follow_redirects=False).status_code == 200
        assert in_browser(client, phone).get("/plan", follow_redirects=False).status_code == 303
        # Once sent, the outbox keeps no copy of the link.
        deadline = time.monotonic() + 5
        sql = "SELECT text_body FROM outbox WHERE kind = 'reset'"
        while rows(client, sql) != [("",)] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert rows(client, sql) == [("",)]


def test_the_wait_is_until_the_oldest_counted_request_leaves_the_window(
    client: TestClient,
) -> None:
    now = [1_000_000.0]
    limits = AccountLimits(reset_per_address=Limit(2, 100), clock=lambda: now[0])
    app_state(client.app).account_limits = limits
    assert forgot(client, "a@example.fr").status_code == 303
    now[0] += 10
    assert forgot(client, "b@example.fr").status_code == 303
    now[0] += 10
    refused = forgot(client, "c@example.fr")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "80"
    assert "Réessayez dans 2\u00a0minutes" in refused.text
    now[0] += 80
    assert forgot(client, "c@example.fr").status_code == 303  # the first one left the window


def test_an_account_an_operator_creates_has_its_address_confirmed(
    client: TestClient, make_user
) -> None:
    """The operator vouches for the address: digests and reminders reach it at once."""
    make_user("formatrice.cli@example.fr", "Formatrice", "trainer")
    sql = "SELECT email_confirmed_at FROM users WHERE email = ?"
    [(confirmed,)] = rows(client, sql, ("formatrice.cli@example.fr",))
    assert confirmed is not None
    Learner(client).signup("nouvelle@example.fr", "Nouvelle")  # a sign-up still has to confirm
    assert rows(client, sql, ("nouvelle@example.fr",)) == [(None,)]
