"""A revoked certificate says so on its holder's own pages, not only on the public one."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from tests.conftest import Learner

CERT = re.compile(r'href="/certificates/([\w-]+)"')


@pytest.fixture
def revoked(client: TestClient, learner: Learner, settings, monkeypatch) -> str:
    """Léa completed the 1 h path, then an operator revoked her certificate."""
    from server.cli import main

    learner.pass_intro()
    learner.post("/paths/1h/lecture/done")
    page = client.get("/paths/1h").text
    assert "Votre attestation a été délivrée" in page
    certificate_id = CERT.search(page)[1]  # type: ignore[index]
    monkeypatch.setenv("ALLIANCES_DATABASE", settings.database_url or str(settings.database))
    monkeypatch.setenv("ALLIANCES_SECRET_KEY", settings.secret_key)
    assert main(["revoke-certificate", "--reason", "Erreur d'identité", "--", certificate_id]) == 0
    return certificate_id


def test_the_path_page_shows_the_revocation(client: TestClient, revoked: str) -> None:
    page = client.get("/paths/1h").text
    assert "Votre attestation a été révoquée" in page
    assert "Erreur d&#39;identité" in page and "n’est plus valable" in page
    assert "a été délivrée le" not in page and "Bravo" not in page
    assert f"/certificates/{revoked}.pdf" not in page  # no download offered for it
    assert f'href="/certificates/{revoked}"' in page  # the verification page says why


def test_passing_again_does_not_announce_a_ready_certificate(
    client: TestClient, learner: Learner, revoked: str
) -> None:
    result = learner.pass_intro()
    assert result.status_code == 200
    assert "attestation révoquée" in result.text
    assert "Votre attestation est prête" not in result.text
    assert "Votre attestation a été révoquée" in client.get("/paths/1h").text  # not re-issued


def test_the_home_page_does_not_offer_a_revoked_certificate(
    client: TestClient, revoked: str
) -> None:
    home = client.get("/").text
    assert "Parcours terminé&nbsp;: attestation révoquée" in home
    assert "voir l’attestation" not in home
    assert f'href="/certificates/{revoked}"' not in home  # the path page explains why
