"""Every name the site accepts prints readably in the certificate and plan PDFs."""

from __future__ import annotations

from io import BytesIO

import pytest
from fontTools.ttLib import TTCollection, TTFont
from pypdf import PdfReader

from course import plan
from course.certificates import MAX_NAME, Certificate
from course.loader import load_course
from server import pdf_text
from server.pdf import certificate_pdf, name_size, plan_pdf
from tests.conftest import FIXTURE_COURSE
from tests.pdf_ua import read, text

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
SCRIPT_OF = {
    "chinois": "CJK",
    "japonais": "CJK",
    "coréen": "CJK",
    "devanagari": "Devanagari",
    "thaï": "Thai",
    "tamoul": "Tamil",
    "bengali": "Bengali",
    "arabe": "Arabic",
    "hébreu": "Hebrew",
}


def certificate(name: str) -> Certificate:
    return Certificate(
        "c" * 32, 1, "12h", name, "Parcours", 90, "Alliances", "v1", "2026-05-01T10:00:00+00:00"
    )


def covers(path: str, text: str) -> bool:
    """Whether the font file has a glyph for every letter of `text` (none is an empty box)."""
    font = TTCollection(path).fonts[0] if path.endswith(".ttc") else TTFont(path)
    cmap = font.getBestCmap()
    return all(ord(char) in cmap for char in text if not char.isspace())


@pytest.mark.parametrize("script", NAMES)
def test_each_script_has_a_font_with_its_glyphs(script: str) -> None:
    assert pdf_text.missing_scripts() == [], "run scripts/install-system-deps"
    key = SCRIPT_OF[script]
    found = next(s for s in pdf_text.SCRIPTS if s.key == key)
    for filename in (found.regular, found.bold):
        path = pdf_text._find(filename)
        assert path is not None and covers(str(path), NAMES[script])
    if script not in {"arabe", "hébreu"}:  # DejaVu has some of these, Noto all
        assert not covers(str(pdf_text.BUNDLED / "DejaVuSans-Bold.ttf"), NAMES[script])


@pytest.mark.parametrize("script", NAMES)
def test_certificate_prints_the_name_in_its_scripts_font(script: str) -> None:
    name = NAMES[script]
    pdf = certificate_pdf(certificate(name), "https://x/c")
    extracted = text(pdf)
    assert "décernée à" in extracted
    if script in EXTRACTABLE:
        assert name in extracted
    assert f"Doc-{SCRIPT_OF[script]}-Bold" in read(pdf).fonts  # the name is in bold


def test_right_to_left_name_keeps_its_place_in_a_line() -> None:
    # Pango orders the line by the Unicode bidi algorithm: the Latin words keep their places.
    answers = {"atelier-objectifs": "Léa שרה לוי Dupont"}
    pdf = plan_pdf(COURSE, plan.sections(COURSE), answers, "Léa", "1er mai")
    assert "Léa שרה לוי Dupont" in text(pdf)
    assert "Doc-Hebrew" in read(pdf).fonts


def test_longest_name_fits_the_certificate() -> None:
    name = ("Marie-Thérèse de La Rochefoucauld-Montmorency " * 3)[:MAX_NAME]
    assert name_size(name) == 14
    for long in (name, "王" * MAX_NAME):
        reader = PdfReader(BytesIO(certificate_pdf(certificate(long), "https://x/c")))
        assert len(reader.pages) == 1  # wrapped, still one page with its QR code
    assert "Rochefoucauld" in text(certificate_pdf(certificate(name), "https://x/c"))


def test_short_name_keeps_its_size() -> None:
    assert name_size("Léa Martin") == 28


COURSE = load_course(FIXTURE_COURSE)


def test_plan_pdf_prints_names_and_answers_in_any_script() -> None:
    answers = {"atelier-objectifs": "Nos objectifs\u00a0: 山田 et <b>&amp;</b>."}
    pdf = plan_pdf(COURSE, plan.sections(COURSE), answers, NAMES["chinois"], "1er mai")
    extracted = text(pdf)
    assert "王小明" in extracted and "1er mai" in extracted
    assert "山田" in extracted and "<b>&amp;</b>" in extracted  # markup prints literally
    assert {"Doc-DejaVu", "Doc-CJK"} <= read(pdf).fonts
