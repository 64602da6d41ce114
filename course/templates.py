"""The templates pass of the loader: `content/templates/*.md`, documents learners fill in.

A template is checked like any page (front matter, links, typography) and needs a
`description`; it is compiled once to HTML for its page and to plain blocks from
which the server writes its PDF and DOCX.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from course import document
from course.models import Template

if TYPE_CHECKING:
    from course.documents import Doc, Reporter
    from course.loader import Loader

FOLDER = "templates"
URL_PREFIX = "/modeles/"


def check_description(loader: Reporter, doc: Doc) -> None:
    description = doc.meta.get("description")
    if not isinstance(description, str) or not description.strip():
        loader.error(
            doc.rel,
            doc.meta.get("__line__", 2),
            "description manquante : ajoutez « description: » (une phrase) dans l’en-tête",
        )


def build_templates(loader: Loader, docs: list[Doc]) -> dict[str, Template]:
    """Compile every template; one with a problem is reported and left out."""
    templates: dict[str, Template] = {}
    for doc in docs:
        for part in doc.parts:
            if isinstance(part, tuple):
                document.tick_boxes(part[1])
        before = len(loader.problems)
        segments, _, _ = loader.compile_doc(doc)
        failed = any(not p.warning for p in loader.problems[before:])
        if failed or not doc.id or doc.id in templates:
            continue
        tokens = [token for part in doc.parts if isinstance(part, tuple) for token in part[1]]
        templates[doc.id] = Template(
            id=doc.id,
            title=str(doc.meta.get("title", "")).strip(),
            description=str(doc.meta.get("description", "")).strip(),
            html="".join(s.html for s in segments),
            blocks=document.blocks(tokens),
            source=doc.rel,
        )
    return templates
