"""A course template as an A4 PDF to print and fill in by hand.

Text goes through reportlab's Paragraph mini-markup only after XML escaping, as
for the plan; tables keep their empty rows tall enough to write in.
"""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape, quoteattr

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from course import document
from course.models import Template
from server.pdf import ACCENT, FONTS, INK, _fonts

MUTED = HexColor("#4a5563")
GRID = HexColor("#9aa5b1")
HEAD_BG = HexColor("#e6f4ec")
WRITE_HEIGHT = 11 * mm  # an empty row: room for a line of handwriting
_italics = False


def _italic_fonts() -> None:
    """Guidance is in italics: DejaVu's oblique faces, tied to the family for <i>."""
    global _italics
    _fonts()
    if not _italics:
        pdfmetrics.registerFont(TTFont("DejaVu-Oblique", str(FONTS / "DejaVuSans-Oblique.ttf")))
        pdfmetrics.registerFont(
            TTFont("DejaVu-BoldOblique", str(FONTS / "DejaVuSans-BoldOblique.ttf"))
        )
        pdfmetrics.registerFontFamily(
            "DejaVu",
            normal="DejaVu",
            bold="DejaVu-Bold",
            italic="DejaVu-Oblique",
            boldItalic="DejaVu-BoldOblique",
        )
        _italics = True


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName="DejaVu", fontSize=10, leading=14, textColor=INK)
    return {
        "title": ParagraphStyle(
            "title", parent=body, fontName="DejaVu-Bold", fontSize=20, leading=25,
            textColor=ACCENT, spaceAfter=4 * mm,
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName="DejaVu-Bold", fontSize=14, leading=18,
            spaceBefore=6 * mm, spaceAfter=2 * mm, textColor=ACCENT,
        ),
        "h3": ParagraphStyle(
            "h3", parent=body, fontName="DejaVu-Bold", fontSize=11.5, leading=15,
            spaceBefore=4 * mm, spaceAfter=1.5 * mm,
        ),
        "body": ParagraphStyle("p", parent=body, spaceAfter=2 * mm),
        "intro": ParagraphStyle("intro", parent=body, textColor=MUTED, spaceAfter=3 * mm),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=11),
        "head": ParagraphStyle(
            "head", parent=body, fontName="DejaVu-Bold", fontSize=8.5, leading=11
        ),
        "quote": ParagraphStyle("quote", parent=body, leftIndent=6 * mm, textColor=MUTED),
    }  # fmt: skip


def markup(runs: tuple[document.Run, ...], base_url: str) -> str:
    """Runs as reportlab mini-markup, every piece of text escaped first."""
    out = []
    for run in runs:
        text = escape(run.text).replace("\n", "<br/>")
        if run.code:
            text = f'<font face="Courier">{text}</font>'
        if run.italic:
            text = f"<i>{text}</i>"
        if run.bold:
            text = f"<b>{text}</b>"
        if run.href:
            href = base_url + run.href if run.href.startswith("/") else run.href
            text = f'<a href={quoteattr(href)} color="#0a4f8a"><u>{text}</u></a>'
        out.append(text)
    return "".join(out)


def column_widths(rows: list[tuple], columns: int, width: float) -> list[float]:
    """Share the width by how much each column holds; a column left to fill gets room."""
    weights = []
    for col in range(columns):
        cells = [document.plain(r[col]) if col < len(r) else "" for r in rows]
        weight = min(max((len(c) for c in cells), default=0), 35)
        if not any(cells[1:]):  # nothing printed under the header: learners write here
            weight = max(weight, 18)
        weights.append(max(weight, 3))
    total = sum(weights)
    return [width * w / total for w in weights]


def _table(block: document.Table, styles: dict, width: float, base_url: str) -> Table:
    rows = [block.header, *block.rows] if block.header else list(block.rows)
    columns = max((len(r) for r in rows), default=1)
    widths = column_widths(rows, columns, width)
    data = [
        [
            Paragraph(markup(cell, base_url), styles["head" if block.header and i == 0 else "cell"])
            for cell in (*row, *((),) * (columns - len(row)))
        ]
        for i, row in enumerate(rows)
    ]
    heights: list[float | None] = []
    for i, (row, cells) in enumerate(zip(rows, data, strict=True)):
        if (block.header and i == 0) or all(row):
            heights.append(None)
        else:  # a row with a blank cell is there to be written in: leave room for it
            needed = max(p.wrap(w - 6, 1000)[1] for p, w in zip(cells, widths, strict=True))
            heights.append(max(WRITE_HEIGHT, needed + 8))
    table = Table(data, colWidths=widths, rowHeights=heights, repeatRows=1 if block.header else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if block.header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), HEAD_BG))
    table.setStyle(TableStyle(style))
    return table


def _flowables(template: Template, styles: dict, width: float, base_url: str) -> list[Flowable]:
    story: list[Flowable] = []
    pending_heading: Flowable | None = None
    for block in template.blocks:
        if isinstance(block, document.Heading):
            style = styles["h2" if block.level <= 2 else "h3"]
            item: Flowable = Paragraph(markup(block.runs, base_url), style)
        elif isinstance(block, document.Paragraph):
            style = styles["quote" if block.quote else "body"]
            if block.indent:
                style = ParagraphStyle("indented", parent=style, leftIndent=6 * mm * block.indent)
            item = Paragraph(markup(block.runs, base_url), style)
        elif isinstance(block, document.ListItem):
            indent = 6 * mm * block.depth
            style = ParagraphStyle(
                "li", parent=styles["body"], leftIndent=indent, spaceAfter=1 * mm
            )
            item = Paragraph(markup(block.runs, base_url), style, bulletText=block.marker)
            style.bulletIndent = indent - 5 * mm
            style.bulletFontName = "DejaVu"
        elif isinstance(block, document.Table):
            item = _table(block, styles, width, base_url)
        else:
            item = HRFlowable(width="100%", thickness=0.5, color=GRID)
        if pending_heading is not None:  # never leave a heading alone at the foot of a page
            story.append(KeepTogether([pending_heading, item]))
            pending_heading = None
        elif isinstance(block, document.Heading):
            pending_heading = item
        else:
            story.append(item)
        if isinstance(block, document.Table):
            story.append(Spacer(1, 3 * mm))
    if pending_heading is not None:
        story.append(pending_heading)
    return story


def template_pdf(template: Template, course_title: str, base_url: str) -> bytes:
    """The whole template on A4, the course and page number in the footer."""
    _italic_fonts()
    styles = _styles()
    buffer = BytesIO()
    margin = 18 * mm
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=template.title,
        author=course_title,
        subject=template.description,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
    )
    story: list[Flowable] = [
        Paragraph(escape(template.title), styles["title"]),
        Paragraph(escape(template.description), styles["intro"]),
        Spacer(1, 2 * mm),
        *_flowables(template, styles, A4[0] - 2 * margin, base_url.rstrip("/")),
    ]

    def footer(canvas: Canvas, _doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("DejaVu", 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(margin, 10 * mm, f"{course_title} — {template.title}")
        canvas.drawRightString(A4[0] - margin, 10 * mm, f"page {canvas.getPageNumber()}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
