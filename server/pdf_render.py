"""Every PDF the site makes, as tagged PDF/UA-1: a Jinja2 HTML template rendered by WeasyPrint.

Tagged means a structure tree (headings, paragraphs, lists, tables with header
cells, figures with alternative text) in reading order, the document's language
and title, and the PDF/UA identification in its metadata, so that screen readers
read the documents as they read the site (issue #18). The HTML is the structure:
the templates under server/templates/pdf/ use real headings, lists and tables;
the QR code is an <img> with its `alt`. Text typed by people is escaped by Jinja2
like on the site, and the renderer opens nothing but data: URIs and the font files
(no network, no other local file), whatever a template or a name might contain.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from course.certificates import format_duration
from server import pdf_text
from server.templating import date_fr

TEMPLATES = Path(__file__).parent / "templates" / "pdf"
VARIANT = "pdf/ua-1"
LANG = "fr-FR"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["date_fr"] = date_fr
_env.filters["duration"] = format_duration


class FontsOnly(URLFetcher):
    """Open data: URIs and the known font files; refuse every other URL (no SSRF, no LFI)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
        self._fonts = pdf_text.font_files()

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        parts = urlsplit(url)
        if parts.scheme == "file" and Path(unquote(parts.path)).resolve() not in self._fonts:
            raise ValueError(f"not a font of the PDFs: {url}")
        return super().fetch(url, headers)


def qr_data_uri(url: str) -> str:
    """The QR code of `url` as an SVG data: URI (vector: sharp at any print size)."""
    return str(segno.make(url, error="m").svg_data_uri(dark="#1d2a44", border=2))


class _Shared(threading.local):
    """Per worker thread: the fonts loaded once and the shared stylesheet parsed once.

    Loading the @font-face files took 40 % of a short document's time when done for
    each PDF. A FontConfiguration is not shared between threads: each has its own.
    """

    fonts: FontConfiguration | None = None
    css: CSS | None = None


_shared = _Shared()


def _stylesheet() -> tuple[FontConfiguration, CSS]:
    if _shared.fonts is None or _shared.css is None:
        fonts = FontConfiguration()
        text = pdf_text.font_css() + "\n" + (TEMPLATES / "style.css").read_text("utf-8")
        _shared.css = CSS(string=text, font_config=fonts, url_fetcher=FontsOnly())
        _shared.fonts = fonts
    return _shared.fonts, _shared.css


def render(page: str, /, *, title: str, author: str, subject: str, **context: object) -> bytes:
    """The template `page` rendered with `context` as a tagged PDF/UA-1 document.

    The template extends pdf/base.html, which sets the language, the title (shown by
    readers in place of the file name), author and subject; pdf/style.css and the fonts
    for every script come as the shared stylesheet, its own styles after them.
    """
    html = _env.get_template(page).render(
        lang=LANG, title=title, author=author, subject=subject, **context
    )
    fonts, css = _stylesheet()
    document = HTML(string=html, url_fetcher=FontsOnly(), base_url=str(TEMPLATES))
    pdf = document.write_pdf(
        stylesheets=[css], pdf_variant=VARIANT, font_config=fonts, uncompressed_pdf=False
    )
    assert pdf is not None  # no target given: the bytes are returned
    return pdf
