"""The certificat de réalisation: a trainer completes, issues and downloads it (issue #18 §1)."""

from __future__ import annotations

import dataclasses
import re
from io import BytesIO

import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from server.settings import Settings
from server.state import app_state
from tests.badges_support import earn_certificate
from tests.conftest import PASSWORD, Learner, sign_in
from tests.test_trainer import join_code, new_cohort


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings, organisation="Territoires Formation", provider_nda="11751234567"
    )


@pytest.fixture
def cohort(client: TestClient, make_user) -> dict[str, str]:
    """Fanny's cohort, where Léa completed the 1 h path; Otto trains another cohort."""
    make_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    make_user("autre@example.fr", "Otto Formateur", "trainer")
    cohort_id = new_cohort(sign_in(client, "formatrice@example.fr"))
    code = join_code(client, cohort_id)
    client.cookies.clear()
    lea = Learner(client)
    assert (
        lea.signup(email="lea@example.fr", name="Léa Martin", password=PASSWORD).status_code == 303
    )
    assert lea.post(f"/join/{code}").status_code == 303
    earn_certificate(client, lea)
    sign_in(client, "formatrice@example.fr")
    page = client.get(f"/trainer/cohorts/{cohort_id}").text
    user_id = re.search(r"/learners/(\d+)\">Léa Martin<", page)[1]  # type: ignore[index]
    base = f"/trainer/cohorts/{cohort_id}/learners/{user_id}"
    return {
        "form": base + "/realisation",
        "pdf": base + "/certificat-realisation.pdf",
        "learner": base,
    }


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages).split())


def test_trainer_fills_in_issues_and_downloads_it(client: TestClient, cohort) -> None:
    fanny = Learner(client)
    assert cohort["form"] in client.get(cohort["learner"]).text
    assert client.get(cohort["pdf"]).status_code == 404  # not issued yet
    form = client.get(cohort["form"])
    assert form.status_code == 200 and "Délivrer le certificat" in form.text
    issued = fanny.post(
        cohort["form"], {"employer": "  Mairie   de Lille ", "funder_file": "OPCO-2026-42"}
    )
    assert issued.status_code == 303
    page = client.get(cohort["form"]).text
    assert 'value="Mairie de Lille"' in page and 'value="OPCO-2026-42"' in page
    assert "Délivrer de nouveau" in page
    pdf = client.get(cohort["pdf"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = text_of(pdf.content)
    for phrase in (
        "Certificat de réalisation",
        "Territoires Formation, numéro de déclaration d’activité 11751234567",
        "Léa Martin",
        "salarié(e) de l’entreprise Mairie de Lille",
        "a suivi l’action « Cours d'essai, parcours Découvrir »",
        "☒ action de formation",
        "pour une durée de 6 min",
        "Numéro de dossier du financeur : OPCO-2026-42",
        "Cachet et signature du responsable du dispensateur de formation",
    ):
        assert phrase in text, (phrase, text)
    assert PdfReader(BytesIO(pdf.content)).trailer["/Root"]["/Lang"] == "fr-FR"


def test_the_form_checks_lengths_and_csrf(client: TestClient, cohort) -> None:
    fanny = Learner(client)
    refused = fanny.post(cohort["form"], {"employer": "E" * 151, "funder_file": "9" * 61})
    assert refused.status_code == 400
    assert "Le formulaire contient 2\u00a0erreurs" in refused.text
    assert "ne doit pas dépasser 150 caractères" in refused.text
    assert "ne doit pas dépasser 60 caractères" in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert client.get(cohort["pdf"]).status_code == 404  # nothing issued
    forged = client.post(cohort["form"], data={"employer": "X"}, follow_redirects=False)
    assert forged.status_code == 403
    assert client.get(cohort["pdf"]).status_code == 404


def test_only_the_cohorts_trainers_reach_it(client: TestClient, cohort) -> None:
    assert Learner(client).post(cohort["form"], {"employer": "Mairie"}).status_code == 303
    sign_in(client, "autre@example.fr")
    assert client.get(cohort["form"]).status_code == 404
    assert client.get(cohort["pdf"]).status_code == 404
    sign_in(client, "lea@example.fr")
    assert client.get(cohort["pdf"]).status_code == 403


def test_it_is_in_the_data_export_and_goes_with_the_account(client: TestClient, cohort) -> None:
    assert Learner(client).post(cohort["form"], {"employer": "Mairie de Lille"}).status_code == 303
    lea = sign_in(client, "lea@example.fr")
    export = lea.post("/compte/donnees")
    assert export.status_code == 200
    import io
    import json
    import zipfile

    data = json.loads(zipfile.ZipFile(io.BytesIO(export.content)).read("donnees.json"))
    (row,) = data["realisation_certificates"]
    assert row["employer"] == "Mairie de Lille" and row["path_id"] == "1h"
    assert lea.post("/compte/supprimer", {"password": PASSWORD}).status_code == 200
    user_id = int(cohort["learner"].rsplit("/", 1)[1])
    storage = app_state(client.app).storage
    assert client.portal.call(storage.realisation, user_id, "1h") is None  # type: ignore[union-attr]
    sign_in(client, "formatrice@example.fr")
    assert client.get(cohort["pdf"]).status_code == 404
