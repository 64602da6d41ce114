"""The learner's side of Open Badges 3.0 (issue #16 §2): the certificate page offers the badge
to its holder (the image with the credential baked in, the JSON, LinkedIn), tells anyone
else it exists, and offers nothing to take away once the certificate is revoked."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from course.certificates import Certificate
from server.credentials.baking import unbake_svg
from server.credentials.linkedin import linkedin_url
from tests.badges_support import earn_certificate
from tests.conftest import PASSWORD, Learner

SECTION = "Votre badge numérique (Open Badges&nbsp;3.0)"


@pytest.fixture
def certificate_id(client: TestClient, learner: Learner) -> str:
    """Léa Martin completed the 1 h path."""
    return earn_certificate(client, learner)


def revoke(settings, monkeypatch, certificate_id: str) -> None:
    from server.cli import main

    monkeypatch.setenv("ALLIANCES_DATABASE", settings.database_url or str(settings.database))
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("ALLIANCES_BADGE_KEYS", str(settings.badge_keys_dir))
    assert main(["revoke-certificate", "--reason", "Erreur", "--", certificate_id]) == 0


def linkedin_link(page: str) -> str:
    found = re.search(r'<a [^>]*href="(https://www\.linkedin\.com/[^"]+)"[^>]*>([^<]+)</a>', page)
    assert found, "no LinkedIn link"
    assert found[2] == "Ajouter à mon profil LinkedIn"
    assert "target=" not in found[0]  # the same tab: no window opens unannounced
    return html.unescape(found[1])


def test_the_holder_is_offered_the_badge_the_json_and_linkedin(
    client: TestClient, certificate_id: str
) -> None:
    page = client.get(f"/certificates/{certificate_id}").text
    assert SECTION in page
    assert f'href="/certificates/{certificate_id}/badge.svg" download' in page
    assert f'href="/certificates/{certificate_id}/badge.json" download' in page
    assert "Télécharger le badge (Open Badges&nbsp;3.0)" in page
    assert "portefeuille numérique" in page  # how to put it in a wallet
    url = urlsplit(linkedin_link(page))
    assert (url.scheme, url.netloc, url.path) == ("https", "www.linkedin.com", "/profile/add")
    fields = {key: values[0] for key, values in parse_qs(url.query, strict_parsing=True).items()}
    issued = re.search(
        r"(\d{4})-(\d{2})",
        client.get(f"/certificates/{certificate_id}/badge.json").json()["validFrom"],
    )
    assert fields == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Cours d'essai — Découvrir",
        "organizationName": "Alliances & Territoires",
        "issueYear": issued[1],  # type: ignore[index]
        "issueMonth": str(int(issued[2])),  # type: ignore[index]
        "certUrl": f"https://formation.example.org/certificates/{certificate_id}",
        "certId": certificate_id,
    }
    assert "&amp;issueYear=" in page  # the & between fields is escaped in the HTML


def test_the_baked_image_carries_the_same_credential_as_the_json(
    client: TestClient, certificate_id: str
) -> None:
    image = client.get(f"/certificates/{certificate_id}/badge.svg")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/svg+xml"
    assert image.headers["content-disposition"] == 'attachment; filename="badge-1h.svg"'
    assert "sandbox" in image.headers["content-security-policy"]
    baked = unbake_svg(image.text)
    assert baked is not None
    assert baked == client.get(f"/certificates/{certificate_id}/badge.json").json()
    assert baked["credentialSubject"]["identifier"][0] == {
        "type": "IdentityObject",
        "identityHash": "Léa Martin",
        "identityType": "name",
        "hashed": False,
    }
    assert baked["credentialSubject"]["achievement"]["image"]["id"].endswith("/badges/1h.svg")
    assert "proof" in baked


def test_anyone_else_reads_one_line_and_the_json_link(
    client: TestClient, certificate_id: str
) -> None:
    client.cookies.clear()
    page = client.get(f"/certificates/{certificate_id}").text
    assert SECTION not in page and "linkedin.com" not in page
    assert "existe aussi sous forme de badge vérifiable (Open Badges&nbsp;3.0)" in page
    assert f'href="/certificates/{certificate_id}/badge.json"' in page
    assert f"/certificates/{certificate_id}/badge.svg" not in page
    # The baked image is the credential too: a verifier may fetch it without an account.
    assert unbake_svg(client.get(f"/certificates/{certificate_id}/badge.svg").text)


def test_a_revoked_certificate_offers_nothing_but_stays_verifiable(
    client: TestClient, certificate_id: str, settings, monkeypatch
) -> None:
    client.get(f"/certificates/{certificate_id}/badge.json")  # signed before the revocation
    revoke(settings, monkeypatch, certificate_id)
    page = client.get(f"/certificates/{certificate_id}").text
    assert SECTION not in page and "linkedin.com" not in page
    assert "badge.svg" not in page and "download" not in page.split("Vérification")[1]
    assert "ne peut plus être téléchargé ni ajouté à LinkedIn" in page
    assert client.get(f"/certificates/{certificate_id}/badge.json").status_code == 200
    assert unbake_svg(client.get(f"/certificates/{certificate_id}/badge.svg").text)
    client.cookies.clear()
    public = client.get(f"/certificates/{certificate_id}").text
    assert "badge numérique de cette attestation (Open Badges&nbsp;3.0) est révoqué" in public


def test_an_unknown_certificate_has_no_badge(client: TestClient) -> None:
    response = client.get("/certificates/inconnu/badge.svg")
    assert response.status_code == 404
    assert "Aucune attestation ne correspond" in response.text
    assert client.get(f"/certificates/{'x' * 80}/badge.svg").status_code == 404


def test_the_linkedin_link_survives_any_name() -> None:
    """Values holding « & », « # », « + », « ? » or spaces stay one field each."""
    certificate = Certificate(
        id="abc_-9",
        user_id=1,
        path_id="1h",
        learner_name="Zoé",
        path_title="Piloter & essaimer #2 ?",
        duration_minutes=60,
        course_title="A+B",
        content_version="v1",
        issued_at="2026-03-05T10:00:00Z",
    )
    url = linkedin_url(certificate, "Réseau & Cie + 1", "https://x.org/certificates/abc_-9?a=b&c")
    query = urlsplit(url).query
    assert not set(" #+") & set(query)
    fields = {key: values[0] for key, values in parse_qs(query, strict_parsing=True).items()}
    assert fields["name"] == "A+B — Piloter & essaimer #2 ?"
    assert fields["organizationName"] == "Réseau & Cie + 1"
    assert fields["certUrl"] == "https://x.org/certificates/abc_-9?a=b&c"
    assert (fields["issueYear"], fields["issueMonth"]) == ("2026", "3")


def test_the_credential_read_out_of_the_image_verifies_independently(
    client: TestClient, certificate_id: str
) -> None:
    """Read with the standard library's parser, not ours, and checked by Digital Bazaar's
    verifier (tests/verify/): what a wallet gets from the image is the signed credential."""
    from tests.test_badge_verification import verify

    root = ET.fromstring(client.get(f"/certificates/{certificate_id}/badge.svg").content)
    element = root.find("{https://purl.imsglobal.org/ob/v3p0}credential")
    assert element is not None and element.text
    [result] = verify(client, [json.loads(element.text)])
    assert result == {"verified": True, "revoked": False, "error": "", "statusError": ""}


def test_a_certificate_withdrawn_by_its_holder_has_no_badge_image(
    client: TestClient, learner: Learner, certificate_id: str
) -> None:
    """Account deleted: no name is left to certify, so no image either (the status list
    still answers for a credential taken away before)."""
    deleted = learner.post("/compte/supprimer", {"password": PASSWORD})
    assert deleted.status_code == 200 and "Votre compte a été supprimé" in deleted.text
    response = client.get(f"/certificates/{certificate_id}/badge.svg")
    assert response.status_code == 404
    assert "retirée à la demande de son titulaire" in response.text
    assert "Votre badge numérique" not in client.get(f"/certificates/{certificate_id}").text
