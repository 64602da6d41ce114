"""Accounts a platform launch made (issue #17), in their owner's hands: « Mon compte »
says where they come from and offers no password nor address form; the data export
names the platform identity; deletion is proven by a fresh launch and a typed word,
and forgets the platform user; later launches refresh the name and the platform's
e-mail. Against the platform simulator (tests/lti_platform.py)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from course.certificates import MAX_NAME
from server import clock, urls
from server.app import create_app
from server.lti.keyset import KeysetCache
from server.settings import Settings
from server.state import app_state
from tests import sql
from tests.conftest import Learner, sign_in
from tests.lti_platform import REMOVE, Platform
from tests.test_journey import CERT
from tests.test_lti_launch import platform, registered, tool  # noqa: F401  (the fixtures)

ISSUER = "https://moodle.example.net"


def account(client: TestClient) -> tuple[int, str, str]:
    """The one live account: id, name, platform e-mail."""
    ((found),) = sql.rows(
        client,
        "SELECT u.id, u.name, a.email FROM users u JOIN lti_accounts a ON a.user_id = u.id"
        " WHERE u.deleted_at IS NULL",
    )
    return found


def certified(client: TestClient) -> str:
    """The learner passes the 1 h path: their certificate's id."""
    learner = Learner(client)
    assert learner.post("/paths/1h/lecture/done").status_code == 303
    result = learner.pass_intro()
    found = CERT.search(result.text)
    assert found, result.text
    return found[1]


def text(response) -> str:
    """The page as read: no-break spaces however the template wrote them."""
    return response.text.replace("&nbsp;", "\u00a0")


def age_sessions(client: TestClient, minutes: int) -> None:
    """As if every session had been opened (by a launch) `minutes` ago."""
    then = clock.stamp(clock.moment() - timedelta(minutes=minutes))
    sql.write(client, "UPDATE sessions SET created_at = ?", (then,))


# -- « Mon compte » -----------------------------------------------------------------


def test_the_account_page_says_where_the_account_comes_from(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
) -> None:
    assert registered.launch(tool).status_code == 303
    response = tool.get("/compte")
    assert response.status_code == 200
    page = text(response)
    assert (
        "Compte ouvert depuis la plateforme «\u00a0Moodle de test\u00a0» "
        f"({ISSUER})\u00a0; vous vous connectez depuis votre plateforme de formation"
    ) in page
    assert "camille@example.fr" in page  # the address the platform sent
    assert "n’a pas de mot de passe sur ce site" in page
    assert "n’a pas d’adresse électronique propre sur ce site" in page
    # Neither the password form nor the address change is offered; the name form is.
    assert urls.account_password() not in page and "Mot de passe actuel" not in page
    assert urls.my_address() not in page and "@lti.invalid" not in page
    assert urls.account_name() in page and urls.delete_me() in page
    # No reminder reaches a placeholder address: no switch for them either.
    assert urls.my_reminders() not in page and "n’envoie aucun courriel à ce compte" in page


def test_a_local_account_page_is_unchanged(learner: Learner) -> None:
    page = learner.client.get("/compte").text
    assert urls.account_password() in page and urls.my_address() in page
    assert urls.my_reminders() in page
    assert "Compte ouvert depuis la plateforme" not in page


def test_password_and_address_forms_refuse_a_launched_account_saying_why(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
) -> None:
    assert registered.launch(tool).status_code == 303
    learner = Learner(tool)
    new = {"current_password": "", "new_password": "un nouveau mot de passe"}
    refused = learner.post(urls.account_password(), new)
    assert refused.status_code == 403 and "n’a pas de mot de passe sur ce site" in refused.text
    for response in (
        tool.get(urls.my_address()),
        learner.post(urls.my_address(), {"email": "autre@example.fr", "password": "x"}),
        learner.post(urls.resend_confirmation()),
    ):
        assert response.status_code == 403
        assert "n’a pas d’adresse électronique propre sur ce site" in response.text
    assert sql.value(tool, "SELECT count(*) FROM outbox") == 0  # no message to a placeholder
    # The CSRF check still comes first.
    forged = tool.post(urls.account_password(), data=new, follow_redirects=False)
    assert forged.status_code == 403 and "n’a pas de mot de passe" not in forged.text


# -- the export ---------------------------------------------------------------------


def test_the_export_names_the_platform_identity(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
) -> None:
    assert registered.launch(tool).status_code == 303
    assert tool.get(urls.my_data()).status_code == 200
    response = Learner(tool).post(urls.my_data())
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("donnees.json"))
    (link,) = data["platform_accounts"]
    assert (link["issuer"], link["subject"]) == (ISSUER, "moodle-user-42")
    assert (link["name"], link["email"]) == ("Camille Dupont", "camille@example.fr")
    summary = archive.read("resume.html").decode()
    assert f"Compte ouvert depuis la plateforme {ISSUER}" in summary
    assert "moodle-user-42" in summary and "camille@example.fr" in summary
    assert "@lti.invalid" not in summary  # the placeholder is no address of theirs


# -- deletion -----------------------------------------------------------------------


def test_a_fresh_launch_and_the_typed_word_delete_the_account(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
) -> None:
    assert registered.launch(tool).status_code == 303
    certificate = certified(tool)
    user_id, _, _ = account(tool)
    page = tool.get(urls.delete_me())
    assert page.status_code == 200 and "Tapez SUPPRIMER pour confirmer" in page.text
    assert 'name="csrf_token"' in page.text and 'type="password"' not in page.text
    learner = Learner(tool)
    for typed in ({}, {"confirmation": "oui"}, {"password": "x"}):
        refused = learner.post(urls.delete_me(), typed)
        assert refused.status_code == 400 and "Tapez SUPPRIMER pour confirmer" in refused.text
    assert account(tool)[0] == user_id  # still there
    # Without the CSRF token, nothing happens either.
    forged = tool.post(urls.delete_me(), data={"confirmation": "SUPPRIMER"})
    assert forged.status_code == 403 and account(tool)[0] == user_id
    done = learner.post(urls.delete_me(), {"confirmation": " supprimer "})
    assert done.status_code == 200 and "Votre compte a été supprimé" in done.text
    assert tool.get("/compte", follow_redirects=False).status_code == 303  # signed out
    # The local deletion's rules: certificates revoked and nameless, records erased.
    certificate_page = tool.get(f"/certificates/{certificate}").text
    assert "retirée à la demande de son titulaire" in certificate_page
    assert "Camille" not in certificate_page
    assert sql.value(tool, "SELECT count(*) FROM attempts") == 0
    assert sql.value(tool, "SELECT count(*) FROM lti_accounts") == 0
    assert sql.rows(tool, "SELECT name, deleted_at IS NOT NULL FROM users") == [("", True)]
    # A later launch makes a fresh account, not the deleted one.
    assert registered.launch(tool).status_code == 303
    fresh_id, name, _ = account(tool)
    assert fresh_id != user_id and name == "Camille Dupont"
    assert "Parcours terminé" not in tool.get("/paths/1h").text


def test_an_old_session_must_relaunch_before_deleting(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
) -> None:
    assert registered.launch(tool).status_code == 303
    user_id, _, _ = account(tool)
    age_sessions(tool, 11)  # a session found open on a shared computer, say
    page = tool.get(urls.delete_me())
    relaunch = (
        "Relancez l’activité depuis votre plateforme pour confirmer qu’il s’agit bien de vous"
    )
    assert page.status_code == 200 and relaunch in page.text
    assert "Tapez SUPPRIMER" not in page.text
    refused = Learner(tool).post(urls.delete_me(), {"confirmation": "SUPPRIMER"})
    assert refused.status_code == 403 and relaunch in refused.text
    assert account(tool)[0] == user_id
    # A launch opens a new session: the deletion is offered again.
    assert registered.launch(tool).status_code == 303
    assert "Tapez SUPPRIMER" in tool.get(urls.delete_me()).text
    done = Learner(tool).post(urls.delete_me(), {"confirmation": "SUPPRIMER"})
    assert done.status_code == 200
    assert sql.value(tool, "SELECT count(*) FROM lti_accounts") == 0


def test_the_only_admin_cannot_delete_a_launched_account(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
    make_user,
) -> None:
    assert registered.launch(tool).status_code == 303
    user_id, _, _ = account(tool)
    sql.write(
        tool,
        "INSERT INTO role_changes (user_id, role, action, at) VALUES (?, 'admin', 'grant', ?)",
        (user_id, clock.now()),
    )
    assert "seul administrateur" in tool.get(urls.delete_me()).text
    refused = Learner(tool).post(urls.delete_me(), {"confirmation": "SUPPRIMER"})
    assert refused.status_code == 409 and account(tool)[0] == user_id


@pytest.fixture
def kept_tool(settings: Settings, registered: Platform) -> Iterator[TestClient]:  # noqa: F811
    """The site with ALLIANCES_RETENTION_DAYS=365."""
    kept = replace(settings, retention_days=365)
    with TestClient(create_app(kept), base_url="https://testserver") as client:
        app_state(client.app).lti_keysets = KeysetCache(registered.transport(), min_refresh=0)
        yield client


def test_with_retention_a_launched_account_s_records_are_kept_pseudonymised(
    kept_tool: TestClient,
    registered: Platform,  # noqa: F811
) -> None:
    assert registered.launch(kept_tool).status_code == 303
    certified(kept_tool)
    user_id, _, _ = account(kept_tool)
    page = kept_tool.get(urls.delete_me()).text
    assert "1\u00a0an" in page and "Tapez SUPPRIMER" in page
    done = Learner(kept_tool).post(urls.delete_me(), {"confirmation": "SUPPRIMER"})
    assert done.status_code == 200
    kept = "SELECT count(*) FROM attempts WHERE user_id = ?"
    assert sql.value(kept_tool, kept, (user_id,)) == 1
    assert sql.rows(
        kept_tool, "SELECT name, purge_after IS NOT NULL FROM users WHERE id = ?", (user_id,)
    ) == [("", True)]
    assert sql.value(kept_tool, "SELECT count(*) FROM lti_accounts") == 0


# -- names refreshed by later launches ---------------------------------------------


def test_a_changed_name_claim_renames_the_account_not_its_certificates(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
) -> None:
    assert registered.launch(tool).status_code == 303
    certificate = certified(tool)
    tool.cookies.clear()
    renamed = registered.launch(tool, name="  Camille\u00a0  Martin ", email="cm@example.fr")
    assert renamed.status_code == 303
    _, name, email = account(tool)
    assert (name, email) == ("Camille Martin", "cm@example.fr")
    assert "Camille Martin" in tool.get("/compte").text
    assert "Camille Dupont" in tool.get(f"/certificates/{certificate}").text
    assert sql.rows(tool, "SELECT learner_name FROM certificates") == [("Camille Dupont",)]
    # Cut as at creation.
    tool.cookies.clear()
    assert registered.launch(tool, name="N" * (MAX_NAME + 50)).status_code == 303
    assert account(tool)[1] == "N" * MAX_NAME


def test_an_empty_claim_erases_nothing(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
) -> None:
    assert registered.launch(tool).status_code == 303
    for changes in (
        {"name": "", "given_name": REMOVE, "family_name": REMOVE, "email": ""},
        {"name": REMOVE, "given_name": REMOVE, "family_name": REMOVE, "email": REMOVE},
        {"name": "   ", "given_name": " ", "family_name": REMOVE},
    ):
        tool.cookies.clear()
        assert registered.launch(tool, **changes).status_code == 303
        assert account(tool)[1:] == ("Camille Dupont", "camille@example.fr"), changes


def test_a_name_set_here_holds_until_the_platform_s_own_changes(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
) -> None:
    assert registered.launch(tool).status_code == 303
    assert Learner(tool).post(urls.account_name(), {"name": "Camille D."}).status_code == 303
    tool.cookies.clear()
    assert registered.launch(tool).status_code == 303  # the same claim as before
    assert account(tool)[1] == "Camille D."
    tool.cookies.clear()
    assert registered.launch(tool, name="Camille Durand").status_code == 303
    assert account(tool)[1] == "Camille Durand"


def test_a_launch_writes_the_claims_only_when_they_changed(
    tool: TestClient,  # noqa: F811
    registered: Platform,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert registered.launch(tool).status_code == 303
    storage = app_state(tool.app).storage
    calls: list[dict] = []
    relaunched = storage.lti_relaunched

    async def spy(*args, **kwargs) -> None:
        calls.append(kwargs)
        await relaunched(*args, **kwargs)

    monkeypatch.setattr(storage, "lti_relaunched", spy)
    assert registered.launch(tool).status_code == 303
    assert registered.launch(tool, email="autre@example.fr").status_code == 303
    assert calls == [
        {"name": None, "email": None},
        {"name": None, "email": "autre@example.fr"},
    ]
    assert account(tool)[1:] == ("Camille Dupont", "autre@example.fr")


def test_the_local_rules_still_hold_for_a_local_account(tool: TestClient, make_user) -> None:  # noqa: F811
    """A local account keeps its password proof: a typed word is no way around it."""
    make_user("lea@example.fr", "Léa Martin")
    lea = sign_in(tool, "lea@example.fr")
    page = tool.get(urls.delete_me()).text
    assert 'type="password"' in page and "Tapez SUPPRIMER" not in page
    refused = lea.post(urls.delete_me(), {"confirmation": "SUPPRIMER"})
    assert refused.status_code == 400
    assert sql.value(tool, "SELECT count(*) FROM users WHERE deleted_at IS NULL") == 1
