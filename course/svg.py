"""Check an SVG figure before the course shows it: well formed, inert, self-contained.

A figure is served from /media/ and shown through <img>, where browsers already
ignore scripts; the checker still refuses them so that a figure opened on its own,
or copied elsewhere, stays harmless, and so that it never fetches anything.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.parsers import expat

FORBIDDEN_ELEMENTS = {"script", "foreignObject", "iframe", "object", "embed"}
_EXTERNAL_CSS = re.compile(r"@import|url\(\s*['\"]?(?!#)", re.IGNORECASE)


def local_name(name: str) -> str:
    """`http://www.w3.org/2000/svg script` (expat's namespaced form) -> `script`."""
    return name.rsplit(" ", 1)[-1]


def problems(file: Path) -> list[str]:
    """Every problem of the file, in French, each with its line inside the SVG."""
    found: list[str] = []
    parser = expat.ParserCreate(namespace_separator=" ")
    depth = 0

    def at(message: str) -> None:
        found.append(f"ligne {parser.CurrentLineNumber} : {message}")

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        tag = local_name(name)
        if depth == 0 and tag != "svg":
            at(f"l’élément racine doit être <svg>, pas <{tag}>")
        depth += 1
        if tag in FORBIDDEN_ELEMENTS:
            at(f"élément <{tag}> interdit")
        for key, value in attrs.items():
            attr = local_name(key)
            if attr.lower().startswith("on"):
                at(f"attribut d’événement « {attr} » interdit")
            elif attr == "href" and not value.startswith("#"):
                at(f"référence externe « {value[:60]} » interdite : seulement « #id »")
            elif attr == "style" and _EXTERNAL_CSS.search(value):
                at("style avec une ressource externe (url(…) ou @import) interdit")

    def text(data: str) -> None:
        if current[-1:] == ["style"] and _EXTERNAL_CSS.search(data):
            at("style avec une ressource externe (url(…) ou @import) interdit")

    current: list[str] = []

    def open_element(name: str, attrs: dict[str, str]) -> None:
        current.append(local_name(name))
        start(name, attrs)

    def close_element(name: str) -> None:
        current.pop()

    def doctype(*_: object) -> None:
        at("déclaration DOCTYPE interdite (entités externes)")

    parser.StartElementHandler = open_element
    parser.EndElementHandler = close_element
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    parser.ExternalEntityRefHandler = lambda *_: 0  # never resolved
    try:
        parser.Parse(file.read_bytes(), True)
    except expat.ExpatError as exc:
        found.append(f"ligne {exc.lineno} : XML mal formé ({expat.ErrorString(exc.code)})")
    except OSError as exc:
        found.append(f"fichier illisible ({exc.__class__.__name__})")
    return found
