"""Every name the site accepts prints readably in the certificate and plan PDFs."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from course import plan
from course.certificates import MAX_NAME, Certificate
from course.loader import load_course
from server import pdf_text
from server.pdf import certificate_pdf, plan_pdf
from tests.conftest import FIXTURE_COURSE

NAMES = {
    "chinois": "王小明",
    "japonais": "山田 太郎",
    "coréen": "김민준",
    "devanagari": "अनुष्का शर्मा",
    "thaï": "สมชาย ใจดี",
    "tamoul": "கார்த்திக் சுப்பிரமணியம்",
    "bengali": "সৌমিত্র চট্টোপাধ্যায়",
    "arabe": "محمد عبد الله",
    "hébreu": "שרה לוי",
}
# Scripts whose glyphs map back to the typed characters: pypdf gives the name back.
EXTRACTABLE = {"chinois", "japonais", "coréen", "thaï", "hébreu"}
CERT_ROOM = landscape(A4)[0] - 60 * mm


def certificate(name: str) -> Certificate:
    return Certificate(
        "c" * 32, 1, "12h", name, "Parcours", 90, "Alliances", "v1", "2026-05-01T10:00:00+00:00"
    )


def glyph_ids(runs: list[pdf_text.Run]) -> list[int]:
    """The glyph each drawn character stands for in its font (0 is .notdef, an empty box)."""
    ids = []
    for run in runs:
        face = pdfmetrics.getFont(run.font).face
        ids += [face.charToGlyph.get(ord(char), 0) for char in run.text if char != " "]
    return ids


@pytest.mark.parametrize("script", NAMES)
def test_each_script_has_a_font_with_its_glyphs(script: str) -> None:
    assert pdf_text.missing_scripts() == [], "run scripts/install-system-deps"
    runs = pdf_text.layout(NAMES[script], bold=True)
    assert runs and all(glyph_ids(runs))
    if script not in {"chinois", "japonais", "coréen"}:
        assert {run.font for run in runs} != {"DejaVu-Bold"}


@pytest.mark.parametrize("script", NAMES)
def test_certificate_prints_the_name(script: str) -> None:
    name = NAMES[script]
    text = PdfReader(BytesIO(certificate_pdf(certificate(name), "https://x/c"))).pages[0]
    extracted = text.extract_text()
    assert "décernée à" in extracted
    if script in EXTRACTABLE:
        assert name in extracted


def test_right_to_left_in_visual_order() -> None:
    # Drawn left to right, a Hebrew name starts with its last letter.
    runs = pdf_text.layout("שרה לוי")
    assert "".join(run.text for run in runs) == "יול הרש"
    # A Latin name around an Arabic one keeps its place; the Arabic word is shaped.
    runs = pdf_text.layout("Léa محمد Dupont")
    assert runs[0].text.startswith("Léa") and runs[-1].text.endswith("Dupont")
    arabic = [run for run in runs if run.font == "Arabic" and run.text.strip()]
    assert len(arabic) == 1 and "محمد" not in arabic[0].text  # joined forms, not isolated


def test_a_french_line_keeps_its_direction() -> None:
    # In the plan, « name — date » reads left to right even when the name is Arabic.
    line = "محمد Martin — 1er mai"
    assert pdf_text.layout(line)[-1].font == "Arabic"  # an Arabic paragraph: name on the right
    runs = pdf_text.layout(line, base="L")
    assert runs[0].font == "Arabic" and runs[-1].text.endswith("1er mai")


def test_longest_name_fits_the_certificate() -> None:
    name = ("Marie-Thérèse de La Rochefoucauld-Montmorency " * 3)[:MAX_NAME]
    size, lines = pdf_text.fit(name, True, 28, CERT_ROOM, 14, 3)
    assert size >= 14 and 1 < len(lines) <= 3
    assert "".join(lines).replace(" ", "") == name.replace(" ", "")
    for line in lines:
        assert pdf_text.width(pdf_text.layout(line, True), size) <= CERT_ROOM
    # A name without spaces (CJK) is cut between characters instead.
    size, lines = pdf_text.fit("王" * MAX_NAME, True, 28, CERT_ROOM, 14, 3)
    assert all(pdf_text.width(pdf_text.layout(x, True), size) <= CERT_ROOM for x in lines)
    reader = PdfReader(BytesIO(certificate_pdf(certificate(name), "https://x/c")))
    assert "Rochefoucauld" in reader.pages[0].extract_text()


def test_short_name_keeps_its_size() -> None:
    assert pdf_text.fit("Léa Martin", True, 28, CERT_ROOM, 14, 3) == (28, ["Léa Martin"])


def test_plan_pdf_prints_names_and_answers_in_any_script() -> None:
    course = load_course(FIXTURE_COURSE)
    answers = {"atelier-objectifs": "Nos objectifs\u00a0: 山田 et <b>&amp;</b>."}
    pdf = plan_pdf(course, plan.sections(course), answers, NAMES["chinois"], "1er mai")
    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert "王小明" in text and "1er mai" in text
    assert "山田" in text and "<b>&amp;</b>" in text  # markup prints literally


def test_plan_markup_gives_each_script_its_font() -> None:
    assert pdf_text.markup("Léa <b> 王") == 'Léa &lt;b&gt; <font name="CJK">王</font>'
    assert pdf_text.needs_shaping("नमस्ते") and not pdf_text.needs_shaping("Léa 王")
