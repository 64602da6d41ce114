"""A course template as an A4 PDF to print and fill in by hand.

A tagged PDF/UA document rendered from server/templates/pdf/modele.html: the
template's blocks (course/document.py) become real headings, nested lists, tables
with header cells, and links made absolute. Text is escaped before it becomes
HTML; rows left blank to be written in keep the height of a line of handwriting.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape

from course import document
from course.models import Template
from server.pdf_render import render

WRITE_HEIGHT_MM = 11  # an empty row: room for a line of handwriting


def markup(runs: tuple[document.Run, ...], base_url: str) -> Markup:
    """Runs as inline HTML, every piece of text escaped first."""
    out = []
    for run in runs:
        text = Markup("<br>").join(escape(line) for line in run.text.split("\n"))
        if run.code:
            text = Markup("<code>%s</code>") % text
        if run.italic:
            text = Markup("<em>%s</em>") % text
        if run.bold:
            text = Markup("<strong>%s</strong>") % text
        if run.href:
            href = base_url + run.href if run.href.startswith("/") else run.href
            text = Markup('<a href="%s">%s</a>') % (href, text)
        out.append(text)
    return Markup("").join(out)


def column_widths(rows: list[tuple], columns: int) -> list[float]:
    """Each column's share in percent, by how much it holds; a column left to fill gets room."""
    weights = []
    for col in range(columns):
        cells = [document.plain(r[col]) if col < len(r) else "" for r in rows]
        weight = min(max((len(c) for c in cells), default=0), 35)
        if not any(cells[1:]):  # nothing printed under the header: learners write here
            weight = max(weight, 18)
        weights.append(max(weight, 3))
    total = sum(weights)
    return [round(100 * w / total, 2) for w in weights]


@dataclass
class Item:
    """A list item, its later paragraphs and the list nested in it."""

    marker: str
    text: Markup
    paragraphs: list[Markup] = field(default_factory=list)
    children: list[Item] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    cells: tuple[Markup, ...]
    to_write: bool  # a row with a blank cell is there to be written in


@dataclass(frozen=True)
class Block:
    """One block for the template: kind is heading, p, quote, list, table or rule."""

    kind: str
    text: Markup = field(default_factory=Markup)
    level: int = 0
    items: tuple[Item, ...] = ()
    header: tuple[Markup, ...] = ()
    rows: tuple[Row, ...] = ()
    widths: tuple[float, ...] = ()


def _table(block: document.Table, base_url: str) -> Block:
    every = [block.header, *block.rows] if block.header else list(block.rows)
    columns = max((len(r) for r in every), default=1)

    def cells(row: tuple) -> tuple[Markup, ...]:
        padded = (*row, *((),) * (columns - len(row)))
        return tuple(markup(cell, base_url) for cell in padded)

    return Block(
        "table",
        header=cells(block.header) if block.header else (),
        rows=tuple(Row(cells(row), not all(row)) for row in block.rows),
        widths=tuple(column_widths(every, columns)),
    )


def blocks(template: Template, base_url: str) -> list[Block]:
    """The template's flat blocks as headings, paragraphs, nested lists and tables."""
    out: list[Block] = []
    open_items: list[Item] = []  # the last item at each depth of the list being built
    for block in template.blocks:
        if isinstance(block, document.ListItem):
            item = Item(block.marker, markup(block.runs, base_url))
            del open_items[block.depth - 1 :]
            if open_items:
                open_items[-1].children.append(item)
            elif out and out[-1].kind == "list" and block.depth == 1:
                out[-1] = Block("list", items=(*out[-1].items, item))
            else:
                out.append(Block("list", items=(item,)))
            open_items.append(item)
            continue
        if isinstance(block, document.Paragraph) and 0 < block.indent <= len(open_items):
            open_items[block.indent - 1].paragraphs.append(markup(block.runs, base_url))
            continue
        open_items = []
        if isinstance(block, document.Heading):
            level = 2 if block.level <= 2 else 3
            out.append(Block("heading", markup(block.runs, base_url), level))
        elif isinstance(block, document.Paragraph):
            out.append(Block("quote" if block.quote else "p", markup(block.runs, base_url)))
        elif isinstance(block, document.Table):
            out.append(_table(block, base_url))
        else:
            out.append(Block("rule"))
    return out


def css_string(text: str) -> str:
    """Text as a quoted CSS string: every character but letters and digits escaped."""
    return '"' + "".join(c if c.isalnum() else f"\\{ord(c):x} " for c in text) + '"'


def template_pdf(template: Template, course_title: str, base_url: str) -> bytes:
    """The whole template on A4, the course and page number in the footer."""
    return render(
        "modele.html",
        title=template.title,
        author=course_title,
        subject=template.description,
        template=template,
        blocks=blocks(template, base_url.rstrip("/")),
        footer=Markup(css_string(f"{course_title} — {template.title}")),
        write_height=WRITE_HEIGHT_MM,
    )
