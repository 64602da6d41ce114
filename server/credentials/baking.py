"""Open Badges 3.0 « baking »: the signed credential carried inside the badge image itself.

A learner who keeps only the picture keeps the proof: the specification (§ Baking) puts the
credential in an SVG as one `<openbadges:credential>` element, right inside the root `<svg>`,
its JSON in a CDATA section (a VC-JWT would go in a `verify` attribute instead; this site signs
with an embedded Data Integrity proof, so the JSON form is the one it writes).

Only SVG: the badges are hand-written SVGs (static/badges/), so baking them keeps them sharp
at any size and readable as text; a PNG would need a rasteriser for no gain a verifier sees.

XML is handled by lxml (already installed with python-docx): it writes CDATA sections, which
the standard library cannot, and its parser is set here to never load a DTD, resolve an
entity or reach the network. A DOCTYPE is refused outright: no badge needs one.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
PREFIX = "openbadges"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
CREDENTIAL = f"{{{NAMESPACE}}}credential"
ROOT = f"{{{SVG_NAMESPACE}}}svg"


class BakingError(ValueError):
    """The image is no SVG this module can read or write."""


def _parse(svg: str) -> Any:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(svg.encode("utf-8"), parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise BakingError(f"not well-formed XML: {exc}") from exc
    if root.getroottree().docinfo.doctype:
        raise BakingError("an SVG with a DOCTYPE is refused (entities are never resolved)")
    if root.tag != ROOT:
        raise BakingError(f"the root element is {root.tag!r}, not an SVG <svg>")
    return root


def credential_text(credential: dict[str, Any]) -> str:
    """The credential as JSON that cannot end its CDATA section early.

    ASCII only, so that no character XML 1.0 forbids (U+FFFE, a lone surrogate…) reaches the
    file; `]]>` can only occur inside a JSON string (`>` is no JSON punctuation), where
    `\\u003e` is the same character to any JSON reader.
    """
    text = json.dumps(credential, ensure_ascii=True, separators=(",", ":"))
    return text.replace("]]>", "]]\\u003e")


def bake_svg(svg: str, credential: dict[str, Any]) -> str:
    """The SVG with `credential` baked in, as its first child; an earlier one is replaced,
    since the specification allows only one per image."""
    root = _parse(svg)
    for old in root.findall(CREDENTIAL):
        root.remove(old)
    element = etree.Element(CREDENTIAL, nsmap={PREFIX: NAMESPACE})
    element.text = etree.CDATA(credential_text(credential))
    element.tail = root.text if root.text and not root.text.strip() else "\n"
    root.insert(0, element)
    etree.cleanup_namespaces(root, top_nsmap={PREFIX: NAMESPACE})  # declared on <svg>
    tree = root.getroottree()
    return str(etree.tostring(tree, encoding="UTF-8", xml_declaration=True).decode("utf-8"))


def unbake_svg(svg: str) -> dict[str, Any] | None:
    """The credential baked in the SVG, or None when it carries none (or only a VC-JWT)."""
    element = _parse(svg).find(CREDENTIAL)
    if element is None or not (element.text or "").strip():
        return None
    try:
        found = json.loads(element.text)
    except ValueError as exc:
        raise BakingError(f"the baked credential is not JSON: {exc}") from exc
    return found if isinstance(found, dict) else None
