"""The certificate as an A4 landscape PDF, with its verification URL and QR code.

Certificate text is drawn with canvas calls, never through reportlab's
mini-markup, so a name like « <b>&amp; » prints literally; the plan's free text
goes through Paragraph only after XML escaping. DejaVu Sans covers the accented and
non-Latin scripts people's names use.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

from course.certificates import Certificate, format_duration
from course.models import Course
from course.plan import NO_ANSWER, Section, heading, sub_questions
from server import pdf_text
from server.templating import date_fr

FONTS = pdf_text.BUNDLED
INK = HexColor("#1d2a44")
ACCENT = HexColor("#0b6e4f")


def _fonts() -> None:
    pdf_text.register()


def _centred(
    canvas: Canvas,
    text: str,
    y: float,
    font: str,
    size: float,
    room: float,
    smallest: float = 8,
    max_lines: int = 1,
) -> None:
    """Centre text at y, shrunk to fit `room`, wrapped around y below `smallest` points.

    Any script prints: see server/pdf_text.py for fonts, bidi order and shaping.
    """
    page_width = landscape(A4)[0]
    bold = font.endswith("-Bold")
    size, lines = pdf_text.fit(text, bold, size, room, smallest, max_lines)
    leading = size * 1.2
    top = y + leading * (len(lines) - 1) / 2
    for number, line in enumerate(lines):
        runs = pdf_text.layout(line, bold)
        left = (page_width - pdf_text.width(runs, size)) / 2
        pdf_text.draw(canvas, runs, left, top - number * leading, size)


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    _fonts()
    buffer = BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1)
    canvas.setTitle(f"Attestation — {certificate.course_title}")
    canvas.setAuthor(certificate.course_title)
    canvas.setSubject(f"Attestation de réussite du parcours {certificate.path_title}")
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setFillColor(INK)
    usable = width - 60 * mm
    _centred(canvas, certificate.course_title, height - 40 * mm, "DejaVu-Bold", 20, usable)
    canvas.setFillColor(ACCENT)
    _centred(canvas, "Attestation de réussite", height - 62 * mm, "DejaVu-Bold", 32, usable)
    canvas.setFillColor(INK)
    _centred(canvas, "décernée à", height - 80 * mm, "DejaVu", 14, usable)
    name = certificate.learner_name
    _centred(canvas, name, height - 97 * mm, "DejaVu-Bold", 28, usable, 14, max_lines=3)
    path_line = (
        f"pour avoir suivi et réussi le parcours «\u00a0{certificate.path_title}\u00a0» "
        f"({format_duration(certificate.duration_minutes)})"
    )
    _centred(canvas, path_line, height - 115 * mm, "DejaVu", 14, usable)
    _centred(
        canvas, f"le {date_fr(certificate.issued_at)}", height - 127 * mm, "DejaVu", 14, usable
    )
    status = "Attestation valide" if certificate.valid else "Attestation révoquée"
    canvas.setFont("DejaVu-Bold", 11)
    canvas.drawString(24 * mm, 40 * mm, status)
    canvas.setFont("DejaVu", 10)
    canvas.drawString(24 * mm, 33 * mm, "Vérifiez son authenticité à l'adresse\u00a0:")
    url_size = min(10, (width - 100 * mm) / max(1, canvas.stringWidth(verify_url, "DejaVu", 1)))
    canvas.setFont("DejaVu", url_size)
    canvas.drawString(24 * mm, 27 * mm, verify_url)
    canvas.setFont("DejaVu", 8)
    canvas.drawString(24 * mm, 20 * mm, f"Version du contenu\u00a0: {certificate.content_version}")
    _qr(canvas, verify_url, width - 62 * mm, 18 * mm, 40 * mm)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(data, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


class NameLine(Flowable):
    """A line with the learner's name in any script, shrunk then wrapped to the frame."""

    def __init__(self, text: str, size: float, color: Color) -> None:
        super().__init__()
        self.text, self.size, self.color = text, size, color
        self.lines: list[str] = [text]

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        self.size, self.lines = pdf_text.fit(
            self.text, False, self.size, available_width, 8, max_lines=4
        )
        self.height = self.size * 1.4 * len(self.lines)
        return self.width, self.height

    def draw(self) -> None:
        self.canv.setFillColor(self.color)
        for number, line in enumerate(self.lines):
            y = self.height - self.size * (1.4 * number + 1.1)
            runs = pdf_text.layout(line, base="L")  # a French document: left to right
            pdf_text.draw(self.canv, runs, 0, y, self.size)


def plan_pdf(
    course: Course, sections: tuple[Section, ...], answers: dict, name: str, date: str
) -> bytes:
    """The learner's « plan d'alliance » as an A4 document, answers as typed."""
    _fonts()
    styles = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=styles["BodyText"], fontName="DejaVu", fontSize=10.5, leading=15
    )
    shaped = ParagraphStyle("shaped", parent=body, shaping=1)  # Indic, Thai, Arabic answers
    muted = ParagraphStyle("muted", parent=body, textColor=HexColor("#4a5563"))
    h1 = ParagraphStyle("h1", parent=styles["Title"], fontName="DejaVu-Bold", textColor=ACCENT)
    h2 = ParagraphStyle(
        "h2", parent=styles["Heading2"], fontName="DejaVu-Bold", textColor=INK, spaceBefore=14
    )
    h3 = ParagraphStyle("h3", parent=styles["Heading4"], fontName="DejaVu-Bold", textColor=INK)
    story = [
        Paragraph("Mon plan d'alliance", h1),
        NameLine(f"{name} — {date}", 10.5, INK),
        Paragraph(
            f"Rédigé dans le cadre de la formation «\u00a0{escape(course.title)}\u00a0».", muted
        ),
        Spacer(1, 8 * mm),
    ]
    for section in sections:
        story.append(Paragraph(escape(section.module.title), h2))
        for reflection in section.reflections:
            story.append(Paragraph(escape(heading(reflection)), h3))
            for number, asked in enumerate(sub_questions(reflection), 1):
                story.append(Paragraph(f"{number}. {escape(asked)}", muted))
            answer = answers.get(reflection.id, "").strip()
            if answer:
                for paragraph in answer.split("\n\n"):
                    style = shaped if pdf_text.needs_shaping(paragraph) else body
                    text = pdf_text.markup(paragraph).replace("\n", "<br/>")
                    story.append(Paragraph(text, style))
            else:
                story.append(Paragraph(f"<i>{NO_ANSWER}</i>", muted))
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title="Mon plan d'alliance",
        author=name,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    document.build(story)
    return buffer.getvalue()
