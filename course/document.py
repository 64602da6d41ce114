"""A rendered Markdown body as plain, frozen blocks, for the PDF and DOCX writers.

The office writers only need headings, paragraphs, list items, tables and rules
with bold, italic and linked runs; walking markdown-it's tokens once here keeps
them free of Markdown, and the frozen blocks let a built file be cached by value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it.token import Token

CHECKBOX = "☐"
CHECKED = "☑"
_BOXES = {"[ ] ": CHECKBOX, "[x] ": CHECKED, "[X] ": CHECKED}


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    href: str = ""
    code: bool = False


@dataclass(frozen=True)
class Heading:
    level: int
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    indent: int = 0  # list depth of a list item's later paragraphs
    quote: bool = False


@dataclass(frozen=True)
class ListItem:
    runs: tuple[Run, ...]
    marker: str  # "•", "1.", or a box for a checklist
    depth: int = 1


@dataclass(frozen=True)
class Table:
    header: tuple[tuple[Run, ...], ...]
    rows: tuple[tuple[tuple[Run, ...], ...], ...]


@dataclass(frozen=True)
class Rule:
    pass


Block = Heading | Paragraph | ListItem | Table | Rule


def tick_boxes(tokens: list[Token]) -> None:
    """Show `- [ ] item` as a box to tick, in place: CommonMark would print « [ ] »."""
    items: list[Token] = []
    for token in tokens:
        if token.type == "list_item_open":
            items.append(token)
        elif token.type == "list_item_close":
            items.pop()
        elif items and token.type == "inline" and token.children:
            first = token.children[0]
            box = _BOXES.get(first.content[:4]) if first.type == "text" else None
            if box and not items[-1].attrs.get("class"):
                first.content = f"{box}\u00a0{first.content[4:]}"
                token.content = f"{box}\u00a0{token.content[4:]}"
                items[-1].attrSet("class", "task")  # the box replaces the bullet


@dataclass
class _Walker:
    """One pass over the tokens; a small state machine, since markdown-it's stream is flat."""

    blocks: list[Block] = field(default_factory=list)
    lists: list[list] = field(default_factory=list)  # [ordered, next number] per open list
    item_started: list[bool] = field(default_factory=list)
    quote: int = 0
    heading: int = 0
    table: list[list[tuple[Run, ...]]] | None = None
    header_rows: int = 0
    in_head: bool = False

    def token(self, token: Token) -> None:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrs.get("start", 1) or 1)
            self.lists.append([kind == "ordered_list_open", start])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            self.item_started.append(False)
        elif kind == "list_item_close":
            self.item_started.pop()
        elif kind == "blockquote_open":
            self.quote += 1
        elif kind == "blockquote_close":
            self.quote -= 1
        elif kind == "heading_open":
            self.heading = int(token.tag[1])
        elif kind == "hr":
            self.blocks.append(Rule())
        elif kind == "table_open":
            self.table, self.header_rows = [], 0
        elif kind == "thead_open":
            self.in_head = True
        elif kind == "thead_close":
            self.in_head = False
        elif kind == "tr_open" and self.table is not None:
            self.table.append([])
            self.header_rows += self.in_head
        elif kind == "table_close" and self.table is not None:
            head = tuple(self.table[0]) if self.header_rows else ()
            body = self.table[1:] if self.header_rows else self.table
            self.blocks.append(Table(head, tuple(tuple(r) for r in body)))
            self.table = None
        elif kind in ("fence", "code_block"):
            self.blocks.append(Paragraph((Run(token.content.rstrip("\n"), code=True),)))
        elif kind == "inline":
            self.inline(runs(token.children or []))

    def inline(self, found: tuple[Run, ...]) -> None:
        if self.table is not None:
            self.table[-1].append(found)
        elif self.heading:
            self.blocks.append(Heading(self.heading, found))
            self.heading = 0
        elif self.item_started and not self.item_started[-1]:
            self.item_started[-1] = True
            self.blocks.append(self.list_item(found))
        else:
            self.blocks.append(Paragraph(found, len(self.item_started), self.quote > 0))

    def list_item(self, found: tuple[Run, ...]) -> ListItem:
        current = self.lists[-1]
        marker = "•"
        if current[0]:
            marker, current[1] = f"{current[1]}.", current[1] + 1
        if found and found[0].text[:1] in (CHECKBOX, CHECKED):
            first = found[0]
            marker = first.text[0]
            rest = first.text[1:].lstrip("\u00a0 ")
            found = (Run(rest, first.bold, first.italic, first.href, first.code), *found[1:])
        return ListItem(found, marker, len(self.lists))


def runs(children: list[Token]) -> tuple[Run, ...]:
    """Inline tokens as styled runs; adjacent runs of one style are not merged (no need)."""
    out: list[Run] = []
    bold = italic = 0
    href = ""
    for child in children:
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
        elif kind == "link_close":
            href = ""
        elif kind in ("text", "code_inline", "softbreak", "hardbreak", "image"):
            text = {"softbreak": " ", "hardbreak": "\n"}.get(kind, child.content)
            if text:
                out.append(Run(text, bold > 0, italic > 0, href, kind == "code_inline"))
    return tuple(out)


def blocks(tokens: list[Token], drop_first_h1: bool = True) -> tuple[Block, ...]:
    """The body's blocks; the first h1 is the document's title, printed apart."""
    walker = _Walker()
    skipping = False
    for token in tokens:
        if drop_first_h1 and token.type == "heading_open" and token.tag == "h1":
            drop_first_h1, skipping = False, True
            continue
        if skipping:
            skipping = token.type != "heading_close"
            continue
        walker.token(token)
    return tuple(walker.blocks)


def plain(found: tuple[Run, ...]) -> str:
    return "".join(r.text for r in found)
