"""/admin/lti (issue #17): an administrator registers a platform by hand, sees what to enter
on the platform's side (with Moodle's steps in French), and removes it."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from tests.conftest import sign_in

FORM = {
    "name": "Moodle du réseau",
    "issuer": "https://moodle.example.net",
    "client_id": "outil-7",
    "deployments": "1, 2",
    "auth_url": "https://moodle.example.net/mod/lti/auth.php",
    "token_url": "https://moodle.example.net/mod/lti/token.php",
    "keyset_url": "https://moodle.example.net/mod/lti/certs.php",
}


def test_an_admin_registers_and_removes_a_platform(client: TestClient, make_user) -> None:
    make_user("admin@example.fr", "Ada Admin", "admin")
    admin = sign_in(client, "admin@example.fr")
    page = client.get("/admin/lti").text
    for shown in (
        "https://formation.example.org/lti/launch",
        "https://formation.example.org/lti/login",
        "https://formation.example.org/lti/jwks.json",
        "Administration du site &gt; Plugins &gt; Modules d’activité &gt; Outil externe"
        " &gt; Gérer les outils",
        "path=1h",
        "Aucune plateforme",
    ):
        assert shown in page, shown

    added = admin.post("/admin/lti", FORM)
    assert added.status_code == 303 and added.headers["location"].startswith("/admin/lti?")
    page = client.get(added.headers["location"]).text
    assert "La plateforme est enregistrée" in page
    assert "Moodle du réseau" in page and "outil-7" in page and "1, 2" in page

    again = admin.post("/admin/lti", FORM)
    assert again.status_code == 400 and "déjà enregistrée avec cet identifiant" in again.text

    platform_id = re.search(r'<form method="post" action="/admin/lti/(\d+)/supprimer"', page)[1]  # type: ignore[index]
    removed = admin.post(f"/admin/lti/{platform_id}/supprimer")
    assert removed.status_code == 303
    assert "Aucune plateforme" in client.get("/admin/lti").text


def test_wrong_fields_are_listed_in_the_error_summary(client: TestClient, make_user) -> None:
    make_user("admin@example.fr", "Ada Admin", "admin")
    admin = sign_in(client, "admin@example.fr")
    form = {
        **FORM,
        "issuer": "",
        "keyset_url": "ftp://moodle.example.net/certs",
        "deployments": " ",
    }
    refused = admin.post("/admin/lti", form)
    assert refused.status_code == 400
    assert "Le formulaire contient 3\u00a0erreurs" in refused.text
    assert 'href="#issuer"' in refused.text and 'href="#keyset_url"' in refused.text
    assert 'href="#deployments"' in refused.text and 'aria-invalid="true"' in refused.text
    assert 'value="outil-7"' in refused.text  # what was typed stays
    assert "Aucune plateforme" in refused.text


def test_a_learner_is_refused(client: TestClient, learner) -> None:
    assert client.get("/admin/lti").status_code == 403
