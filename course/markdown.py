"""The one configured Markdown renderer, with callouts and link checks.

Raw HTML is off. Links are parsed permissively so that course.links can report a
forbidden one (`javascript:`…) with its line instead of silently dropping it;
content with such a link never loads, so it is never rendered. Only course.links
calls `render`: every fragment goes through its link policy first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin

CALLOUTS = {
    "À retenir": "retenir",
    "Exemple": "exemple",
    "Pour aller plus loin": "plus-loin",
    "Description de la figure": "figure-description",  # the long text of the figure above it
}
SAFE_SCHEMES = ("http://", "https://", "mailto:")
# « Tableau : Titre » alone in a paragraph just above a table is its caption.
CAPTION = re.compile(r"^Tableau[ \u00a0]*:[ \u00a0]*(?=\S)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _make() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(anchors_plugin, min_level=2, max_level=4)
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # checked by the loader
    md.core.ruler.push("callouts", _callouts)
    md.core.ruler.push("scroll_tables", _scroll_tables)
    return md


def _callouts(state: StateCore) -> None:
    """Turn `> **À retenir**` blockquotes into styled callouts; they read fine anywhere."""
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "blockquote_open" or i + 2 >= len(tokens):
            continue
        inline = tokens[i + 2]
        kids = [c for c in inline.children or [] if not (c.type == "text" and not c.content)]
        if len(kids) < 3 or kids[0].type != "strong_open" or kids[2].type != "strong_close":
            continue
        label = kids[1].content.strip().rstrip(".: \u00a0")
        if label not in CALLOUTS:
            continue
        if CALLOUTS[label] == "figure-description":
            _as_details(tokens, i)
            continue
        token.tag = "div"
        token.attrSet("class", f"callout callout-{CALLOUTS[label]}")
        token.attrSet("role", "note")
        _close_of(tokens, i).tag = "div"
        tokens[i + 1].attrSet("class", "callout-title")


def _as_details(tokens: list[Token], start: int) -> None:
    """A figure's long description folds away: the figure is there, the text is one click off."""
    tokens[start].tag = _close_of(tokens, start).tag = "details"
    tokens[start].attrSet("class", "figure-description")
    tokens[start + 1].tag = tokens[start + 3].tag = "summary"


def _scroll_tables(state: StateCore) -> None:
    """Give each table its caption and put it in a region the keyboard can reach.

    A paragraph « Tableau : … » just above a table becomes its `<caption>` (RGAA
    5.4), which also names the region; a table without one is named by its
    headers. A wide table scrolls sideways inside its own box on a phone (WCAG
    1.4.10), and a scrolling box must take focus to be scrolled without a mouse.
    """
    out: list[Token] = []
    for i, token in enumerate(state.tokens):
        if token.type == "table_open":
            caption = _caption_before(out)
            if caption:
                del out[-3:]
                name = _plain(caption[1])
            else:
                name = ", ".join(h for h in _headers(state.tokens, i) if h)
            name = escapeHtml(name if len(name) <= 80 else name[:79] + "…")
            label = f"Tableau\u00a0: {name}" if name else "Tableau"
            opening = Token("html_block", "", 0)
            opening.content = (
                f'<div class="table-scroll" role="region" tabindex="0" aria-label="{label}">\n'
            )
            out += [opening, token]
            if caption:
                caption[0].tag = caption[2].tag = "caption"
                out += caption
            continue
        out.append(token)
        if token.type == "table_close":
            closing = Token("html_block", "", 0)
            closing.content = "</div>\n"
            out.append(closing)
    state.tokens = out


def _caption_before(out: list[Token]) -> list[Token] | None:
    """The paragraph just before a table, if it is a « Tableau : … » caption.

    Returned with the « Tableau : » prefix taken off its text.
    """
    if len(out) < 3 or out[-3].type != "paragraph_open" or out[-1].type != "paragraph_close":
        return None
    inline = out[-2]
    if not inline.children:
        return None
    first = inline.children[0]
    if first.type != "text" or not CAPTION.match(first.content):
        return None
    first.content = CAPTION.sub("", first.content)
    inline.content = CAPTION.sub("", inline.content)
    return out[-3:]


def _plain(inline: Token) -> str:
    return " ".join(inline.content.replace("*", "").replace("_", " ").split())


def _headers(tokens: list[Token], start: int) -> list[str]:
    headers = []
    for inner in tokens[start:]:
        if inner.type == "thead_close":
            break
        if inner.type == "inline":
            headers.append(inner.content.replace("*", "").strip())
    return headers


def uncaptioned_tables(text: str) -> list[int]:
    """The line (1-based) of every table of `text` without a « Tableau : … » caption."""
    tokens = MD.parse(text)  # _scroll_tables has moved each caption inside its table
    return [
        (token.map or [0])[0] + 1
        for i, token in enumerate(tokens)
        if token.type == "table_open" and (i + 1 == len(tokens) or tokens[i + 1].tag != "caption")
    ]


def _close_of(tokens: list[Token], start: int) -> Token:
    depth = 0
    for token in tokens[start:]:
        depth += token.nesting if token.type.startswith("blockquote") else 0
        if depth == 0:
            return token
    raise ValueError("unbalanced blockquote")


MD = _make()


@dataclass(frozen=True)
class LinkRef:
    """A link or image found in a document, for validation and rewriting."""

    token: Token
    attr: str
    line: int
    is_image: bool
    alt: str


def parse(text: str) -> list[Token]:
    return MD.parse(text)


def render(tokens: list[Token]) -> str:
    return MD.renderer.render(tokens, MD.options, {})


def parse_inline(text: str) -> list[Token]:
    """One line of inline Markdown (a choice), as a single `inline` token for `render`."""
    return MD.parseInline(text)


def links(tokens: list[Token], first_line: int) -> Iterator[LinkRef]:
    """Every link and image, with its absolute line number."""
    for block in tokens:
        line = first_line + (block.map[0] if block.map else 0)
        for child in block.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "link_open":
                yield LinkRef(child, "href", line, False, "")
            elif child.type == "image":
                yield LinkRef(child, "src", line, True, child.content)


def anchors(tokens: list[Token]) -> set[str]:
    return {str(t.attrs["id"]) for t in tokens if t.type == "heading_open" and "id" in t.attrs}


def is_external(url: str) -> bool:
    return url.lower().startswith(SAFE_SCHEMES)


def has_scheme(url: str) -> bool:
    return bool(_SCHEME.match(url)) or url.startswith("//")


def drop_title(tokens: list[Token]) -> list[Token]:
    """The page template prints the title as the only h1: drop the body's h1, demote others."""
    out: list[Token] = []
    skip = 0
    dropped = False
    for token in tokens:
        if skip:
            skip -= 1
            continue
        if token.type == "heading_open" and token.tag == "h1":
            if not dropped:
                dropped, skip = True, 2
                continue
            token.tag = "h2"
        elif token.type == "heading_close" and token.tag == "h1":
            token.tag = "h2"
        out.append(token)
    return out


def words(text: str) -> int:
    """Words a reader reads: URLs, ids and Markdown punctuation do not count."""
    text = re.sub(r"\]\([^)]*\)|\{#[^}]*\}|https?://\S+", " ", text)
    return len(re.findall(r"[\w’'-]*\w[\w’'-]*", text))
