"""GIFT texts as our Markdown, shown as Moodle shows each of its four text formats.

Moodle renders `[plain]` with every line break kept and only numeric character
references (`&#233;`) decoded; its default `[moodle]` format keeps line breaks and
reads HTML entities; `[html]` is HTML. Ours renders Markdown without raw HTML, so
plain text is escaped to read as typed, line breaks become hard breaks, and HTML is
reduced to text, paragraphs, lists and links (http(s) and mailto only).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import quote

FORMAT = re.compile(r"^\[(markdown|html|plain|moodle)\]")
# PHP's trim(): Moodle keeps no-break spaces (U+00A0, U+202F) at the ends of a text.
ASCII_SPACE = " \t\n\r\0\x0b"
_SPACES = re.compile(r"[ \t\n\r\x0b\x0c]+")
BLANK = "\ue101"  # the gap of a missing-word question, until the text is Markdown
BLANK_MARKDOWN = "\\_" * 5  # renders « _____ », never emphasis nor a rule
_HTML = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|<!--")
_INLINE = re.compile(r"[\\`*_\[\]~]|&(?=#?\w+;)")
_BLOCK_START = re.compile(r"^(?:#|>|\||[-+](?=\s|$)|=+\s*$|-+\s*$)")
_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_NUMERIC_REF = re.compile(r"&#(?:\d+|[xX][0-9a-fA-F]+);")
_ITEM = "\ue100"  # a list item opened by HTML, kept apart from escaping
_LINK_OPEN, _LINK_MID, _LINK_END = "\ue102", "\ue103", "\ue104"
_LINK = re.compile(f"{_LINK_MID}(\\d+){_LINK_END}")
SAFE_LINKS = ("http://", "https://", "mailto:")
HTML_NOTE = "texte HTML converti en texte brut : mise en forme à relire"


def trim(text: str) -> str:
    """Strip as PHP's trim() does: ASCII white space only, no-break spaces stay."""
    return text.strip(ASCII_SPACE)


def one_line(text: str) -> str:
    """Collapse ASCII white space to single spaces; no-break spaces are text, kept as they are."""
    return trim(_SPACES.sub(" ", text))


def convert(text: str, fmt: str, notes: list[str], single_line: bool = False) -> str:
    """One GIFT text, already unescaped, in the given format, as our Markdown."""
    if not text:
        return ""
    if fmt == "markdown":
        out = text
    elif fmt == "html" or (fmt == "moodle" and _HTML.search(text)):
        notes.append(HTML_NOTE)
        out = html_to_markdown(text, notes)
    else:
        decoded = _NUMERIC_REF.sub(lambda m: html.unescape(m[0]), text)
        if fmt == "moodle":
            decoded = html.unescape(text)
        out = escape_markdown(one_line(decoded) if single_line else decoded)
    if single_line:
        out = one_line(out.replace("\\\n", " "))
    return out.replace(BLANK, BLANK_MARKDOWN)


def escape_markdown(text: str) -> str:
    """Plain text as Markdown that shows the same characters and the same line breaks."""
    return _join([_escape_line(line) for line in text.split("\n")])


def _join(lines: list[str]) -> str:
    """Lines as Markdown: a hard break between two lines of text, one blank line between
    paragraphs; a list item (marked `_ITEM`) starts its own line, without a break before it."""
    out: list[str] = []
    for line in lines:
        if line and out and out[-1] and not line.startswith(_ITEM):
            out[-1] += "\\"
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _escape_line(line: str) -> str:
    line = _INLINE.sub(lambda m: "\\" + m[0], line.strip(" \t"))
    if _BLOCK_START.match(line):
        return "\\" + line
    return _ORDERED.sub(r"\1\\\2", line, count=1)


class _TextOnly(HTMLParser):
    """Keeps text, paragraphs, line breaks, list items and safe links; drops other tags."""

    BLOCKS = frozenset(
        {"p", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "tr"}
        | {"blockquote", "pre", "section", "article"}
    )
    HIDDEN = frozenset(("script", "style", "head", "title"))

    def __init__(self, notes: list[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.notes = notes
        self.hrefs: list[str] = []
        self.link_start: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n" + _ITEM)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            self.parts.append(f" {alt} " if alt.strip() else " ")
        elif tag == "a" and self.link_start is None:
            href = (dict(attrs).get("href") or "").strip()
            if href.lower().startswith(SAFE_LINKS):
                self.hrefs.append(href)
                self.link_start = len(self.parts)
                self.parts.append(_LINK_OPEN)
            elif href:
                self.notes.append(f"lien « {href} » non repris : http(s) ou mailto seulement")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a" and self.link_start is not None:
            self.close_link()

    def close_link(self) -> None:
        """`[text](href)`; a link with no text shows its address."""
        assert self.link_start is not None
        if not "".join(self.parts[self.link_start + 1 :]).strip():
            href = self.hrefs[-1]
            self.parts.append(href[7:] if href.lower().startswith("mailto:") else href)
        self.parts.append(f"{_LINK_MID}{len(self.hrefs) - 1}{_LINK_END}")
        self.link_start = None

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(_SPACES.sub(" ", data))

    def close(self) -> None:
        super().close()
        if self.link_start is not None:
            self.close_link()


def html_to_markdown(text: str, notes: list[str] | None = None) -> str:
    """HTML as plain Markdown text: conservative, since our renderer shows no raw HTML."""
    parser = _TextOnly(notes if notes is not None else [])
    parser.feed(text)
    parser.close()
    lines: list[str] = []
    for line in "".join(parser.parts).split("\n"):
        line = re.sub(" {2,}", " ", line.strip(" \t"))
        item = line.startswith(_ITEM)
        lines.append(_ITEM + _escape_line(line[1:]) if item else _escape_line(line))
    out = _join(lines).replace(_ITEM, "- ").replace(_LINK_OPEN, "[")
    return _LINK.sub(lambda m: f"]({_destination(parser.hrefs[int(m[1])])})", out)


def _destination(href: str) -> str:
    """A link address Markdown reads whole: spaces, brackets and parentheses percent-encoded."""
    return quote(href, safe=":/?#@!$&'*+,;=%~-._")
