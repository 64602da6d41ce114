"""The accessibility statement, the legal notice and the personal data page."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.conftest import Learner

PAGES = {
    "/accessibilite": [
        "Déclaration d'accessibilité",
        "<strong>non conforme</strong>",
        "RGAA",
        "Résultats des tests",
        "Contenus non accessibles",
        "Dérogations pour charge disproportionnée",
        "Cette déclaration a été établie le 27 novembre 2026",
        "(<code>caption</code>, 5.4)",
        "plan du site</a>",
        "reçoit le focus",
        "Technologies utilisées",
        "Retour d'information et contact",
        "Voies de recours",
        "Défenseur des droits",
        "https://formation.example.org/",
    ],
    "/mentions-legales": [
        "Mentions légales",
        "Directeur ou directrice de la publication",
        "Hébergement",
        "AGPL</abbr>-3.0-or-later",
        "[À compléter par l'hébergeur",
    ],
    "/donnees-personnelles": [
        "Données personnelles",
        "Argon2id",
        "réflexions",
        "privées",
        "impossible à deviner",
        "Durée de conservation",
        "RGPD",
        "CNIL",
        "at_session",
        "at_csrf",
        "Aucun cookie de mesure d'audience",
    ],
}


@pytest.mark.parametrize("url", PAGES)
def test_legal_page_says_what_the_law_expects(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for text in PAGES[url]:
        assert text in response.text, text
    assert response.text.count("<h1") == 1


def test_footer_links_to_the_legal_pages_on_every_page(client: TestClient) -> None:
    for url in ("/", "/login", "/pas-de-page"):
        html = client.get(url).text
        for link in PAGES:
            assert f'href="{link}"' in html, (url, link)
    assert 'href="/accessibilite" aria-current="page"' in client.get("/accessibilite").text


def test_legal_pages_show_the_signed_in_learner(learner: Learner) -> None:
    assert "Se déconnecter" in learner.client.get("/donnees-personnelles").text
