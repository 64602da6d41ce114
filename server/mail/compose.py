"""A message from one template: the plain text as written, the HTML part from it.

A mail template (`server/templates/mail/<kind>.txt`) is its subject on the
first line, a blank line, then the body in plain Markdown: paragraphs, lists
and links as `<https://…>`, which read well as plain text. The HTML part is
that same body rendered by markdown-it (raw HTML off), so the two parts never
say different things. No image, so no tracking pixel. Values whose key ends
in `url` are links the site made; every other value is escaped in the HTML part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markdown_it import MarkdownIt
from markupsafe import escape

from server import urls

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "mail"
SITE_NAME = "Alliances & Territoires"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=False,  # plain text; the HTML part escapes through markdown-it
    undefined=StrictUndefined,  # a missing value is a bug, not an empty line in a message
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
_markdown = MarkdownIt("commonmark", {"html": False, "typographer": False})

HTML_PAGE = """<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: system-ui, sans-serif; line-height: 1.5; max-width: 40em; \
color: #1e1e1e; background: #ffffff;">
{body}</body>
</html>
"""


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~])")


def _escaped(values: dict[str, Any]) -> dict[str, Any]:
    """Values as Markdown text: punctuation backslash-escaped, save URLs (`*url`)."""
    return {
        key: _MARKDOWN_PUNCTUATION.sub(r"\\\1", value)
        if isinstance(value, str) and not key.endswith("url")
        else value
        for key, value in values.items()
    }


@dataclass(frozen=True)
class Message:
    kind: str  # the template's name: reset, confirm, reminder… (admin page, tests)
    to: str
    to_name: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)
    secret: bool = False  # carries a one-time link: its body is emptied once sent


def compose(
    kind: str,
    to: str,
    to_name: str,
    context: dict[str, Any],
    *,
    base_url: str,
    unsubscribe: str | None = None,
    secret: bool = False,
) -> Message:
    """Render `mail/<kind>.txt` for one recipient.

    `unsubscribe` is the absolute URL that stops this kind of message: it is
    written at the foot of both parts and given as `List-Unsubscribe`.
    """
    values = {"base_url": base_url, "site_name": SITE_NAME, "name": to_name, **context}
    template = _env.get_template(f"{kind}.txt")
    subject, _, body = template.render(values).partition("\n\n")
    subject = " ".join(subject.split())
    # The HTML part: the same template, with every value a person typed (a name,
    # a cohort's name) escaped, so that it shows as typed and never as a link.
    _, _, marked = template.render(_escaped(values)).partition("\n\n")
    footer = f"\n---\n\n{SITE_NAME} — <{base_url}{urls.home()}>\n"
    if unsubscribe:
        footer += f"\nNe plus recevoir ces messages\u00a0: <{unsubscribe}>\n"
    text = body.strip() + "\n" + footer
    html = HTML_PAGE.format(
        title=escape(subject), body=_markdown.render(marked.strip() + "\n" + footer)
    )
    headers = {}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return Message(kind, to, to_name, subject, text, html, headers, secret)
