"""Every PDF the site makes is tagged for accessibility (PDF/UA-1, issue #18 §1).

Each document's structure tree is read back (tests/pdf_ua.py): tagged and marked,
in French, its title shown in place of the file name, headings from H1 without a
gap, tables with header cells, the QR code a figure with its alternative text.
"""

from __future__ import annotations

import pytest

from course import plan
from course.loader import load_course
from server.attestation_pdf import attestation_pdf
from server.pdf import certificate_pdf, plan_pdf
from server.pdf_render import FontsOnly
from server.realisation_pdf import RealisationFacts, realisation_pdf
from server.template_pdf import template_pdf
from tests.conftest import FIXTURE_COURSE
from tests.pdf_ua import assert_pdf_ua, text
from tests.test_attestation import facts
from tests.test_pdf_scripts import certificate

COURSE = load_course(FIXTURE_COURSE)
URL = "https://formation.example.org/certificates/" + "c" * 32
QR_ALT = "Code QR menant à la page de vérification"


def test_the_certificate_is_tagged_with_its_qr_code_described() -> None:
    tagged = assert_pdf_ua(
        certificate_pdf(certificate("Léa Martin"), URL), "Attestation — Alliances"
    )
    assert tagged.tags.count("/Figure") == 1
    (alt,) = tagged.alts["/Figure"]
    assert alt.startswith(QR_ALT) and alt.endswith(URL)
    assert "/Link" in tagged.tags  # the verification address can be followed


def test_the_plan_is_tagged_with_a_heading_per_module_and_reflection() -> None:
    answers = {"atelier-objectifs": "Premier paragraphe.\n\nSecond paragraphe."}
    pdf = plan_pdf(COURSE, plan.sections(COURSE), answers, "Léa Martin", "1er mai 2026")
    tagged = assert_pdf_ua(pdf, "Mon plan d’alliance")
    assert tagged.tags.count("/H2") == len(plan.sections(COURSE))
    assert "/H3" in tagged.tags and "/Figure" not in tagged.tags
    assert "Premier paragraphe. Second paragraphe." in text(pdf)


def test_the_attestation_is_tagged_with_a_table_and_the_qr_code() -> None:
    tagged = assert_pdf_ua(
        attestation_pdf(facts("Léa", "Fanny")), "Attestation de fin de formation — Découvrir"
    )
    assert tagged.tags.count("/H2") == 8  # one per item L6353-1 lists, and the verification
    assert {"/Table", "/TH", "/TD", "/L", "/LI"} <= set(tagged.tags)
    assert tagged.tags.count("/TH") == 4  # the results' column headers
    assert len(tagged.tables) == 1 and len(tagged.tables[0]) == 8  # headers and one row
    (alt,) = tagged.alts["/Figure"]
    assert alt.startswith(QR_ALT) and alt.endswith("https://x/c")


def test_the_certificat_de_realisation_is_tagged() -> None:
    facts = RealisationFacts(
        "Organisme", "", "", "Léa", "Mairie", "", "Cours", None, None, 60, "2026-05-01"
    )
    tagged = assert_pdf_ua(realisation_pdf(facts), "Certificat de réalisation — Cours")
    assert tagged.tags.count("/LI") == 4  # the four natures of action, one ticked


@pytest.mark.parametrize("template_id", sorted(COURSE.templates))
def test_each_course_template_is_tagged(template_id: str) -> None:
    template = COURSE.templates[template_id]
    pdf = template_pdf(template, COURSE.title, "https://formation.example.org/")
    tagged = assert_pdf_ua(pdf, template.title)
    assert "/H2" in tagged.tags
    if "/Table" in tagged.tags:
        assert "/TH" in tagged.tags


def test_the_footer_is_an_artifact() -> None:
    template = next(iter(COURSE.templates.values()))
    pdf = template_pdf(template, COURSE.title, "https://formation.example.org/")
    assert "page 1" in text(pdf)  # printed on the page, but marked as an artifact:
    page = assert_pdf_ua(pdf, template.title).reader.pages[0]
    assert b"/Artifact" in page.get_contents().get_data()  # readers skip it


def test_the_renderer_opens_no_url_but_data_and_fonts() -> None:
    fetcher = FontsOnly()
    for url in ("http://127.0.0.1/", "file:///etc/passwd", "ftp://x/y"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,ok") is not None
    # A name with markup prints as text: escaped, it never reaches the renderer as a tag.
    pdf = certificate_pdf(certificate('<img src="file:///etc/passwd">'), URL)
    assert '<img src="file:///etc/passwd">' in text(pdf)
