"""Open Badges 3.0 credentials (issue #16): issued with the certificate, frozen, revocable."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from course.certificates import Certificate
from server.credentials.keys import load_keys
from server.state import app_state
from tests.badges_support import earn_certificate, list_length_bytes, status_bit
from tests.conftest import Learner


@pytest.fixture
def issued(client: TestClient, learner: Learner) -> str:
    return earn_certificate(client, learner)


def test_the_credential_is_signed_at_issue_and_served_frozen(
    client: TestClient, issued: str, settings
) -> None:
    response = client.get(f"/certificates/{issued}/badge.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    badge = response.json()
    key = load_keys(settings.badge_keys_dir, create=False).current
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["issuer"]["id"] == key.did
    assert badge["issuer"]["url"] == "https://formation.example.org"
    assert badge["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert badge["proof"]["verificationMethod"] == key.verification_method
    subject = badge["credentialSubject"]
    assert subject["identifier"][0] == {
        "type": "IdentityObject",
        "identityHash": "Léa Martin",
        "identityType": "name",
        "hashed": False,
    }
    identity = subject["identifier"][1]
    assert identity["hashed"] is True and identity["identityHash"].startswith("sha256$")
    assert "lea@example.fr" not in response.text  # only its salted hash
    achievement = subject["achievement"]
    assert achievement["id"] == "https://formation.example.org/paths/1h#badge"
    assert achievement["image"]["id"] == "https://formation.example.org/badges/1h.svg"
    assert badge["evidence"][0]["id"] == f"https://formation.example.org/certificates/{issued}"
    assert client.get(f"/certificates/{issued}/badge.json").json() == badge  # never re-signed


def test_unknown_certificate_is_the_sites_404_page(client: TestClient) -> None:
    response = client.get("/certificates/nope/badge.json")
    assert response.status_code == 404
    assert "Aucune attestation ne correspond" in response.text
    assert client.get(f"/certificates/{'x' * 80}/badge.json").status_code == 404
    for key in ("2", "0", "abc", "9" * 20):  # only the keys the site holds have a list
        response = client.get(f"/badges/status/{key}.json")
        assert response.status_code == 404 and "Aucune liste de statuts" in response.text


def test_revoking_flips_the_status_bit_and_the_credential_is_still_served(
    client: TestClient, issued: str, settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.cli import main

    badge = client.get(f"/certificates/{issued}/badge.json").json()
    status = badge["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusListCredential"] == "https://formation.example.org/badges/status/1.json"
    index = int(status["statusListIndex"])
    before = client.get("/badges/status/1.json")
    assert before.status_code == 200
    assert before.json()["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert not status_bit(before.json(), index)
    assert list_length_bytes(before.json()) >= 16 * 1024
    monkeypatch.setenv("ALLIANCES_DATABASE", settings.database_url or str(settings.database))
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", settings.secret_key)
    assert main(["revoke-certificate", "--reason", "Erreur", "--", issued]) == 0
    assert status_bit(client.get("/badges/status/1.json").json(), index)
    assert "révoquée" in client.get(f"/certificates/{issued}").text  # the page agrees
    again = client.get(f"/certificates/{issued}/badge.json")
    assert again.status_code == 200 and again.json() == badge


def test_deleting_the_account_revokes_and_withdraws_the_credential(
    client: TestClient, learner: Learner, issued: str
) -> None:
    index = int(
        client.get(f"/certificates/{issued}/badge.json").json()["credentialStatus"][
            "statusListIndex"
        ]
    )
    shared = app_state(client.app)
    user = client.portal.call(shared.storage.user_by_email, "lea@example.fr")
    assert user is not None
    assert client.portal.call(shared.storage.delete_account, user.id, "2026-01-01T00:00:00+00:00")
    assert status_bit(client.get("/badges/status/1.json").json(), index)
    response = client.get(f"/certificates/{issued}/badge.json")
    assert response.status_code == 404 and "Léa" not in response.text


def test_a_certificate_from_before_badges_gets_its_credential_with_its_own_facts(
    client: TestClient, learner: Learner
) -> None:
    """Issued before this change (no credential kept): built on first request, frozen
    with the name and the date the certificate was issued with, not today's."""
    shared = app_state(client.app)
    user = client.portal.call(shared.storage.user_by_email, "lea@example.fr")
    assert user is not None
    old = Certificate(
        id="ancienne-attestation",
        user_id=user.id,
        path_id="1h",
        learner_name="Léa Ancien-Nom",
        path_title="Découvrir (2025)",
        duration_minutes=60,
        course_title="Alliances & Territoires",
        content_version="v0",
        issued_at="2025-03-04T05:06:07+00:00",
    )
    client.portal.call(shared.storage.issue_certificate, old)
    badge = client.get("/certificates/ancienne-attestation/badge.json").json()
    assert badge["validFrom"] == "2025-03-04T05:06:07Z"
    assert badge["credentialSubject"]["identifier"][0]["identityHash"] == "Léa Ancien-Nom"
    assert badge["credentialSubject"]["achievement"]["name"] == "Découvrir (2025)"
