"""A learner follows a module's link to a template and downloads its PDF and DOCX.

The template pages pass axe-core (light and dark) and the Nu Html Checker like
every other page type; the downloaded files open.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pypdf
import pytest

from tests.browser.pages import PASSWORD, check_accessibility, vnu_errors


@pytest.mark.parametrize("width", [375, 1280])
def test_module_link_leads_to_template_and_its_downloads(
    browser, live_server: str, artifacts: Path, tmp_path: Path, width: int
) -> None:
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": width, "height": 900},
        locale="fr-FR",
        accept_downloads=True,
    )
    page = context.new_page()
    page.goto("/signup")
    page.get_by_label("Nom et prénom").fill("Inès Modèle")
    page.get_by_label("Adresse électronique").fill(f"ines-{width}@example.fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url(live_server + "/")
    page.goto("/paths/1h")
    page.get_by_role("button", name="Commencer ce parcours").click()
    page.wait_for_url("**/paths/1h/intro")

    page.get_by_role("link", name="fiche partenaire (PDF, DOCX)").click()
    page.wait_for_url("**/modeles/fiche-partenaire")
    assert page.locator("h1").inner_text() == "Fiche partenaire"
    page.screenshot(path=artifacts / f"{width}-modele.png", full_page=True)
    problems = check_accessibility(page, "modele")
    html = {"modele": context.request.get("/modeles/fiche-partenaire").text()}

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Télécharger le PDF").click()
    pdf = pdf_download.value
    assert pdf.suggested_filename == "fiche-partenaire.pdf"
    data = Path(pdf.path()).read_bytes()
    assert data.startswith(b"%PDF")
    assert "Fiche partenaire" in pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()

    with page.expect_download() as docx_download:
        page.get_by_role("link", name="Télécharger le DOCX").click()
    word = docx_download.value
    assert word.suggested_filename == "fiche-partenaire.docx"
    document = docx.Document(io.BytesIO(Path(word.path()).read_bytes()))
    assert "Le partenaire" in [p.text for p in document.paragraphs]

    page.get_by_role("link", name="Modèles à remplir").click()
    page.wait_for_url("**/modeles")
    assert page.get_by_role("link", name="Fiche partenaire", exact=True).count() == 1
    page.screenshot(path=artifacts / f"{width}-modeles.png", full_page=True)
    problems += check_accessibility(page, "modeles")
    html["modeles"] = context.request.get("/modeles").text()
    context.close()

    problems += vnu_errors(html, tmp_path, prefix=f"{width}-")
    assert not problems, "\n".join(problems)
