"""The attestation de fin de formation (Code du travail art. L6353-1, issue #18 §1)."""

from __future__ import annotations

import dataclasses
import re
from io import BytesIO

import pytest
from pypdf import PdfReader
from starlette.testclient import TestClient

from course.certificates import Certificate
from server.attestation import Accompaniment, Attestation, ModuleResult, accompaniment, followed_in
from server.attestation_pdf import attestation_pdf
from server.settings import Settings
from server.storage import Storage
from server.storage.realisation import PathCohort
from tests.badges_support import earn_certificate
from tests.conftest import PASSWORD, Learner, sign_in
from tests.sql import value, write
from tests.test_pdf_scripts import EXTRACTABLE, NAMES
from tests.test_storage_contract import contract, learner  # noqa: F401  (the fixture)
from tests.test_trainer import join_code, new_cohort

ADDRESS = "12 rue des Partenaires, 59000 Lille"
NDA = "11751234567"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings, organisation="Territoires Formation", provider_address=ADDRESS, provider_nda=NDA
    )


def text_of(pdf: bytes) -> str:
    """The PDF's text on one line, no-break spaces as spaces, for phrase searches."""
    reader = PdfReader(BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture
def journey(client: TestClient, make_user) -> dict[str, str]:
    """Fanny trains « Promo Lille »; Léa joins it and completes the 1 h path; Hugo does not."""
    make_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    make_user("autre@example.fr", "Otto Formateur", "trainer")
    cohort = new_cohort(sign_in(client, "formatrice@example.fr"))
    code = join_code(client, cohort)
    sign_in(client, "autre@example.fr")
    other_code = join_code(client, new_cohort(sign_in(client, "autre@example.fr"), "Autre"))
    client.cookies.clear()
    hugo = Learner(client)
    assert hugo.signup(email="hugo@example.fr", name="Hugo", password=PASSWORD).status_code == 303
    assert hugo.post(f"/join/{other_code}").status_code == 303
    client.cookies.clear()
    lea = Learner(client)
    assert (
        lea.signup(email="lea@example.fr", name="Léa Martin", password=PASSWORD).status_code == 303
    )
    assert lea.post(f"/join/{code}").status_code == 303
    certificate = earn_certificate(client, lea)
    return {"certificate": certificate, "cohort": str(cohort)}


def url(certificate: str) -> str:
    return f"/certificates/{certificate}/attestation-fin-de-formation.pdf"


def test_every_item_of_l6353_1_is_stated(client: TestClient, journey) -> None:
    response = client.get(url(journey["certificate"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = text_of(response.content)
    expected = [
        "Attestation de fin de formation",
        "article L6353-1 du Code du travail",
        # The provider, from the settings.
        "Territoires Formation",
        ADDRESS,
        f"Numéro de déclaration d’activité : {NDA}",
        # The trainee and the title of the action.
        "Léa Martin",
        "Cours d'essai, parcours « Découvrir »",
        # Objectives, as what the learner is able to do (course.yaml's outcomes).
        "le stagiaire est capable de :",
        "comprendre l'essentiel.",
        # Nature: at a distance, on one's own, with the cohort and its trainer.
        "Action de formation à distance, en autonomie.",
        "Suivie dans le groupe « Promo Lille », accompagné par Fanny Formatrice.",
        # Duration and the dates of the first and last activity.
        "Durée de l’action : 6 min",
        "Première activité le",
        "dernière activité le",
        # The assessment's results: each module's best score and the pass mark, overall.
        "Résultats de l’évaluation des acquis",
        "Introduction aux alliances 100 % 70 % acquis",
        "sans quiz — terminé",
        "Résultat global : parcours réussi, chaque quiz au seuil de 70 % ou au-delà.",
        # The public certificate's verification URL (its QR code is drawn beside).
        f"https://formation.example.org/certificates/{journey['certificate']}",
    ]
    for phrase in expected:
        assert phrase in text, (phrase, text)
    reader = PdfReader(BytesIO(response.content))
    assert reader.trailer["/Root"]["/Lang"] == "fr-FR"
    assert reader.metadata.title == "Attestation de fin de formation — Découvrir"


def test_dates_are_those_of_the_journey(client: TestClient, journey) -> None:
    from server.clock import now
    from server.templating import date_fr

    today = date_fr(now()).replace("\u00a0", " ")
    text = text_of(client.get(url(journey["certificate"])).content)
    assert f"Première activité le {today}, dernière activité le {today}." in text


def test_only_the_holder_and_her_trainers_may_download_it(client: TestClient, journey) -> None:
    address = url(journey["certificate"])
    page = client.get(f"/certificates/{journey['certificate']}").text
    assert address in page  # Léa, signed in, sees the link on her certificate
    assert address in client.get("/compte").text
    client.cookies.clear()
    anonymous = client.get(address, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    public = client.get(f"/certificates/{journey['certificate']}").text
    assert address not in public and "%" not in public  # scores stay private
    for stranger in ("hugo@example.fr", "autre@example.fr"):
        sign_in(client, stranger)
        refused = client.get(address)
        assert refused.status_code == 404, stranger
        assert "%PDF" not in refused.text
    sign_in(client, "formatrice@example.fr")
    assert client.get(address).content.startswith(b"%PDF")
    learners = client.get(f"/trainer/cohorts/{journey['cohort']}").text
    user_id = re.search(r"/learners/(\d+)\">Léa Martin<", learners)[1]  # type: ignore[index]
    detail = client.get(f"/trainer/cohorts/{journey['cohort']}/learners/{user_id}").text
    assert address in detail


def facts(name: str, trainer: str) -> Attestation:
    certificate = Certificate(
        "c" * 32, 1, "1h", name, "Découvrir", 60, "Alliances", "v1", "2026-05-01T10:00:00+00:00"
    )
    return Attestation(
        certificate=certificate,
        provider_name="Organisme",
        provider_address="",
        provider_nda="",
        objectives=("Expliquer pourquoi.",),
        description="",
        cohorts=(Accompaniment("Groupe", (trainer,)),),
        first_activity="2026-04-01T10:00:00+00:00",
        last_activity="2026-05-01T10:00:00+00:00",
        results=(ModuleResult("Pourquoi", 80, True),),
        pass_threshold=70,
        verify_url="https://x/c",
    )


@pytest.mark.parametrize("script", sorted(EXTRACTABLE))
def test_names_print_in_every_script(script: str) -> None:
    text = text_of(attestation_pdf(facts(NAMES[script], NAMES[script])))
    assert text.count(NAMES[script]) == 2, text


def test_without_nda_or_address_nothing_is_invented() -> None:
    text = text_of(attestation_pdf(facts("Léa", "Fanny")))
    assert "déclaration d’activité" not in text
    assert "1er avril 2026" in text and "1er mai 2026" in text


# -- the cohort the path was followed in -------------------------------------------


def test_both_documents_name_the_cohort_the_path_was_followed_in(
    client: TestClient, make_user
) -> None:
    """Léa moved from Fanny's « Promo Lille » to Otto's « Promo Douai » and finished there;
    Fanny later added her to « Suivi ». Both documents name Douai and Otto, and say why."""
    make_user("formatrice@example.fr", "Fanny Formatrice", "trainer")
    make_user("autre@example.fr", "Otto Formateur", "trainer")
    lille = new_cohort(sign_in(client, "formatrice@example.fr"), "Promo Lille")
    codes = [join_code(client, lille)]
    douai = new_cohort(sign_in(client, "autre@example.fr"), "Promo Douai")
    codes.append(join_code(client, douai))
    client.cookies.clear()
    lea = Learner(client)
    assert lea.signup(email="lea@example.fr", name="Léa Martin").status_code == 303
    for code in codes:
        assert lea.post(f"/join/{code}").status_code == 303
    user_id = value(client, "SELECT id FROM users WHERE email = 'lea@example.fr'")
    for cohort, joined in ((lille, "2026-01-05"), (douai, "2026-02-02")):
        write(
            client,
            "UPDATE cohort_members SET joined_at = ? WHERE cohort_id = ? AND user_id = ?",
            (f"{joined}T09:00:00+00:00", cohort, user_id),
        )
    certificate = earn_certificate(client, lea)
    suivi = new_cohort(sign_in(client, "formatrice@example.fr"), "Suivi")
    code = join_code(client, suivi)
    assert sign_in(client, "lea@example.fr").post(f"/join/{code}").status_code == 303
    write(
        client,
        "UPDATE cohort_members SET joined_at = '2099-01-01T09:00:00+00:00' WHERE cohort_id = ?",
        (suivi,),
    )
    why = (
        "Le stagiaire est aussi inscrit dans les groupes « Promo Lille », « Suivi » pour ce"
        " parcours ; est retenu le groupe dont il était membre à la fin de l’action, le plus"
        " récemment rejoint."
    )
    text = text_of(client.get(url(certificate)).content)
    assert "Suivie dans le groupe « Promo Douai », accompagné par Otto Formateur." in text
    assert "Fanny Formatrice" not in text and why in text
    # The certificat de réalisation, issued by Fanny from « Promo Lille », agrees.
    fanny = sign_in(client, "formatrice@example.fr")
    realisation = f"/trainer/cohorts/{lille}/learners/{user_id}/realisation"
    form = " ".join(client.get(realisation).text.replace("&nbsp;", " ").split())
    assert "Le certificat nomme le groupe « Promo Douai » et ses formateurs (Otto" in form
    assert fanny.post(realisation, {"employer": "", "funder_file": ""}).status_code == 303
    pdf = client.get(f"/trainer/cohorts/{lille}/learners/{user_id}/certificat-realisation.pdf")
    text = text_of(pdf.content)
    assert "dans le groupe « Promo Douai », accompagné(e) par Otto Formateur," in text
    assert why in text


def _cohort(number: int, joined: str) -> PathCohort:
    return PathCohort(number, f"G{number}", f"2026-0{joined}-01T00:00:00+00:00", ("T",))


def test_the_cohort_is_found_in_the_records_never_chosen() -> None:
    ended = "2026-05-01T00:00:00+00:00"
    first, second, after = _cohort(1, "1"), _cohort(2, "3"), _cohort(3, "7")
    assert followed_in([first, second, after], ended) == second  # the latest joined by the end
    assert followed_in([first, _cohort(4, "1")], ended) == _cohort(4, "1")  # a tie: the newer
    assert followed_in([after], ended) is None  # joined after the end: not where it was followed
    assert followed_in([], ended) is None
    assert followed_in([first, after], None) == after  # no end yet: the latest joined
    only = accompaniment([first], ended)
    assert only == Accompaniment("G1", ("T",)) and not only.note
    assert accompaniment([after], ended) is None


def test_the_learner_s_cohorts_on_a_path_read_alike(contract) -> None:  # noqa: F811
    async def scenario(a: Storage, b: Storage) -> None:
        trainer, _ = await learner(a, "formatrice@example.fr")
        other, _ = await learner(a, "otto@example.fr")
        lea, _ = await learner(a)
        at = "2026-03-01T10:00:00+00:00"
        lille = await a.create_cohort("Promo Lille", "1h", None, trainer, "CODE1111", at)
        douai = await a.create_cohort("Promo Douai", "1h", None, other, "CODE2222", at)
        elsewhere = await a.create_cohort("Autre", "4h", None, trainer, "CODE3333", at)
        await a.add_trainer(douai, trainer)
        for cohort, joined in ((douai, "2026-03-02"), (lille, "2026-03-01"), (elsewhere, at)):
            await a.join_cohort(cohort, lea, joined)
        found = await b.path_cohorts(lea, "1h")
        assert [(c.cohort_id, c.name, c.joined_at) for c in found] == [
            (lille, "Promo Lille", "2026-03-01"),
            (douai, "Promo Douai", "2026-03-02"),
        ]
        assert found[1].trainers == ("Léa Martin", "Léa Martin")  # both made by `learner`
        assert await b.path_cohorts(trainer, "1h") == []

    contract(scenario)
