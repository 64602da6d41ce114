"""Reading a PDF's tagged structure back, to check what PDF/UA-1 asks of each document.

No PDF/UA validator can be installed here (veraPDF needs Maven Central), so the
tests read the structure tree and catalogue themselves with pypdf: tags, language,
title shown, alternative text, and the PDF/UA identification in the XMP metadata.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from io import BytesIO

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject


@dataclass
class Tagged:
    """What the structure tree and catalogue of one PDF say."""

    reader: PdfReader
    tags: list[str] = field(default_factory=list)  # structure types in reading order
    alts: dict[str, list[str]] = field(default_factory=dict)  # type: its /Alt texts
    fonts: set[str] = field(default_factory=set)  # embedded fonts' names, subset tag cut
    # Per table, its cells: (TH or TD, the header cell's /ID, a data cell's /Headers).
    tables: list[list[tuple[str, str, list[str]]]] = field(default_factory=list)


def _walk(node: object, found: Tagged, table: list | None = None) -> None:
    node = node.get_object()  # type: ignore[attr-defined]
    if not isinstance(node, DictionaryObject):
        return  # a marked-content id or an object reference to page content
    kind = node.get("/S")
    if kind is not None:
        found.tags.append(str(kind))
        if "/Alt" in node:
            found.alts.setdefault(str(kind), []).append(str(node["/Alt"]))
        if kind == "/Table":
            table = []
            found.tables.append(table)
        elif kind in ("/TH", "/TD") and table is not None:
            headers = node.get("/A", {}).get("/Headers", [])
            table.append((str(kind), str(node.get("/ID", "")), [str(h) for h in headers]))
    kids = node.get("/K")
    if kids is None:
        return
    kids = kids.get_object()
    for kid in kids if isinstance(kids, ArrayObject) else [kids]:
        _walk(kid, found, table)


def _fonts(resources: object, found: set[str]) -> None:
    resources = resources.get_object() if resources is not None else None  # type: ignore[attr-defined]
    if not isinstance(resources, DictionaryObject):
        return
    for font in resources.get("/Font", {}).values():
        found.add(str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    for xobject in resources.get("/XObject", {}).values():
        _fonts(xobject.get_object().get("/Resources"), found)


def read(pdf: bytes) -> Tagged:
    reader = PdfReader(BytesIO(pdf))
    found = Tagged(reader)
    _walk(reader.trailer["/Root"]["/StructTreeRoot"], found)
    for page in reader.pages:
        _fonts(page.get("/Resources"), found.fonts)
    return found


def text(pdf: bytes) -> str:
    """The PDF's text on one line, no-break spaces as spaces, for phrase searches."""
    reader = PdfReader(BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def assert_pdf_ua(pdf: bytes, title: str) -> Tagged:
    """The catalogue and structure PDF/UA-1 requires, checked one by one."""
    tagged = read(pdf)
    root = tagged.reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712  (a pypdf BooleanObject)
    assert str(root["/Lang"]).startswith("fr")
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert "/ParentTree" in root["/StructTreeRoot"]
    assert tagged.reader.metadata.title == title
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp or "<pdfuaid:part>1</pdfuaid:part>" in xmp, xmp
    assert title in xmp  # dc:title, which PDF/UA requires
    assert tagged.tags[0] == "/Document" and "/H1" in tagged.tags
    assert tagged.tags.count("/H1") == 1  # one document title
    levels = [int(tag[2]) for tag in tagged.tags if re.fullmatch(r"/H[1-6]", tag)]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    for page in tagged.reader.pages:
        assert "/StructParents" in page  # every page's content is in the tree
    for cells in tagged.tables:  # data cells name their header cells (Headers and IDs)
        ids = {id_ for kind, id_, _ in cells if kind == "/TH"}
        assert all(ids) and len(ids) == sum(kind == "/TH" for kind, _, _ in cells)
        for kind, _, headers in cells:
            if kind == "/TD" and ids:
                assert headers and set(headers) <= ids, (headers, ids)
    for alt in tagged.alts.get("/Figure", []):
        assert alt.strip()
    assert tagged.tags.count("/Figure") == len(tagged.alts.get("/Figure", []))
    return tagged
