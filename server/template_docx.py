"""A course template as an editable Word document (.docx), written with python-docx.

LibreOffice and Word both open it; learners type into the tables and under the
headings. python-docx has no call for hyperlinks, so `_hyperlink` adds the
relationship and the `w:hyperlink` element itself.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from course import document
from course.models import Template

LINK = RGBColor(0x0A, 0x4F, 0x8A)
MUTED = RGBColor(0x4A, 0x55, 0x63)
WRITE_HEIGHT = Cm(1.1)


def _hyperlink(paragraph: Paragraph, run: document.Run, url: str) -> None:
    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    element = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    for tag, value in (("w:color", "0A4F8A"), ("w:u", "single")):
        child = OxmlElement(tag)
        child.set(qn("w:val"), value)
        props.append(child)
    if run.italic:
        props.append(OxmlElement("w:i"))
    if run.bold:
        props.append(OxmlElement("w:b"))
    element.append(props)
    text = OxmlElement("w:t")
    text.text = run.text
    text.set(qn("xml:space"), "preserve")
    element.append(text)
    link.append(element)
    paragraph._p.append(link)


def add_runs(paragraph: Paragraph, runs: tuple[document.Run, ...], base_url: str) -> None:
    for run in runs:
        if run.href:
            url = base_url + run.href if run.href.startswith("/") else run.href
            _hyperlink(paragraph, run, url)
            continue
        added = paragraph.add_run(run.text)
        added.bold = run.bold or None
        added.italic = run.italic or None
        if run.code:
            added.font.name = "Courier New"


def _table(doc: WordDocument, block: document.Table, base_url: str) -> None:
    rows = [block.header, *block.rows] if block.header else list(block.rows)
    columns = max((len(r) for r in rows), default=1)
    table = doc.add_table(rows=len(rows), cols=columns)
    table.style = "Table Grid"
    for i, row in enumerate(rows):
        cells = table.rows[i].cells
        for j, content in enumerate(row):
            paragraph = cells[j].paragraphs[0]
            add_runs(paragraph, content, base_url)
            if block.header and i == 0:
                for run in paragraph.runs:
                    run.bold = True
        if not (block.header and i == 0) and not all(row):
            table.rows[i].height = WRITE_HEIGHT  # room to type or write
            table.rows[i].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
    if block.header:  # the header row repeats on every page the table spans
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        table.rows[0]._tr.get_or_add_trPr().append(header)
    doc.add_paragraph()


def _french(doc: WordDocument) -> None:
    """Spell-check and hyphenate as French in Word and LibreOffice."""
    props = doc.styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "fr-FR")
    props.append(lang)


def template_docx(template: Template, course_title: str, base_url: str) -> bytes:
    doc = Document()
    doc.core_properties.title = template.title
    doc.core_properties.subject = template.description
    doc.core_properties.author = course_title
    doc.core_properties.language = "fr-FR"
    _french(doc)
    doc.styles["Normal"].font.size = Pt(10.5)
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(18)
        section.top_margin = section.bottom_margin = Mm(16)
        section.footer.paragraphs[0].text = f"{course_title} — {template.title}"
    doc.add_heading(template.title, level=0)
    intro = doc.add_paragraph()
    intro.add_run(template.description).font.color.rgb = MUTED
    base = base_url.rstrip("/")
    for block in template.blocks:
        if isinstance(block, document.Heading):
            heading = doc.add_heading(level=min(max(block.level - 1, 1), 4))
            add_runs(heading, block.runs, base)
        elif isinstance(block, document.Paragraph):
            paragraph = doc.add_paragraph(style="Quote" if block.quote else None)
            if block.indent:
                paragraph.paragraph_format.left_indent = Cm(0.6 * block.indent)
            add_runs(paragraph, block.runs, base)
        elif isinstance(block, document.ListItem):
            paragraph = doc.add_paragraph()
            paragraph.paragraph_format.left_indent = Cm(0.6 * block.depth)
            paragraph.paragraph_format.first_line_indent = Cm(-0.5)
            paragraph.add_run(f"{block.marker}\t")
            add_runs(paragraph, block.runs, base)
        elif isinstance(block, document.Table):
            _table(doc, block, base)
        else:
            doc.add_paragraph("—" * 12)
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
